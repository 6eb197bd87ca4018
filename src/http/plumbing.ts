import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import secureJson from 'secure-json-parse';
import { AppError, errorBody, errorCatalogue, type ErrorCode, type FieldProblems } from './errors.js';
import { pickLanguage, type Lang } from './i18n.js';
import { fieldProblemsFromAjv } from './validation.js';
import { readGetBody } from './get-body.js';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
  }
}

/** Sends an error envelope in the client's language. */
export function sendError(reply: FastifyReply, err: AppError): FastifyReply {
  const lang = reply.request.lang;
  for (const [name, value] of Object.entries(err.options.headers ?? {})) void reply.header(name, value);
  return reply.code(err.status).send(errorBody(err.code, lang, err.options.params, err.options.fields));
}

/** Fastify's own client errors, by their codes, mapped onto the catalogue. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

function toAppError(err: FastifyError & { validationContext?: string }): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err.validation) {
    return new AppError('VALIDATION_FAILED', { fields: fieldProblemsFromAjv(err.validation) });
  }
  const mapped = fastifyCodes[err.code];
  if (mapped) return new AppError(mapped);
  const status = err.statusCode ?? 500;
  if (status === 429) return new AppError('TOO_MANY_REQUESTS');
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE');
  if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE');
  if (status >= 400 && status < 500) return new AppError('BAD_REQUEST');
  return undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text no database column can keep as sent: NUL (PostgreSQL refuses it) and lone UTF-16
 * surrogates (stored as replacement characters, so the answer would differ from the data).
 */
function collectUnstorableText(value: unknown, path: string, out: FieldProblems, depth: number): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000') || LONE_SURROGATE.test(value)) out[path || 'body'] = [{ key: 'forbiddenCharacters' }];
  } else if (typeof value === 'object' && value !== null && depth < 16) {
    for (const [key, inner] of Object.entries(value)) {
      collectUnstorableText(inner, path ? `${path}.${key}` : key, out, depth + 1);
    }
  }
}

/** Errors that say the database cannot serve right now (busy, down, overloaded): a 503, not a 500. */
const UNAVAILABLE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01', // admin shutdown
  '57P03', // cannot connect now
  '53300', // too many connections
  '40001', // serialization failure
  '40P01', // deadlock detected
]);

function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && UNAVAILABLE_CODES.has(code);
}

/**
 * The shared HTTP rules: language, JSON parsing, the envelope for every error, 404 and 405,
 * one log line per request and no caching of personal data. Registered on the root instance.
 */
/**
 * For Fastify's `clientErrorHandler`: bytes that never became a request (a malformed header,
 * a bad Content-Length, headers over the limit) still get an envelope, written on the socket.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return;
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const code: ErrorCode = tooLarge ? 'REQUEST_HEADERS_TOO_LARGE' : 'BAD_REQUEST';
  const status = errorCatalogue[code].status;
  const body = JSON.stringify(errorBody(code, 'en'));
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      'Connection: close',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

/** For Fastify's `frameworkErrors`: a URL it cannot decode gets the envelope too. */
export function frameworkErrorHandler(_err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  request.lang = pickLanguage(request.headers['accept-language']);
  void sendError(reply, new AppError('BAD_REQUEST'));
}

export function registerPlumbing(app: FastifyInstance): void {
  app.decorateRequest('lang', 'en');
  app.addHook('onRequest', async (request) => {
    request.lang = pickLanguage(request.headers['accept-language']);
  });

  // An empty body reads as {}, so a POST without one gets per-field 422s, not a parse error.
  // secure-json-parse refuses __proto__ and constructor.prototype keys.
  // JSON (and form posts, registered in app.ts) only: anything else is a 415.
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(new AppError('MALFORMED_JSON'), undefined);
    }
  });

  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.method === 'GET' && request.url.startsWith('/api')) await readGetBody(request, payload);
    return payload;
  });

  app.addHook('preValidation', async (request) => {
    // A POST without any body reads as {}, so it gets per-field 422s too.
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'HEAD') request.body = {};
    // Text that cannot be stored as sent is a 422, not a 500 or a silent change.
    const fields: FieldProblems = {};
    collectUnstorableText(request.body, '', fields, 0);
    collectUnstorableText(request.query, '', fields, 0);
    collectUnstorableText(request.params, '', fields, 0);
    if (Object.keys(fields).length > 0) throw new AppError('VALIDATION_FAILED', { fields });
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appError = toAppError(err);
    if (appError) return sendError(reply, appError);
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err }, 'database unavailable');
      return sendError(reply, new AppError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': '1' } }));
    }
    // Details of a server fault go to the log only; the client gets the generic envelope.
    request.log.error({ err }, 'request failed');
    return sendError(reply, new AppError('INTERNAL_ERROR'));
  });

  // A second router that only knows which paths exist, so a wrong method answers 405.
  const known = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 200 });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      try {
        known.on(method as HTTPMethod, route.url, () => undefined);
      } catch {
        // The same path and method registered twice (HEAD beside GET): already known.
      }
    }
  });
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = (['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter(
      (m) => known.find(m, path) !== null,
    );
    // The method is allowed and a handler sent the request here itself (a static file that is
    // not there): a 404, not a 405 that would allow the method it just used.
    if (allowed.length > 0 && !allowed.includes(request.method as (typeof allowed)[number])) {
      return sendError(reply, new AppError('METHOD_NOT_ALLOWED', { headers: { allow: allowed.join(', ') } }));
    }
    return sendError(reply, new AppError('ROUTE_NOT_FOUND'));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    // API answers carry personal data; only routes that say otherwise may be cached.
    if (request.url.startsWith('/api') && !reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
    return payload;
  });

  // One structured line per request: what was asked and how it went, never its content.
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    request.log.info(
      {
        app: request.clientApp?.id,
        user: request.user?.id,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });
}
