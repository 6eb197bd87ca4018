import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { errorCatalogue } from '../../http/errors.js';
import { fieldMessages, messages } from '../../http/i18n.js';
import { authHeaders, build, envelope, registerPatient, type Patient, type TestApp } from '../../../test/helpers.js';

const FULL = {
  suami: 'Budi Santoso',
  faskes1: 'Puskesmas Coblong',
  faskes_rujukan: 'RSUD Kota Bandung',
  pendidikan: 'sarjana',
  pekerjaan: 'Guru',
};

const post = (ta: TestApp, patient: Patient | undefined, payload: Record<string, unknown>, lang?: string) =>
  ta.app.inject({
    method: 'POST',
    url: '/api/obgyn',
    headers: { ...authHeaders(ta, patient), ...(lang ? { 'accept-language': lang } : {}) },
    payload,
  });

const get = (ta: TestApp, patient: Patient | undefined, lang?: string) =>
  ta.app.inject({
    method: 'GET',
    url: '/api/obgyn',
    headers: { ...authHeaders(ta, patient), ...(lang ? { 'accept-language': lang } : {}) },
  });

const rowOf = (ta: TestApp, userId: string) =>
  ta.db.selectFrom('obgyn_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();

function assertError(res: LightMyRequestResponse, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = envelope(res);
  assert.equal(body.success, false);
  assert.equal(body.code, code);
  assert.equal(body.data, null);
  return body;
}

/** A settable clock, so timestamps are known exactly. */
function clock(start = Date.parse('2026-03-02T01:00:00.000Z')) {
  const c = { at: start, now: () => c.at };
  return c;
}

test('GET before any profile answers 404 OBGYN_PROFILE_NOT_FOUND', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const body = assertError(await get(ta, patient), 404, 'OBGYN_PROFILE_NOT_FOUND');
  assert.equal(body.message, errorCatalogue.OBGYN_PROFILE_NOT_FOUND.message.en);
});

test('the first POST creates the profile (201) with every field', async (t) => {
  const c = clock();
  const ta = await build(t, { now: c.now });
  const patient = await registerPatient(ta);

  const res = await post(ta, patient, { user_id: patient.userId, ...FULL });
  assert.equal(res.statusCode, 201, res.body);
  const body = envelope(res);
  assert.equal(body.success, true);
  assert.equal(body.message, messages.obgynSaved.en);
  assert.deepEqual(body.data, {
    user_id: patient.userId,
    ...FULL,
    created_at: new Date(c.at).toISOString(),
    updated_at: new Date(c.at).toISOString(),
  });
  assert.equal(res.headers['cache-control'], 'no-store');

  assert.deepEqual(await rowOf(ta, patient.userId), {
    user_id: patient.userId,
    ...FULL,
    created_at: c.at,
    updated_at: c.at,
  });
});

test('only suami is needed; the optional fields are then null', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const res = await post(ta, patient, { suami: '  Budi  ' });
  assert.equal(res.statusCode, 201, res.body);
  const data = envelope(res).data;
  assert.equal(data.suami, 'Budi');
  assert.equal(data.faskes1, null);
  assert.equal(data.faskes_rujukan, null);
  assert.equal(data.pendidikan, null);
  assert.equal(data.pekerjaan, null);
  const row = await rowOf(ta, patient.userId);
  assert.equal(row?.suami, 'Budi');
  assert.equal(row?.faskes1, null);
});

test('a second POST updates (200): left out keeps, null or "" clears, created_at kept', async (t) => {
  const c = clock();
  const ta = await build(t, { now: c.now });
  const patient = await registerPatient(ta);
  const createdAt = c.at;
  assert.equal((await post(ta, patient, FULL)).statusCode, 201);

  c.at += 60_000;
  const res = await post(ta, patient, {
    suami: 'Agus Salim',
    faskes1: null,
    faskes_rujukan: '',
    // pendidikan and pekerjaan left out
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = envelope(res);
  assert.equal(body.success, true);
  const expected = {
    user_id: patient.userId,
    suami: 'Agus Salim',
    faskes1: null,
    faskes_rujukan: null,
    pendidikan: FULL.pendidikan,
    pekerjaan: FULL.pekerjaan,
    created_at: new Date(createdAt).toISOString(),
    updated_at: new Date(c.at).toISOString(),
  };
  assert.deepEqual(body.data, expected);

  const row = await rowOf(ta, patient.userId);
  assert.deepEqual(row, { ...expected, created_at: createdAt, updated_at: c.at });

  // GET returns what was saved.
  const read = await get(ta, patient);
  assert.equal(read.statusCode, 200);
  assert.equal(envelope(read).success, true);
  assert.deepEqual(envelope(read).data, expected);
  assert.equal(read.headers['cache-control'], 'no-store');

  // Still only one row for the patient.
  const rows = await ta.db
    .selectFrom('obgyn_profiles')
    .select('user_id')
    .where('user_id', '=', patient.userId)
    .execute();
  assert.equal(rows.length, 1);
});

test('updated_at is not earlier than created_at on the real clock', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const first = envelope(await post(ta, patient, FULL)).data;
  const res = await post(ta, patient, { suami: FULL.suami, pekerjaan: 'Dosen' });
  assert.equal(res.statusCode, 200);
  const second = envelope(res).data;
  assert.equal(second.created_at, first.created_at);
  assert.ok(Date.parse(second.updated_at) >= Date.parse(first.updated_at));
  assert.equal(second.pekerjaan, 'Dosen');
  assert.equal(second.faskes1, FULL.faskes1);
});

test('GET returns the saved profile', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const saved = envelope(await post(ta, patient, FULL)).data;
  const res = await get(ta, patient);
  assert.equal(res.statusCode, 200);
  const body = envelope(res);
  assert.equal(body.success, true);
  assert.deepEqual(body.data, saved);
});

test('suami missing, empty, blank or longer than 100 characters → 422, nothing written', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const cases: [string, Record<string, unknown>][] = [
    ['missing', { faskes1: 'Puskesmas' }],
    ['empty', { suami: '' }],
    ['blank', { suami: '   ' }],
    ['null', { suami: null }],
    ['101 characters', { suami: 'a'.repeat(101) }],
  ];
  for (const [name, payload] of cases) {
    await t.test(name, async () => {
      const body = assertError(await post(ta, patient, payload), 422, 'VALIDATION_FAILED');
      assert.deepEqual(Object.keys(body.errors ?? {}), ['suami']);
      assert.ok(body.errors!.suami!.length > 0);
      assert.equal(await rowOf(ta, patient.userId), undefined);
    });
  }

  await t.test('100 characters is fine', async () => {
    const res = await post(ta, patient, { suami: 'a'.repeat(100) });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((await rowOf(ta, patient.userId))?.suami, 'a'.repeat(100));
  });
});

test('an optional field over its limit → 422 for that field, the saved profile unchanged', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  assert.equal((await post(ta, patient, FULL)).statusCode, 201);
  const before = await rowOf(ta, patient.userId);
  const body = assertError(
    await post(ta, patient, { suami: 'Agus', faskes1: 'x'.repeat(201), pekerjaan: 'y'.repeat(101) }),
    422,
    'VALIDATION_FAILED',
  );
  assert.deepEqual(Object.keys(body.errors ?? {}).sort(), ['faskes1', 'pekerjaan']);
  assert.deepEqual(await rowOf(ta, patient.userId), before);
});

test("another patient's user_id or username → 403, nothing written for either", async (t) => {
  const ta = await build(t);
  const a = await registerPatient(ta);
  const b = await registerPatient(ta);
  assert.equal((await post(ta, b, { suami: 'Suami B' })).statusCode, 201);
  const bBefore = await rowOf(ta, b.userId);

  const cases: [string, Record<string, unknown>][] = [
    ["B's user_id", { user_id: b.userId, ...FULL }],
    ["B's username", { username: b.username, ...FULL }],
    ["own user_id with B's username", { user_id: a.userId, username: b.username, ...FULL }],
    ['a numeric user_id', { user_id: 1, ...FULL }],
  ];
  for (const [name, payload] of cases) {
    await t.test(name, async () => {
      const body = assertError(await post(ta, a, payload), 403, 'FORBIDDEN_OTHER_USER');
      assert.equal(body.message, errorCatalogue.FORBIDDEN_OTHER_USER.message.en);
      assert.equal(await rowOf(ta, a.userId), undefined);
      assert.deepEqual(await rowOf(ta, b.userId), bBefore);
    });
  }

  await t.test('own user_id and username are fine', async () => {
    const res = await post(ta, a, { user_id: a.userId, username: a.username.toUpperCase(), ...FULL });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(envelope(res).data.user_id, a.userId);
    assert.equal((await rowOf(ta, a.userId))?.suami, FULL.suami);
    assert.deepEqual(await rowOf(ta, b.userId), bBefore);
  });
});

test('without a token 401; with a token but no or a wrong x-api-key 401 API_KEY_INVALID', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);

  assertError(await post(ta, undefined, FULL), 401, 'UNAUTHENTICATED');
  assertError(await get(ta, undefined), 401, 'UNAUTHENTICATED');

  const withoutKey = { authorization: `Bearer ${patient.token}` };
  assertError(
    await ta.app.inject({ method: 'POST', url: '/api/obgyn', headers: withoutKey, payload: FULL }),
    401,
    'API_KEY_INVALID',
  );
  assertError(await ta.app.inject({ method: 'GET', url: '/api/obgyn', headers: withoutKey }), 401, 'API_KEY_INVALID');
  assertError(
    await ta.app.inject({
      method: 'POST',
      url: '/api/obgyn',
      headers: { ...withoutKey, 'x-api-key': 'not-a-key' },
      payload: FULL,
    }),
    401,
    'API_KEY_INVALID',
  );

  // The token belongs to the app it was issued in: another app's valid key does not carry it.
  const other = await ta.app.services.apps.createApp('another app');
  assertError(
    await ta.app.inject({
      method: 'POST',
      url: '/api/obgyn',
      headers: { ...withoutKey, 'x-api-key': other.key },
      payload: FULL,
    }),
    401,
    'UNAUTHENTICATED',
  );

  assert.equal(await rowOf(ta, patient.userId), undefined);
});

test('Accept-Language: id gives Indonesian messages', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);

  const missing = assertError(await get(ta, patient, 'id'), 404, 'OBGYN_PROFILE_NOT_FOUND');
  assert.equal(missing.message, errorCatalogue.OBGYN_PROFILE_NOT_FOUND.message.id);
  assert.notEqual(missing.message, errorCatalogue.OBGYN_PROFILE_NOT_FOUND.message.en);

  const invalid = assertError(await post(ta, patient, {}, 'id-ID,id;q=0.9,en;q=0.5'), 422, 'VALIDATION_FAILED');
  assert.equal(invalid.message, errorCatalogue.VALIDATION_FAILED.message.id);
  assert.deepEqual(invalid.errors, { suami: [fieldMessages.required.id.replace('{field}', 'suami')] });

  const saved = await post(ta, patient, FULL, 'id');
  assert.equal(saved.statusCode, 201);
  assert.equal(envelope(saved).message, messages.obgynSaved.id);
  assert.notEqual(messages.obgynSaved.id, messages.obgynSaved.en);

  // English stays the default.
  assert.equal(envelope(await post(ta, patient, FULL)).message, messages.obgynSaved.en);
});

test('two patients have separate profiles', async (t) => {
  const ta = await build(t);
  const a = await registerPatient(ta);
  const b = await registerPatient(ta);

  assert.equal((await post(ta, a, FULL)).statusCode, 201);
  assertError(await get(ta, b), 404, 'OBGYN_PROFILE_NOT_FOUND');

  // B's first save is a creation of B's own, and leaves A's alone.
  const bRes = await post(ta, b, { suami: 'Suami B', pekerjaan: 'Perawat' });
  assert.equal(bRes.statusCode, 201, bRes.body);

  const aData = envelope(await get(ta, a)).data;
  const bData = envelope(await get(ta, b)).data;
  assert.equal(aData.user_id, a.userId);
  assert.equal(aData.suami, FULL.suami);
  assert.equal(aData.pekerjaan, FULL.pekerjaan);
  assert.equal(bData.user_id, b.userId);
  assert.equal(bData.suami, 'Suami B');
  assert.equal(bData.faskes1, null);

  const rows = await ta.db
    .selectFrom('obgyn_profiles')
    .select(['user_id', 'suami'])
    .where('user_id', 'in', [a.userId, b.userId])
    .orderBy('suami')
    .execute();
  assert.deepEqual(rows, [
    { user_id: a.userId, suami: FULL.suami },
    { user_id: b.userId, suami: 'Suami B' },
  ]);
});

test('two partial saves at the same moment both keep their field', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const save = (payload: object) =>
    ta.app.inject({ method: 'POST', url: '/api/obgyn', headers: authHeaders(ta, p), payload });
  const created = await Promise.all(Array.from({ length: 5 }, () => save({ suami: 'Andi' })));
  assert.deepEqual(
    created.map((r) => r.statusCode).sort(),
    [200, 200, 200, 200, 201],
    'exactly one of several first saves is told it created the profile',
  );
  for (let i = 0; i < 5; i++) {
    const [a, b] = await Promise.all([
      save({ suami: 'Andi', faskes1: `Puskesmas ${i}` }),
      save({ suami: 'Andi', pendidikan: `Sarjana ${i}` }),
    ]);
    assert.equal(a.statusCode, 200);
    assert.equal(b.statusCode, 200);
    const rows = await ta.db.selectFrom('obgyn_profiles').selectAll().where('user_id', '=', p.userId).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.faskes1, `Puskesmas ${i}`);
    assert.equal(rows[0]!.pendidikan, `Sarjana ${i}`);
  }
});
