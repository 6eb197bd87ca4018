import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { DOCS_CSP } from '../src/http/docs.js';
import { createAdmin } from '../src/modules/admin/index.js';
import { authHeaders, build, envelope, registerPatient, uniqueName } from './helpers.js';

const APP_ORIGIN = 'https://app.example.id';

test('every answer carries the security headers, and no X-Powered-By', async (t) => {
  const ta = await build(t);
  for (const res of [
    await ta.app.inject({ method: 'GET', url: '/health' }),
    await ta.app.inject({ method: 'GET', url: '/api/speciality', headers: authHeaders(ta) }),
    await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta) }),
    await ta.app.inject({ method: 'GET', url: '/no-such-path' }),
  ]) {
    const where = `${res.statusCode} ${res.body.slice(0, 60)}`;
    // An API answer is data: it loads nothing, runs nothing and is framed by no one.
    assert.equal(
      res.headers['content-security-policy'],
      "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      where,
    );
    assert.equal(res.headers['x-content-type-options'], 'nosniff', where);
    assert.equal(res.headers['x-frame-options'], 'DENY', where);
    assert.equal(res.headers['referrer-policy'], 'no-referrer', where);
    assert.match(String(res.headers['strict-transport-security']), /^max-age=\d+/, where);
    assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin', where);
    assert.equal(res.headers['x-powered-by'], undefined, where);
  }
});

test('the reference page keeps its own policy; images may be shown by apps on other origins', async (t) => {
  const ta = await build(t);
  const docs = await ta.app.inject({ method: 'GET', url: '/docs/' });
  assert.equal(docs.statusCode, 200);
  assert.equal(docs.headers['content-security-policy'], DOCS_CSP);

  const image = await ta.app.inject({ method: 'GET', url: '/files/avatars/no-such-file.webp' });
  assert.equal(image.headers['cross-origin-resource-policy'], 'cross-origin');
});

test('Cache-Control: no-store on every signed-in answer and on login; the catalogue stays cacheable', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const email = `${uniqueName('admin')}@cexup.test`;
  await createAdmin(ta.db, { name: 'Admin Satu', email, password: 'admin-rahasia-123' });
  const adminLogin = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password: 'admin-rahasia-123' },
  });
  assert.equal(adminLogin.statusCode, 200);
  const admin = { token: envelope(adminLogin).data.access_token as string };

  const personal = [
    adminLogin,
    await ta.app.inject({
      method: 'POST',
      url: '/api/login/patient',
      headers: authHeaders(ta),
      payload: { email: patient.username, password: patient.password },
    }),
    await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, patient) }),
    await ta.app.inject({ method: 'GET', url: '/api/obgyn', headers: authHeaders(ta, patient) }),
    await ta.app.inject({ method: 'POST', url: '/api/user/orders', headers: authHeaders(ta, patient), payload: {} }),
    await ta.app.inject({ method: 'GET', url: '/api/notifications', headers: authHeaders(ta, patient) }),
    await ta.app.inject({
      method: 'GET',
      url: '/api/admin/orders',
      headers: { 'x-api-key': ta.apiKey, authorization: `Bearer ${admin.token}` },
    }),
    await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta) }),
  ];
  for (const res of personal) assert.equal(res.headers['cache-control'], 'no-store', res.body.slice(0, 80));

  const catalogue = await ta.app.inject({ method: 'GET', url: '/api/speciality', headers: authHeaders(ta) });
  assert.equal(catalogue.statusCode, 200);
  assert.equal(catalogue.headers['cache-control'], 'public, max-age=60');
});

test('without CORS_ORIGINS there is no cross-origin access: no CORS headers, a preflight is a 405', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({
    method: 'GET',
    url: '/api/speciality',
    headers: { ...authHeaders(ta), origin: APP_ORIGIN },
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['access-control-allow-origin'], undefined);

  const preflight = await ta.app.inject({
    method: 'OPTIONS',
    url: '/api/speciality',
    headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' },
  });
  assert.equal(preflight.statusCode, 405);
  assert.equal(envelope(preflight).code, 'METHOD_NOT_ALLOWED');
  assert.equal(preflight.headers['access-control-allow-origin'], undefined);
});

test('CORS_ORIGINS: allowed origins get CORS answers and preflights; any other origin gets none', async (t) => {
  const ta = await build(t, { env: { CORS_ORIGINS: `${APP_ORIGIN},http://localhost:5173` } });
  const preflight = await ta.app.inject({
    method: 'OPTIONS',
    url: '/api/doctor/booking',
    headers: {
      origin: APP_ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-api-key, authorization, content-type',
    },
  });
  assert.equal(preflight.statusCode, 204, preflight.body);
  assert.equal(preflight.headers['access-control-allow-origin'], APP_ORIGIN);
  assert.match(String(preflight.headers['access-control-allow-methods']), /\bPOST\b/);
  const allowedHeaders = String(preflight.headers['access-control-allow-headers']);
  for (const header of ['x-api-key', 'authorization', 'content-type', 'idempotency-key', 'accept-language']) {
    assert.ok(allowedHeaders.includes(header), `${header} in ${allowedHeaders}`);
  }
  assert.equal(preflight.headers['access-control-max-age'], '600');
  assert.equal(preflight.headers['access-control-allow-credentials'], undefined);

  const answer = await ta.app.inject({
    method: 'GET',
    url: '/api/speciality',
    headers: { ...authHeaders(ta), origin: APP_ORIGIN },
  });
  assert.equal(answer.statusCode, 200);
  assert.equal(answer.headers['access-control-allow-origin'], APP_ORIGIN);
  assert.match(String(answer.headers['access-control-expose-headers']), /x-request-id/);
  // A shared cache keeps one copy per origin, as well as per key and language.
  assert.deepEqual(
    String(answer.headers.vary)
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .sort(),
    ['accept-language', 'origin', 'x-api-key'],
  );

  for (const origin of ['https://evil.example', 'https://app.example.id.evil.example', 'http://app.example.id']) {
    const refused = await ta.app.inject({
      method: 'OPTIONS',
      url: '/api/doctor/booking',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    assert.equal(refused.statusCode, 405, origin);
    assert.equal(envelope(refused).code, 'METHOD_NOT_ALLOWED');
    assert.equal(refused.headers['access-control-allow-origin'], undefined, origin);
    const get = await ta.app.inject({
      method: 'GET',
      url: '/api/speciality',
      headers: { ...authHeaders(ta), origin },
    });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers['access-control-allow-origin'], undefined, origin);
  }
});

test('TRACE is refused with 405 in the envelope, on every path, with the methods the path has', async (t) => {
  const ta = await build(t);
  const known = await ta.app.inject({ method: 'TRACE', url: '/api/doctor', headers: authHeaders(ta) });
  assert.equal(known.statusCode, 405);
  assert.equal(envelope(known).code, 'METHOD_NOT_ALLOWED');
  assert.equal(known.headers.allow, 'GET, HEAD, POST');
  assert.equal(known.headers['cache-control'], 'no-store');

  for (const url of ['/health', '/no-such-path', '/docs', '/api/me']) {
    const res = await ta.app.inject({ method: 'TRACE', url, headers: { cookie: 'secret=1' } });
    assert.equal(res.statusCode, 405, url);
    assert.equal(envelope(res).code, 'METHOD_NOT_ALLOWED');
    assert.doesNotMatch(res.body, /secret/);
  }
});

/** One raw request on a socket of its own; the whole answer as text. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
  });
}

test('over a real socket: TRACE and TRACK (which Node refuses before Fastify sees it) both get the 405 envelope', async (t) => {
  const ta = await build(t);
  await ta.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = ta.app.server.address() as net.AddressInfo;
  for (const method of ['TRACE', 'TRACK']) {
    const text = await raw(
      port,
      `${method} /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Secret: s3cr3t\r\n\r\n`,
    );
    const [head, body] = text.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 405 /, `${method}: ${head}`);
    assert.match(head!, /^allow: GET, HEAD$/im, `${method}: ${head}`);
    assert.equal(JSON.parse(body!).code, 'METHOD_NOT_ALLOWED', method);
    assert.doesNotMatch(text, /s3cr3t/);
  }
  // Other garbage is still the plumbing's 400.
  const other = await raw(port, 'FOO /health HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(other, /^HTTP\/1\.1 400 /);
});
