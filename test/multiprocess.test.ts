// Several API processes on one database (one SQLite file, or one PostgreSQL database with
// TEST_DATABASE_URL): the same slot raced through two real server processes has one winner; the
// deadline job run by two processes at once handles each order once, and so does the job each
// server runs itself (JOB_INTERVAL_SECONDS); one patient's bookings sent at once through two
// processes stay within MAX_UNPAID_ORDERS, and their cancellations within the hour's limit.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppsService } from '../src/modules/apps/apps.service.js';
import { addDays, localToUtc, parseHm, utcToLocal } from '../src/lib/time.js';
import { newId } from '../src/security/tokens.js';
import { insertCatalogue, type Fixture } from './catalogue-fixture.js';
import { createFreshDatabase } from './helpers.js';
import { send, startJobProcess, startServer, type Reply, type ServerProcess } from './multiprocess-helpers.js';
import { systemClock } from '../src/clock.js';

const ZONE = 'Asia/Jakarta';
const PRICE = 250_000;
const SLOTS = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30'];
const SERVER_ENV = {
  DEMO_MODE: 'true', // the sandbox payment provider runs only in demo mode
  // Warnings and errors only: a 503 "database unavailable" or a 500 is logged, and shown on failure.
  LOG_LEVEL: 'warn',
  MAX_UNPAID_ORDERS: '100', // the most the config allows
  RATE_LIMIT_REGISTER_PER_HOUR: '1000',
  // These two servers never run the deadline job themselves: the job is run below by processes
  // of its own, whose moves are counted.
  JOB_INTERVAL_SECONDS: '0',
};

interface PatientSession {
  username: string;
  token: string;
}

let fresh: Awaited<ReturnType<typeof createFreshDatabase>>;
let fx: Fixture;
let practice: number;
let apiKey: string;
const servers: ServerProcess[] = [];
const patients: PatientSession[] = [];
/** A few days ahead in Jakarta: the race's day, then the job's two days. */
const today = utcToLocal(systemClock(), ZONE).date;
const raceDay = addDays(today, 3);
const jobDays = [addDays(today, 4), addDays(today, 5)];
const serverJobDay = addDays(today, 6);

const db = () => fresh.handle.db;
const startOf = (date: string, time: string) => localToUtc(date, parseHm(time)!, ZONE);
const headers = (p: PatientSession) => ({ 'x-api-key': apiKey, authorization: `Bearer ${p.token}` });
const bookingBody = (date: string, time: string, patient: PatientSession) => ({
  id: practice,
  username_doctor: `${fx.prefix}andi`,
  time: `${date} ${time}`,
  type: 'reservasi',
  patient: `Pasien ${patient.username}`,
  price: PRICE,
});
const serverOutput = () => servers.map((s, i) => `--- server ${i} (pid ${s.pid}) ---\n${s.output()}`).join('\n');
/** Books each slot through the servers in turn, all at once; returns the transaction ids. */
async function bookAll(through: ServerProcess[], wanted: { date: string; time: string }[]): Promise<string[]> {
  return Promise.all(
    wanted.map(async ({ date, time }, i) => {
      const patient = patients[i % patients.length]!;
      const server = through[i % through.length]!;
      const reply = await send(
        server.baseUrl,
        'POST',
        '/api/doctor/booking',
        bookingBody(date, time, patient),
        headers(patient),
      );
      assert.equal(reply.status, 201, `${date} ${time}: ${reply.text}\n${server.output()}`);
      return reply.body.data.transaction_id as string;
    }),
  );
}

/** Each order's history and the number of slot holds it still has. */
async function historyOf(transactionIds: string[]) {
  const orders = await db()
    .selectFrom('orders')
    .select(['id', 'transaction_id', 'status'])
    .where('transaction_id', 'in', transactionIds)
    .execute();
  return Promise.all(
    orders.map(async (o) => ({
      ...o,
      events: (
        await db()
          .selectFrom('order_events')
          .select(['action', 'to_status', 'actor'])
          .where('order_id', '=', o.id)
          .orderBy('id')
          .execute()
      ).map((e) => `${e.action}>${e.to_status} by ${e.actor}`),
      holds: (await db().selectFrom('slot_holds').select('id').where('order_id', '=', o.id).execute()).length,
    })),
  );
}

const EXPIRED_HISTORY = ['book>waiting_payment by patient', 'payment_failed>order_failed by job'];

const tally = (replies: { server: number; reply: Reply }[]) => {
  const counts: Record<string, number> = {};
  for (const { server, reply } of replies) {
    const key = `server ${server}: ${reply.status} ${reply.body?.code ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return JSON.stringify(counts);
};

before(async () => {
  fresh = await createFreshDatabase();
  fx = await insertCatalogue(db(), 'mp');
  practice = fx.practiceIds['andi@jakarta']!;
  const now = systemClock();
  // Reservasi 09:00-12:00 in 30-minute slots, every weekday (1 Monday ... 7 Sunday).
  await db()
    .insertInto('schedule_rules')
    .values(
      Array.from({ length: 7 }, (_, i) => ({
        id: newId(),
        practice_id: practice,
        weekday: i + 1,
        start_time: '09:00',
        end_time: '12:00',
        slot_minutes: 30,
        appointment_type: 'reservasi' as const,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  apiKey = (await new AppsService(db()).createApp('multiprocess test app')).key;

  // One after the other: each start runs the migrations and the demo data check.
  servers.push(await startServer(fresh.url, SERVER_ENV));
  servers.push(await startServer(fresh.url, SERVER_ENV));

  // Six patients, registered through both servers.
  const registered = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const username = `pasienmp${i + 1}`;
      const res = await send(
        servers[i % 2]!.baseUrl,
        'POST',
        '/api/register/patient',
        {
          name: `Pasien ${i + 1}`,
          address: 'Jl. Sudirman 5, Bandung',
          username,
          email: `${username}@example.id`,
          password: 'rahasia-123',
        },
        { 'x-api-key': apiKey },
      );
      assert.equal(res.status, 201, res.text);
      return { username, token: res.body.data.access_token as string };
    }),
  );
  patients.push(...registered);
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (fresh !== undefined) {
    await fresh.handle.destroy();
    await fresh.cleanup();
  }
});

test('60 bookings of one slot at once through two server processes: one 201, 59 SLOT_TAKEN, one order', async () => {
  // Every server has the key and the sessions cached and its code warm, so the bookings meet.
  const warm = await Promise.all(
    servers.flatMap((s) => patients.map((p) => send(s.baseUrl, 'GET', '/api/me', undefined, headers(p)))),
  );
  assert.deepEqual(new Set(warm.map((r) => r.status)), new Set([200]));

  const replies = await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      const patient = patients[i % patients.length]!;
      const reply = await send(
        servers[i % 2]!.baseUrl,
        'POST',
        '/api/doctor/booking',
        bookingBody(raceDay, '10:00', patient),
        headers(patient),
      );
      return { server: i % 2, reply };
    }),
  );
  const summary = `${tally(replies)}\n${serverOutput()}`;
  assert.equal(replies.filter((r) => r.reply.status >= 500).length, 0, `no 5xx: ${summary}`);
  const won = replies.filter((r) => r.reply.status === 201);
  assert.equal(won.length, 1, `one winner: ${summary}`);
  const lost = replies.filter((r) => r.reply.status === 409 && r.reply.body?.code === 'SLOT_TAKEN');
  assert.equal(lost.length, 59, `every other request SLOT_TAKEN: ${summary}`);
  const winner = won[0]!.reply.body.data;
  assert.equal(winner.status, 'waiting_payment');
  assert.equal(winner.date, raceDay);
  assert.equal(winner.time, '10:00');

  const start = startOf(raceDay, '10:00');
  const orders = await db()
    .selectFrom('orders')
    .select(['id', 'transaction_id'])
    .where('doctor_id', '=', fx.doctors.andi)
    .where('start_at', '=', start)
    .execute();
  assert.equal(orders.length, 1, 'one order in the database');
  assert.equal(orders[0]!.transaction_id, winner.transaction_id);
  const holds = await db()
    .selectFrom('slot_holds')
    .select(['order_id'])
    .where('doctor_id', '=', fx.doctors.andi)
    .where('start_at', '=', start)
    .execute();
  assert.deepEqual(holds, [{ order_id: orders[0]!.id }], 'one slot hold, the winner’s');

  // Both processes show the slot as taken.
  for (const s of servers) {
    const list = await send(
      s.baseUrl,
      'POST',
      '/api/doctor/get-time-list',
      { doctor_has_hospital_id: practice, date: raceDay, appointment: 'reservasi' },
      { 'x-api-key': apiKey },
    );
    assert.equal(list.status, 200, list.text);
    const slot = (list.body.data as { time: string; available: boolean }[]).find((x) => x.time === '10:00');
    assert.equal(slot?.available, false);
  }
});

test('the deadline job in two processes at once: each expired order fails once and frees its slot', async () => {
  // Twelve unpaid orders over two days, booked through both servers at once.
  const booked = await bookAll(
    servers,
    jobDays.flatMap((date) => SLOTS.map((time) => ({ date, time }))),
  );
  // Nine of them are past their payment deadline; three are not.
  const expired = booked.slice(0, 9);
  const current = booked.slice(9);
  await db()
    .updateTable('orders')
    .set({ expires_at: systemClock() - 60_000 })
    .where('transaction_id', 'in', expired)
    .execute();

  // Two processes, each running the job 4 times with 2 runs at once.
  const jobs = [startJobProcess(fresh.url, 4, 2), startJobProcess(fresh.url, 4, 2)];
  try {
    await Promise.all(jobs.map((j) => j.ready));
    for (const j of jobs) j.go();
    const results = await Promise.all(jobs.map((j) => j.result));
    for (const [i, r] of results.entries()) {
      assert.equal(r.error, undefined, `job process ${i}: ${JSON.stringify(r.error)}\n${r.output}`);
      assert.equal(r.exitCode, 0, `job process ${i}:\n${r.output}`);
    }
    const moved = results.flatMap((r) => r.moved);
    assert.equal(
      moved.reduce((a, b) => a + b, 0),
      expired.length,
      `each expired order moved once in all: ${JSON.stringify(results.map((r) => r.moved))}`,
    );
  } finally {
    await Promise.all(jobs.map((j) => j.stop()));
  }

  for (const order of await historyOf(booked)) {
    if (expired.includes(order.transaction_id)) {
      assert.equal(order.status, 'order_failed', order.transaction_id);
      assert.deepEqual(order.events, EXPIRED_HISTORY, `${order.transaction_id}: one payment_failed event`);
      assert.equal(order.holds, 0, `${order.transaction_id}: its slot is free`);
    } else {
      assert.equal(order.status, 'waiting_payment', order.transaction_id);
      assert.deepEqual(order.events, ['book>waiting_payment by patient']);
      assert.equal(order.holds, 1, `${order.transaction_id}: still holds its slot`);
    }
  }
  assert.equal(current.length, 3);

  // The freed slots are free again, on both servers.
  for (const s of servers) {
    const list = await send(
      s.baseUrl,
      'POST',
      '/api/doctor/get-time-list',
      { doctor_has_hospital_id: practice, date: jobDays[0], appointment: 'reservasi' },
      { 'x-api-key': apiKey },
    );
    assert.deepEqual(
      (list.body.data as { available: boolean }[]).map((x) => x.available),
      [true, true, true, true, true, true],
    );
  }
});

test('two servers running their own deadline job (JOB_INTERVAL_SECONDS): each expired order fails once', async (t) => {
  // Started at the same time, on a database that is already set up.
  const started = await Promise.allSettled([
    startServer(fresh.url, { ...SERVER_ENV, JOB_INTERVAL_SECONDS: '1' }),
    startServer(fresh.url, { ...SERVER_ENV, JOB_INTERVAL_SECONDS: '1' }),
  ]);
  const jobServers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  t.after(() => Promise.all(jobServers.map((s) => s.stop())));
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  const output = () => jobServers.map((s, i) => `--- job server ${i} ---\n${s.output()}`).join('\n');

  const booked = await bookAll(
    jobServers,
    SLOTS.map((time) => ({ date: serverJobDay, time })),
  );
  await db()
    .updateTable('orders')
    .set({ expires_at: systemClock() - 60_000 })
    .where('transaction_id', 'in', booked)
    .execute();

  // Each server runs the job every second: wait for the orders to fail, then for two more runs.
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const open = await db()
      .selectFrom('orders')
      .select('id')
      .where('transaction_id', 'in', booked)
      .where('status', '!=', 'order_failed')
      .execute();
    if (open.length === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 2_500));

  for (const order of await historyOf(booked)) {
    assert.equal(order.status, 'order_failed', `${order.transaction_id}\n${output()}`);
    assert.deepEqual(order.events, EXPIRED_HISTORY, `${order.transaction_id}: one payment_failed event`);
    assert.equal(order.holds, 0, `${order.transaction_id}: its slot is free`);
  }
  // No process logged an error (pino level 50 and above) while the job ran.
  assert.doesNotMatch(output(), /"level":(50|60)/, output());
});

test('one patient through two fresh server processes: 10 bookings at once make MAX_UNPAID_ORDERS (3), 3 cancellations at once 2', async (t) => {
  // Two servers of their own with the unpaid limit as shipped and 2 cancellations an hour,
  // caches cold: nothing read before the race.
  const env = { ...SERVER_ENV, MAX_UNPAID_ORDERS: '3', RATE_LIMIT_CANCELS_PER_HOUR: '2' };
  const started = await Promise.allSettled([startServer(fresh.url, env), startServer(fresh.url, env)]);
  const limited = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  t.after(() => Promise.all(limited.map((s) => s.stop())));
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  const output = () => limited.map((s, i) => `--- limited server ${i} ---\n${s.output()}`).join('\n');

  const username = 'pasienmplimit';
  const registered = await send(
    limited[0]!.baseUrl,
    'POST',
    '/api/register/patient',
    {
      name: 'Pasien Batas',
      address: 'Jl. Sudirman 5, Bandung',
      username,
      email: `${username}@example.id`,
      password: 'rahasia-123',
    },
    { 'x-api-key': apiKey },
  );
  assert.equal(registered.status, 201, registered.text);
  const patient = { username, token: registered.body.data.access_token as string };

  const days = [addDays(today, 7), addDays(today, 8)];
  const wanted = days.flatMap((date) => SLOTS.map((time) => ({ date, time }))).slice(0, 10);
  const replies = await Promise.all(
    wanted.map(async ({ date, time }, i) => ({
      server: i % 2,
      reply: await send(
        limited[i % 2]!.baseUrl,
        'POST',
        '/api/doctor/booking',
        bookingBody(date, time, patient),
        headers(patient),
      ),
    })),
  );
  const summary = `${tally(replies)}\n${output()}`;
  assert.equal(replies.filter((r) => r.reply.status === 201).length, 3, summary);
  const refused = replies.filter((r) => r.reply.status !== 201);
  assert.deepEqual(
    refused.map((r) => `${r.reply.status} ${r.reply.body?.code}`),
    Array.from({ length: 7 }, () => '409 TOO_MANY_UNPAID_ORDERS'),
    summary,
  );
  const orders = await db()
    .selectFrom('orders')
    .select(['status'])
    .where('doctor_id', '=', fx.doctors.andi)
    .where('start_at', '>=', startOf(days[0]!, SLOTS[0]!))
    .where('start_at', '<=', startOf(days[1]!, SLOTS.at(-1)!))
    .execute();
  assert.deepEqual(
    orders.map((o) => o.status),
    ['waiting_payment', 'waiting_payment', 'waiting_payment'],
    'three unpaid orders in the database',
  );

  // The three cancelled at once, through both processes: two are, the third is refused.
  const booked = replies.filter((r) => r.reply.status === 201).map((r) => r.reply.body.data.transaction_id as string);
  const cancels = await Promise.all(
    booked.map(async (id, i) => ({
      server: i % 2,
      reply: await send(
        limited[i % 2]!.baseUrl,
        'PUT',
        '/api/user/orders',
        { transaction_id: id, type: 'reject_by_patient' },
        headers(patient),
      ),
    })),
  );
  const cancelSummary = `${tally(cancels)}\n${output()}`;
  assert.equal(cancels.filter((r) => r.reply.status === 200).length, 2, cancelSummary);
  assert.deepEqual(
    cancels.filter((r) => r.reply.status !== 200).map((r) => `${r.reply.status} ${r.reply.body?.code}`),
    ['429 TOO_MANY_CANCELLATIONS'],
    cancelSummary,
  );
  const cancelled = await db().selectFrom('orders').select('status').where('transaction_id', 'in', booked).execute();
  assert.deepEqual(cancelled.map((o) => o.status).sort(), ['order_cancel', 'order_cancel', 'waiting_payment']);
});
