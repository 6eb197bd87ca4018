import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ANY_ROLE, bearerGuard, currentSession, ownBodyIds } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { KEY, KEY_TOKEN, OPEN, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { ActingUserFields, Envelope, NullableString, RequiredText } from '../../http/schemas.js';
import { ADMIN_PASSWORD_MIN_LENGTH, DOCTOR_PASSWORD_MIN_LENGTH } from './passwords.js';
import { AVATAR_MAX_BYTES } from './avatar.js';
import { toUserResource } from './accounts.service.js';
import {
  UserResourceSchema,
  SessionSchema,
  LoginBody,
  USERNAME_PATTERN,
  PASSWORD_MIN_LENGTH,
  ANY_ROLE_TOKEN,
  type AccountsRouteDeps,
} from './accounts.schemas.js';

/**
 * Accounts: registration, login, the profile, the avatar and the session.
 *
 *   POST /login/patient              log in                           key
 *   POST /register/patient           create an account                key
 *   POST /register/check-id/:type    is a username or email free      key
 *   POST /update/:role               update the profile               key + token
 *   POST /avatar                     set the profile picture          key + token
 *   GET  /me                         own user resource                key + token
 *   POST /logout                     revoke this token                key + token
 *   POST /change-password            new password, other tokens end   key + token
 *
 * Logout and change-password take the token of any role (patient, doctor, admin): every
 * account can end its sessions.
 */
export async function accountsRoutes(
  fastify: FastifyInstance,
  { accounts, config, onRegistered }: AccountsRouteDeps,
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const authenticated = bearerGuard(accounts);
  const anyRole = bearerGuard(accounts, ANY_ROLE);
  const user = (request: FastifyRequest) => toUserResource(currentSession(request).user, baseUrlOf(config, request));
  const perMinute = (max: number) => ({ rateLimit: { max, timeWindow: 60_000 } });
  // Setting an identity number answers whether it is usable: limited per account and per
  // address (in the shared store, Redis when configured), so numbers cannot be probed in bulk.
  const identityLimits = [
    fastify.createRateLimit({
      max: config.limits.identityChangesPerAccountPerDay,
      timeWindow: 86_400_000,
      keyGenerator: (request) => `identity-account:${currentSession(request).user.id}`,
    }),
    fastify.createRateLimit({
      max: config.limits.identityChangesPerAddressPerHour,
      timeWindow: 3_600_000,
      keyGenerator: (request) => `identity-address:${request.ip}`,
    }),
  ];
  const limitIdentityChange = async (request: FastifyRequest, reply: FastifyReply) => {
    for (const limit of identityLimits) {
      const result = await limit(request);
      if (!result.isAllowed && result.isExceeded) {
        void reply.header('retry-after', String(result.ttlInSeconds));
        throw new AppError('TOO_MANY_REQUESTS');
      }
    }
  };

  app.post(
    '/login/patient',
    {
      config: perMinute(config.limits.loginPerAddressPerMinute),
      schema: {
        ...op('accounts', 'loginPatient', 'Log in a patient', KEY, ['INVALID_CREDENTIALS', 'LOGIN_LOCKED']),
        body: LoginBody,
        response: { 200: Envelope(SessionSchema, messages.loggedIn.en) },
      },
    },
    async (request) => {
      const { user: row, token } = await accounts.login(
        request.body.email,
        request.body.password,
        request.clientApp!.id,
        request.ip,
      );
      return {
        success: true,
        message: messages.loggedIn[request.lang],
        data: { ...token, user: toUserResource(row, baseUrlOf(config, request)) },
      };
    },
  );

  app.post(
    '/register/patient',
    {
      config: { rateLimit: { max: config.limits.registerPerAddressPerHour, timeWindow: 3_600_000 } },
      schema: {
        ...op('accounts', 'registerPatient', 'Register a patient: 201 with a session', KEY),
        body: Type.Object(
          {
            name: RequiredText(100),
            address: RequiredText(500),
            username: Type.String({ minLength: 1, maxLength: 50, pattern: USERNAME_PATTERN }),
            email: Type.String({ minLength: 1, maxLength: 254, format: 'email' }),
            password: Type.String({ minLength: 8, maxLength: 128 }),
          },
          {
            examples: [
              {
                name: 'Siti Rahayu',
                address: 'Jl. Sudirman 5, Bandung',
                username: 'sitirahayu',
                email: 'siti@example.id',
                password: 'rahasia-123',
              },
            ],
          },
        ),
        response: { 201: Envelope(SessionSchema, messages.registered.en) },
      },
    },
    async (request, reply) => {
      const { user: row, token } = await accounts.register(request.body, request.clientApp!.id, request.ip);
      onRegistered?.(row, request.lang);
      return reply.code(201).send({
        success: true,
        message: messages.registered[request.lang],
        data: { ...token, user: toUserResource(row, baseUrlOf(config, request)) },
      });
    },
  );

  app.post(
    '/register/check-id/:type',
    {
      config: perMinute(config.limits.checkIdPerAddressPerMinute),
      schema: {
        ...op('accounts', 'checkId', 'Is a username or an email free?', KEY, ['NOT_FOUND']),
        params: Type.Object({ type: Type.String({ description: '`username` or `email`; another type is a 404.' }) }),
        querystring: Type.Object({ username: Type.Optional(Type.String()), email: Type.Optional(Type.String()) }),
        body: Type.Optional(
          Type.Object(
            { username: Type.Optional(Type.String()), email: Type.Optional(Type.String()) },
            { description: 'The value may come in the query string instead.', examples: [{ username: 'sitirahayu' }] },
          ),
        ),
        response: {
          200: Envelope(
            Type.Object(
              { type: Type.String(), value: Type.String(), available: Type.Boolean() },
              { examples: [{ type: 'username', value: 'sitirahayu', available: true }] },
            ),
            messages.available.en,
          ),
        },
      },
    },
    async (request) => {
      const type = request.params.type;
      if (type !== 'username' && type !== 'email') throw new AppError('NOT_FOUND');
      const value = (request.query[type] ?? request.body?.[type] ?? '').trim();
      if (value === '') throw AppError.field(type, 'required');
      if (value.length > (type === 'email' ? 254 : 50))
        throw AppError.field(type, 'maxLength', { limit: type === 'email' ? 254 : 50 });
      if (type === 'username' && !new RegExp(USERNAME_PATTERN).test(value))
        throw AppError.field(type, 'usernameFormat');
      if (type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw AppError.field(type, 'email');
      const available = await accounts.isAvailable(type, value);
      return {
        success: true,
        message: (available ? messages.available : messages.taken)[request.lang],
        data: { type, value, available },
      };
    },
  );

  app.post(
    '/update/:role',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      schema: {
        ...op('accounts', 'updateProfile', 'Update the own profile (any subset; null clears)', KEY_TOKEN, [
          'ROUTE_NOT_FOUND',
          'TOO_MANY_REQUESTS',
        ]),
        params: Type.Object({ role: Type.String({ description: '`patient`; any other role is a 404.' }) }),
        body: Type.Object(
          {
            ...ActingUserFields,
            name: Type.Optional(RequiredText(100)),
            address: Type.Optional(NullableString({ maxLength: 500 })),
            gender: Type.Optional(NullableString({ maxLength: 20 })),
            phone_number: Type.Optional(NullableString({ maxLength: 30 })),
            type: Type.Optional(NullableString({ maxLength: 20 })),
            no_type: Type.Optional(NullableString({ maxLength: 40 })),
            date_of_birth: Type.Optional(NullableString({ maxLength: 10 })),
            place_of_birth: Type.Optional(NullableString({ maxLength: 100 })),
          },
          {
            examples: [
              {
                gender: 'perempuan',
                phone_number: '081234567890',
                date_of_birth: '1994-03-12',
                place_of_birth: 'Bandung',
                type: 'ktp',
                no_type: '3273015203940001',
              },
            ],
          },
        ),
        response: { 200: Envelope(UserResourceSchema, messages.profileUpdated.en) },
      },
    },
    async (request, reply) => {
      // Only patients use this API; the path keeps the role for the apps that send it.
      if (request.params.role !== 'patient') throw new AppError('ROUTE_NOT_FOUND');
      const session = currentSession(request);
      const { user_id: _id, username: _name, ...input } = request.body;
      if (accounts.isIdentityChange(session.user, input)) await limitIdentityChange(request, reply);
      session.user = await accounts.updateProfile(session.user, input);
      return { success: true, message: messages.profileUpdated[request.lang], data: user(request) };
    },
  );

  app.post(
    '/avatar',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      // base64 is a third larger than the 2 MB it encodes, plus the JSON around it.
      bodyLimit: Math.ceil((AVATAR_MAX_BYTES * 4) / 3) + 64 * 1024,
      schema: {
        ...op('accounts', 'setAvatar', 'Set the profile picture (base64 PNG, JPEG or WebP)', KEY_TOKEN, [
          'IMAGE_TOO_LARGE',
          'IMAGE_DIMENSIONS_TOO_LARGE',
          'UNSUPPORTED_IMAGE',
        ]),
        body: Type.Object(
          {
            ...ActingUserFields,
            file: Type.String({ minLength: 1, description: 'base64, a `data:` prefix allowed; 2 MB at most.' }),
            type: Type.Optional(Type.String({ maxLength: 40, description: 'png, jpg, jpeg or webp.' })),
            extension: Type.Optional(Type.String({ maxLength: 40, description: 'The same as `type`.' })),
          },
          {
            examples: [
              {
                file: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
                type: 'png',
              },
            ],
          },
        ),
        response: { 200: Envelope(UserResourceSchema, messages.avatarUpdated.en) },
      },
    },
    async (request) => {
      const session = currentSession(request);
      session.user = await accounts.setAvatar(
        session.user,
        request.body.file,
        request.body.type ?? request.body.extension,
      );
      return { success: true, message: messages.avatarUpdated[request.lang], data: user(request) };
    },
  );

  app.get(
    '/me',
    {
      onRequest: authenticated,
      schema: {
        ...op('accounts', 'me', 'The own user resource', KEY_TOKEN),
        response: { 200: Envelope(UserResourceSchema) },
      },
    },
    async (request) => ({ success: true, message: messages.ok[request.lang], data: user(request) }),
  );

  app.post(
    '/logout',
    {
      onRequest: anyRole,
      // A body naming another user is a 403: the caller's own session is not ended for it.
      preValidation: ownBodyIds,
      schema: {
        ...op('accounts', 'logout', 'End this session', KEY_TOKEN),
        ...ANY_ROLE_TOKEN,
        response: { 200: Envelope(Type.Null(), messages.loggedOut.en) },
      },
    },
    async (request) => {
      await accounts.logout(currentSession(request));
      return { success: true, message: messages.loggedOut[request.lang], data: null };
    },
  );

  app.post(
    '/change-password',
    {
      onRequest: anyRole,
      preValidation: ownBodyIds,
      schema: {
        ...op('accounts', 'changePassword', 'Change the password; every other session ends', KEY_TOKEN, [
          'INVALID_CREDENTIALS',
          'LOGIN_LOCKED',
          'PASSWORD_CHANGED_MEANWHILE',
        ]),
        ...ANY_ROLE_TOKEN,
        body: Type.Object(
          {
            ...ActingUserFields,
            current_password: Type.String({ minLength: 1, maxLength: 1024 }),
            new_password: Type.String({
              minLength: 8,
              maxLength: 128,
              description: `At least 8 characters (a doctor's ${DOCTOR_PASSWORD_MIN_LENGTH}, an admin's ${ADMIN_PASSWORD_MIN_LENGTH}).`,
            }),
            new_password_confirmation: Type.Optional(Type.String({ maxLength: 128 })),
          },
          {
            examples: [
              {
                current_password: 'rahasia-123',
                new_password: 'rahasia-baru-456',
                new_password_confirmation: 'rahasia-baru-456',
              },
            ],
          },
        ),
        response: { 200: Envelope(Type.Null(), messages.passwordChanged.en) },
      },
    },
    async (request) => {
      const { current_password, new_password, new_password_confirmation } = request.body;
      if (new_password_confirmation !== undefined && new_password_confirmation !== new_password) {
        throw AppError.field('new_password', 'confirmationMismatch', { field: 'new_password' });
      }
      const session = currentSession(request);
      const min = PASSWORD_MIN_LENGTH[session.user.role] ?? ADMIN_PASSWORD_MIN_LENGTH;
      if (new_password.length < min) throw AppError.field('new_password', 'minLength', { limit: min });
      await accounts.changePassword(session, current_password, new_password, request.ip);
      return { success: true, message: messages.passwordChanged[request.lang], data: null };
    },
  );
}

/**
 * Images (avatars, and the catalogue's pictures) are served outside /api: their names are
 * unguessable, and image tags send no key.
 */
export async function imageFileRoutes(
  fastify: FastifyInstance,
  { accounts }: Pick<AccountsRouteDeps, 'accounts'>,
): Promise<void> {
  const serve = async (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
    const m = /^([0-9a-f-]{36})\.jpg$/.exec(request.params.file);
    const image = m ? await accounts.findImage(m[1]!) : undefined;
    if (image === undefined) throw new AppError('NOT_FOUND');
    return reply
      .header('content-type', image.content_type)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, max-age=86400')
      .header('content-security-policy', "default-src 'none'")
      .send(image.bytes);
  };
  const image = (operationId: string, summary: string) => ({
    schema: {
      ...op('files', operationId, summary, OPEN, ['NOT_FOUND']),
      params: Type.Object({ file: Type.String({ description: 'The name from a `thumb` URL: `<uuid>.jpg`.' }) }),
      response: {
        200: {
          description: 'The JPEG (`X-Content-Type-Options: nosniff`).',
          content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } },
        },
      },
    },
  });
  fastify.get('/files/avatars/:file', image('avatarFile', 'An avatar (the `thumb` of a user)'), serve);
  fastify.get('/files/images/:file', image('imageFile', 'A catalogue picture (a `thumb` or product image)'), serve);
}
