import assert from 'node:assert/strict';
import { test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { LightMyRequestResponse } from 'fastify';
import { Type } from 'typebox';
import Schema from 'typebox/schema';
import { authHeaders, build, envelope, registerPatient } from '../../test/helpers.js';
import { closed, contractProblems } from '../../test/contract.js';
import { OrderSchema } from '../modules/booking/booking.schemas.js';
import { OPEN, op } from './openapi.js';
import { Envelope, exampleOf } from './schemas.js';

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document, with its path and method. */
function operations(doc: Json): { path: string; method: string; op: Json }[] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((method) => ({ path, method, op: item[method] as Json })),
  );
}

async function documentOf(t: Parameters<typeof build>[0]) {
  const ta = await build(t);
  const res = await ta.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  return { ta, doc: res.json() as Json };
}

test('the document is valid OpenAPI 3.1, served without a key as JSON and as YAML', async (t) => {
  const { ta, doc } = await documentOf(t);
  assert.equal(doc.openapi, '3.1.0');
  // The parser dereferences in place: give it a copy.
  await SwaggerParser.validate(structuredClone(doc) as never);
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), [
    'adminSession',
    'apiKey',
    'bearer',
    'doctorSession',
  ]);
  // The back office's browser session: a cookie (http/browser-session.ts).
  assert.deepEqual(
    { ...doc.components.securitySchemes.adminSession, description: undefined },
    { type: 'apiKey', in: 'cookie', name: 'cexup_admin', description: undefined },
  );
  assert.deepEqual(doc.components.securitySchemes.apiKey, {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: "The app's API key.",
  });
  assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');

  const yaml = await ta.app.inject({ method: 'GET', url: '/openapi.yaml' });
  assert.equal(yaml.statusCode, 200);
  assert.match(String(yaml.headers['content-type']), /^application\/yaml/);
  assert.match(yaml.body, /^openapi: 3\.1\.0$/m);
  assert.match(yaml.body, /^ {2}\/api\/doctor\/booking:$/m);
});

test('every registered route is in the document, with a summary, a tag, a unique operationId and its security', async (t) => {
  const { ta, doc } = await documentOf(t);
  const documented = new Set(operations(doc).map((o) => `${o.method.toUpperCase()} ${o.path}`));
  const routes = ta.app.registeredRoutes.filter((r) => !r.hidden);
  assert.ok(routes.length >= 84, `only ${routes.length} routes`);
  for (const route of routes) {
    const key = `${route.method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
    assert.ok(documented.has(key), `${key} is not in the document`);
  }
  // Only the root page, the document itself, the reference page that shows it and the web apps' files are left out.
  for (const route of ta.app.registeredRoutes.filter((r) => r.hidden)) {
    assert.match(route.url, /^\/($|openapi\.(json|yaml)|docs|admin\/|doctor\/)/, `${route.url} is hidden`);
  }

  const ids = new Set<string>();
  const tags = new Set((doc.tags as { name: string }[]).map((tag) => tag.name));
  for (const { path, method, op } of operations(doc)) {
    const where = `${method.toUpperCase()} ${path}`;
    assert.ok(typeof op.summary === 'string' && op.summary.length > 5, `${where}: summary`);
    assert.equal(op.tags?.length, 1, `${where}: tags`);
    assert.ok(tags.has(op.tags[0]), `${where}: tag ${op.tags[0]} is not described`);
    assert.ok(typeof op.operationId === 'string' && !ids.has(op.operationId), `${where}: operationId`);
    ids.add(op.operationId);
    assert.ok(Array.isArray(op.security), `${where}: security must be explicit`);
    const schemes: string[] = op.security.map((r: Json) => Object.keys(r).sort().join('+'));
    if ((path === '/api/admin/session' || path === '/api/doctor-app/session') && method === 'post') {
      // The web apps sign in with no key: the cookie comes from this answer.
      assert.deepEqual(schemes, [], `${where}: ${schemes}`);
    } else if (path.startsWith('/api/admin/')) {
      // A key and an admin's token, or the back office's session cookie.
      assert.deepEqual(schemes, ['apiKey+bearer', 'adminSession'], `${where}: ${schemes}`);
    } else if (path.startsWith('/api/doctor-app/')) {
      // A key and a doctor's token, or the doctor workspace's session cookie.
      assert.deepEqual(schemes, ['apiKey+bearer', 'doctorSession'], `${where}: ${schemes}`);
    } else if (path.startsWith('/api/')) {
      assert.ok(schemes.length === 1 && ['apiKey', 'apiKey+bearer'].includes(schemes[0]!), `${where}: ${schemes}`);
    } else {
      assert.deepEqual(schemes, [], `${where}: outside /api nothing is needed`);
    }
  }
});

test('the security of each operation is what the route asks for', async (t) => {
  const { ta, doc } = await documentOf(t);
  for (const { path, method, op } of operations(doc)) {
    const url = path.replace(/\{[^}]+\}/g, 'x');
    const schemes = new Set(op.security.flatMap((r: Json) => Object.keys(r)));
    const where = `${method.toUpperCase()} ${path}`;
    const send = (headers: Record<string, string>) =>
      ta.app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        headers,
        ...(method === 'get' ? {} : { payload: {} }),
      });

    const noKey = await send({});
    if (schemes.has('apiKey')) {
      assert.equal(noKey.statusCode, 401, where);
      assert.equal(envelope(noKey).code, 'API_KEY_INVALID', where);
    } else {
      assert.notEqual(envelope(noKey).code, 'API_KEY_INVALID', where);
    }
    if (!schemes.has('apiKey')) continue;
    const keyOnly = await send(authHeaders(ta));
    if (schemes.has('bearer')) {
      assert.equal(keyOnly.statusCode, 401, where);
      assert.equal(envelope(keyOnly).code, 'UNAUTHENTICATED', where);
    } else {
      assert.notEqual(envelope(keyOnly).code, 'UNAUTHENTICATED', where);
    }
  }
});

/** Every example in the document, with the schema it must satisfy. */
function examples(doc: Json): { where: string; schema: unknown; value: unknown }[] {
  const found: { where: string; schema: unknown; value: unknown }[] = [];
  const inSchema = (schema: unknown, where: string): void => {
    if (Array.isArray(schema)) return schema.forEach((s, i) => inSchema(s, `${where}/${i}`));
    if (typeof schema !== 'object' || schema === null) return;
    const s = schema as Json;
    for (const value of (s.examples as unknown[] | undefined) ?? []) found.push({ where, schema: s, value });
    for (const [key, inner] of Object.entries(s)) {
      if (key !== 'examples' && key !== 'example' && key !== 'enum' && key !== 'const')
        inSchema(inner, `${where}/${key}`);
    }
  };
  const inContent = (content: Json | undefined, where: string) => {
    for (const [type, media] of Object.entries(content ?? {})) {
      if (media.example !== undefined)
        found.push({ where: `${where} ${type}`, schema: media.schema, value: media.example });
      for (const [name, ex] of Object.entries((media.examples as Json | undefined) ?? {})) {
        found.push({ where: `${where} ${type} ${name}`, schema: media.schema, value: ex.value });
      }
      inSchema(media.schema, `${where} ${type}`);
    }
  };
  for (const { path, method, op } of operations(doc)) {
    const where = `${method.toUpperCase()} ${path}`;
    inContent(op.requestBody?.content, `${where} body`);
    for (const [status, response] of Object.entries(op.responses as Json))
      inContent(response.content, `${where} ${status}`);
    for (const parameter of (op.parameters as Json[] | undefined) ?? [])
      inSchema(parameter.schema, `${where} ${parameter.name}`);
  }
  return found;
}

test('each request body and each JSON answer has an example, and every example is valid against its schema', async (t) => {
  const { doc } = await documentOf(t);
  for (const { path, method, op } of operations(doc)) {
    const where = `${method.toUpperCase()} ${path}`;
    const body = op.requestBody?.content?.['application/json'];
    if (body !== undefined)
      assert.ok(body.example !== undefined || body.examples !== undefined, `${where}: body example`);
    for (const [status, response] of Object.entries(op.responses as Json)) {
      const media = response.content?.['application/json'];
      if (media === undefined) continue;
      assert.ok(media.example !== undefined, `${where} ${status}: example`);
      assert.ok(response.description && response.description !== 'Default Response', `${where} ${status}: description`);
    }
  }
  const all = examples(doc);
  assert.ok(all.length > 200, `only ${all.length} examples`);
  for (const { where, schema, value } of all) {
    // Closed as the contract test closes them: an example names no undocumented field either.
    const [ok, errors] = Schema.Errors(closed(schema) as never, value);
    assert.ok(ok, `${where}: ${JSON.stringify(errors.slice(0, 3))}`);
  }
});

test('every JSON operation documents its errors: the envelope with the codes it may send', async (t) => {
  const { doc } = await documentOf(t);
  for (const { path, method, op } of operations(doc)) {
    const where = `${method.toUpperCase()} ${path}`;
    const responses = op.responses as Json;
    for (const status of ['422', '500', '503', ...(path.startsWith('/api/') ? ['401'] : [])]) {
      assert.ok(responses[status] !== undefined, `${where}: no ${status}`);
    }
    for (const [status, response] of Object.entries(responses)) {
      if (Number(status) < 400) continue;
      const schema = response.content['application/json'].schema;
      assert.equal(schema.properties.success.const ?? schema.properties.success.enum?.[0], false, `${where} ${status}`);
      assert.ok(schema.properties.code.enum.length > 0, `${where} ${status}`);
      for (const code of schema.properties.code.enum) assert.ok(response.description.includes(`\`${code}\``), where);
    }
  }
  const booking = doc.paths['/api/doctor/booking'].post.responses;
  assert.deepEqual(booking['409'].content['application/json'].schema.properties.code.enum.sort(), [
    'PRICE_MISMATCH',
    'SLOT_TAKEN',
    'TOO_MANY_UNPAID_ORDERS',
  ]);
  assert.ok(booking['422'].content['application/json'].schema.properties.errors);
  assert.deepEqual(
    Object.keys(booking).filter((s) => s.startsWith('2')),
    ['200', '201'],
  );
});

test('no answer can carry a field its schema does not name: every response object is closed', async (t) => {
  const { doc } = await documentOf(t);
  // Audit entries show the record before and after a change as it was: catalogue data only.
  const open = new Set(['before', 'after']);
  const visit = (schema: unknown, where: string): void => {
    if (typeof schema !== 'object' || schema === null) return;
    const s = schema as Json;
    assert.notEqual(s.additionalProperties, true, `${where} is open`);
    if (s.type === 'object') assert.ok(s.properties !== undefined || s.additionalProperties !== undefined, where);
    for (const [key, inner] of Object.entries(s.properties ?? {})) {
      if (!open.has(key)) visit(inner, `${where}.${key}`);
    }
    for (const inner of [s.items, s.additionalProperties, ...(s.anyOf ?? [])]) visit(inner, where);
  };
  for (const { path, method, op } of operations(doc)) {
    for (const [status, response] of Object.entries(op.responses as Json)) {
      visit(response.content?.['application/json']?.schema, `${method.toUpperCase()} ${path} ${status}`);
    }
  }
});

test('serialisation drops fields a schema does not name, however deep', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const order = exampleOf(OrderSchema) as Json;
  // A service that (by a bug) hands the route more than the resource: secrets at every level.
  ta.app.services.booking.listOrders = (async () => ({
    data: [
      {
        ...order,
        payment_ref: 'Zq1sEcReT9pAyMeNtReF0000000000aa',
        patient_account: { ...order.patient_account, id_number_encrypted: 'v1.t1.iv.tag.ciphertext' },
      },
    ],
    meta: { current_page: 1, per_page: 10, total: 1, last_page: 1 },
    password_hash: '$argon2id$v=19$m=19456,t=2,p=1$secret',
  })) as never;
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/user/orders',
    headers: authHeaders(ta, patient),
    payload: {},
  });
  assert.equal(res.statusCode, 200);
  for (const secret of ['Zq1sEcReT9pAyMeNtReF', 'ciphertext', 'argon2id', 'payment_ref', 'password_hash']) {
    assert.ok(!res.body.includes(secret), `${secret} leaked`);
  }
  const body = envelope(res);
  assert.deepEqual(body.data, [order]);
  assert.deepEqual(Object.keys(body).sort(), ['data', 'message', 'meta', 'success']);
});

test('the contract check refuses undocumented fields, missing fields, statuses and content types', async (t) => {
  const ta = await build(t);
  // A route that answers a status its schema does not name (added before the app is ready).
  ta.app.get(
    '/probe',
    {
      schema: {
        ...op('ops', 'probe', 'A route that breaks its contract', OPEN),
        response: { 200: Envelope(Type.Null()) },
      },
    },
    async (_request, reply) => reply.code(202 as never).send({ success: true, message: 'OK.', data: null } as never),
  );
  const patient = await registerPatient(ta);
  const res = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, patient) });
  assert.deepEqual(contractProblems(ta.app, 'GET', '/api/me', res), []);

  const fake = (statusCode: number, body: unknown, contentType = 'application/json; charset=utf-8') => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return {
      statusCode,
      headers: { 'content-type': contentType },
      body: text,
      rawPayload: Buffer.from(text),
      json: () => JSON.parse(text),
    } as unknown as LightMyRequestResponse;
  };
  const good = res.json();
  const problems = (statusCode: number, body: unknown, contentType?: string) =>
    contractProblems(ta.app, 'GET', '/api/me?x=1', fake(statusCode, body, contentType)).join('\n');

  assert.match(problems(200, { ...good, data: { ...good.data, password_hash: 'x' } }), /additional properties/);
  const { email: _email, ...withoutEmail } = good.data;
  assert.match(problems(200, { ...good, data: withoutEmail }), /email/);
  assert.match(problems(200, { ...good, data: { ...good.data, no_type: 3273015203940001 } }), /no_type/);
  assert.match(problems(418, { success: false }), /status not documented/);
  assert.match(problems(200, '<p>hi</p>', 'text/html'), /content type text\/html not documented/);
  assert.match(problems(401, { success: false, message: 'No.', code: 'SLOT_TAKEN', data: null }), /\/code/);
  // Not a route: the plumbing's 404 is outside the document.
  assert.deepEqual(contractProblems(ta.app, 'GET', '/api/nothing-here', fake(404, {})), []);

  // And inject itself throws, so the test that received such an answer fails.
  await assert.rejects(
    ta.app.inject({ method: 'GET', url: '/probe' }),
    /contract: GET \/probe → 202: status not documented/,
  );
});
