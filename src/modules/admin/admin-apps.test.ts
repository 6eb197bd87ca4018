import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authHeaders, build, envelope, registerPatient, uniqueName, type TestApp } from '../../../test/helpers.js';
import { errorCatalogue } from '../../http/errors.js';
import { sha256 } from '../../security/tokens.js';
import { BACKOFFICE_APP_ID } from '../apps/apps.repository.js';
import { createAdmin } from './admin-accounts.js';

type Method = 'GET' | 'POST' | 'PUT';

const PASSWORD = 'sangat-rahasia-2026';
const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 2, 3, 0, 0);

/** A clock the test moves. */
function clock() {
  let at = START;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

async function newAdmin(ta: TestApp): Promise<{ id: string; token: string }> {
  const email = `${uniqueName('admin')}@cexup.test`;
  const { id } = await createAdmin(ta.db, { name: 'Admin Apps', email, password: PASSWORD });
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password: PASSWORD },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { id, token: envelope(res).data.access_token };
}

const call = (ta: TestApp, token: string, method: Method, url: string, payload?: object) =>
  ta.app.inject({
    method,
    url: `/api/admin${url}`,
    headers: { ...authHeaders(ta), authorization: `Bearer ${token}` },
    ...(payload !== undefined ? { payload } : {}),
  });

async function ok(ta: TestApp, token: string, method: Method, url: string, payload?: object, status = 200) {
  const res = await call(ta, token, method, url, payload);
  assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
  const body = envelope(res);
  assert.equal(body.success, true);
  return body.data;
}

function assertError(res: LightMyRequestResponse, status: number, code: keyof typeof errorCatalogue) {
  assert.equal(res.statusCode, status, res.body);
  const body = envelope(res);
  assert.equal(body.success, false);
  assert.equal(body.code, code);
  assert.equal(body.data, null);
  if (code !== 'VALIDATION_FAILED') assert.equal(body.message, errorCatalogue[code].message.en);
  return body;
}

/** A 422 naming exactly these fields. */
function assertInvalid(res: LightMyRequestResponse, fields: string[]) {
  const body = assertError(res, 422, 'VALIDATION_FAILED');
  assert.deepEqual(Object.keys(body.errors ?? {}).sort(), [...fields].sort(), res.body);
  return body;
}

/** A public catalogue call with an app's key. */
const withKey = (ta: TestApp, key: string, url = '/api/hospital?data=100') =>
  ta.app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });

async function hospital(ta: TestApp, token: string): Promise<string> {
  const slug = `rs-${randomBytes(4).toString('hex')}`;
  await ok(
    ta,
    token,
    'POST',
    '/hospitals',
    { slug, name: `RS ${slug}`, city: 'Bandung', timezone: 'Asia/Jakarta' },
    201,
  );
  return slug;
}

const auditRows = (ta: TestApp, entityIds: string[]) =>
  ta.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity_id', 'in', entityIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();

test('an app scoped to a hospital: its key sees only that hospital, and is shown once', async (t) => {
  const ta = await build(t, { now: clock().now });
  const admin = await newAdmin(ta);
  const [mine, other] = [await hospital(ta, admin.token), await hospital(ta, admin.token)];

  const res = await call(ta, admin.token, 'POST', '/apps', { name: '  Mitra Bandung ', hospitals: [mine, mine] });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.headers['cache-control'], 'no-store');
  const created = envelope(res).data;
  assert.equal(envelope(res).message, 'Created.');
  assert.equal(created.name, 'Mitra Bandung');
  assert.deepEqual(created.hospital_scope, [mine]);
  assert.equal(created.revoked_at, null);
  assert.equal(created.created_at, new Date(START).toISOString());
  assert.match(created.key, /^cxk_[A-Za-z0-9_-]{43}$/);
  assert.equal(created.keys.length, 1);
  const [key] = created.keys;
  assert.deepEqual(
    { ...key },
    {
      id: created.key_id,
      prefix: created.key.slice(0, 8),
      created_at: created.created_at,
      expires_at: null,
      revoked_at: null,
      state: 'active',
    },
  );

  // The key works, within its scope; the test app's key (no scope) sees every hospital.
  const scoped = await withKey(ta, created.key);
  assert.equal(scoped.statusCode, 200, scoped.body);
  assert.deepEqual(
    envelope(scoped).data.map((h: { slug: string }) => h.slug),
    [mine],
  );
  assert.equal((await withKey(ta, created.key, `/api/hospital/${other}`)).statusCode, 404);
  const all = envelope(await withKey(ta, ta.apiKey)).data.map((h: { slug: string }) => h.slug);
  assert.ok(all.includes(mine) && all.includes(other));

  // Shown once: never in a listing, an app's page, nor the audit log.
  const listed = await call(ta, admin.token, 'GET', '/apps?data=100');
  const one = await call(ta, admin.token, 'GET', `/apps/${created.id}`);
  const audit = await call(ta, admin.token, 'GET', `/audit-log?entity=app&entity_id=${created.id}`);
  for (const r of [listed, one, audit]) {
    assert.equal(r.statusCode, 200, r.body);
    assert.ok(!r.body.includes(created.key), r.body);
    assert.ok(!r.body.includes(sha256(created.key)), r.body);
  }
  const page = envelope(listed);
  const found = page.data.find((a: { id: string }) => a.id === created.id);
  const { key: _key, key_id: _keyId, ...shown } = created;
  assert.deepEqual(found, shown);
  assert.deepEqual(envelope(one).data, found);
  assert.equal(page.meta.current_page, 1);
  assert.equal(page.meta.total, page.data.length);

  // The change is audited with the admin, the app as it was made, and no key material.
  const entries = envelope(audit).data;
  assert.equal(entries.length, 1);
  assert.equal(entries[0].action, 'create');
  assert.equal(entries[0].entity, 'app');
  assert.equal(entries[0].actor_user_id, admin.id);
  assert.equal(entries[0].before, null);
  assert.deepEqual(entries[0].after.hospital_scope, [mine]);
  assert.equal(entries[0].after.keys[0].prefix, key.prefix);
});

test('rotation with an overlap: both keys work until it ends, then only the new one', async (t) => {
  const time = clock();
  const ta = await build(t, { now: time.now });
  const admin = await newAdmin(ta);
  const app = await ok(ta, admin.token, 'POST', '/apps', { name: 'Mitra Rotasi' }, 201);
  assert.equal(app.hospital_scope, null);
  const old = app.key;

  time.advance(HOUR);
  const res = await call(ta, admin.token, 'POST', `/apps/${app.id}/rotate`, { overlap_hours: 2 });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['cache-control'], 'no-store');
  const rotated = envelope(res).data;
  const fresh = rotated.key;
  assert.notEqual(fresh, old);
  const expireAt = new Date(START + 3 * HOUR).toISOString();
  assert.equal(rotated.old_keys_expire_at, expireAt);
  assert.deepEqual(
    rotated.keys.map((k: any) => [k.id, k.expires_at, k.state]),
    [
      [app.key_id, expireAt, 'expiring'],
      [rotated.key_id, null, 'active'],
    ],
  );
  assert.equal(rotated.keys[1].prefix, fresh.slice(0, 8));

  for (const key of [old, fresh]) assert.equal((await withKey(ta, key)).statusCode, 200);

  // Past the overlap: the old key is refused, the new one works.
  time.advance(2 * HOUR + 1);
  assertError(await withKey(ta, old), 401, 'API_KEY_INVALID');
  assert.equal((await withKey(ta, fresh)).statusCode, 200);
  const now = await ok(ta, admin.token, 'GET', `/apps/${app.id}`);
  assert.deepEqual(
    now.keys.map((k: any) => k.state),
    ['expired', 'active'],
  );

  // The overlap defaults to API_KEY_ROTATION_OVERLAP_HOURS; no body is the default too.
  const again = await ok(ta, admin.token, 'POST', `/apps/${app.id}/rotate`, {});
  assert.equal(again.old_keys_expire_at, new Date(time.now() + ta.config.apiKeyOverlapHours * HOUR).toISOString());
  time.advance(1000);
  const noBody = await call(ta, admin.token, 'POST', `/apps/${app.id}/rotate`);
  assert.equal(noBody.statusCode, 200, noBody.body);
  // The key expired earlier keeps its end; 0 hours stops the others now.
  time.advance(1000);
  const zero = await ok(ta, admin.token, 'POST', `/apps/${app.id}/rotate`, { overlap_hours: 0 });
  assert.deepEqual(
    zero.keys.map((k: any) => k.state),
    ['expired', 'expired', 'expired', 'expired', 'active'],
  );
  assert.equal(zero.keys[0].expires_at, expireAt);
  assertError(await withKey(ta, fresh), 401, 'API_KEY_INVALID');
  assert.equal((await withKey(ta, zero.key)).statusCode, 200);

  // Audited as rotations of the app, without the keys.
  const rows = await auditRows(ta, [app.id]);
  assert.deepEqual(
    rows.map((r) => r.action),
    ['create', 'rotate', 'rotate', 'rotate', 'rotate'],
  );
  const text = JSON.stringify(rows);
  for (const key of [old, fresh, again.key, envelope(noBody).data.key, zero.key]) {
    assert.ok(!text.includes(key));
    assert.ok(!text.includes(sha256(key)));
  }
  const first = rows[1]!;
  assert.equal(first.actor_user_id, admin.id);
  assert.equal(JSON.parse(first.before_json!).keys.length, 1);
  assert.deepEqual(
    JSON.parse(first.after_json!).keys.map((k: any) => [k.id, k.expires_at]),
    [
      [app.key_id, expireAt],
      [rotated.key_id, null],
    ],
  );
});

test('revoking a key, then the app: each stops at once, even with the key cache on', async (t) => {
  const time = clock();
  const ta = await build(t, { now: time.now, env: { CACHE_TTL_MS: '60000' } });
  const admin = await newAdmin(ta);
  const app = await ok(ta, admin.token, 'POST', '/apps', { name: 'Mitra Cabut' }, 201);
  time.advance(1000);
  const rotated = await ok(ta, admin.token, 'POST', `/apps/${app.id}/rotate`, { overlap_hours: 24 });
  for (const key of [app.key, rotated.key]) assert.equal((await withKey(ta, key)).statusCode, 200);

  // One key: the other still works.
  const afterKey = await ok(ta, admin.token, 'POST', `/apps/${app.id}/keys/${app.key_id}/revoke`);
  assert.deepEqual(
    afterKey.keys.map((k: any) => [k.id, k.state, k.revoked_at]),
    [
      [app.key_id, 'revoked', new Date(START + 1000).toISOString()],
      [rotated.key_id, 'active', null],
    ],
  );
  assertError(await withKey(ta, app.key), 401, 'API_KEY_INVALID');
  assert.equal((await withKey(ta, rotated.key)).statusCode, 200);
  // Again: no change, no second audit row.
  time.advance(1000);
  assert.deepEqual(await ok(ta, admin.token, 'POST', `/apps/${app.id}/keys/${app.key_id}/revoke`), afterKey);

  // A key of another app, or none: 404.
  const other = await ok(ta, admin.token, 'POST', '/apps', { name: 'Mitra Lain' }, 201);
  assertError(
    await call(ta, admin.token, 'POST', `/apps/${app.id}/keys/${other.key_id}/revoke`),
    404,
    'API_KEY_NOT_FOUND',
  );
  assertError(await call(ta, admin.token, 'POST', `/apps/${app.id}/keys/nope/revoke`), 404, 'API_KEY_NOT_FOUND');
  assertError(await call(ta, admin.token, 'POST', `/apps/nope/keys/${app.key_id}/revoke`), 404, 'APP_NOT_FOUND');
  assert.equal((await withKey(ta, other.key)).statusCode, 200);

  // The app: every key refused at once; revoked keys and app shown as such.
  const revoked = await ok(ta, admin.token, 'POST', `/apps/${app.id}/revoke`);
  assert.equal(revoked.revoked_at, new Date(time.now()).toISOString());
  assert.deepEqual(
    revoked.keys.map((k: any) => k.state),
    ['revoked', 'revoked'],
  );
  assert.equal(revoked.keys[1].revoked_at, revoked.revoked_at);
  assert.equal(revoked.keys[0].revoked_at, new Date(START + 1000).toISOString());
  assertError(await withKey(ta, rotated.key), 401, 'API_KEY_INVALID');
  assert.equal((await withKey(ta, other.key)).statusCode, 200);
  // Again: no change. Rotating or changing it: 409.
  assert.deepEqual(await ok(ta, admin.token, 'POST', `/apps/${app.id}/revoke`), revoked);
  assertError(await call(ta, admin.token, 'POST', `/apps/${app.id}/rotate`, {}), 409, 'APP_REVOKED');
  assertError(await call(ta, admin.token, 'PUT', `/apps/${app.id}`, { name: 'X' }), 409, 'APP_REVOKED');
  assertError(await withKey(ta, rotated.key), 401, 'API_KEY_INVALID');

  const rows = await auditRows(ta, [app.id, app.key_id, rotated.key_id]);
  assert.deepEqual(
    rows.map((r) => `${r.entity} ${r.action} ${r.entity_id === app.id ? 'app' : 'key'}`),
    ['app create app', 'app rotate app', 'app_key revoke key', 'app revoke app'],
  );
  assert.ok(rows.every((r) => r.actor_user_id === admin.id));
  const keyRow = rows[2]!;
  assert.equal(JSON.parse(keyRow.before_json!).revoked_at, null);
  assert.deepEqual(JSON.parse(keyRow.after_json!), {
    app_id: app.id,
    id: app.key_id,
    prefix: app.key.slice(0, 8),
    created_at: new Date(START).toISOString(),
    expires_at: new Date(START + 1000 + 24 * HOUR).toISOString(),
    revoked_at: new Date(START + 1000).toISOString(),
  });
  const text = JSON.stringify(rows);
  for (const key of [app.key, rotated.key]) {
    assert.ok(!text.includes(key));
    assert.ok(!text.includes(sha256(key)));
  }
});

test('changing the name and the scope applies at once, audited', async (t) => {
  const ta = await build(t, { env: { CACHE_TTL_MS: '60000' } });
  const admin = await newAdmin(ta);
  const [a, b] = [await hospital(ta, admin.token), await hospital(ta, admin.token)];
  const app = await ok(ta, admin.token, 'POST', '/apps', { name: 'Mitra Ubah', hospitals: [a] }, 201);
  const slugs = async () => envelope(await withKey(ta, app.key)).data.map((h: { slug: string }) => h.slug);
  assert.deepEqual(await slugs(), [a]);

  const moved = await ok(ta, admin.token, 'PUT', `/apps/${app.id}`, { hospitals: [b] });
  assert.deepEqual(moved.hospital_scope, [b]);
  assert.equal(moved.name, 'Mitra Ubah');
  assert.deepEqual(await slugs(), [b]);

  const all = await ok(ta, admin.token, 'PUT', `/apps/${app.id}`, { name: ' Mitra Semua ', hospitals: null });
  assert.equal(all.hospital_scope, null);
  assert.equal(all.name, 'Mitra Semua');
  const seen = await slugs();
  assert.ok(seen.includes(a) && seen.includes(b));
  assert.deepEqual(await ok(ta, admin.token, 'PUT', `/apps/${app.id}`, {}), all);
  assert.deepEqual(await ok(ta, admin.token, 'PUT', `/apps/${app.id}`, { name: 'Mitra Semua' }), all);

  const rows = await auditRows(ta, [app.id]);
  assert.deepEqual(
    rows.map((r) => r.action),
    ['create', 'update', 'update'],
  );
  assert.deepEqual(JSON.parse(rows[1]!.before_json!).hospital_scope, [a]);
  assert.deepEqual(JSON.parse(rows[1]!.after_json!).hospital_scope, [b]);
  assert.equal(JSON.parse(rows[2]!.after_json!).name, 'Mitra Semua');
  assert.equal(JSON.parse(rows[2]!.after_json!).hospital_scope, null);
  const filtered = await ok(ta, admin.token, 'GET', `/audit-log?entity=app&action=update&entity_id=${app.id}`);
  assert.equal(filtered.length, 2);
});

test('invalid bodies: 422 on the field; unknown apps and the back office: 404', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const real = await hospital(ta, admin.token);
  const post = (url: string, payload?: object) => call(ta, admin.token, 'POST', url, payload);

  const unknown = assertInvalid(await post('/apps', { name: 'Mitra', hospitals: [real, 'rs-tidak-ada'] }), [
    'hospitals',
  ]);
  assert.deepEqual(unknown.errors, { hospitals: ['The selected hospital rs-tidak-ada does not exist.'] });
  assertInvalid(await post('/apps', { name: '' }), ['name']);
  assertInvalid(await post('/apps', { name: '   ' }), ['name']);
  assertInvalid(await post('/apps', { name: 'x'.repeat(101) }), ['name']);
  assertInvalid(await post('/apps', {}), ['name']);
  assertInvalid(await post('/apps', { name: 'Mitra', hospitals: [] }), ['hospitals']);
  assertInvalid(await post('/apps', { name: 'Mitra', hospitals: 'rs-a' }), ['hospitals']);
  const app = await ok(ta, admin.token, 'POST', '/apps', { name: 'x'.repeat(100) }, 201);
  for (const overlap of [-1, 8761, 1.5, '2']) {
    assertInvalid(await post(`/apps/${app.id}/rotate`, { overlap_hours: overlap }), ['overlap_hours']);
  }
  assert.equal((await post(`/apps/${app.id}/rotate`, { overlap_hours: 8760 })).statusCode, 200);
  const put = (payload: object) => call(ta, admin.token, 'PUT', `/apps/${app.id}`, payload);
  assertInvalid(await put({ name: '' }), ['name']);
  assertInvalid(await put({ hospitals: ['rs-tidak-ada'] }), ['hospitals']);
  assertInvalid(await put({ hospitals: [] }), ['hospitals']);
  // Nothing of a refused change was kept, nor audited.
  const still = await ok(ta, admin.token, 'GET', `/apps/${app.id}`);
  assert.equal(still.hospital_scope, null);
  assert.deepEqual(
    (await auditRows(ta, [app.id])).map((r) => r.action),
    ['create', 'rotate'],
  );

  // Unknown ids and the back office's own app: 404 on every route, never listed.
  for (const id of ['no-such-app', BACKOFFICE_APP_ID]) {
    assertError(await call(ta, admin.token, 'GET', `/apps/${id}`), 404, 'APP_NOT_FOUND');
    assertError(await call(ta, admin.token, 'PUT', `/apps/${id}`, { name: 'Diganti' }), 404, 'APP_NOT_FOUND');
    assertError(await post(`/apps/${id}/rotate`, { overlap_hours: 1 }), 404, 'APP_NOT_FOUND');
    assertError(await post(`/apps/${id}/revoke`), 404, 'APP_NOT_FOUND');
    assertError(await post(`/apps/${id}/keys/${app.key_id}/revoke`), 404, 'APP_NOT_FOUND');
  }
  const backoffice = await ta.db
    .selectFrom('client_apps')
    .selectAll()
    .where('id', '=', BACKOFFICE_APP_ID)
    .executeTakeFirstOrThrow();
  assert.equal(backoffice.revoked_at, null);
  const listed = await ok(ta, admin.token, 'GET', '/apps?data=100');
  assert.ok(!listed.some((a: { id: string }) => a.id === BACKOFFICE_APP_ID));
  assert.ok(listed.some((a: { id: string }) => a.id === app.id));
  assert.ok(listed.some((a: { id: string }) => a.id === ta.appId));
});

test('a patient token, none, or another app’s admin: 401, nothing changed', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const patient = await registerPatient(ta);
  const app = await ok(ta, admin.token, 'POST', '/apps', { name: 'Mitra Aman' }, 201);
  const routes: [Method, string, object?][] = [
    ['GET', '/apps'],
    ['GET', `/apps/${app.id}`],
    ['POST', '/apps', { name: 'Penyusup' }],
    ['PUT', `/apps/${app.id}`, { name: 'Penyusup' }],
    ['POST', `/apps/${app.id}/rotate`, { overlap_hours: 0 }],
    ['POST', `/apps/${app.id}/revoke`],
    ['POST', `/apps/${app.id}/keys/${app.key_id}/revoke`],
  ];
  for (const [method, url, payload] of routes) {
    assertError(await call(ta, patient.token, method, url, payload), 401, 'UNAUTHENTICATED');
    const none = await ta.app.inject({
      method,
      url: `/api/admin${url}`,
      headers: authHeaders(ta),
      ...(payload ? { payload } : {}),
    });
    assertError(none, 401, 'UNAUTHENTICATED');
    // The admin's token with another app's key (the admin logged in with the test app's).
    const elsewhere = await ta.app.inject({
      method,
      url: `/api/admin${url}`,
      headers: { 'x-api-key': app.key, authorization: `Bearer ${admin.token}` },
      ...(payload ? { payload } : {}),
    });
    assertError(elsewhere, 401, 'UNAUTHENTICATED');
  }
  const same = await ok(ta, admin.token, 'GET', `/apps/${app.id}`);
  assert.equal(same.name, 'Mitra Aman');
  assert.deepEqual(
    same.keys.map((k: any) => k.state),
    ['active'],
  );
  assert.deepEqual(
    (await auditRows(ta, [app.id])).map((r) => r.action),
    ['create'],
  );
});
