import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, build, envelope, registerPatient, type TestApp } from '../../../test/helpers.js';
import { newId } from '../../security/tokens.js';
import { systemClock } from '../../clock.js';

const login = (
  ta: TestApp,
  email: string,
  password: string,
  ip = '203.0.113.10',
  headers: Record<string, string> = {},
) =>
  ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: { ...authHeaders(ta), ...headers },
    payload: { email, password },
    remoteAddress: ip,
  });

test('10 failures from one address lock that account there, even with the right password, until the window passes', async (t) => {
  let now = systemClock();
  const ta = await build(t, { now: () => now });
  const p = await registerPatient(ta);
  for (let i = 0; i < 10; i++) {
    const res = await login(ta, p.email, `wrong-${i}`);
    assert.equal(res.statusCode, 401, `attempt ${i + 1}`);
    now += 1000;
  }
  const locked = await login(ta, p.email, p.password);
  assert.equal(locked.statusCode, 429);
  const body = envelope(locked);
  assert.equal(body.code, 'LOGIN_LOCKED');
  assert.equal(body.data, null);
  const retryAfter = Number(locked.headers['retry-after']);
  // The first failure leaves the 15-minute window 15 min after it was made, 10 s ago.
  assert.ok(retryAfter > 14 * 60 && retryAfter <= 15 * 60, String(retryAfter));

  const otherAddress = await login(ta, p.email, p.password, '198.51.100.7');
  assert.equal(otherAddress.statusCode, 200, 'the patient is not locked out from everywhere');

  now += retryAfter * 1000;
  const afterWindow = await login(ta, p.email, p.password);
  assert.equal(afterWindow.statusCode, 200);
});

test('the lockout counts the username and the email of one account together', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  for (let i = 0; i < 5; i++) await login(ta, p.email, 'wrong-password');
  for (let i = 0; i < 5; i++) await login(ta, p.username, 'wrong-password');
  assert.equal((await login(ta, p.username.toUpperCase(), p.password)).statusCode, 429);
});

test('an unknown login name locks out the same way, so a lockout reveals no account', async (t) => {
  const ta = await build(t);
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) statuses.push((await login(ta, 'ghost@example.id', 'whatever-pass')).statusCode);
  assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
});

test('a burst of wrong passwords sent at once gets no more tries than the limit', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  // 25 at once (under the 30 a minute of the address's rate limit): each attempt is counted
  // before its password is checked, so those in flight together see each other.
  const burst = await Promise.all(
    Array.from({ length: 25 }, (_, i) => login(ta, p.email, `guess-${i}`, '203.0.113.66')),
  );
  const tried = burst.filter((r) => r.statusCode === 401).length;
  const locked = burst.filter((r) => r.statusCode === 429 && envelope(r).code === 'LOGIN_LOCKED').length;
  assert.equal(tried + locked, 25);
  assert.ok(tried <= 10, `${tried} passwords tried, the limit is 10`);
  const rows = await ta.db.selectFrom('login_failures').select('id').where('subject', '=', p.userId).execute();
  assert.equal(rows.length, tried, 'locked-out attempts are not counted as failures');
  const after = await login(ta, p.email, p.password, '203.0.113.66');
  assert.equal(after.statusCode, tried === 10 ? 429 : 200);
});

test('100 failures an hour from all addresses lock out new addresses, not ones the patient used before', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta); // registering from 127.0.0.1 makes it a known address
  const homeOk = await login(ta, p.email, p.password, '192.0.2.44');
  assert.equal(homeOk.statusCode, 200);

  // A distributed attack: 100 failures from 100 addresses within the hour.
  const now = systemClock();
  await ta.db
    .insertInto('login_failures')
    .values(
      Array.from({ length: 100 }, (_, i) => ({
        id: newId(),
        subject: p.userId,
        ip: `10.9.${i >> 8}.${i & 255}`,
        created_at: now - 60_000 + i,
      })),
    )
    .execute();

  const fresh = await login(ta, p.email, p.password, '198.51.100.99');
  assert.equal(fresh.statusCode, 429);
  assert.equal(envelope(fresh).code, 'LOGIN_LOCKED');
  assert.ok(Number(fresh.headers['retry-after']) > 3500);

  const home = await login(ta, p.email, p.password, '192.0.2.44');
  assert.equal(home.statusCode, 200, 'a known address still gets in');
});

test('failures are kept without the password, and older than the window do not count', async (t) => {
  let now = systemClock();
  const ta = await build(t, { now: () => now });
  const p = await registerPatient(ta);
  for (let i = 0; i < 9; i++) await login(ta, p.email, 'secret-guess-123');
  now += 16 * 60_000;
  for (let i = 0; i < 9; i++) await login(ta, p.email, 'secret-guess-123');
  assert.equal((await login(ta, p.email, p.password)).statusCode, 200);
  const rows = await ta.db.selectFrom('login_failures').selectAll().where('subject', '=', p.userId).execute();
  assert.equal(rows.length, 18);
  assert.equal(JSON.stringify(rows).includes('secret-guess'), false);
});

test('per-address rate limits on login, register and check-id answer 429 with Retry-After', async (t) => {
  const ta = await build(t, {
    env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3', RATE_LIMIT_REGISTER_PER_HOUR: '2', RATE_LIMIT_CHECK_ID_PER_MINUTE: '2' },
  });
  const ip = '203.0.113.200';
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await login(ta, `user${i}@example.id`, 'x', ip)).statusCode);
  assert.deepEqual(statuses, [401, 401, 401, 429]);

  const register = (n: number) =>
    ta.app.inject({
      method: 'POST',
      url: '/api/register/patient',
      headers: authHeaders(ta),
      remoteAddress: ip,
      payload: {
        name: 'N',
        address: 'A',
        username: `ratelimit${n}`,
        email: `rl${n}@example.id`,
        password: 'password-1',
      },
    });
  assert.equal((await register(1)).statusCode, 201);
  assert.equal((await register(2)).statusCode, 201);
  const third = await register(3);
  assert.equal(third.statusCode, 429);
  assert.equal(envelope(third).code, 'TOO_MANY_REQUESTS');
  assert.ok(Number(third.headers['retry-after']) > 0);
  const rows = await ta.db.selectFrom('users').select('id').where('username_normalized', '=', 'ratelimit3').execute();
  assert.equal(rows.length, 0);

  const check = () =>
    ta.app.inject({
      method: 'POST',
      url: '/api/register/check-id/username?username=budi',
      headers: authHeaders(ta),
      remoteAddress: ip,
    });
  assert.equal((await check()).statusCode, 200);
  assert.equal((await check()).statusCode, 200);
  assert.equal((await check()).statusCode, 429);
  const elsewhere = await ta.app.inject({
    method: 'POST',
    url: '/api/register/check-id/username?username=budi',
    headers: authHeaders(ta),
    remoteAddress: '198.51.100.1',
  });
  assert.equal(elsewhere.statusCode, 200, 'limits are per address');
});

test('X-Forwarded-For names the client only behind a trusted proxy', async (t) => {
  await t.test('untrusted: the header is ignored', async (t2) => {
    const ta = await build(t2);
    const p = await registerPatient(ta);
    for (let i = 0; i < 10; i++)
      await login(ta, p.email, 'wrong-pass', '10.0.0.1', { 'x-forwarded-for': `198.51.100.${i}` });
    const res = await login(ta, p.email, p.password, '10.0.0.1', { 'x-forwarded-for': '198.51.100.250' });
    assert.equal(res.statusCode, 429, 'all ten failures counted against the connecting address');
  });
  await t.test('trusted: each forwarded address counts on its own', async (t2) => {
    const ta = await build(t2, { env: { TRUST_PROXY: '10.0.0.1' } });
    const p = await registerPatient(ta);
    for (let i = 0; i < 10; i++)
      await login(ta, p.email, 'wrong-pass', '10.0.0.1', { 'x-forwarded-for': '198.51.100.3' });
    const blocked = await login(ta, p.email, p.password, '10.0.0.1', { 'x-forwarded-for': '198.51.100.3' });
    assert.equal(blocked.statusCode, 429);
    const other = await login(ta, p.email, p.password, '10.0.0.1', { 'x-forwarded-for': '198.51.100.4' });
    assert.equal(other.statusCode, 200);
    const rows = await ta.db.selectFrom('login_failures').select('ip').where('subject', '=', p.userId).execute();
    assert.ok(rows.every((r) => r.ip === '198.51.100.3'));
  });
});

test('a wrong current password on change-password counts as a failed login', async (t) => {
  const ta = await build(t);
  const p = await registerPatient(ta);
  for (let i = 0; i < 10; i++) {
    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/change-password',
      headers: authHeaders(ta, p),
      remoteAddress: '203.0.113.77',
      payload: { current_password: `guess-${i}`, new_password: 'new-password-1' },
    });
    assert.equal(res.statusCode, 422);
  }
  const locked = await ta.app.inject({
    method: 'POST',
    url: '/api/change-password',
    headers: authHeaders(ta, p),
    remoteAddress: '203.0.113.77',
    payload: { current_password: p.password, new_password: 'new-password-1' },
  });
  assert.equal(locked.statusCode, 429);
});
