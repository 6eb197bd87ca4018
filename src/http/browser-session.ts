import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClientApp } from '../modules/apps/index.js';
import { AppError } from './errors.js';
import { BACKOFFICE_APP_ID, DOCTOR_WORKSPACE_APP_ID } from '../modules/apps/index.js';

/**
 * The browser sessions of the back office and the doctor workspace (docs/back-office.md, Session).
 *
 * A person signs in with email and password at POST /api/admin/session (a doctor at POST
 * /api/doctor-app/session) and gets an ordinary token of their role, but in a cookie instead of
 * a response body: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends
 * it), Secure when the service is served over HTTPS, scoped to its app's API path, expiring after
 * BROWSER_SESSION_HOURS. The token belongs to the web app's built-in app, so the cookie needs no
 * x-api-key and is no Bearer token for any partner app.
 *
 * Changes (every method but GET and HEAD) also need the x-csrf-token header: a value derived from
 * the session's token that only a page of this origin can read (from the login answer or GET
 * .../session). CORS never allows that header nor credentials, so another origin can
 * neither read the value nor send it.
 */
export const SESSION_COOKIE = 'cexup_admin';
export const SESSION_COOKIE_PATH = '/api/admin';
export const CSRF_HEADER = 'x-csrf-token';

export const BACKOFFICE_APP: ClientApp = { id: BACKOFFICE_APP_ID, name: 'Back office', hospitalScope: null };
export const DOCTOR_WORKSPACE_APP: ClientApp = {
  id: DOCTOR_WORKSPACE_APP_ID,
  name: 'Doctor workspace',
  hospitalScope: null,
};

/** A web app's browser session: its built-in app, its cookie and the API paths the cookie goes to. */
export interface BrowserSessionKind {
  app: ClientApp;
  cookie: string;
  path: string;
}

/** The back office (/admin/) and the doctor workspace (/doctor/): one cookie each, never sent to the other's API. */
export const BACKOFFICE_SESSION: BrowserSessionKind = {
  app: BACKOFFICE_APP,
  cookie: SESSION_COOKIE,
  path: SESSION_COOKIE_PATH,
};
export const DOCTOR_SESSION: BrowserSessionKind = {
  app: DOCTOR_WORKSPACE_APP,
  cookie: 'cexup_doctor',
  path: '/api/doctor-app',
};
const KINDS = [BACKOFFICE_SESSION, DOCTOR_SESSION];

/** The CSRF value of a session: a one-way function of its secret token, so nothing more is stored. */
export function csrfTokenOf(sessionToken: string): string {
  return createHash('sha256').update(`cexup-csrf:${sessionToken}`).digest('base64url');
}

const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? '';

/**
 * The web app whose browser session makes this request: no x-api-key, under its API path, and
 * either its cookie or the sign-in itself. Everything else still needs its app key.
 */
export function browserSessionOf(request: FastifyRequest): BrowserSessionKind | undefined {
  const path = pathOf(request);
  const kind = KINDS.find((k) => path.startsWith(`${k.path}/`));
  if (kind === undefined) return undefined;
  if (request.cookies[kind.cookie] !== undefined) return kind;
  return request.method === 'POST' && path === `${kind.path}/session` ? kind : undefined;
}

/** Whether the request's app is a web app's built-in one, whose token is in a cookie and never in a header. */
export const isBrowserApp = (app: ClientApp | undefined): boolean => KINDS.some((k) => k.app.id === app?.id);

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The cookie's token when this request is a web app's; a change without the CSRF value is a 403. */
export function browserSessionToken(request: FastifyRequest): string | undefined {
  const kind = KINDS.find((k) => k.app.id === request.clientApp?.id);
  if (kind === undefined) return undefined;
  const token = request.cookies[kind.cookie];
  if (token === undefined || token === '') return undefined;
  if (!SAFE_METHODS.has(request.method)) {
    const header = request.headers[CSRF_HEADER];
    const sent = Buffer.from(typeof header === 'string' ? header : '');
    const expected = Buffer.from(csrfTokenOf(token));
    if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new AppError('CSRF_TOKEN_INVALID');
  }
  return token;
}

export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  expiresAt: Date,
  secure: boolean,
  kind: BrowserSessionKind = BACKOFFICE_SESSION,
): void {
  reply.setCookie(kind.cookie, token, {
    path: kind.path,
    httpOnly: true,
    sameSite: 'strict',
    secure,
    expires: expiresAt,
  });
}

export function clearSessionCookie(
  reply: FastifyReply,
  secure: boolean,
  kind: BrowserSessionKind = BACKOFFICE_SESSION,
): void {
  reply.clearCookie(kind.cookie, { path: kind.path, httpOnly: true, sameSite: 'strict', secure });
}
