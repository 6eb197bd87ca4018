import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsService, Session } from '../modules/accounts/index.js';
import type { UserRow } from '../modules/accounts/index.js';
import type { AppsService, ClientApp } from '../modules/apps/index.js';
import { AppError } from './errors.js';
import { browserSessionOf, browserSessionToken, isBrowserApp } from './browser-session.js';

declare module 'fastify' {
  interface FastifyRequest {
    clientApp: ClientApp | undefined;
    session: Session | undefined;
    user: UserRow | undefined;
  }
}

/** onRequest for every /api route: the x-api-key names the client app, or the answer is 401. */
export function apiKeyGuard(apps: AppsService) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    const browser = key === undefined ? browserSessionOf(request) : undefined;
    if (browser !== undefined) {
      // A web app of ours in a browser: its cookie, checked by the route's bearerGuard, is the credential.
      request.clientApp = browser.app;
      return;
    }
    const app = key ? await apps.authenticate(key) : undefined;
    if (app === undefined) throw new AppError('API_KEY_INVALID');
    request.clientApp = app;
  };
}

export type Role = 'patient' | 'admin' | 'doctor';

/** Every role: for what each signed-in account does with its own session (log out, change password). */
export const ANY_ROLE: readonly Role[] = ['patient', 'doctor', 'admin'];

/**
 * onRequest for routes that need a signed-in account of one role (or of one of several): a live
 * bearer token issued in this same app. Another role's token is refused like no token (a
 * patient's on admin routes, an admin's on patient routes).
 */
export function bearerGuard(accounts: AccountsService, role: Role | readonly Role[] = 'patient') {
  const roles: readonly string[] = typeof role === 'string' ? [role] : role;
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const app = request.clientApp;
    // Our web apps' requests carry their token in the session cookie, never in a header.
    const token = isBrowserApp(app) ? browserSessionToken(request) : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const session = token !== undefined && app ? await accounts.authenticate(token, app.id) : undefined;
    if (session === undefined || !roles.includes(session.user.role)) {
      throw new AppError('UNAUTHENTICATED', { headers: { 'www-authenticate': 'Bearer' } });
    }
    request.session = session;
    request.user = session.user;
  };
}

/**
 * preValidation for routes whose body names the acting patient (`user_id`, `username`), as the
 * published document's bodies do: the token decides who acts; naming anyone else is a 403.
 */
export async function ownBodyIds(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const body = request.body;
  const user = request.user;
  if (user === undefined || typeof body !== 'object' || body === null) return;
  const { user_id: userId, username } = body as Record<string, unknown>;
  // Only a string or number names someone; anything else is left for the schema's 422.
  const named = (v: unknown): v is string | number =>
    (typeof v === 'string' && v.trim() !== '') || typeof v === 'number';
  if (named(userId) && String(userId).trim().toLowerCase() !== user.id) throw new AppError('FORBIDDEN_OTHER_USER');
  if (named(username) && String(username).trim().toLowerCase() !== user.username_normalized) {
    throw new AppError('FORBIDDEN_OTHER_USER');
  }
}

/** The user behind an authenticated route; the guard has already refused everyone else. */
export function currentSession(request: FastifyRequest): Session {
  if (request.session === undefined) throw new AppError('UNAUTHENTICATED');
  return request.session;
}
