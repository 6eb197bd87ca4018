// Two app instances on one database, as two API processes behind a load balancer would be:
// per-address rate limits are shared through Redis when REDIS_URL is set (and, without it,
// each instance counts alone); login lockouts live in the database and hold across both.
// `npm run scale-out` checks the same with two real server processes on PostgreSQL.
//
// The Redis test needs Redis at REDIS_URL (default redis://127.0.0.1:6379); without it, it is
// skipped with a message saying so. Every test uses a client address of its own
// (X-Forwarded-For behind TRUST_PROXY), so parallel runs never share a count.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { build, envelope, registerPatient, type TestApp } from './helpers.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const redisProblem = await (async () => {
  const probe = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return undefined;
  } catch (err) {
    return `Redis is not reachable at ${REDIS_URL} (${(err as Error).message}): set REDIS_URL or start Redis to run this test`;
  } finally {
    probe.disconnect();
  }
})();

const PER_MINUTE = 4;
const randomAddress = () => `10.${[...randomBytes(3)].join('.')}`;

/** `count` check-id requests from one address, alternating between the apps; the statuses in order. */
async function alternateCheckId(apps: TestApp[], count: number): Promise<number[]> {
  const from = randomAddress();
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const ta = apps[i % apps.length]!;
    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/register/check-id/username',
      headers: { 'x-api-key': ta.apiKey, 'x-forwarded-for': from },
      payload: { username: `bebas${i}` },
    });
    if (res.statusCode === 429) assert.equal(envelope(res).code, 'TOO_MANY_REQUESTS');
    statuses.push(res.statusCode);
  }
  return statuses;
}

const twoApps = (t: TestContext, env: Record<string, string>) =>
  Promise.all([0, 1].map(() => build(t, { env: { TRUST_PROXY: 'true', ...env } })));

test(
  'with REDIS_URL, a per-address rate limit is counted across two app instances',
  { skip: redisProblem },
  async (t) => {
    const apps = await twoApps(t, { REDIS_URL, RATE_LIMIT_CHECK_ID_PER_MINUTE: String(PER_MINUTE) });
    const statuses = await alternateCheckId(apps, 3 * PER_MINUTE);
    // Two each from both instances, then 429 from both: one count of 4, not two.
    assert.deepEqual(statuses, [...Array<number>(PER_MINUTE).fill(200), ...Array<number>(2 * PER_MINUTE).fill(429)]);
  },
);

test('without REDIS_URL, each app instance counts alone (why several processes need Redis)', async (t) => {
  const apps = await twoApps(t, { RATE_LIMIT_CHECK_ID_PER_MINUTE: String(PER_MINUTE) });
  const statuses = await alternateCheckId(apps, 3 * PER_MINUTE);
  assert.equal(statuses.filter((s) => s === 200).length, 2 * PER_MINUTE);
});

test('failed logins sent alternately to two app instances lock the address out on both', async (t) => {
  const max = 4;
  const apps = await twoApps(t, { LOGIN_MAX_FAILURES_PER_ADDRESS: String(max) });
  const patient = await registerPatient(apps[0]!);
  const from = randomAddress();
  const login = (i: number, password: string, address = from) =>
    apps[i % 2]!.app.inject({
      method: 'POST',
      url: '/api/login/patient',
      headers: { 'x-api-key': apps[i % 2]!.apiKey, 'x-forwarded-for': address },
      payload: { email: patient.email, password },
    });
  for (let i = 0; i < max; i++) {
    const res = await login(i, `salah-sandi-${i}`);
    assert.equal(res.statusCode, 401, res.body);
  }
  // Locked on both, the right password included.
  for (const i of [0, 1]) {
    const res = await login(i, patient.password);
    assert.equal(res.statusCode, 429, res.body);
    assert.equal(envelope(res).code, 'LOGIN_LOCKED');
  }
  // Another address is not locked out.
  assert.equal((await login(1, patient.password, randomAddress())).statusCode, 200);
});

test('a burst of wrong passwords split between two app instances gets no more tries than the limit', async (t) => {
  const max = 4;
  const apps = await twoApps(t, { LOGIN_MAX_FAILURES_PER_ADDRESS: String(max) });
  const patient = await registerPatient(apps[0]!);
  const from = randomAddress();
  const burst = await Promise.all(
    Array.from({ length: 5 * max }, (_, i) =>
      apps[i % 2]!.app.inject({
        method: 'POST',
        url: '/api/login/patient',
        headers: { 'x-api-key': apps[i % 2]!.apiKey, 'x-forwarded-for': from },
        payload: { email: patient.email, password: `salah-${i}` },
      }),
    ),
  );
  const tried = burst.filter((r) => r.statusCode === 401).length;
  assert.ok(tried <= max, `${tried} passwords tried, the limit is ${max}`);
  assert.equal(burst.filter((r) => r.statusCode === 429).length, 5 * max - tried);
});
