import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { bearerGuard, currentSession, ownBodyIds } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { baseUrlOf } from '../../http/origin.js';
import { ActingUserFields, Envelope, NullableString, RequiredText } from '../../http/schemas.js';
import { AVATAR_MAX_BYTES } from './avatar.js';
import { toUserResource, type AccountsService } from './accounts.service.js';

export const UserResourceSchema = Type.Object({
  user_id: Type.String(),
  name: Type.String(),
  username: Type.String(),
  email: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  gender: Type.Union([Type.String(), Type.Null()]),
  phone_number: Type.Union([Type.String(), Type.Null()]),
  date_of_birth: Type.Union([Type.String(), Type.Null()]),
  place_of_birth: Type.Union([Type.String(), Type.Null()]),
  type: Type.Union([Type.String(), Type.Null()]),
  no_type: Type.Union([Type.String(), Type.Null()]),
  thumb: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  updated_at: Type.String(),
});

const SessionSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_at: Type.String(),
  user: UserResourceSchema,
});

const USERNAME_PATTERN = '^[a-zA-Z]+[0-9]*$';

export interface AccountsRouteDeps {
  accounts: AccountsService;
  config: Pick<Config, 'publicUrl' | 'limits'>;
}

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
 */
export async function accountsRoutes(fastify: FastifyInstance, { accounts, config }: AccountsRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const authenticated = bearerGuard(accounts);
  const user = (request: FastifyRequest) => toUserResource(currentSession(request).user, baseUrlOf(config, request));
  const perMinute = (max: number) => ({ rateLimit: { max, timeWindow: 60_000 } });

  app.post(
    '/login/patient',
    {
      config: perMinute(config.limits.loginPerAddressPerMinute),
      schema: {
        body: Type.Object({
          email: Type.String({ minLength: 1, maxLength: 254 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
        }),
        response: { 200: Envelope(SessionSchema) },
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
        body: Type.Object({
          name: RequiredText(100),
          address: RequiredText(500),
          username: Type.String({ minLength: 1, maxLength: 50, pattern: USERNAME_PATTERN }),
          email: Type.String({ minLength: 1, maxLength: 254, format: 'email' }),
          password: Type.String({ minLength: 8, maxLength: 128 }),
        }),
        response: { 201: Envelope(SessionSchema) },
      },
    },
    async (request, reply) => {
      const { user: row, token } = await accounts.register(request.body, request.clientApp!.id, request.ip);
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
        params: Type.Object({ type: Type.String() }),
        querystring: Type.Object({ username: Type.Optional(Type.String()), email: Type.Optional(Type.String()) }),
        body: Type.Optional(
          Type.Object({ username: Type.Optional(Type.String()), email: Type.Optional(Type.String()) }),
        ),
        response: {
          200: Envelope(Type.Object({ type: Type.String(), value: Type.String(), available: Type.Boolean() })),
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
        params: Type.Object({ role: Type.String() }),
        body: Type.Object({
          ...ActingUserFields,
          name: Type.Optional(RequiredText(100)),
          address: Type.Optional(NullableString({ maxLength: 500 })),
          gender: Type.Optional(NullableString({ maxLength: 20 })),
          phone_number: Type.Optional(NullableString({ maxLength: 30 })),
          type: Type.Optional(NullableString({ maxLength: 20 })),
          no_type: Type.Optional(NullableString({ maxLength: 40 })),
          date_of_birth: Type.Optional(NullableString({ maxLength: 10 })),
          place_of_birth: Type.Optional(NullableString({ maxLength: 100 })),
        }),
        response: { 200: Envelope(UserResourceSchema) },
      },
    },
    async (request) => {
      // Only patients use this API; the path keeps the role for the apps that send it.
      if (request.params.role !== 'patient') throw new AppError('ROUTE_NOT_FOUND');
      const session = currentSession(request);
      const { user_id: _id, username: _name, ...input } = request.body;
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
        body: Type.Object({
          ...ActingUserFields,
          file: Type.String({ minLength: 1 }),
          type: Type.Optional(Type.String({ maxLength: 40 })),
          extension: Type.Optional(Type.String({ maxLength: 40 })),
        }),
        response: { 200: Envelope(UserResourceSchema) },
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
    { onRequest: authenticated, schema: { response: { 200: Envelope(UserResourceSchema) } } },
    async (request) => ({ success: true, message: messages.ok[request.lang], data: user(request) }),
  );

  app.post(
    '/logout',
    { onRequest: authenticated, schema: { response: { 200: Envelope(Type.Null()) } } },
    async (request) => {
      await accounts.logout(currentSession(request));
      return { success: true, message: messages.loggedOut[request.lang], data: null };
    },
  );

  app.post(
    '/change-password',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      schema: {
        body: Type.Object({
          ...ActingUserFields,
          current_password: Type.String({ minLength: 1, maxLength: 1024 }),
          new_password: Type.String({ minLength: 8, maxLength: 128 }),
          new_password_confirmation: Type.Optional(Type.String({ maxLength: 128 })),
        }),
        response: { 200: Envelope(Type.Null()) },
      },
    },
    async (request) => {
      const { current_password, new_password, new_password_confirmation } = request.body;
      if (new_password_confirmation !== undefined && new_password_confirmation !== new_password) {
        throw AppError.field('new_password', 'confirmationMismatch', { field: 'new_password' });
      }
      await accounts.changePassword(currentSession(request), current_password, new_password, request.ip);
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
  fastify.get('/files/avatars/:file', serve);
  fastify.get('/files/images/:file', serve);
}
