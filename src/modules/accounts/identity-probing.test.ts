import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, build, envelope, registerPatient, type TestApp } from '../../../test/helpers.js';

// Issue 13, finding 10: no_type must not tell whether a number belongs to a patient here.

const update = (ta: TestApp, payload: object, headers: Record<string, string>) =>
  ta.app.inject({ method: 'POST', url: '/api/update/patient', headers, payload });

const userRow = (ta: TestApp, id: string) =>
  ta.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

test('a NIK of another account is refused exactly like a NIK no document carries', async (t) => {
  const ta = await build(t);
  const owner = await registerPatient(ta);
  const prober = await registerPatient(ta);
  const set = await update(ta, { type: 'ktp', no_type: '3174051203880004' }, authHeaders(ta, owner));
  assert.equal(set.statusCode, 200, set.body);

  const taken = await update(ta, { type: 'nik', no_type: '3174-0512-0388-0004' }, authHeaders(ta, prober));
  // Well-formed (16 digits, a real birth date) but the serial 0000 is never issued.
  const unissued = await update(ta, { type: 'nik', no_type: '3174051203880000' }, authHeaders(ta, prober));
  assert.equal(taken.statusCode, 422);
  assert.deepEqual(envelope(taken).errors, {
    no_type: ['This identity number cannot be used. If it is yours, contact support.'],
  });
  assert.doesNotMatch(taken.body, /another account|registered|akun lain|terdaftar/i);
  assert.equal(taken.statusCode, unissued.statusCode);
  assert.equal(taken.body, unissued.body, 'the same answer, byte for byte');
  for (const header of ['content-type', 'retry-after']) assert.equal(taken.headers[header], unissued.headers[header]);
  assert.equal((await userRow(ta, prober.userId)).id_number_hmac, null, 'nothing written');

  // In Indonesian too, the answer names no other account.
  const headers = { ...authHeaders(ta, prober), 'accept-language': 'id' };
  const takenId = await update(ta, { type: 'ktp', no_type: '3174051203880004' }, headers);
  const unissuedId = await update(ta, { type: 'ktp', no_type: '0174051203880004' }, headers);
  assert.equal(takenId.body, unissuedId.body);
  assert.doesNotMatch(takenId.body, /akun lain|terdaftar/i);

  // The owner may still save it, and no route answers whether a number is registered.
  assert.equal(
    (await update(ta, { type: 'nik', no_type: '3174051203880004' }, authHeaders(ta, owner))).statusCode,
    200,
  );
  const check = await ta.app.inject({
    method: 'POST',
    url: '/api/register/check-id/nik',
    headers: authHeaders(ta),
    payload: { nik: '3174051203880004' },
  });
  assert.equal(check.statusCode, 404);
  assert.equal(envelope(check).code, 'NOT_FOUND');
});

test('identity changes are limited per account: the N+1th in the window is a 429', async (t) => {
  const ta = await build(t, {
    env: { RATE_LIMIT_IDENTITY_PER_ACCOUNT_PER_DAY: '3', RATE_LIMIT_IDENTITY_PER_HOUR: '50' },
  });
  const p = await registerPatient(ta);
  const statuses: number[] = [];
  for (const n of ['3201015505850002', '3201015505850003', '3201015505850000']) {
    statuses.push((await update(ta, { type: 'ktp', no_type: n }, authHeaders(ta, p))).statusCode);
  }
  assert.deepEqual(statuses, [200, 200, 422], 'refused attempts count as well');
  const fourth = await update(ta, { type: 'ktp', no_type: '3201015505850004' }, authHeaders(ta, p));
  assert.equal(fourth.statusCode, 429, fourth.body);
  assert.equal(envelope(fourth).success, false);
  assert.equal(envelope(fourth).code, 'TOO_MANY_REQUESTS');
  assert.equal(envelope(fourth).data, null);
  assert.ok(Number(fourth.headers['retry-after']) > 0);
  const row = await userRow(ta, p.userId);
  assert.equal(row.id_number_masked, '************0003', 'the limited request changed nothing');

  // The rest of the profile, the masked echo and clearing are not identity changes.
  const other = await update(ta, { name: 'Still Me', type: 'ktp', no_type: '************0003' }, authHeaders(ta, p));
  assert.equal(other.statusCode, 200, other.body);
  assert.equal((await update(ta, { no_type: null }, authHeaders(ta, p))).statusCode, 200);
  // Another account from the same address has its own count.
  const q = await registerPatient(ta);
  assert.equal((await update(ta, { type: 'ktp', no_type: '3201015505850004' }, authHeaders(ta, q))).statusCode, 200);
});

test('identity changes are limited per address across accounts', async (t) => {
  const ta = await build(t, {
    env: { RATE_LIMIT_IDENTITY_PER_ACCOUNT_PER_DAY: '50', RATE_LIMIT_IDENTITY_PER_HOUR: '2' },
  });
  const a = await registerPatient(ta);
  const b = await registerPatient(ta);
  assert.equal((await update(ta, { type: 'ktp', no_type: '3201015505850002' }, authHeaders(ta, a))).statusCode, 200);
  assert.equal((await update(ta, { type: 'ktp', no_type: '3201015505850003' }, authHeaders(ta, b))).statusCode, 200);
  const third = await update(ta, { type: 'passport', no_type: 'B7654321' }, authHeaders(ta, a));
  assert.equal(third.statusCode, 429, third.body);
  assert.equal(envelope(third).code, 'TOO_MANY_REQUESTS');
  // From another address the account may go on.
  const elsewhere = await ta.app.inject({
    method: 'POST',
    url: '/api/update/patient',
    headers: authHeaders(ta, a),
    payload: { type: 'passport', no_type: 'B7654321' },
    remoteAddress: '203.0.113.9',
  });
  assert.equal(elsewhere.statusCode, 200, elsewhere.body);
});
