import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * The back office web app (web/, built by Vite into web/dist) at /admin/, from this origin: its
 * calls to /api/admin/ carry the session cookie (http/browser-session.ts), with no CORS.
 * Assets have hashed names and are cached for a year; index.html is never cached, so a new
 * build shows at the next load. Every other path under /admin/ is the app's own route: it gets
 * index.html too, so a reload or a shared link opens the same page.
 */
export const BACK_OFFICE_PREFIX = '/admin';
export const BACK_OFFICE_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

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

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Back office not built</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>The back office is not built</h1>
<p>Run <code>npm run build:web</code> (npm install runs it), then reload this page.</p></body></html>`;

export async function backOfficeRoutes(app: FastifyInstance, { dist = BACK_OFFICE_DIST } = {}): Promise<void> {
  const built = existsSync(join(dist, 'index.html'));
  const index = () => (built ? readFileSync(join(dist, 'index.html')) : Buffer.from(NOT_BUILT));
  const page = { 'content-security-policy': BACK_OFFICE_CSP, 'cache-control': 'no-cache' };

  if (built) {
    await app.register(fastifyStatic, {
      root: join(dist, 'assets'),
      prefix: `${BACK_OFFICE_PREFIX}/assets/`,
      index: false,
      wildcard: true,
      immutable: true,
      maxAge: 365 * 86_400_000,
      setHeaders: (res) => res.setHeader('content-security-policy', BACK_OFFICE_CSP),
    });
  }
  // The app's own routes (/admin/, /admin/orders/...): the page, which routes in the browser.
  const serveIndex = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .code(built ? 200 : 503)
      .headers(page)
      .type('text/html; charset=utf-8')
      .send(index());
  // /admin as well: the router ignores a trailing slash.
  app.get(`${BACK_OFFICE_PREFIX}/`, { schema: { hide: true } }, serveIndex);
  app.get(`${BACK_OFFICE_PREFIX}/*`, { schema: { hide: true } }, async (request, reply) => {
    // A missing asset is a 404, not the page (a stale tab asking for an old build's file).
    if (request.url.startsWith(`${BACK_OFFICE_PREFIX}/assets/`)) return reply.callNotFound();
    return serveIndex(request, reply);
  });
}
