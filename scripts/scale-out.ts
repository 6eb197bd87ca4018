// Scale-out: `npm run scale-out` (see docs/operations.md and docs/benchmarks.md).
//
// Two API processes on one PostgreSQL database and one Redis, and the checks that what one
// process does, the other sees:
//   a. a booking race split between both processes has exactly one winner a slot, one order;
//   b. failed logins sent alternately to both lock the account after the configured count, on both;
//   c. per-address rate limits (check-id per minute, registrations per hour) are counted across
//      both (Redis store); two in-process apps without REDIS_URL show they would not be;
//   d. the payment-expiry deadline job, running in both processes every second, moves each
//      expired order exactly once (one `payment_failed` history row each).
// Every check uses client addresses of its own (X-Forwarded-For behind TRUST_PROXY), so counts
// never mix with another run. Exit code 1 when a check fails.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { PROCESS_KEYS, send, startServer, type Reply, type ServerProcess } from '../test/multiprocess-helpers.js';
import {
  findSlots,
  freshDatabase,
  randomAddress,
  registerPatients,
  sleep,
  type ScriptDatabase,
  type Slot,
} from './process-kit.js';

const { values } = parseArgs({
  options: {
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    'race-slots': { type: 'string', default: '5' },
    'race-clients': { type: 'string', default: '50' },
    'job-orders': { type: 'string', default: '12' },
  },
});
const REDIS_URL = values.redis!;
const RACE_SLOTS = Number(values['race-slots']);
const RACE_CLIENTS = Number(values['race-clients']);
const JOB_ORDERS = Number(values['job-orders']);
const LIMITS = {
  LOGIN_MAX_FAILURES_PER_ADDRESS: '5',
  RATE_LIMIT_LOGIN_PER_MINUTE: '30',
  RATE_LIMIT_CHECK_ID_PER_MINUTE: '10',
  RATE_LIMIT_REGISTER_PER_HOUR: '6',
};
const SERVER_ENV = {
  DEMO_MODE: 'true', // the sandbox payment provider runs only in demo mode
  LOG_LEVEL: 'warn',
  MAIL_TRANSPORT: 'log',
  MAX_UNPAID_ORDERS: '100',
  // The race's wins fall on a few patients: their bookings per hour are not what is checked here.
  RATE_LIMIT_BOOKINGS_PER_HOUR: '100000',
  TRUST_PROXY: 'true',
  REDIS_URL,
  JOB_INTERVAL_SECONDS: '1',
  ...LIMITS,
};
const ACTIVE = ['waiting_payment', 'waiting_doctor_confirmation', 'waiting_meeting'];

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
const checks: Check[] = [];
function record(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}\n      ${detail}\n`);
}

/** Answers counted by status and code: {"201": 1, "409 SLOT_TAKEN": 49}. */
function tally(replies: Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const k = `${r.status}${r.body?.code ? ` ${r.body.code}` : ''}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** The race; returns the free slots it set aside for the expiry job. */
async function bookingRace(servers: ServerProcess[], db: ScriptDatabase, tokens: string[]): Promise<Slot[]> {
  const slots = await findSlots(servers[0]!, db, RACE_SLOTS + JOB_ORDERS);
  const race = slots.slice(0, RACE_SLOTS);
  // Every server has the key and the sessions in its caches, so the bookings meet.
  await Promise.all(
    servers.flatMap((s) =>
      tokens.map((t) =>
        send(s.baseUrl, 'GET', '/api/me', undefined, { 'x-api-key': db.apiKey, authorization: `Bearer ${t}` }),
      ),
    ),
  );
  const started = Date.now();
  const replies = await Promise.all(
    race.flatMap((slot, s) =>
      Array.from({ length: RACE_CLIENTS }, (_, c) =>
        send(
          servers[c % servers.length]!.baseUrl,
          'POST',
          '/api/doctor/booking',
          { ...slot, patient: `Race ${s}/${c}` },
          { 'x-api-key': db.apiKey, authorization: `Bearer ${tokens[c % tokens.length]}` },
        ).then((reply) => ({ slot: s, server: c % servers.length, reply })),
      ),
    ),
  );
  const ms = Date.now() - started;
  const problems: string[] = [];
  for (let s = 0; s < race.length; s++) {
    const mine = replies.filter((r) => r.slot === s);
    const t = tally(mine.map((r) => r.reply));
    if (t['201'] !== 1 || t['409 SLOT_TAKEN'] !== RACE_CLIENTS - 1) problems.push(`slot ${s}: ${JSON.stringify(t)}`);
  }
  const winsByServer = servers.map((_, i) => replies.filter((r) => r.server === i && r.reply.status === 201).length);
  // In the database: one order and one hold a slot, the winner's.
  const winners = new Set(replies.filter((r) => r.reply.status === 201).map((r) => r.reply.body.data.transaction_id));
  const doubles = (
    await sql<{ n: number }>`
      SELECT COUNT(*) AS n FROM (SELECT doctor_id, start_at FROM orders WHERE status IN (${sql.join(ACTIVE)})
      GROUP BY doctor_id, start_at HAVING COUNT(*) > 1) x`.execute(db.handle.db)
  ).rows[0]!.n;
  const orders = (await sql<{ transaction_id: string }>`SELECT transaction_id FROM orders`.execute(db.handle.db)).rows;
  if (Number(doubles) > 0) problems.push(`${doubles} slots with two active orders`);
  if (orders.length !== race.length || !orders.every((o) => winners.has(o.transaction_id))) {
    problems.push(`${orders.length} orders in the database for ${race.length} slots`);
  }
  // Both processes list the slots as taken.
  for (const [i, s] of servers.entries()) {
    for (const slot of race) {
      const [date, time] = slot.time.split(' ');
      const list = await send(
        s.baseUrl,
        'POST',
        '/api/doctor/get-time-list',
        { doctor_has_hospital_id: slot.id, date, appointment: slot.type },
        { 'x-api-key': db.apiKey },
      );
      const entry = (list.body?.data as { time: string; available: boolean }[] | undefined)?.find(
        (x) => x.time === time,
      );
      if (entry?.available !== false) problems.push(`server ${i} lists ${slot.time} as free`);
    }
  }
  record(
    `(a) booking race: ${RACE_SLOTS} slots x ${RACE_CLIENTS} clients, split between both processes`,
    problems.length === 0,
    problems.length === 0
      ? `each slot: one 201 and ${RACE_CLIENTS - 1} x 409 SLOT_TAKEN; ${orders.length} orders, one a slot; wins by process ${winsByServer.join('/')}; ${replies.length} requests in ${ms} ms; both list the slots taken`
      : problems.join('; '),
  );
  return slots.slice(RACE_SLOTS);
}

async function loginLockout(servers: ServerProcess[], apiKey: string): Promise<void> {
  const max = Number(LIMITS.LOGIN_MAX_FAILURES_PER_ADDRESS);
  const username = `lock${randomUUID().slice(0, 8).replace(/\d/g, 'x')}`;
  const email = `${username}@example.id`;
  const password = 'rahasia-pasien-1';
  const reg = await send(
    servers[0]!.baseUrl,
    'POST',
    '/api/register/patient',
    { name: 'Pasien Lockout', address: 'Jl. Thamrin 2, Jakarta', username, email, password },
    { 'x-api-key': apiKey, 'x-forwarded-for': randomAddress() },
  );
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.text}`);
  const attacker = randomAddress();
  const login = (i: number, pw: string, from = attacker) =>
    send(
      servers[i % servers.length]!.baseUrl,
      'POST',
      '/api/login/patient',
      { email, password: pw },
      { 'x-api-key': apiKey, 'x-forwarded-for': from },
    );
  const failures: Reply[] = [];
  for (let i = 0; i < max; i++) failures.push(await login(i, 'salah-sandi-' + i));
  const locked = [await login(0, 'salah-lagi'), await login(1, 'salah-lagi')];
  const rightPassword = [await login(0, password), await login(1, password)];
  const otherAddress = randomAddress();
  const elsewhere = [await login(0, password, otherAddress), await login(1, password, otherAddress)];
  const ok =
    failures.every((r) => r.status === 401 && r.body?.code === 'INVALID_CREDENTIALS') &&
    [...locked, ...rightPassword].every((r) => r.status === 429 && r.body?.code === 'LOGIN_LOCKED') &&
    elsewhere.every((r) => r.status === 200);
  record(
    `(b) login lockout: ${max} failures alternating between both processes (LOGIN_MAX_FAILURES_PER_ADDRESS=${max})`,
    ok,
    `failures ${JSON.stringify(tally(failures))}; then from that address, wrong password on process 0/1: ${locked.map((r) => `${r.status} ${r.body?.code}`).join(', ')}; right password on 0/1: ${rightPassword.map((r) => `${r.status} ${r.body?.code}`).join(', ')}; right password from another address on 0/1: ${elsewhere.map((r) => r.status).join(', ')}`,
  );

  // A burst: failures sent all at once to both processes, from a fresh address.
  const burstFrom = randomAddress();
  const burst = await Promise.all(Array.from({ length: 4 * max }, (_, i) => login(i, 'salah-' + i, burstFrom)));
  const wrongAnswered = burst.filter((r) => r.status === 401).length;
  record(
    `(b') login lockout under a burst: ${4 * max} wrong passwords at once, split between both processes`,
    wrongAnswered <= max,
    `${JSON.stringify(tally(burst))}: ${wrongAnswered} passwords were tried (limit ${max})`,
  );
}

/** `count` requests alternating between `targets` from one address; the answers in order. */
async function alternate(
  targets: ((headers: Record<string, string>, i: number) => Promise<Reply>)[],
  count: number,
): Promise<Reply[]> {
  const from = randomAddress();
  const out: Reply[] = [];
  for (let i = 0; i < count; i++) out.push(await targets[i % targets.length]!({ 'x-forwarded-for': from }, i));
  return out;
}

async function rateLimits(servers: ServerProcess[], db: ScriptDatabase): Promise<void> {
  const perMinute = Number(LIMITS.RATE_LIMIT_CHECK_ID_PER_MINUTE);
  const checkId = (base: string) => (headers: Record<string, string>, i: number) =>
    send(
      base,
      'POST',
      '/api/register/check-id/username',
      { username: `bebas${i}` },
      { 'x-api-key': db.apiKey, ...headers },
    );
  const shared = await alternate(
    servers.map((s) => checkId(s.baseUrl)),
    3 * perMinute,
  );
  const t = tally(shared);
  record(
    `(c) rate limit check-id (${perMinute}/min an address), ${3 * perMinute} requests alternating between both processes with REDIS_URL`,
    t['200'] === perMinute && t['429 TOO_MANY_REQUESTS'] === 2 * perMinute,
    JSON.stringify(t),
  );

  const perHour = Number(LIMITS.RATE_LIMIT_REGISTER_PER_HOUR);
  const tag = randomUUID().slice(0, 6).replace(/\d/g, 'x');
  const register = (base: string) => (headers: Record<string, string>, i: number) =>
    send(
      base,
      'POST',
      '/api/register/patient',
      {
        name: 'Pasien Limit',
        address: 'Jl. Thamrin 2, Jakarta',
        username: `limit${tag}${i}`,
        email: `limit${tag}${i}@example.id`,
        password: 'rahasia-pasien-1',
      },
      { 'x-api-key': db.apiKey, ...headers },
    );
  const regs = await alternate(
    servers.map((s) => register(s.baseUrl)),
    perHour + 4,
  );
  const r = tally(regs);
  record(
    `(c) rate limit registrations (${perHour}/h an address), ${perHour + 4} alternating between both processes`,
    r['201'] === perHour && r['429 TOO_MANY_REQUESTS'] === 4,
    JSON.stringify(r),
  );

  // The same two-process check without REDIS_URL: two apps in this process, each with its own counts.
  const apps = await Promise.all(
    [0, 1].map(() =>
      buildApp({
        config: loadConfig({
          ...PROCESS_KEYS,
          DATABASE_URL: db.url,
          // Required outside demo mode; these apps are only injected into.
          PUBLIC_URL: 'http://127.0.0.1',
          LOG_LEVEL: 'silent',
          MAIL_TRANSPORT: 'log',
          TRUST_PROXY: 'true',
          ...LIMITS,
        }),
      }),
    ),
  );
  try {
    const local = await alternate(
      apps.map((app) => async (headers, i) => {
        const res = await app.inject({
          method: 'POST',
          url: '/api/register/check-id/username',
          headers: { 'x-api-key': db.apiKey, ...headers },
          payload: { username: `bebas${i}` },
        });
        return { status: res.statusCode, body: res.json(), text: res.body };
      }),
      3 * perMinute,
    );
    const l = tally(local);
    record(
      `(c) contrast, without REDIS_URL: the same ${3 * perMinute} check-id requests over two apps`,
      l['200'] === 2 * perMinute,
      `${JSON.stringify(l)}: each process counts alone, so ${apps.length} x ${perMinute} get through (expected without Redis)`,
    );
  } finally {
    await Promise.all(apps.map((a) => a.close()));
  }
}

async function expiryJob(servers: ServerProcess[], db: ScriptDatabase, tokens: string[], slots: Slot[]): Promise<void> {
  const booked = await Promise.all(
    slots.map(async (slot, i) => {
      const reply = await send(
        servers[i % servers.length]!.baseUrl,
        'POST',
        '/api/doctor/booking',
        { ...slot, patient: `Expiry ${i}` },
        { 'x-api-key': db.apiKey, authorization: `Bearer ${tokens[i % tokens.length]}` },
      );
      if (reply.status !== 201) throw new Error(`booking for the job: ${reply.status} ${reply.text}`);
      return reply.body.data.transaction_id as string;
    }),
  );
  const expired = booked.slice(0, Math.ceil((booked.length * 3) / 4));
  const current = booked.filter((t) => !expired.includes(t));
  await sql`UPDATE orders SET expires_at = ${Date.now() - 60_000} WHERE transaction_id IN (${sql.join(expired)})`.execute(
    db.handle.db,
  );
  // Both processes run the job every second: wait for the orders to fail, then for two more runs.
  const started = Date.now();
  while (Date.now() - started < 20_000) {
    const open = await sql<{ n: number }>`
      SELECT COUNT(*) AS n FROM orders WHERE transaction_id IN (${sql.join(expired)}) AND status != 'order_failed'`.execute(
      db.handle.db,
    );
    if (Number(open.rows[0]!.n) === 0) break;
    await sleep(200);
  }
  const settledMs = Date.now() - started;
  await sleep(2500);
  const rows = (
    await sql<{ transaction_id: string; status: string; events: string; holds: number }>`
      SELECT o.transaction_id, o.status,
        (SELECT COUNT(*) FROM slot_holds h WHERE h.order_id = o.id) AS holds,
        (SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id AND e.action = 'payment_failed') AS events
      FROM orders o WHERE o.transaction_id IN (${sql.join(booked)})`.execute(db.handle.db)
  ).rows;
  const problems: string[] = [];
  for (const r of rows) {
    const isExpired = expired.includes(r.transaction_id);
    const want = isExpired ? ['order_failed', 1, 0] : ['waiting_payment', 0, 1];
    const got = [r.status, Number(r.events), Number(r.holds)];
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      problems.push(`${r.transaction_id}: ${r.status}, ${r.events} payment_failed rows, ${r.holds} holds`);
    }
  }
  const errors = servers.filter((s) => /"level":(50|60)/.test(s.output()));
  if (errors.length > 0) problems.push(`error lines in the logs of ${errors.length} process(es)`);
  record(
    `(d) payment-expiry job running in both processes (JOB_INTERVAL_SECONDS=1): ${expired.length} expired orders, ${current.length} still in time`,
    problems.length === 0 && rows.length === booked.length,
    problems.length === 0
      ? `every expired order order_failed with exactly one payment_failed history row and its slot freed (within ${settledMs} ms), the others untouched; no error logged`
      : problems.join('; '),
  );
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    process.stdout.write(`Redis is not reachable at ${REDIS_URL}: ${(err as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`scale-out: two API processes on one PostgreSQL database and Redis at ${REDIS_URL}\n`);
  const db = await freshDatabase('postgres', 'scaleout', 40);
  const servers: ServerProcess[] = [];
  try {
    // Started together, as a deployment would start them, on the migrated database.
    const started = await Promise.allSettled([startServer(db.url, SERVER_ENV), startServer(db.url, SERVER_ENV)]);
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    process.stdout.write(`processes ${servers.map((s) => `${s.pid} (${s.healthMs} ms to /health)`).join(', ')}\n\n`);
    const tokens = await registerPatients(servers[0]!, db.apiKey, 10, { prefix: 'scale', addresses: true });
    const jobSlots = await bookingRace(servers, db, tokens);
    await loginLockout(servers, db.apiKey);
    await rateLimits(servers, db);
    await expiryJob(servers, db, tokens, jobSlots);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.dispose();
    redis.disconnect();
  }
  const failed = checks.filter((c) => !c.ok);
  process.stdout.write(`\n${checks.length - failed.length} of ${checks.length} checks passed\n`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

await main();
