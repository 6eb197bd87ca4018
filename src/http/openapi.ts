import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import swagger from '@fastify/swagger';
import { Type, type TSchema } from 'typebox';
import { ownBodyIds } from './auth.js';
import { errorBody, errorCatalogue, type ErrorCode } from './errors.js';

/** Security requirements of an operation, by the scheme names of the document. */
export const KEY = [{ apiKey: [] }];
/** The app key and a Bearer token (a patient's, an admin's or a doctor's, as the route says). */
export const KEY_TOKEN = [{ apiKey: [], bearer: [] }];
/** The back office: a key and an admin's Bearer token, or the browser session's cookie (http/browser-session.ts). */
export const ADMIN: Record<string, string[]>[] = [{ apiKey: [], bearer: [] }, { adminSession: [] }];
/** Only the back office's browser session. */
export const SESSION = [{ adminSession: [] }];
/** The doctor's routes: a key and a doctor's Bearer token, or the doctor workspace's cookie. */
export const DOCTOR: Record<string, string[]>[] = [{ apiKey: [], bearer: [] }, { doctorSession: [] }];
/** Only the doctor workspace's browser session. */
export const DOCTOR_SESSION_ONLY = [{ doctorSession: [] }];
/** Open: probes, the payment page (its link is the secret), the webhook (its signature), images. */
export const OPEN = [];

export type Security = Record<string, string[]>[];

declare module 'fastify' {
  interface FastifySchema {
    /**
     * The error codes this route answers with besides the ones every route of its kind has
     * (bad key or token, invalid fields, malformed bodies, rate limits, server faults): turned
     * into documented error responses, one a status, when the route is added.
     */
    errors?: readonly ErrorCode[];
    /**
     * The roles whose Bearer tokens the operation takes, when not only the one its path implies
     * (`/api/admin` admins, `/api/doctor-app` doctors, other /api routes patients).
     */
    'x-token-roles'?: readonly string[];
  }
  interface FastifyInstance {
    /** Every route as it was added (HEAD twins of GET routes left out), for the document's tests. */
    registeredRoutes: { method: string; url: string; hidden: boolean }[];
  }
}

/** What a route's schema says about it in the document: tag, operationId, summary, security, errors. */
export function op(
  tag: string,
  operationId: string,
  summary: string,
  security: Security,
  errors: readonly ErrorCode[] = [],
): Pick<FastifySchema, 'tags' | 'operationId' | 'summary' | 'security' | 'errors'> {
  return { tags: [tag], operationId, summary, security, errors };
}

/** Placeholder values for the examples of messages that name them. */
const EXAMPLE_PARAMS = { status: 'waiting_payment', price: 150000, max: 3, minutes: 15 };

/** The error envelope of one status, with the codes a route may send under it. */
function errorResponse(codes: ErrorCode[]): TSchema {
  const status = errorCatalogue[codes[0]!].status;
  const example: Record<string, unknown> = { ...errorBody(codes[0]!, 'en', EXAMPLE_PARAMS) };
  if (codes[0] === 'VALIDATION_FAILED') example.errors = { email: ['The email must be a valid email address.'] };
  return Type.Object(
    {
      success: Type.Literal(false),
      message: Type.String({ description: 'In the language of Accept-Language (English by default).' }),
      code: Type.Unsafe<ErrorCode>({ type: 'string', enum: codes, description: 'Stable: clients may switch on it.' }),
      data: Type.Null(),
      // Only invalid fields carry messages of their own.
      ...(status === 422
        ? {
            errors: Type.Optional(
              Type.Object({}, { additionalProperties: Type.Array(Type.String()), description: 'Messages per field.' }),
            ),
          }
        : {}),
    },
    {
      description: codes.map((c) => `\`${c}\`: ${errorCatalogue[c].message.en}`).join(' '),
      examples: [example],
    },
  );
}

const READS_NO_BODY = new Set(['GET', 'HEAD']);

/** The errors every route of this kind can answer with, whatever it does. */
function commonErrors(route: RouteOptions, schema: FastifySchema): ErrorCode[] {
  const codes: ErrorCode[] = ['VALIDATION_FAILED', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE'];
  const method = Array.isArray(route.method) ? route.method[0] : route.method;
  // GET bodies are read under /api only (http/get-body.ts).
  if (!READS_NO_BODY.has(String(method)) || route.url.startsWith('/api')) {
    codes.push('BAD_REQUEST', 'MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  }
  const schemes = new Set((schema.security ?? []).flatMap((requirement) => Object.keys(requirement)));
  if (schemes.has('apiKey')) codes.push('API_KEY_INVALID');
  const browser = schemes.has('adminSession') || schemes.has('doctorSession');
  if (schemes.has('bearer') || browser) codes.push('UNAUTHENTICATED');
  if (browser && !READS_NO_BODY.has(String(method))) codes.push('CSRF_TOKEN_INVALID');
  // Back-office routes: a hospital admin outside their hospitals (modules/admin/admin-scope.ts).
  if (schemes.has('adminSession') && schema.operationId !== 'adminSessionCreate') codes.push('ADMIN_ROLE_FORBIDDEN');
  if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit !== undefined) codes.push('TOO_MANY_REQUESTS');
  // Bodies naming the acting patient are checked against the token.
  if ([route.preValidation].flat().includes(ownBodyIds)) codes.push('FORBIDDEN_OTHER_USER');
  return codes;
}

const SUCCESS_DESCRIPTIONS: Record<string, string> = { 200: 'OK.', 201: 'Created.' };

/**
 * onRoute: completes a route's schema for the document and for serialisation. Every status the
 * route can answer gets a response schema, errors included, so every JSON answer is written by
 * a schema and carries only the fields it names.
 */
function completeRoute(route: RouteOptions): void {
  const schema = route.schema as FastifySchema | undefined;
  if (schema === undefined || schema.hide === true) return;
  const { errors = [], ...rest } = schema;
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...commonErrors(route, schema), ...errors]) {
    const status = errorCatalogue[code].status;
    const list = byStatus.get(status) ?? [];
    if (!list.includes(code)) list.push(code);
    byStatus.set(status, list);
  }
  const response: Record<string, unknown> = {};
  for (const [status, schemaOf] of Object.entries((schema.response ?? {}) as Record<string, Record<string, unknown>>)) {
    const description = schemaOf.description ?? SUCCESS_DESCRIPTIONS[status];
    response[status] = description === undefined ? schemaOf : { ...schemaOf, description };
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) response[status] ??= errorResponse(codes);
  route.schema = { ...rest, response };
}

/** Keywords that only document: serialising by a schema never looks at them. */
const DOCUMENTING = new Set(['description', 'examples', 'example', 'title', 'summary']);

/**
 * A schema as its serializer sees it: documentation dropped, and the values a typed field may
 * hold too, unless the schema has alternatives (a serializer picks among those by validating,
 * where values count).
 */
function serializationKey(schema: unknown): string {
  const withoutDocs = JSON.stringify(schema, (key, value: unknown) => (DOCUMENTING.has(key) ? undefined : value));
  if (/"(anyOf|oneOf|if)":/.test(withoutDocs)) return withoutDocs;
  return JSON.stringify(JSON.parse(withoutDocs), (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && 'type' in value && 'enum' in value) {
      const { enum: _values, ...typed } = value as Record<string, unknown>;
      return typed;
    }
    return value;
  });
}

/**
 * Response serializers, one per shape. Every route documents its error envelopes (a schema for
 * each status), and they differ only in the codes they list; compiling one serializer for each
 * route and status was most of a server's start. Schemas that serialise alike share one.
 */
function sharedSerializers(): Parameters<FastifyInstance['setSerializerCompiler']>[0] {
  const compile = SerializerSelector()({}, {});
  const compiled = new Map<string, (data: unknown) => string>();
  return (route) => {
    const key = serializationKey(route.schema);
    let serialize = compiled.get(key);
    if (serialize === undefined) {
      serialize = compile(route as Parameters<typeof compile>[0]) as (data: unknown) => string;
      compiled.set(key, serialize);
    }
    return serialize;
  };
}

/**
 * The OpenAPI 3.1 document, generated from the route schemas: served at /openapi.json and
 * /openapi.yaml (no key needed: it describes the API, it holds no data).
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  const routes: FastifyInstance['registeredRoutes'] = [];
  app.decorate('registeredRoutes', routes);
  app.setSerializerCompiler(sharedSerializers());
  // Before @fastify/swagger's own hook reads the schemas (it reads them when the document is made).
  app.addHook('onRoute', (route) => {
    const hidden = (route.schema as FastifySchema | undefined)?.hide === true;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Fastify adds a HEAD twin to every GET route.
      if (method !== 'HEAD' || !routes.some((r) => r.method === 'GET' && r.url === route.url)) {
        routes.push({ method: String(method), url: route.url, hidden });
      }
    }
    completeRoute(route);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Cexup Patient API',
        version,
        description: [
          'The backend of every white-labelled Cexup patient app.',
          '',
          'Every answer is the envelope `{"success", "message", "data"}`; paginated lists add `meta`',
          '(`current_page`, `per_page`, `total`, `last_page`). Errors have `success: false`, `data: null`',
          'and a stable `code`; invalid fields (422) add `errors`, messages per field. Messages follow',
          '`Accept-Language` (`id` or `en`, English by default). Any unknown path answers 404',
          '`ROUTE_NOT_FOUND`; a known path with another method 405 `METHOD_NOT_ALLOWED` with `Allow`.',
          '',
          'Dates are `Y-m-d` and times `HH:mm` in the hospital’s time zone; timestamps are ISO 8601;',
          'money is whole rupiah.',
        ].join('\n'),
      },
      tags: [
        { name: 'accounts', description: 'Registration, login, the profile, the avatar and the session.' },
        { name: 'obgyn', description: 'The pregnancy profile of the patient.' },
        {
          name: 'privacy',
          description: 'The patient’s rights over their data (UU PDP): export, erasure, and who read it.',
        },
        { name: 'catalogue', description: 'Doctors, specialities, hospitals and articles.' },
        { name: 'shop', description: 'The health shop: products and categories.' },
        { name: 'booking', description: 'Free slots, booking, and the patient’s orders.' },
        { name: 'doctors', description: 'The doctor’s side: own orders and every move on them.' },
        { name: 'payments', description: 'The sandbox payment page and the gateway’s webhook.' },
        { name: 'admin', description: 'The back office (admin token): accounts and the audit log.' },
        { name: 'admin catalogue', description: 'The back office: catalogue and shop records.' },
        { name: 'admin booking', description: 'The back office: schedules and orders.' },
        { name: 'admin staff', description: 'The back office: admin accounts, operators and hospital admins.' },
        { name: 'admin apps', description: 'The back office: client apps and their API keys.' },
        {
          name: 'notifications',
          description: 'The inboxes of patients and doctors: every order event, newest first; mark read.',
        },
        {
          name: 'webhooks',
          description: 'The back office: client apps’ webhook URLs (signed order events) and their delivery log.',
        },
        { name: 'files', description: 'Images at unguessable URLs.' },
        { name: 'ops', description: 'Probes for load balancers.' },
      ],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: "The app's API key." },
          bearer: { type: 'http', scheme: 'bearer', description: 'A token from a login route.' },
          adminSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'cexup_admin',
            description:
              'The back office in a browser: the cookie POST /api/admin/session sets, with no app key; every change also sends the x-csrf-token header that sign-in gave.',
          },
          doctorSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'cexup_doctor',
            description:
              'The doctor workspace in a browser: the cookie POST /api/doctor-app/session sets, with no app key; every change also sends the x-csrf-token header that sign-in gave.',
          },
        },
      },
    },
  });
}

export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/yaml; charset=utf-8').send(app.swagger({ yaml: true })),
  );
}
