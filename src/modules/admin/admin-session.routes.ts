import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AdminDeps } from './admin-deps.js';
import type { Config } from '../../config.js';
import { bearerGuard, currentSession } from '../../http/auth.js';
import {
  BACKOFFICE_APP,
  SESSION_COOKIE,
  clearSessionCookie,
  csrfTokenOf,
  setSessionCookie,
} from '../../http/browser-session.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { ADMIN, OPEN, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { Envelope } from '../../http/schemas.js';
import { LoginBody } from '../accounts/index.js';
import { toUserResource } from '../accounts/index.js';
import { BrowserSessionSchema } from './admin-session.schemas.js';

const roleOf = (user: { admin_role: string | null }) =>
  user.admin_role === 'hospital_admin' ? ('hospital_admin' as const) : ('operator' as const);

/**
 * The back office's browser session (http/browser-session.ts says how it is kept safe):
 *
 *   POST   /admin/session     sign in (email, password): sets the cookie; no x-api-key
 *   GET    /admin/session     who is signed in, and the CSRF value again (after a reload)
 *   DELETE /admin/session     sign out: the token is revoked and the cookie cleared
 */
export async function adminSessionRoutes(
  fastify: FastifyInstance,
  { services, config }: { services: AdminDeps; config: Config },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Secure cookies only travel over HTTPS: set it wherever the service is reached over HTTPS.
  const secure = (request: FastifyRequest) => request.protocol === 'https' || !!config.publicUrl?.startsWith('https:');

  app.post(
    '/session',
    {
      config: { rateLimit: { max: config.limits.loginPerAddressPerMinute, timeWindow: 60_000 } },
      // JSON only: another site's page can post a form here without asking (no CORS preflight),
      // and would sign the visitor's browser into the account it chose (login CSRF).
      preValidation: async (request) => {
        if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE');
        }
      },
      schema: {
        ...op('admin', 'adminSessionCreate', 'Sign in to the back office in a browser', OPEN, [
          'INVALID_CREDENTIALS',
          'LOGIN_LOCKED',
          'ACCOUNT_DISABLED',
        ]),
        body: { ...LoginBody, examples: [{ email: 'admin@cexup.test', password: 'rahasia-admin-2026' }] },
        response: { 200: Envelope(BrowserSessionSchema, messages.loggedIn.en) },
      },
    },
    async (request, reply) => {
      const { user, token } = await services.accounts.login(
        request.body.email,
        request.body.password,
        BACKOFFICE_APP.id,
        request.ip,
        'admin',
        config.browserSessionHours * 3_600_000,
      );
      setSessionCookie(reply, token.access_token, new Date(token.expires_at), secure(request));
      return {
        success: true,
        message: messages.loggedIn[request.lang],
        data: {
          user: toUserResource(user, baseUrlOf(config, request)),
          role: roleOf(user),
          csrf_token: csrfTokenOf(token.access_token),
          expires_at: token.expires_at,
        },
      };
    },
  );

  await app.register(async (instance) => {
    const r = instance.withTypeProvider<TypeBoxTypeProvider>();
    r.addHook('onRequest', bearerGuard(services.accounts, 'admin'));
    r.get(
      '/session',
      {
        schema: {
          ...op('admin', 'adminSessionRead', 'The signed-in back-office account', ADMIN),
          response: { 200: Envelope(BrowserSessionSchema) },
        },
      },
      async (request) => ({
        success: true,
        message: messages.ok[request.lang],
        data: {
          user: toUserResource(currentSession(request).user, baseUrlOf(config, request)),
          role: roleOf(currentSession(request).user),
          // Only a browser session has one: a script with a key and a Bearer token needs none.
          csrf_token:
            request.clientApp?.id === BACKOFFICE_APP.id ? csrfTokenOf(request.cookies[SESSION_COOKIE] ?? '') : null,
          expires_at: null,
        },
      }),
    );
    r.delete(
      '/session',
      {
        schema: {
          ...op('admin', 'adminSessionDelete', 'Sign out of the back office', ADMIN),
          response: { 200: Envelope(Type.Null(), messages.loggedOut.en) },
        },
      },
      async (request, reply) => {
        await services.accounts.logout(currentSession(request));
        clearSessionCookie(reply, secure(request));
        return { success: true, message: messages.loggedOut[request.lang], data: null };
      },
    );
  });
}
