import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import Schema from 'typebox/schema';

/**
 * The contract test: every answer a test receives through `build()`'s app is checked against the
 * OpenAPI document's response for its route and status. Undocumented statuses, content types,
 * fields (every object is closed unless the document opens it) and missing required fields
 * make the request throw, so the test that sent it fails.
 */

type Json = Record<string, unknown>;
type Validator = { Check(value: unknown): boolean; Errors(value: unknown): [boolean, unknown[]] };

/** A copy of a schema where every object that does not say otherwise refuses unnamed fields. */
export function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    // Examples are data, not schemas.
    out[key] = key === 'examples' || key === 'example' || key === 'enum' || key === 'const' ? value : closed(value);
  }
  const types = Array.isArray(out.type) ? out.type : [out.type];
  if ((types.includes('object') || out.properties !== undefined) && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

interface Checker {
  router: ReturnType<typeof FindMyWay>;
  doc: Json;
  validators: Map<string, Validator>;
}

const checkers = new WeakMap<FastifyInstance, Checker>();

function checkerOf(app: FastifyInstance): Checker {
  let checker = checkers.get(app);
  if (checker === undefined) {
    // The same router rules as the app's, so a URL finds the route the app ran.
    const router = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 200 });
    for (const route of app.registeredRoutes) {
      const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
      for (const method of methods) {
        try {
          router.on(method as HTTPMethod, route.url, () => undefined, { url: route.url, hidden: route.hidden });
        } catch {
          // An explicit HEAD route beside its GET: already there.
        }
      }
    }
    checker = { router, doc: app.swagger() as Json, validators: new Map() };
    checkers.set(app, checker);
  }
  return checker;
}

/** The document's path of a route pattern: `/api/doctor/:slug` → `/api/doctor/{slug}`. */
const docPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The problems of one answer, or [] when it is what the document says. */
export function contractProblems(
  app: FastifyInstance,
  method: string,
  url: string,
  res: LightMyRequestResponse,
): string[] {
  const checker = checkerOf(app);
  const path = url.split('?')[0]!;
  const found = checker.router.find(method.toUpperCase() as HTTPMethod, path);
  // Not a route: the 404/405 answers of the plumbing, which the document describes in its text.
  if (found === null) return [];
  const store = found.store as { url: string; hidden: boolean };
  if (store.hidden) return [];
  const opMethod = method.toUpperCase() === 'HEAD' ? 'get' : method.toLowerCase();
  const operation = ((checker.doc.paths as Json)[docPath(store.url)] as Json | undefined)?.[opMethod] as
    Json | undefined;
  const where = `${method.toUpperCase()} ${store.url} → ${res.statusCode}`;
  if (operation === undefined) return [`${where}: the route is not in the document`];
  const responses = operation.responses as Record<string, Json>;
  const status = String(res.statusCode);
  const response = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
  if (response === undefined) return [`${where}: status not documented (${res.body.slice(0, 300)})`];
  const content = response.content as Record<string, Json> | undefined;
  if (content === undefined || method.toUpperCase() === 'HEAD') {
    return content === undefined && res.rawPayload.length > 0 ? [`${where}: a body where the document has none`] : [];
  }
  const mediaType = String(res.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  const media = content[mediaType];
  if (media === undefined) return [`${where}: content type ${mediaType || '(none)'} not documented`];
  if (!mediaType.endsWith('json')) return [];
  const key = `${opMethod} ${store.url} ${status} ${mediaType}`;
  let validator = checker.validators.get(key);
  if (validator === undefined) {
    validator = Schema.Compile(closed(media.schema) as never) as unknown as Validator;
    checker.validators.set(key, validator);
  }
  let body: unknown;
  try {
    body = res.json();
  } catch {
    return [`${where}: not JSON: ${res.body.slice(0, 200)}`];
  }
  if (validator.Check(body)) return [];
  const [, errors] = validator.Errors(body);
  const list = (errors as { instancePath: string; message: string }[])
    .slice(0, 10)
    .map((e) => `${e.instancePath || '/'} ${e.message}`);
  return [`${where}: the body does not match the document: ${list.join('; ')}\n${res.body.slice(0, 600)}`];
}

/** Makes every `app.inject(options)` of this app check its answer against the document. */
export function checkEveryAnswer(app: FastifyInstance): void {
  const inject = app.inject.bind(app) as (options: InjectOptions | string) => Promise<LightMyRequestResponse>;
  const checked = async (options: InjectOptions | string): Promise<LightMyRequestResponse> => {
    const res = await inject(options);
    const opts: InjectOptions = typeof options === 'string' ? { url: options } : options;
    const url = typeof opts.url === 'string' ? opts.url : ((opts.path as string | undefined) ?? '/');
    const problems = contractProblems(app, opts.method ?? 'GET', url, res);
    if (problems.length > 0) throw new Error(`contract: ${problems.join('\n')}`);
    return res;
  };
  (app as { inject: unknown }).inject = checked;
}
