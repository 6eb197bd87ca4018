// A patient's limits on booking: unpaid orders (MAX_UNPAID_ORDERS) under any concurrency, and
// bookings and cancellations per hour (RATE_LIMIT_BOOKINGS_PER_HOUR, RATE_LIMIT_CANCELS_PER_HOUR).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { andiVisit, insertCatalogue, openAndiForVisits, type Fixture } from '../../../test/catalogue-fixture.js';
import {
  authHeaders,
  build,
  envelope,
  registerPatient,
  uniqueName,
  type Patient,
  type TestApp,
} from '../../../test/helpers.js';

// Tuesday 1 December 2026, 07:00 in Jakarta (00:00 UTC).
const T0 = Date.UTC(2026, 11, 1, 0, 0);
const MIN = 60_000;
const METRICS = 'metrics-token-for-the-limits-test';

interface Setup {
  ta: TestApp;
  fx: Fixture;
  patient: Patient;
  clock: { now: number };
}

/** Dr Andi in Jakarta, open for visits every day 09:00-12:00: six slots a day. */
async function setup(t: TestContext, env: Record<string, string> = {}): Promise<Setup> {
  const clock = { now: T0 };
  const ta = await build(t, { env: { DEMO_MODE: 'true', ...env }, now: () => clock.now });
  const fx = await insertCatalogue(ta.db, uniqueName('l').toLowerCase());
  await openAndiForVisits(ta.db, fx, '12:00', [1, 2, 3, 4, 5, 6, 7]);
  return { ta, fx, patient: await registerPatient(ta), clock };
}

/** Ten free slots: 2 December 09:00-11:30 and 3 December 09:00-10:30. */
const TEN_SLOTS = [
  ...['09:00', '09:30', '10:00', '10:30', '11:00', '11:30'].map((t) => `2026-12-02 ${t}`),
  ...['09:00', '09:30', '10:00', '10:30'].map((t) => `2026-12-03 ${t}`),
];

const book = (s: Setup, time: string, headers: Record<string, string> = {}) =>
  s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/booking',
    headers: { ...authHeaders(s.ta, s.patient), ...headers },
    payload: andiVisit(s.fx, { time }),
  });

const cancel = (s: Setup, transactionId: string, headers: Record<string, string> = {}) =>
  s.ta.app.inject({
    method: 'PUT',
    url: '/api/user/orders',
    headers: { ...authHeaders(s.ta, s.patient), ...headers },
    payload: { transaction_id: transactionId, type: 'reject_by_patient' },
  });

const ordersOf = (s: Setup) =>
  s.ta.db
    .selectFrom('orders')
    .select(['transaction_id', 'status'])
    .where('patient_user_id', '=', s.patient.userId)
    .execute();

const tally = (replies: { statusCode: number; body: string }[]) =>
  replies.map((r) => `${r.statusCode} ${r.statusCode >= 400 ? (JSON.parse(r.body) as { code: string }).code : ''}`);

test('10 bookings at once by one patient, caches cold: exactly MAX_UNPAID_ORDERS (3) are made, 7 are 409', async (t) => {
  const s = await setup(t);
  // Nothing of this app has been read yet (practice, schedule, holds): all ten arrive at once.
  const replies = await Promise.all(TEN_SLOTS.map((time) => book(s, time)));
  const statuses = replies.map((r) => r.statusCode);
  assert.equal(statuses.filter((x) => x === 201).length, 3, tally(replies).join(', '));
  const refused = replies.filter((r) => r.statusCode !== 201);
  assert.equal(refused.length, 7);
  for (const r of refused) {
    assert.equal(r.statusCode, 409, r.body);
    const body = envelope(r);
    assert.equal(body.success, false);
    assert.equal(body.code, 'TOO_MANY_UNPAID_ORDERS');
    assert.equal(body.message, 'You have 3 unpaid orders: pay or cancel one first.');
  }
  const orders = await ordersOf(s);
  assert.equal(orders.length, 3, 'three orders in the database');
  assert.deepEqual(
    orders.map((o) => o.status),
    ['waiting_payment', 'waiting_payment', 'waiting_payment'],
  );
  // The refused bookings hold no slot: seven slots are still free.
  const holds = await s.ta.db
    .selectFrom('slot_holds')
    .innerJoin('orders', 'orders.id', 'slot_holds.order_id')
    .select('slot_holds.id')
    .where('orders.patient_user_id', '=', s.patient.userId)
    .execute();
  assert.equal(holds.length, 3);

  // Paying one makes room for exactly one more, however many ask at once.
  const first = envelope(replies.find((r) => r.statusCode === 201)!).data;
  const paid = await s.ta.app.inject({ method: 'POST', url: `${new URL(first.payment_url).pathname}/complete` });
  assert.equal(paid.statusCode, 200, paid.body);
  const free = TEN_SLOTS.filter(
    (time) =>
      !replies.some((r) => r.statusCode === 201 && envelope(r).data.date + ' ' + envelope(r).data.time === time),
  );
  const again = await Promise.all(free.map((time) => book(s, time)));
  assert.equal(again.filter((r) => r.statusCode === 201).length, 1, tally(again).join(', '));
  assert.equal((await ordersOf(s)).filter((o) => o.status === 'waiting_payment').length, 3);
});

test('two app instances on one database, 10 bookings at once by one patient: still exactly 3 made', async (t) => {
  const s = await setup(t, { MAX_UNPAID_ORDERS: '3' });
  // A second instance of the API on the same database, with its own connections and caches.
  const other = await build(t, { env: { DEMO_MODE: 'true' }, now: () => s.clock.now });
  const headers = authHeaders(s.ta, s.patient);
  const replies = await Promise.all(
    TEN_SLOTS.map((time, i) =>
      i % 2 === 0
        ? book(s, time)
        : other.app.inject({
            method: 'POST',
            url: '/api/doctor/booking',
            headers,
            payload: andiVisit(s.fx, { time }),
          }),
    ),
  );
  assert.equal(replies.filter((r) => r.statusCode === 201).length, 3, tally(replies).join(', '));
  assert.deepEqual(
    replies.filter((r) => r.statusCode !== 201).map((r) => `${r.statusCode} ${envelope(r).code}`),
    Array.from({ length: 7 }, () => '409 TOO_MANY_UNPAID_ORDERS'),
  );
  assert.equal((await ordersOf(s)).length, 3);
});

test('bookings per hour: the 4th within the hour is 429 with Retry-After, in English and Indonesian; the hour moves on', async (t) => {
  const s = await setup(t, { RATE_LIMIT_BOOKINGS_PER_HOUR: '3', MAX_UNPAID_ORDERS: '10', METRICS_TOKEN: METRICS });
  for (const [i, time] of ['2026-12-02 09:00', '2026-12-02 09:30', '2026-12-02 10:00'].entries()) {
    s.clock.now = T0 + i * 10 * MIN;
    assert.equal((await book(s, time)).statusCode, 201);
  }
  s.clock.now = T0 + 30 * MIN;
  const fourth = await book(s, '2026-12-02 10:30');
  assert.equal(fourth.statusCode, 429, fourth.body);
  const body = envelope(fourth);
  assert.equal(body.success, false);
  assert.equal(body.code, 'TOO_MANY_BOOKINGS');
  assert.equal(body.data, null);
  assert.equal(body.message, 'You have made 3 bookings in the last hour. Try again in 30 minutes.');
  // The first booking (at T0) leaves the hour at T0 + 60 min: 30 minutes from now.
  assert.equal(fourth.headers['retry-after'], '1800');
  const inIndonesian = await book(s, '2026-12-02 10:30', { 'accept-language': 'id' });
  assert.equal(inIndonesian.statusCode, 429);
  assert.equal(
    envelope(inIndonesian).message,
    'Anda sudah membuat 3 pesanan dalam satu jam terakhir. Coba lagi dalam 30 menit.',
  );
  assert.equal((await ordersOf(s)).length, 3, 'nothing written for the refused bookings');

  // Still within the hour of the first: refused; just after it: booked.
  s.clock.now = T0 + 60 * MIN - 1000;
  const almost = await book(s, '2026-12-02 10:30');
  assert.equal(almost.statusCode, 429);
  assert.equal(almost.headers['retry-after'], '1');
  s.clock.now = T0 + 60 * MIN;
  assert.equal((await book(s, '2026-12-02 10:30')).statusCode, 201);
  // The next is counted against the hour of the second booking (T0 + 10 min).
  const next = await book(s, '2026-12-02 11:00');
  assert.equal(next.statusCode, 429);
  assert.equal(next.headers['retry-after'], String(10 * 60));
  assert.equal((await ordersOf(s)).length, 4);

  // Sent at once, the limit holds as well: a new hour, six bookings of free slots, three made.
  s.clock.now = T0 + 3 * 60 * MIN;
  const burst = await Promise.all(TEN_SLOTS.slice(4).map((time) => book(s, time)));
  assert.equal(burst.filter((r) => r.statusCode === 201).length, 3, tally(burst).join(', '));
  assert.deepEqual(
    burst.filter((r) => r.statusCode !== 201).map((r) => `${r.statusCode} ${envelope(r).code}`),
    ['429 TOO_MANY_BOOKINGS', '429 TOO_MANY_BOOKINGS', '429 TOO_MANY_BOOKINGS'],
  );
  assert.equal((await ordersOf(s)).length, 7);
  // Operators see the refusals by name.
  const metrics = await s.ta.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${METRICS}` },
  });
  assert.match(metrics.body, /^cexup_bookings_total\{outcome="too_many_bookings"\} 7$/m);
});

test('cancellations per hour: the 3rd within the hour is 429 with Retry-After and leaves the order as it was', async (t) => {
  const s = await setup(t, { RATE_LIMIT_CANCELS_PER_HOUR: '2' });
  const ids: string[] = [];
  for (const time of ['2026-12-02 09:00', '2026-12-02 09:30', '2026-12-02 10:00']) {
    const res = await book(s, time);
    assert.equal(res.statusCode, 201, res.body);
    ids.push(envelope(res).data.transaction_id);
  }
  assert.equal((await cancel(s, ids[0]!)).statusCode, 200);
  s.clock.now = T0 + 5 * MIN;
  assert.equal((await cancel(s, ids[1]!)).statusCode, 200);
  s.clock.now = T0 + 15 * MIN;
  const third = await cancel(s, ids[2]!);
  assert.equal(third.statusCode, 429, third.body);
  const body = envelope(third);
  assert.equal(body.success, false);
  assert.equal(body.code, 'TOO_MANY_CANCELLATIONS');
  assert.equal(body.message, 'You have cancelled 2 orders in the last hour. Try again in 45 minutes.');
  assert.equal(third.headers['retry-after'], String(45 * 60));
  const inIndonesian = await cancel(s, ids[2]!, { 'accept-language': 'id' });
  assert.equal(
    envelope(inIndonesian).message,
    'Anda sudah membatalkan 2 pesanan dalam satu jam terakhir. Coba lagi dalam 45 menit.',
  );
  const statusOf = async (id: string) => (await ordersOf(s)).find((o) => o.transaction_id === id)!.status;
  assert.equal(await statusOf(ids[2]!), 'waiting_payment', 'the refused cancellation changed nothing');

  // An hour after the first cancellation, one more is allowed.
  s.clock.now = T0 + 60 * MIN;
  const later = await cancel(s, ids[2]!);
  assert.equal(later.statusCode, 200, later.body);
  assert.equal(envelope(later).data.status, 'order_cancel');
  assert.equal(await statusOf(ids[2]!), 'order_cancel');
});

test('the same Idempotency-Key twice at once, the second unpaid order short of the limit: one order, both answered with it', async (t) => {
  const s = await setup(t);
  for (const time of ['2026-12-02 09:00', '2026-12-02 09:30']) assert.equal((await book(s, time)).statusCode, 201);
  const key = { 'idempotency-key': 'retry-after-timeout' };
  const [a, b] = await Promise.all([book(s, '2026-12-02 10:00', key), book(s, '2026-12-02 10:00', key)]);
  assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 201], `${a.body}\n${b.body}`);
  assert.equal(envelope(a).data.transaction_id, envelope(b).data.transaction_id);
  assert.equal((await ordersOf(s)).length, 3);
});

test('five cancellations at once through two app instances, 2 allowed an hour: exactly 2 made, 3 are 429', async (t) => {
  const env = { RATE_LIMIT_CANCELS_PER_HOUR: '2', MAX_UNPAID_ORDERS: '10' };
  const s = await setup(t, env);
  const other = await build(t, { env: { DEMO_MODE: 'true', ...env }, now: () => s.clock.now });
  const ids: string[] = [];
  for (const time of TEN_SLOTS.slice(0, 5)) {
    const res = await book(s, time);
    assert.equal(res.statusCode, 201, res.body);
    ids.push(envelope(res).data.transaction_id);
  }
  const replies = await Promise.all(
    ids.map((id, i) =>
      i % 2 === 0
        ? cancel(s, id)
        : other.app.inject({
            method: 'PUT',
            url: '/api/user/orders',
            headers: authHeaders(s.ta, s.patient),
            payload: { transaction_id: id, type: 'reject_by_patient' },
          }),
    ),
  );
  assert.equal(replies.filter((r) => r.statusCode === 200).length, 2, tally(replies).join(', '));
  assert.deepEqual(
    replies.filter((r) => r.statusCode !== 200).map((r) => `${r.statusCode} ${envelope(r).code}`),
    ['429 TOO_MANY_CANCELLATIONS', '429 TOO_MANY_CANCELLATIONS', '429 TOO_MANY_CANCELLATIONS'],
  );
  const statuses = (await ordersOf(s)).map((o) => o.status).sort();
  assert.deepEqual(statuses, ['order_cancel', 'order_cancel', 'waiting_payment', 'waiting_payment', 'waiting_payment']);
});
