import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { bearerGuard, currentSession } from '../../http/auth.js';
import {
  DOCTOR_SESSION,
  clearSessionCookie,
  csrfTokenOf,
  isBrowserApp,
  setSessionCookie,
} from '../../http/browser-session.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { DOCTOR, OPEN, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { Envelope, LooseWith } from '../../http/schemas.js';
import { LoginBody } from '../accounts/index.js';
import { toUserResource, type AccountsService } from '../accounts/index.js';
import { DoctorSessionSchema } from './doctors.schemas.js';
import { DOCTOR_PASSWORD_MIN_LENGTH } from '../accounts/index.js';

/**
 * The doctor workspace's browser session, built like the back office's (http/browser-session.ts):
 *
 *   POST   /doctor-app/session                  sign in (username or email, password): sets the cookie; no x-api-key
 *   GET    /doctor-app/session                  who is signed in, and the CSRF value again (after a reload)
 *   DELETE /doctor-app/session[?everywhere=true] sign out here, or on every device and app
 *   POST   /doctor-app/password                 change the password; every other session ends
 */
export async function doctorSessionRoutes(
  fastify: FastifyInstance,
  { accounts, config }: { accounts: AccountsService; config: Config },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const secure = (request: FastifyRequest) => request.protocol === 'https' || !!config.publicUrl?.startsWith('https:');

  app.post(
    '/doctor-app/session',
    {
      config: { rateLimit: { max: config.limits.loginPerAddressPerMinute, timeWindow: 60_000 } },
      // JSON only: a form another site posts here needs no CORS preflight (login CSRF).
      preValidation: async (request) => {
        if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE');
        }
      },
      schema: {
        ...op('doctors', 'doctorSessionCreate', 'Sign in to the doctor workspace in a browser', OPEN, [
          'INVALID_CREDENTIALS',
          'LOGIN_LOCKED',
          'ACCOUNT_DISABLED',
        ]),
        body: { ...LoginBody, examples: [{ email: 'dokter@cexup.test', password: 'demo-dokter-2026' }] },
        response: { 200: Envelope(DoctorSessionSchema, messages.loggedIn.en) },
      },
    },
    async (request, reply) => {
      const { user, token } = await accounts.login(
        request.body.email,
        request.body.password,
        DOCTOR_SESSION.app.id,
        request.ip,
        'doctor',
        config.browserSessionHours * 3_600_000,
      );
      setSessionCookie(reply, token.access_token, new Date(token.expires_at), secure(request), DOCTOR_SESSION);
      return {
        success: true,
        message: messages.loggedIn[request.lang],
        data: {
          user: toUserResource(user, baseUrlOf(config, request)),
          csrf_token: csrfTokenOf(token.access_token),
          expires_at: token.expires_at,
        },
      };
    },
  );

  await app.register(async (instance) => {
    const r = instance.withTypeProvider<TypeBoxTypeProvider>();
    r.addHook('onRequest', bearerGuard(accounts, 'doctor'));
    r.get(
      '/doctor-app/session',
      {
        schema: {
          ...op('doctors', 'doctorSessionRead', 'The signed-in doctor', DOCTOR),
          response: { 200: Envelope(DoctorSessionSchema) },
        },
      },
      async (request) => ({
        success: true,
        message: messages.ok[request.lang],
        data: {
          user: toUserResource(currentSession(request).user, baseUrlOf(config, request)),
          // Only a browser session has one: a script with a key and a Bearer token needs none.
          csrf_token: isBrowserApp(request.clientApp)
            ? csrfTokenOf(request.cookies[DOCTOR_SESSION.cookie] ?? '')
            : null,
          expires_at: null,
        },
      }),
    );
    r.delete(
      '/doctor-app/session',
      {
        schema: {
          ...op('doctors', 'doctorSessionDelete', 'Sign out: this session, or every session of the account', DOCTOR),
          querystring: LooseWith(
            { everywhere: 'true: every device and app of the account signs out, this one too.' },
            { everywhere: 'true' },
          ),
          response: { 200: Envelope(Type.Null(), messages.loggedOut.en) },
        },
      },
      async (request, reply) => {
        const everywhere = ['true', '1'].includes(String((request.query as Record<string, unknown>).everywhere));
        const session = currentSession(request);
        await (everywhere ? accounts.logoutEverywhere(session) : accounts.logout(session));
        if (isBrowserApp(request.clientApp)) clearSessionCookie(reply, secure(request), DOCTOR_SESSION);
        return { success: true, message: messages.loggedOut[request.lang], data: null };
      },
    );
    r.post(
      '/doctor-app/password',
      {
        schema: {
          ...op('doctors', 'doctorChangePassword', 'Change the password; every other session ends', DOCTOR, [
            'LOGIN_LOCKED',
            'PASSWORD_CHANGED_MEANWHILE',
          ]),
          body: Type.Object(
            {
              current_password: Type.String({ minLength: 1, maxLength: 1024 }),
              new_password: Type.String({
                minLength: 1,
                maxLength: 128,
                description: `At least ${DOCTOR_PASSWORD_MIN_LENGTH} characters.`,
              }),
              new_password_confirmation: Type.Optional(Type.String({ maxLength: 128 })),
            },
            {
              examples: [
                {
                  current_password: 'demo-dokter-2026',
                  new_password: 'rahasia-dokter-baru',
                  new_password_confirmation: 'rahasia-dokter-baru',
                },
              ],
            },
          ),
          response: { 200: Envelope(Type.Null(), messages.passwordChanged.en) },
        },
      },
      async (request) => {
        const { current_password, new_password, new_password_confirmation } = request.body;
        if (new_password.length < DOCTOR_PASSWORD_MIN_LENGTH) {
          throw AppError.field('new_password', 'minLength', { limit: DOCTOR_PASSWORD_MIN_LENGTH });
        }
        if (new_password_confirmation !== undefined && new_password_confirmation !== new_password) {
          throw AppError.field('new_password', 'confirmationMismatch', { field: 'new_password' });
        }
        await accounts.changePassword(currentSession(request), current_password, new_password, request.ip);
        return { success: true, message: messages.passwordChanged[request.lang], data: null };
      },
    );
  });
}
