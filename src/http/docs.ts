import type { FastifyInstance } from 'fastify';
import swaggerUi from '@fastify/swagger-ui';

/**
 * The interactive reference at /docs: Swagger UI over the document of http/openapi.ts (the page
 * loads it from /docs/json, the same app.swagger() as /openapi.json). Every asset comes from
 * swagger-ui-dist in node_modules and the page's policy allows nothing but this origin, so it
 * works with no internet. Outside /api: no key needed to read it ("Authorize" takes the key
 * for the calls made from the page).
 */
export const DOCS_PREFIX = '/docs';

/** Only this origin: the assets, the document and "Try it out" calls; images also as data: URLs (the logo). */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Swagger UI sets style attributes from its scripts.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export async function docsRoutes(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: DOCS_CSP,
    theme: { title: 'Cexup Patient API reference' },
    uiConfig: {
      docExpansion: 'list',
      displayOperationId: true,
      displayRequestDuration: true,
      // An API key or a patient token must not outlive the tab in localStorage.
      persistAuthorization: false,
    },
  });
}
