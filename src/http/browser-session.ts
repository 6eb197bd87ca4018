import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClientApp } from '../modules/apps/apps.service.js';
import { AppError } from './errors.js';
import { BACKOFFICE_APP_ID } from '../modules/apps/apps.repository.js';

/**
 * The back office's browser session (docs: "Back office", Session).
 *
 * A person signs in with email and password at POST /api/admin/session and gets an ordinary
 * admin token, but in a cookie instead of a response body: HttpOnly (no script reads it),
 * SameSite=Strict (no other site's page sends it), Secure when the service is served over HTTPS,
 * scoped to /api/admin, expiring after BROWSER_SESSION_HOURS. The token belongs to the built-in
 * back-office app, so the cookie needs no x-api-key and is no Bearer token for any partner app.
 *
 * Changes (every method but GET and HEAD) also need the x-csrf-token header: a value derived from
 * the session's token that only a page of this origin can read (from the login answer or GET
 * /api/admin/session). CORS never allows that header nor credentials, so another origin can
 * neither read the value nor send it.
 */
export const SESSION_COOKIE = 'cexup_admin';
export const SESSION_COOKIE_PATH = '/api/admin';
export const CSRF_HEADER = 'x-csrf-token';

export const BACKOFFICE_APP: ClientApp = { id: BACKOFFICE_APP_ID, name: 'Back office', hospitalScope: null };

/** The CSRF value of a session: a one-way function of its secret token, so nothing more is stored. */
export function csrfTokenOf(sessionToken: string): string {
  return createHash('sha256').update(`cexup-csrf:${sessionToken}`).digest('base64url');
}

const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? '';

/**
 * A request the back office makes with its cookie: no x-api-key, under /api/admin/, and either
 * the cookie or the sign-in itself. Everything else still needs its app key.
 */
export function isBrowserSessionRequest(request: FastifyRequest): boolean {
  const path = pathOf(request);
  if (!path.startsWith(`${SESSION_COOKIE_PATH}/`)) return false;
  if (request.cookies[SESSION_COOKIE] !== undefined) return true;
  return request.method === 'POST' && path === `${SESSION_COOKIE_PATH}/session`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The cookie's token when this request is the back office's; a change without the CSRF value is a 403. */
export function browserSessionToken(request: FastifyRequest): string | undefined {
  if (request.clientApp?.id !== BACKOFFICE_APP_ID) return undefined;
  const token = request.cookies[SESSION_COOKIE];
  if (token === undefined || token === '') return undefined;
  if (!SAFE_METHODS.has(request.method)) {
    const header = request.headers[CSRF_HEADER];
    const sent = Buffer.from(typeof header === 'string' ? header : '');
    const expected = Buffer.from(csrfTokenOf(token));
    if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new AppError('CSRF_TOKEN_INVALID');
  }
  return token;
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: SESSION_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict',
    secure,
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { path: SESSION_COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure });
}
