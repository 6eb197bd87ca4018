import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, build, envelope, registerPatient, uniqueName, type TestApp } from '../../../test/helpers.js';
import { sha256 } from '../../security/tokens.js';
import { systemClock } from '../../clock.js';

const post = (ta: TestApp, url: string, payload: object, headers = authHeaders(ta)) =>
  ta.app.inject({ method: 'POST', url, headers, payload });

const userRow = (ta: TestApp, id: string) =>
  ta.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

test('register creates a patient, answers 201 with a session and the user resource', async (t) => {
  const ta = await build(t);
  const username = uniqueName('Budi');
  const res = await post(ta, '/api/register/patient', {
    name: ' Budi Santoso ',
    address: 'Jl. Melati 3, Surabaya',
    username,
    email: `${username}@Example.ID`,
    password: 'kata-sandi-1',
  });
  assert.equal(res.statusCode, 201);
  const body = envelope(res);
  assert.equal(body.success, true);
  assert.equal(body.message, 'Registration successful.');
  const { user, access_token, token_type, expires_at } = body.data;
  assert.equal(token_type, 'Bearer');
  assert.match(access_token, /^cxp_[A-Za-z0-9_-]{43}$/);
  assert.ok(Date.parse(expires_at) > systemClock() + 29 * 86_400_000);
  assert.deepEqual(Object.keys(user).sort(), [
    'address',
    'created_at',
    'date_of_birth',
    'email',
    'gender',
    'name',
    'no_type',
    'phone_number',
    'place_of_birth',
    'thumb',
    'type',
    'updated_at',
    'user_id',
    'username',
  ]);
  assert.equal(user.name, 'Budi Santoso');
  assert.equal(user.username, username);
  assert.match(user.user_id, /^[0-9a-f-]{36}$/);

  const row = await userRow(ta, user.user_id);
  assert.equal(row.email_normalized, `${username.toLowerCase()}@example.id`);
  assert.match(row.password_hash, /^\$argon2id\$/);
  const token = await ta.db
    .selectFrom('access_tokens')
    .selectAll()
    .where('user_id', '=', user.user_id)
    .executeTakeFirstOrThrow();
  assert.equal(token.token_hash, sha256(access_token), 'only the SHA-256 of the token is stored');
  assert.equal(token.app_id, ta.appId);
});

test('register validates every field at once with a 422 per field', async (t) => {
  const ta = await build(t);
  const res = await post(ta, '/api/register/patient', {
    name: '',
    username: '9lives',
    email: 'not-an-email',
    password: 'short',
  });
  assert.equal(res.statusCode, 422);
  const body = envelope(res);
  assert.equal(body.code, 'VALIDATION_FAILED');
  assert.deepEqual(body.errors, {
    name: ['The name field is required.'],
    address: ['The address field is required.'],
    username: ['The username must be letters, optionally followed by digits (e.g. budi or budi99).'],
    email: ['The email must be a valid email address.'],
    password: ['The password must be at least 8 characters.'],
  });
  assert.equal(body.data, null);
  for (const username of ['budi_99', 'budi99x', 'bu di', 'b'.repeat(51)]) {
    const r = await post(ta, '/api/register/patient', {
      name: 'x',
      address: 'y',
      username,
      email: 'ok@example.id',
      password: 'long-enough',
    });
    assert.equal(r.statusCode, 422, username);
    assert.ok(envelope(r).errors?.username, username);
  }
});

test('a taken username or email is a 422, case-insensitively, and nothing is written', async (t) => {
  const ta = await build(t);
  const first = await registerPatient(ta);
  const before = await ta.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const res = await post(ta, '/api/register/patient', {
    name: 'Other',
    address: 'Elsewhere',
    username: first.username.toUpperCase(),
    email: first.email.toUpperCase(),
    password: 'another-pass',
  });
  assert.equal(res.statusCode, 422);
  assert.deepEqual(envelope(res).errors, {
    username: ['The username has already been taken.'],
    email: ['The email has already been taken.'],
  });
  const after = await ta.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(Number(after.n), Number(before.n));
});

test('concurrent registrations of one username: one 201, the others 422', async (t) => {
  const ta = await build(t, { env: { RATE_LIMIT_REGISTER_PER_HOUR: '1000' } });
  const username = uniqueName('race');
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      post(ta, '/api/register/patient', {
        name: 'Racer',
        address: 'Track',
        username,
        email: `racer${i}-${username}@example.id`,
        password: 'racing-pass',
      }),
    ),
  );
  const statuses = results.map((r) => r.statusCode).sort();
  assert.deepEqual(statuses, [201, 422, 422, 422, 422, 422]);
  const rows = await ta.db
    .selectFrom('users')
    .select('id')
    .where('username_normalized', '=', username.toLowerCase())
    .execute();
  assert.equal(rows.length, 1);
});

test('check-id tells whether a username or email is free, from the query or the body', async (t) => {
  const ta = await build(t);
  const taken = await registerPatient(ta);
  const q = await post(ta, `/api/register/check-id/username?username=${taken.username.toUpperCase()}`, {});
  assert.equal(q.statusCode, 200);
  assert.deepEqual(envelope(q).data, { type: 'username', value: taken.username.toUpperCase(), available: false });

  const free = uniqueName('free');
  const b = await post(ta, '/api/register/check-id/username', { username: free });
  assert.deepEqual(envelope(b).data, { type: 'username', value: free, available: true });

  const e = await post(ta, '/api/register/check-id/email', { email: taken.email });
  assert.deepEqual(envelope(e).data, { type: 'email', value: taken.email, available: false });
  const e2 = await post(ta, '/api/register/check-id/email?email=nobody-here@example.id', {});
  assert.equal(envelope(e2).data.available, true);
});

test('check-id: another type is 404, a missing or malformed value 422', async (t) => {
  const ta = await build(t);
  const other = await post(ta, '/api/register/check-id/phone?phone=0812', {});
  assert.equal(other.statusCode, 404);
  assert.equal(envelope(other).data, null);
  const missing = await post(ta, '/api/register/check-id/email', {});
  assert.equal(missing.statusCode, 422);
  assert.deepEqual(envelope(missing).errors, { email: ['The email field is required.'] });
  const bad = await post(ta, '/api/register/check-id/username', { username: 'bad name!' });
  assert.equal(bad.statusCode, 422);
  assert.ok(envelope(bad).errors?.username);
});

test('login with email or username returns a bearer session', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  for (const login of [p.email, p.username, ` ${p.username.toUpperCase()} `]) {
    const res = await post(ta, '/api/login/patient', { email: login, password: p.password });
    assert.equal(res.statusCode, 200, login);
    const body = envelope(res);
    assert.equal(body.message, 'Login successful.');
    assert.equal(body.data.token_type, 'Bearer');
    assert.equal(body.data.user.user_id, p.userId);
    assert.equal(body.data.user.email, p.email);
    assert.equal('password' in body.data.user, false);
    const me = await ta.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { ...authHeaders(ta), authorization: `Bearer ${body.data.access_token}` },
    });
    assert.equal(me.statusCode, 200);
    assert.equal(envelope(me).data.user_id, p.userId);
  }
});

test('a wrong password and an unknown account get the same 401', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const wrong = await post(ta, '/api/login/patient', { email: p.email, password: 'wrong-password' });
  const unknown = await post(ta, '/api/login/patient', { email: 'nobody@example.id', password: 'wrong-password' });
  assert.equal(wrong.statusCode, 401);
  assert.equal(unknown.statusCode, 401);
  assert.deepEqual(envelope(wrong), envelope(unknown));
  assert.equal(envelope(wrong).code, 'INVALID_CREDENTIALS');
});

test('/me needs a live token of this app', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  for (const authorization of [undefined, 'Bearer nope', `Basic ${p.token}`, `Bearer ${p.token}x`]) {
    const res = await ta.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { ...authHeaders(ta), ...(authorization ? { authorization } : {}) },
    });
    assert.equal(res.statusCode, 401, String(authorization));
    assert.equal(envelope(res).code, 'UNAUTHENTICATED');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
  }
});

test('a token is refused with another app key, and survives a key rotation of its own app', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const other = await ta.app.services.apps.createApp('Partner kiosk');
  const cross = await ta.app.inject({
    method: 'GET',
    url: '/api/me',
    headers: { 'x-api-key': other.key, authorization: `Bearer ${p.token}` },
  });
  assert.equal(cross.statusCode, 401);
  // The account itself is the operator's, shared by all its apps: it logs in through the other app.
  const otherLogin = await post(
    ta,
    '/api/login/patient',
    { email: p.email, password: p.password },
    { 'x-api-key': other.key },
  );
  assert.equal(otherLogin.statusCode, 200);
  assert.equal(envelope(otherLogin).data.user.user_id, p.userId);
  const otherToken = await ta.db
    .selectFrom('access_tokens')
    .select('app_id')
    .where('token_hash', '=', sha256(envelope(otherLogin).data.access_token))
    .executeTakeFirstOrThrow();
  assert.equal(otherToken.app_id, other.appId);

  const rotated = await ta.app.services.apps.rotate(ta.appId, 1);
  assert.ok(rotated);
  const withNewKey = await ta.app.inject({
    method: 'GET',
    url: '/api/me',
    headers: { 'x-api-key': rotated.key, authorization: `Bearer ${p.token}` },
  });
  assert.equal(withNewKey.statusCode, 200);
  const withOldKeyInOverlap = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, p) });
  assert.equal(withOldKeyInOverlap.statusCode, 200);
});

test('tokens expire after TOKEN_TTL_DAYS', async (t) => {
  let now = systemClock();
  const ta = await build(t, { env: { TOKEN_TTL_DAYS: '2' }, now: () => now });
  const p = await registerPatient(ta);
  const ok = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, p) });
  assert.equal(ok.statusCode, 200);
  now += 2 * 86_400_000 + 1000;
  const expired = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, p) });
  assert.equal(expired.statusCode, 401);
});

test('logout revokes the token it was sent with, only that one', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const second = envelope(await post(ta, '/api/login/patient', { email: p.email, password: p.password })).data
    .access_token;
  const out = await post(ta, '/api/logout', {}, authHeaders(ta, p));
  assert.equal(out.statusCode, 200);
  assert.deepEqual(envelope(out), { success: true, message: 'Logged out.', data: null });
  const again = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, p) });
  assert.equal(again.statusCode, 401);
  const other = await ta.app.inject({
    method: 'GET',
    url: '/api/me',
    headers: authHeaders(ta, { ...p, token: second }),
  });
  assert.equal(other.statusCode, 200);
  const row = await ta.db
    .selectFrom('access_tokens')
    .select('revoked_at')
    .where('token_hash', '=', sha256(p.token))
    .executeTakeFirstOrThrow();
  assert.ok(row.revoked_at !== null);
});

test('logout with a body naming another patient is a 403 and ends no session', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const other = await registerPatient(ta);
  for (const naming of [{ user_id: other.userId }, { username: other.username }]) {
    const res = await post(ta, '/api/logout', naming, authHeaders(ta, p));
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(envelope(res).code, 'FORBIDDEN_OTHER_USER');
  }
  for (const who of [p, other]) {
    const me = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, who) });
    assert.equal(me.statusCode, 200, me.body);
  }
  // Naming oneself (as the published bodies do) logs out as before.
  const own = await post(ta, '/api/logout', { user_id: p.userId, username: p.username }, authHeaders(ta, p));
  assert.equal(own.statusCode, 200, own.body);
  assert.equal((await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, p) })).statusCode, 401);
});

test('change-password: new password works, other tokens end, this one stays', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const other = envelope(await post(ta, '/api/login/patient', { email: p.email, password: p.password })).data
    .access_token;

  const wrong = await post(
    ta,
    '/api/change-password',
    { current_password: 'nope-nope', new_password: 'brand-new-1' },
    authHeaders(ta, p),
  );
  assert.equal(wrong.statusCode, 422);
  assert.deepEqual(envelope(wrong).errors, { current_password: ['The current password is incorrect.'] });

  const mismatch = await post(
    ta,
    '/api/change-password',
    { current_password: p.password, new_password: 'brand-new-1', new_password_confirmation: 'brand-new-2' },
    authHeaders(ta, p),
  );
  assert.equal(mismatch.statusCode, 422);
  const short = await post(
    ta,
    '/api/change-password',
    { current_password: p.password, new_password: 'short' },
    authHeaders(ta, p),
  );
  assert.equal(short.statusCode, 422);
  assert.ok(envelope(short).errors?.new_password);

  const ok = await post(
    ta,
    '/api/change-password',
    { current_password: p.password, new_password: 'brand-new-1', new_password_confirmation: 'brand-new-1' },
    authHeaders(ta, p),
  );
  assert.equal(ok.statusCode, 200);
  assert.equal(envelope(ok).message, 'Password changed.');

  const stillMe = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, p) });
  assert.equal(stillMe.statusCode, 200);
  const otherGone = await ta.app.inject({
    method: 'GET',
    url: '/api/me',
    headers: authHeaders(ta, { ...p, token: other }),
  });
  assert.equal(otherGone.statusCode, 401);
  const oldLogin = await post(ta, '/api/login/patient', { email: p.email, password: p.password });
  assert.equal(oldLogin.statusCode, 401);
  const newLogin = await post(ta, '/api/login/patient', { email: p.email, password: 'brand-new-1' });
  assert.equal(newLogin.statusCode, 200);
});

test('update profile: every field, returned in the user resource and stored', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const res = await post(
    ta,
    '/api/update/patient',
    {
      user_id: p.userId,
      name: 'Siti Aminah',
      address: 'Jl. Kenanga 7, Makassar',
      gender: 'perempuan',
      phone_number: '+62 812-3456-7890',
      date_of_birth: '1990-02-28',
      place_of_birth: 'Makassar',
      type: 'ktp',
      no_type: '3201 0168 0290 0001',
    },
    authHeaders(ta, p),
  );
  assert.equal(res.statusCode, 200, res.body);
  const user = envelope(res).data;
  assert.equal(envelope(res).message, 'Profile updated.');
  assert.equal(user.name, 'Siti Aminah');
  assert.equal(user.gender, 'perempuan');
  assert.equal(user.phone_number, '+6281234567890');
  assert.equal(user.date_of_birth, '1990-02-28');
  assert.equal(user.place_of_birth, 'Makassar');
  assert.equal(user.type, 'ktp');
  assert.equal(user.no_type, '************0001');

  const row = await userRow(ta, p.userId);
  assert.equal(row.address, 'Jl. Kenanga 7, Makassar');
  assert.equal(row.id_number_masked, '************0001');
  assert.ok(row.id_number_enc?.startsWith('v1.t1.'), 'encrypted with the active key id');
  assert.equal(JSON.stringify(row).includes('3201016802900001'), false, 'the clear number is stored nowhere');
  assert.equal(ta.app.services.accounts.revealIdNumber(row), '3201016802900001');

  const me = envelope(await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, p) })).data;
  assert.deepEqual(me, user);
});

test('update profile: partial updates leave other fields, null clears optional ones', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  await post(ta, '/api/update/patient', { phone_number: '081234567890', place_of_birth: 'Bogor' }, authHeaders(ta, p));
  const res = await post(ta, '/api/update/patient', { place_of_birth: null, name: 'Renamed' }, authHeaders(ta, p));
  assert.equal(res.statusCode, 200);
  const user = envelope(res).data;
  assert.equal(user.phone_number, '081234567890');
  assert.equal(user.place_of_birth, null);
  assert.equal(user.name, 'Renamed');
});

test('update profile: bad values are 422 per field and nothing is written', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const before = await userRow(ta, p.userId);
  const res = await post(
    ta,
    '/api/update/patient',
    {
      name: 'Changed',
      gender: 'male',
      phone_number: '12ab',
      date_of_birth: '1990-02-30',
      type: 'nik',
      no_type: '3201017302900001', // day 73 - 40 = 33
    },
    authHeaders(ta, p),
  );
  assert.equal(res.statusCode, 422);
  assert.deepEqual(envelope(res).errors, {
    gender: ['The gender must be one of: laki-laki, perempuan.'],
    phone_number: ['The phone number must be 8 to 15 digits, optionally starting with +.'],
    date_of_birth: ['The date_of_birth must be a real date in the format Y-m-d.'],
    no_type: ['A NIK number must be 16 digits whose birth-date part is a real date.'],
  });
  assert.deepEqual(await userRow(ta, p.userId), before);

  const future = await post(ta, '/api/update/patient', { date_of_birth: '2999-01-01' }, authHeaders(ta, p));
  assert.deepEqual(envelope(future).errors, { date_of_birth: ['The date_of_birth may not be in the future.'] });
  const badType = await post(ta, '/api/update/patient', { type: 'sim', no_type: '123456' }, authHeaders(ta, p));
  assert.deepEqual(envelope(badType).errors, { type: ['The type must be one of: ktp, nik, passport, kitas.'] });
  const noType = await post(ta, '/api/update/patient', { no_type: 'A1234567' }, authHeaders(ta, p));
  assert.deepEqual(envelope(noType).errors, { type: ['The type field is required when no_type is given.'] });
});

test('identity numbers: KTP birth date (women +40), passport and KITAS formats', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const cases: [string, string, number][] = [
    ['ktp', '3201015505850002', 200], // 15 May 1985, a woman (55 = 15 + 40)
    ['nik', '3201012902000003', 200], // 29 Feb 2000
    ['nik', '3201012902010003', 422], // 29 Feb 2001 / 1901: no such day
    ['ktp', '3201011313900001', 422], // month 13
    ['ktp', '32010113129000', 422], // too short
    ['passport', 'c 1234567', 200],
    ['passport', 'AB12', 422],
    ['kitas', '2C21JE0123-AB', 200],
    ['kitas', 'X!', 422],
  ];
  for (const [type, number, status] of cases) {
    const res = await post(ta, '/api/update/patient', { type, no_type: number }, authHeaders(ta, p));
    assert.equal(res.statusCode, status, `${type} ${number}: ${res.body}`);
  }
});

test('one identity number belongs to one account; KTP and NIK are the same number', async (t) => {
  const ta = await build(t);
  const a = await registerPatient(ta);
  const b = await registerPatient(ta);
  const first = await post(ta, '/api/update/patient', { type: 'ktp', no_type: '3174051203880004' }, authHeaders(ta, a));
  assert.equal(first.statusCode, 200);
  const clash = await post(
    ta,
    '/api/update/patient',
    { type: 'nik', no_type: '3174-0512-0388-0004' },
    authHeaders(ta, b),
  );
  assert.equal(clash.statusCode, 422);
  assert.deepEqual(envelope(clash).errors, {
    no_type: ['This identity number cannot be used. If it is yours, contact support.'],
  });
  assert.equal((await userRow(ta, b.userId)).id_number_hmac, null);
  const own = await post(ta, '/api/update/patient', { type: 'nik', no_type: '3174051203880004' }, authHeaders(ta, a));
  assert.equal(own.statusCode, 200, 'the owner may save it again');
});

test('echoing the masked number back keeps the stored one', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const set = envelope(
    await post(ta, '/api/update/patient', { type: 'passport', no_type: 'B7654321' }, authHeaders(ta, p)),
  ).data;
  const before = await userRow(ta, p.userId);
  const res = await post(
    ta,
    '/api/update/patient',
    { name: 'Same Doc', type: set.type, no_type: set.no_type },
    authHeaders(ta, p),
  );
  assert.equal(res.statusCode, 200);
  assert.equal(envelope(res).data.no_type, '****4321');
  const after = await userRow(ta, p.userId);
  assert.equal(after.id_number_enc, before.id_number_enc);
  const cleared = await post(ta, '/api/update/patient', { no_type: null }, authHeaders(ta, p));
  assert.equal(envelope(cleared).data.no_type, null);
  assert.equal(envelope(cleared).data.type, null);
  assert.equal((await userRow(ta, p.userId)).id_number_enc, null);
});

test('update: another role is 404, another patient in the body is 403 and changes nothing', async (t) => {
  const ta = await build(t);
  const a = await registerPatient(ta);
  const b = await registerPatient(ta);
  const role = await post(ta, '/api/update/doctor', { name: 'x' }, authHeaders(ta, a));
  assert.equal(role.statusCode, 404);
  const before = await userRow(ta, b.userId);
  for (const body of [
    { user_id: b.userId, name: 'Hacked' },
    { username: b.username, name: 'Hacked' },
    { user_id: 12, name: 'Hacked' },
  ]) {
    const res = await post(ta, '/api/update/patient', body, authHeaders(ta, a));
    assert.equal(res.statusCode, 403, JSON.stringify(body));
    assert.equal(envelope(res).code, 'FORBIDDEN_OTHER_USER');
  }
  assert.deepEqual(await userRow(ta, b.userId), before);
  assert.notEqual((await userRow(ta, a.userId)).name, 'Hacked');
  const own = await post(
    ta,
    '/api/update/patient',
    { user_id: a.userId, username: a.username.toUpperCase(), name: 'Mine' },
    authHeaders(ta, a),
  );
  assert.equal(own.statusCode, 200);
});

test('the user resource never carries secrets', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  await post(ta, '/api/update/patient', { type: 'ktp', no_type: '3201015505850002' }, authHeaders(ta, p));
  const res = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, p) });
  const row = await userRow(ta, p.userId);
  for (const secret of [row.password_hash, row.id_number_enc!, row.id_number_hmac!, '3201015505850002', p.password]) {
    assert.equal(res.body.includes(secret), false);
  }
});

test('odd values never reach a 500: objects as ids, blank text, lone surrogates, numeric identity numbers', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const before = await userRow(ta, p.userId);
  const cases: [object, string][] = [
    [{ user_id: { toString: 'x' } }, 'user_id'],
    [{ username: { toString: 1 } }, 'username'],
    [{ name: ' \t ' }, 'name'],
    [{ name: 'Bu\ud800di' }, 'name'],
    [{ address: '\udfff' }, 'address'],
    // A Papua NIK is past 2^53: as a JSON number it arrives with a digit already changed.
    [{ type: 'nik', no_type: Number('9171010101900003') }, 'no_type'],
  ];
  for (const [payload, field] of cases) {
    const res = await post(ta, '/api/update/patient', payload, authHeaders(ta, p));
    assert.equal(res.statusCode, 422, `${JSON.stringify(payload)}: ${res.body}`);
    assert.ok(envelope(res).errors?.[field], `${field}: ${res.body}`);
  }
  assert.deepEqual(await userRow(ta, p.userId), before);
  const blank = await post(ta, '/api/register/patient', {
    name: '   ',
    address: '\t',
    username: uniqueName('blank'),
    email: 'blank@example.id',
    password: 'password-1',
  });
  assert.equal(blank.statusCode, 422);
  assert.deepEqual(envelope(blank).errors, {
    name: ['The name field is required.'],
    address: ['The address field is required.'],
  });
});

test('forms: an empty no_type clears the document; own user_id in any case is fine; non-ASCII letters are not a passport', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  await post(ta, '/api/update/patient', { type: 'passport', no_type: 'A1234567' }, authHeaders(ta, p));
  const cleared = await post(
    ta,
    '/api/update/patient',
    { user_id: p.userId.toUpperCase(), type: '', no_type: '' },
    authHeaders(ta, p),
  );
  assert.equal(cleared.statusCode, 200, cleared.body);
  assert.equal(envelope(cleared).data.no_type, null);
  assert.equal((await userRow(ta, p.userId)).id_number_hmac, null);
  const sharpS = await post(ta, '/api/update/patient', { type: 'passport', no_type: 'straße1' }, authHeaders(ta, p));
  assert.equal(sharpS.statusCode, 422);
});

test('two password changes at once: one wins, the other is refused and changes nothing', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  const second = envelope(await post(ta, '/api/login/patient', { email: p.email, password: p.password })).data
    .access_token;
  const [a, b] = await Promise.all([
    post(ta, '/api/change-password', { current_password: p.password, new_password: 'first-new-1' }, authHeaders(ta, p)),
    post(
      ta,
      '/api/change-password',
      { current_password: p.password, new_password: 'second-new-2' },
      authHeaders(ta, { ...p, token: second }),
    ),
  ]);
  const statuses = [a.statusCode, b.statusCode];
  assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join());
  const loser = a.statusCode === 200 ? b : a;
  assert.ok([409, 422].includes(loser.statusCode), loser.body);
  const winnerPassword = a.statusCode === 200 ? 'first-new-1' : 'second-new-2';
  const loserPassword = a.statusCode === 200 ? 'second-new-2' : 'first-new-1';
  assert.equal((await post(ta, '/api/login/patient', { email: p.email, password: winnerPassword })).statusCode, 200);
  assert.equal((await post(ta, '/api/login/patient', { email: p.email, password: loserPassword })).statusCode, 401);
  const winnerToken = a.statusCode === 200 ? p.token : second;
  const me = await ta.app.inject({
    method: 'GET',
    url: '/api/me',
    headers: authHeaders(ta, { ...p, token: winnerToken }),
  });
  assert.equal(me.statusCode, 200, "the winner's own session stays");
});

test('accounts of another role neither log in here nor use patient routes', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  await ta.db.updateTable('users').set({ role: 'admin' }).where('id', '=', p.userId).execute();
  const login = await post(ta, '/api/login/patient', { email: p.email, password: p.password });
  assert.equal(login.statusCode, 401);
  assert.equal(envelope(login).code, 'INVALID_CREDENTIALS');
  const me = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, p) });
  assert.equal(me.statusCode, 401);
});
