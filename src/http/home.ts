import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messages } from './i18n.js';

/** A page with no script: inline styles only, nothing loaded from anywhere. */
export const HOME_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Where a newcomer goes from the root: the same links for a browser (HTML) and a script (JSON). */
export const HOME_LINKS = {
  docs: '/docs',
  openapi: '/openapi.json',
  back_office: '/admin/',
  doctor_workspace: '/doctor/',
  health: '/health',
} as const;

const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cexup Patient API</title>
<body style="font-family:system-ui,sans-serif;max-width:42em;margin:3em auto;padding:0 1em;line-height:1.5;color:#1d2b2a">
<h1 style="color:#00695c">Cexup Patient API</h1>
<p>The service behind every Cexup patient app: patients register, find doctors, hospitals,
articles and the health shop, book a video call or a hospital visit, pay, and follow the order
to the consultation. Operators, hospital staff and doctors run it from the web apps below.</p>
<ul>
<li><a href="${HOME_LINKS.docs}">API reference</a> (every route, tried from the browser with an app key) and the <a href="${HOME_LINKS.openapi}">OpenAPI document</a></li>
<li><a href="${HOME_LINKS.back_office}">Back office</a>, for operators and hospital staff</li>
<li><a href="${HOME_LINKS.doctor_workspace}">Doctor workspace</a>, for doctors, on a phone</li>
<li><a href="${HOME_LINKS.health}">Health</a>: whether this process is up</li>
</ul>
</body>
</html>
`;

const wantsHtml = (request: FastifyRequest) => {
  const accept = request.headers.accept ?? '';
  return /\btext\/html\b/i.test(accept) && !/^\s*application\/json\b/i.test(accept);
};

/**
 * GET / : a browser (Accept: text/html) gets a small page saying what this is and where to go; a
 * script gets the envelope with the same links.
 */
export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.header('vary', 'Accept');
    if (wantsHtml(request)) {
      return reply
        .header('content-security-policy', HOME_CSP)
        .header('cache-control', 'public, max-age=300')
        .type('text/html; charset=utf-8')
        .send(PAGE);
    }
    return {
      success: true,
      message: messages.ok[request.lang],
      data: { name: 'Cexup Patient API', links: HOME_LINKS },
    };
  });
}
