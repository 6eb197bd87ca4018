import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { OpsConfig } from '../config.js';
import { AppError, errorBody } from './errors.js';
import { clientErrorHandler } from './plumbing.js';

/**
 * The policy of a JSON answer: it loads nothing, runs nothing and is framed by no one. Pages
 * that are HTML set their own on their routes (the reference at /docs: http/docs.ts; the sandbox
 * payment page: booking.routes.ts), and theirs wins.
 */
export const API_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

/** Helmet's options: HSTS, nosniff, no framing, no referrer, CORP same-origin, the CSP above. */
const HELMET_OPTIONS = {
  contentSecurityPolicy: API_CSP,
  crossOriginResourcePolicy: { policy: 'same-origin' as const },
  xFrameOptions: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
};

/**
 * The headers helmet sets with HELMET_OPTIONS, worked out once on a probe instance. Registered on
 * the app itself, @fastify/helmet builds helmet's middleware anew on every request (30-90 µs
 * measured here, a good part of a catalogue answer); with a policy that never changes (no nonces)
 * the headers are the same every time, so they are computed once and set as they are.
 */
async function helmetHeaders(): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, HELMET_OPTIONS);
  probe.get('/', async () => '');
  const res = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const notHelmets = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (!notHelmets.has(name) && typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/** What a browser app on an allowed origin may send, and read back, cross-origin. */
const CORS_ALLOWED_HEADERS = [
  'accept-language',
  'authorization',
  'content-type',
  'idempotency-key',
  'if-none-match',
  'x-api-key',
];
const CORS_EXPOSED_HEADERS = ['content-disposition', 'etag', 'retry-after', 'x-request-id'];

/** Methods that echo a request back (TRACE, and IIS's TRACK): never served, whatever the path. */
const ECHO_METHODS = new Set(['TRACE', 'TRACK']);
const ROUTED = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Each app's paths and methods, for the Allow header of a refused TRACE or TRACK. */
const knownRoutes = new WeakMap<FastifyInstance, ReturnType<typeof FindMyWay>>();

function allowedMethods(app: FastifyInstance, url: string): string {
  const known = knownRoutes.get(app);
  const path = url.split('?')[0] ?? '/';
  return known === undefined ? '' : ROUTED.filter((m) => known.find(m, path) !== null).join(', ');
}

/**
 * Security headers on every answer, CORS for the allowed origins, no caching of a signed-in
 * account's answers, and TRACE refused. Registered on the root instance before the routes.
 *
 * - helmet: HSTS, nosniff, no framing, no referrer, no X-Powered-By, and a CSP that allows nothing
 *   (an API answer is data, never a page). Images under /files are `Cross-Origin-Resource-Policy:
 *   cross-origin`, so apps on other origins can show avatars and pictures; everything else stays
 *   same-origin.
 * - CORS only for the origins of `CORS_ORIGINS`; with none, no cross-origin access at all (no
 *   Access-Control-* headers; a preflight is a plain OPTIONS, answered 405). No credentials: the
 *   API takes tokens in headers, never cookies.
 * - `Cache-Control: no-store` on every answer to a signed-in request (a patient's, a doctor's or
 *   an admin's token), whatever the route set; the plumbing already gives it to every /api
 *   answer that does not choose its own caching, and only the public catalogue does.
 * - TRACE and TRACK: 405 METHOD_NOT_ALLOWED in the envelope, with the path's methods in Allow.
 */
export async function registerSecurityHeaders(app: FastifyInstance, ops: OpsConfig): Promise<void> {
  const securityHeaders = await helmetHeaders();
  app.addHook('onRequest', async (_request, reply) => {
    void reply.headers(securityHeaders);
  });

  if (ops.corsOrigins.length > 0) {
    const allowed = new Set(ops.corsOrigins);
    await app.register(cors, {
      // An origin off the list gets no Access-Control-Allow-Origin, and its preflight no answer of CORS.
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
      methods: [...ROUTED],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      credentials: false,
      maxAge: 600,
    });
  }

  const known = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 200 });
  knownRoutes.set(app, known);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (!ROUTED.includes(method as (typeof ROUTED)[number])) continue;
      try {
        known.on(method as HTTPMethod, route.url, () => undefined);
      } catch {
        // The same path and method twice (HEAD beside GET): already known.
      }
    }
  });
  app.addHook('onRequest', async (request) => {
    if (!ECHO_METHODS.has(request.method)) return;
    throw new AppError('METHOD_NOT_ALLOWED', { headers: { allow: allowedMethods(app, request.url) } });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.session !== undefined) void reply.header('cache-control', 'no-store');
    if (request.url.startsWith('/files/')) void reply.header('cross-origin-resource-policy', 'cross-origin');
    return payload;
  });
}

/**
 * For Fastify's `clientErrorHandler` (called with the app as `this`): Node's parser refuses
 * methods it does not know before Fastify sees them. TRACK is one: it gets the same 405 envelope
 * as TRACE; anything else goes on to the plumbing's handler.
 */
export function refuseEchoMethods(
  this: unknown,
  err: Error & { code?: string; rawPacket?: unknown },
  socket: Duplex,
): void {
  const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, 2048).toString('latin1') : '';
  const [method, target] = raw.split(' ');
  if (err.code !== 'HPE_INVALID_METHOD' || method === undefined || !ECHO_METHODS.has(method) || !socket.writable) {
    return clientErrorHandler(err, socket);
  }
  const body = JSON.stringify(errorBody('METHOD_NOT_ALLOWED', 'en'));
  socket.end(
    [
      'HTTP/1.1 405 Method Not Allowed',
      'Connection: close',
      `Allow: ${target?.startsWith('/') ? allowedMethods(this as FastifyInstance, target) : ''}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}
