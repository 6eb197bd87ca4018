import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { test } from 'node:test';
import { authHeaders, build, envelope, registerPatient, testConfig } from '../../test/helpers.js';
import { buildApp } from '../app.js';
import { createDatabase } from '../db/index.js';
import { pickLanguage } from './i18n.js';
import { systemClock } from '../clock.js';

test('an unknown route answers 404 in the envelope, without needing a key', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({ method: 'GET', url: '/api/nothing-here' });
  assert.equal(res.statusCode, 404);
  assert.deepEqual(envelope(res), {
    success: false,
    message: 'There is no such route.',
    code: 'ROUTE_NOT_FOUND',
    data: null,
  });
});

test('a wrong method answers 405 with the allowed methods', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({ method: 'GET', url: '/api/login/patient', headers: authHeaders(ta) });
  assert.equal(res.statusCode, 405);
  assert.equal(res.headers.allow, 'POST');
  assert.equal(envelope(res).code, 'METHOD_NOT_ALLOWED');
  // DELETE /api/me is a route (the account's erasure); the access log is read-only.
  const me = await ta.app.inject({ method: 'DELETE', url: '/api/me/access-log', headers: authHeaders(ta) });
  assert.equal(me.statusCode, 405);
  assert.equal(me.headers.allow, 'GET, HEAD');
});

test('malformed JSON is a 400 envelope', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: { ...authHeaders(ta), 'content-type': 'application/json' },
    payload: '{"email": "budi", ',
  });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(envelope(res), {
    success: false,
    message: 'The request body is not valid JSON.',
    code: 'MALFORMED_JSON',
    data: null,
  });
});

test('a __proto__ key in JSON is refused, not merged', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: { ...authHeaders(ta), 'content-type': 'application/json' },
    payload: '{"email":"a","password":"b","__proto__":{"polluted":true}}',
  });
  assert.equal(res.statusCode, 400);
  assert.equal(envelope(res).code, 'MALFORMED_JSON');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a content type other than JSON or a form is a 415 envelope', async (t) => {
  const ta = await build(t);
  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/login/patient',
      headers: { ...authHeaders(ta), 'content-type': type },
      payload: 'email=a',
    });
    assert.equal(res.statusCode, 415, type);
    assert.equal(envelope(res).code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal(envelope(res).data, null);
  }
});

test('a form-encoded body is read like JSON', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: { ...authHeaders(ta), 'content-type': 'application/x-www-form-urlencoded' },
    payload: `email=${patient.username}&password=${patient.password}`,
  });
  assert.equal(res.statusCode, 200);
  assert.equal(envelope(res).data.user.user_id, patient.userId);
});

test('an oversized body is a 413 envelope', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: authHeaders(ta),
    payload: { email: 'a', password: 'x'.repeat(1_100_000) },
  });
  assert.equal(res.statusCode, 413);
  assert.equal(envelope(res).code, 'PAYLOAD_TOO_LARGE');
});

test('an empty POST gets per-field 422s', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({ method: 'POST', url: '/api/login/patient', headers: authHeaders(ta) });
  assert.equal(res.statusCode, 422);
  const body = envelope(res);
  assert.equal(body.code, 'VALIDATION_FAILED');
  assert.deepEqual(body.errors, {
    email: ['The email field is required.'],
    password: ['The password field is required.'],
  });
});

test('every /api route needs a valid x-api-key', async (t) => {
  const ta = await build(t);
  for (const headers of [{}, { 'x-api-key': 'cxk_not-a-real-key' }, { 'x-api-key': '' }]) {
    const res = await ta.app.inject({ method: 'POST', url: '/api/login/patient', headers, payload: {} });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(envelope(res), {
      success: false,
      message: 'A valid x-api-key header is required.',
      code: 'API_KEY_INVALID',
      data: null,
    });
  }
});

test('a revoked app key is refused', async (t) => {
  const ta = await build(t);
  assert.equal(await ta.app.services.apps.revokeApp(ta.appId), true);
  const res = await ta.app.inject({ method: 'POST', url: '/api/login/patient', headers: authHeaders(ta), payload: {} });
  assert.equal(res.statusCode, 401);
  assert.equal(envelope(res).code, 'API_KEY_INVALID');
});

test('messages follow Accept-Language: Indonesian or English', async (t) => {
  const ta = await build(t);
  const id = await ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: { ...authHeaders(ta), 'accept-language': 'id-ID,id;q=0.9,en;q=0.8' },
    payload: {},
  });
  assert.equal(id.statusCode, 422);
  assert.equal(envelope(id).message, 'Data yang diberikan tidak valid.');
  assert.deepEqual(envelope(id).errors?.email, ['Kolom email wajib diisi.']);
  const en = await ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: { ...authHeaders(ta), 'accept-language': 'fr, en;q=0.5' },
    payload: {},
  });
  assert.equal(envelope(en).message, 'The given data was invalid.');
  const missingKey = await ta.app.inject({ method: 'GET', url: '/api/me', headers: { 'accept-language': 'id' } });
  assert.equal(envelope(missingKey).message, 'Header x-api-key yang valid wajib disertakan.');
});

test('pickLanguage honours q-values and the old "in" tag', () => {
  assert.equal(pickLanguage(undefined), 'en');
  assert.equal(pickLanguage('in'), 'id');
  assert.equal(pickLanguage('en;q=0.4, id;q=0.8'), 'id');
  assert.equal(pickLanguage('id;q=0, en'), 'en');
  assert.equal(pickLanguage('de, fr'), 'en');
});

test('API answers are not cached and carry a request id', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const res = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, patient) });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  assert.equal(res.headers['x-powered-by'], undefined);
});

test('a body field of the wrong type is a 422 naming the field', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: authHeaders(ta),
    payload: { email: { $ne: null }, password: ['x'] },
  });
  assert.equal(res.statusCode, 422);
  const body = envelope(res);
  assert.ok(body.errors?.email, res.body);
  assert.equal(body.data, null);
});

test('a URL that cannot be decoded is a 400 envelope', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/register/check-id/%E0%A4%A',
    headers: { ...authHeaders(ta), 'accept-language': 'id' },
  });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(envelope(res), {
    success: false,
    message: 'Permintaan tidak dapat dibaca.',
    code: 'BAD_REQUEST',
    data: null,
  });
});

test('a NUL character in a body or query field is a 422 naming the field, on every database', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/register/patient',
    headers: authHeaders(ta),
    payload: {
      name: 'Bu\u0000di',
      address: 'Jl. A',
      username: 'nulname',
      email: 'nul@example.id',
      password: 'password-1',
    },
  });
  assert.equal(res.statusCode, 422);
  assert.deepEqual(envelope(res).errors, { name: ['The name contains characters that are not allowed.'] });
  const rows = await ta.db.selectFrom('users').select('id').where('username_normalized', '=', 'nulname').execute();
  assert.equal(rows.length, 0);
  const query = await ta.app.inject({
    method: 'POST',
    url: '/api/register/check-id/username?username=budi%00',
    headers: authHeaders(ta),
  });
  assert.equal(query.statusCode, 422);
  assert.ok(envelope(query).errors?.username);
});

test('/health answers without a key; /ready checks the database', async (t) => {
  const ta = await build(t);
  const health = await ta.app.inject({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 200);
  assert.deepEqual(envelope(health), { success: true, message: 'OK.', data: { status: 'ok' } });
  const ready = await ta.app.inject({ method: 'GET', url: '/ready' });
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(envelope(ready).data, { status: 'ready' });
});

test('/ready is a 503 envelope when the database does not answer', async (t) => {
  const config = testConfig();
  const database = createDatabase(config.database);
  const app = await buildApp({ config, database });
  t.after(() => app.close());
  await database.destroy();
  const res = await app.inject({ method: 'GET', url: '/ready' });
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(envelope(res).code, 'SERVICE_UNAVAILABLE');
  assert.equal(envelope(res).data, null);
});

test('a trailing slash and a long parameter still find the path for a 405', async (t) => {
  const ta = await build(t);
  const slash = await ta.app.inject({ method: 'POST', url: '/api/me/', headers: authHeaders(ta) });
  assert.equal(slash.statusCode, 405);
  const long = await ta.app.inject({ method: 'GET', url: `/api/register/check-id/${'x'.repeat(150)}` });
  assert.equal(long.statusCode, 405);
});

test('bytes that never become a request still get an envelope', async (t) => {
  const ta = await build(t);
  await ta.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = ta.app.server.address() as AddressInfo;
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(request));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
  const bad = await raw('POST /api/login/patient HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
  assert.match(bad, /^HTTP\/1\.1 400 /);
  const body = JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4));
  assert.deepEqual(body, { success: false, message: 'The request is malformed.', code: 'BAD_REQUEST', data: null });
  const huge = await raw(`GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.match(huge, /^HTTP\/1\.1 431 /);
  assert.equal(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4)).code, 'REQUEST_HEADERS_TOO_LARGE');
});

test('app keys are cached for CACHE_TTL_MS: a revocation by another process shows within it, by this one at once', async (t) => {
  let now = systemClock();
  const ta = await build(t, { env: { CACHE_TTL_MS: '1000' }, now: () => now });
  const ask = () => ta.app.inject({ method: 'POST', url: '/api/login/patient', headers: authHeaders(ta), payload: {} });
  assert.equal((await ask()).statusCode, 422, 'known key: on to validation');
  // Another process (the CLI) revokes the app: this one learns it within the TTL.
  await ta.db.updateTable('client_apps').set({ revoked_at: now }).where('id', '=', ta.appId).execute();
  assert.equal((await ask()).statusCode, 422);
  now += 1001;
  assert.equal((await ask()).statusCode, 401);

  const other = await ta.app.services.apps.createApp('Second app');
  const askOther = () =>
    ta.app.inject({ method: 'POST', url: '/api/login/patient', headers: { 'x-api-key': other.key }, payload: {} });
  assert.equal((await askOther()).statusCode, 422);
  await ta.app.services.apps.revokeApp(other.appId);
  assert.equal((await askOther()).statusCode, 401, 'a revocation in this process shows at once');
});
