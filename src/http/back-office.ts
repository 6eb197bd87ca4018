import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * The web apps built by Vite from web/, each served from this origin at its own prefix: the back
 * office (web/dist) at /admin/ and the doctor's workspace (web/dist-doctor) at /doctor/. Their
 * calls to /api/ carry the session cookie (http/browser-session.ts), with no CORS.
 * Assets have hashed names and are cached for a year; index.html is never cached, so a new
 * build shows at the next load. Every other path under the prefix is the app's own route: it
 * gets index.html too, so a reload or a shared link opens the same page.
 */
export const BACK_OFFICE_PREFIX = '/admin';
export const BACK_OFFICE_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');
export const DOCTOR_WORKSPACE_PREFIX = '/doctor';
export const DOCTOR_WORKSPACE_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist-doctor');

/** Only this origin; MUI's styles are injected at run time (emotion), hence 'unsafe-inline' for styles. */
export const BACK_OFFICE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
/** The same policy: the workspace is the same kind of app (MUI, calls to this origin only). */
export const DOCTOR_WORKSPACE_CSP = BACK_OFFICE_CSP;

function notBuilt(title: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title} not built</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>The ${title.toLowerCase()} is not built</h1>
<p>Run <code>node scripts/build-web.mjs</code> (npm install runs it), then reload this page.</p></body></html>`;
}

export interface WebAppOptions {
  /** '/admin': the app answers at /admin/ and /admin/*. */
  prefix: string;
  /** Vite's outDir: index.html and assets/. */
  dist: string;
  /** For the "not built" page. */
  title: string;
  csp?: string;
}

/** One built single-page app at `prefix`; a 503 page saying how to build it when it is not. */
export async function webAppRoutes(
  app: FastifyInstance,
  { prefix, dist, title, csp = BACK_OFFICE_CSP }: WebAppOptions,
) {
  const built = existsSync(join(dist, 'index.html'));
  const index = () => (built ? readFileSync(join(dist, 'index.html')) : Buffer.from(notBuilt(title)));
  const page = { 'content-security-policy': csp, 'cache-control': 'no-cache' };

  if (built) {
    await app.register(fastifyStatic, {
      root: join(dist, 'assets'),
      prefix: `${prefix}/assets/`,
      index: false,
      wildcard: true,
      immutable: true,
      maxAge: 365 * 86_400_000,
      // Two apps register @fastify/static: only the first may decorate reply.sendFile.
      decorateReply: false,
      setHeaders: (res) => res.setHeader('content-security-policy', csp),
    });
  }
  // The app's own routes (/admin/, /admin/orders/...): the page, which routes in the browser.
  const serveIndex = async (_request: unknown, reply: FastifyReply) =>
    reply
      .code(built ? 200 : 503)
      .headers(page)
      .type('text/html; charset=utf-8')
      .send(index());
  // The prefix alone as well: the router ignores a trailing slash.
  app.get(`${prefix}/`, { schema: { hide: true } }, serveIndex);
  app.get(`${prefix}/*`, { schema: { hide: true } }, async (request, reply) => {
    // A missing asset is a 404, not the page (a stale tab asking for an old build's file).
    if (request.url.startsWith(`${prefix}/assets/`)) return reply.callNotFound();
    return serveIndex(request, reply);
  });
}

/** The back office (web/, built into web/dist) at /admin/. */
export async function backOfficeRoutes(app: FastifyInstance, { dist = BACK_OFFICE_DIST } = {}): Promise<void> {
  await webAppRoutes(app, { prefix: BACK_OFFICE_PREFIX, dist, title: 'Back office', csp: BACK_OFFICE_CSP });
}

/** The doctor's workspace (web/doctor, built into web/dist-doctor) at /doctor/, made for a phone. */
export async function doctorWorkspaceRoutes(
  app: FastifyInstance,
  { dist = DOCTOR_WORKSPACE_DIST } = {},
): Promise<void> {
  await webAppRoutes(app, {
    prefix: DOCTOR_WORKSPACE_PREFIX,
    dist,
    title: 'Doctor workspace',
    csp: DOCTOR_WORKSPACE_CSP,
  });
}
