import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { andiVisit, insertCatalogue, openAndiForVisits, type Fixture } from '../../../test/catalogue-fixture.js';
import { sql } from 'kysely';
import {
  authHeaders,
  build,
  envelope,
  onPostgres,
  registerPatient,
  uniqueName,
  type Patient,
  type TestApp,
} from '../../../test/helpers.js';
import { newId } from '../../security/tokens.js';
import { insertHold } from './booking.repository.js';
import { DAY } from '../../lib/time.js';
import { MidtransProvider, signNotification } from '../payments/midtrans.js';
import { createAdmin } from '../admin/index.js';
import { createDoctorLogin } from '../doctors/doctors.service.js';

// Tuesday 1 December 2026, 07:00 in Jakarta (00:00 UTC).
const T0 = Date.UTC(2026, 11, 1, 0, 0);
const MIN = 60_000;

interface Setup {
  ta: TestApp;
  fx: Fixture;
  patient: Patient;
  clock: { now: number };
  /** Andi at the Jakarta hospital: reservasi 09:00-12:00 (30 min) and call 13:00-15:00 (20 min), every day. */
  practice: number;
}

async function setup(t: TestContext, env: Record<string, string> = {}): Promise<Setup> {
  const clock = { now: T0 };
  const ta = await build(t, { env: { DEMO_MODE: 'true', ...env }, now: () => clock.now });
  const fx = await insertCatalogue(ta.db, uniqueName('b').toLowerCase());
  const practice = fx.practiceIds['andi@jakarta']!;
  const rules = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    const base = { practice_id: practice, weekday, created_at: T0, updated_at: T0 };
    rules.push({
      id: newId(),
      ...base,
      start_time: '09:00',
      end_time: '12:00',
      slot_minutes: 30,
      appointment_type: 'reservasi' as const,
    });
    rules.push({
      id: newId(),
      ...base,
      start_time: '13:00',
      end_time: '15:00',
      slot_minutes: 20,
      appointment_type: 'call' as const,
    });
  }
  await ta.db.insertInto('schedule_rules').values(rules).execute();
  const patient = await registerPatient(ta);
  return { ta, fx, patient, clock, practice };
}

const ordersOf = (s: Setup) =>
  s.ta.db.selectFrom('orders').select('id').where('patient_user_id', '=', s.patient.userId).execute();

const timeList = (s: Setup, body: object) =>
  s.ta.app.inject({ method: 'POST', url: '/api/doctor/get-time-list', headers: authHeaders(s.ta), payload: body });

const bookingBody = (s: Setup, overrides: Record<string, unknown> = {}) => andiVisit(s.fx, overrides);

const book = (s: Setup, body: object, patient = s.patient, headers: Record<string, string> = {}) =>
  s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/booking',
    headers: { ...authHeaders(s.ta, patient), ...headers },
    payload: body,
  });

const put = (s: Setup, body: object, patient = s.patient) =>
  s.ta.app.inject({ method: 'PUT', url: '/api/user/orders', headers: authHeaders(s.ta, patient), payload: body });

const show = (s: Setup, transactionId: string, patient = s.patient) =>
  s.ta.app.inject({
    method: 'POST',
    url: '/api/user/order/show',
    headers: authHeaders(s.ta, patient),
    payload: { transaction_id: transactionId },
  });

test("time list: the day's slots in the hospital's time, past and taken ones unavailable", async (t) => {
  const s = await setup(t);
  s.clock.now = Date.UTC(2026, 11, 2, 2, 40); // 09:40 in Jakarta on the 2nd
  const res = await timeList(s, { doctor_has_hospital_id: s.practice, date: '2026-12-02', appointment: 'reservation' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(envelope(res).data, [
    { time: '09:00', end_time: '09:30', available: false },
    { time: '09:30', end_time: '10:00', available: false },
    { time: '10:00', end_time: '10:30', available: true },
    { time: '10:30', end_time: '11:00', available: true },
    { time: '11:00', end_time: '11:30', available: true },
    { time: '11:30', end_time: '12:00', available: true },
  ]);
  const call = envelope(
    await timeList(s, { doctor_has_hospital_id: String(s.practice), date: '2026-12-03', appointment: 'call' }),
  );
  assert.deepEqual(
    call.data.map((x: { time: string }) => x.time),
    ['13:00', '13:20', '13:40', '14:00', '14:20', '14:40'],
  );
  const far = envelope(
    await timeList(s, { doctor_has_hospital_id: s.practice, date: '2027-03-01', appointment: 'call' }),
  );
  assert.equal(
    far.data.every((x: { available: boolean }) => !x.available),
    true,
    'beyond the 30-day horizon',
  );
});

test('time list: bad input is 422, an unknown or out-of-scope practice 404', async (t) => {
  const s = await setup(t);
  for (const [body, field] of [
    [{ doctor_has_hospital_id: s.practice, date: '2026-02-30', appointment: 'call' }, 'date'],
    [{ doctor_has_hospital_id: s.practice, date: '2026-12-02', appointment: 'video' }, 'appointment'],
    [{ doctor_has_hospital_id: 'abc', date: '2026-12-02', appointment: 'call' }, 'doctor_has_hospital_id'],
  ] as const) {
    const res = await timeList(s, body);
    assert.equal(res.statusCode, 422, JSON.stringify(body));
    assert.ok(envelope(res).errors?.[field]);
  }
  const unknown = await timeList(s, { doctor_has_hospital_id: 999999, date: '2026-12-02', appointment: 'call' });
  assert.equal(unknown.statusCode, 404);
  const kiosk = await s.ta.app.services.apps.createApp('Makassar kiosk', { hospitals: [`${s.fx.prefix}-makassar`] });
  const scoped = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/get-time-list',
    headers: { 'x-api-key': kiosk.key },
    payload: { doctor_has_hospital_id: s.practice, date: '2026-12-02', appointment: 'call' },
  });
  assert.equal(scoped.statusCode, 404);
});

test('booking: 201 with the order, a held slot, a payment link; the slot is then taken', async (t) => {
  const s = await setup(t);
  const res = await book(s, bookingBody(s, { price: '250000', note: 'Demam tiga hari' }));
  assert.equal(res.statusCode, 201, res.body);
  const order = envelope(res).data;
  assert.match(order.transaction_id, /^CX20261201[A-Z2-9]{8}$/);
  assert.equal(order.status, 'waiting_payment');
  assert.equal(order.date, '2026-12-02');
  assert.equal(order.time, '09:00');
  assert.equal(order.estimate, '09:30');
  assert.equal(order.start_at, '2026-12-02T09:00:00+07:00');
  assert.equal(order.price, 250000);
  assert.equal(order.patient, 'Siti Rahayu');
  assert.equal(order.note, 'Demam tiga hari');
  assert.equal(order.doctor_account.slug, `${s.fx.prefix}-andi`);
  assert.match(order.payment_url, /\/pay\/[\w-]{20,}$/);
  assert.equal(order.expires_at, '2026-12-01T08:00:00+07:00', '60 minutes from now');
  assert.deepEqual(
    order.history.map((h: { status: string }) => h.status),
    ['waiting_payment'],
  );

  const holds = await s.ta.db.selectFrom('slot_holds').selectAll().execute();
  assert.equal(holds.filter((h) => h.start_at === Date.UTC(2026, 11, 2, 2, 0)).length, 1);
  const list = envelope(
    await timeList(s, { doctor_has_hospital_id: s.practice, date: '2026-12-02', appointment: 'reservasi' }),
  );
  assert.equal(list.data[0].available, false);

  const other = await registerPatient(s.ta);
  const taken = await book(s, bookingBody(s), other);
  assert.equal(taken.statusCode, 409);
  assert.equal(envelope(taken).code, 'SLOT_TAKEN');
});

test('booking: the server decides the price and the slot; bad input is 422, another user 403', async (t) => {
  const s = await setup(t);
  const price = await book(s, bookingBody(s, { price: 100 }));
  assert.equal(price.statusCode, 409);
  assert.equal(envelope(price).code, 'PRICE_MISMATCH');
  for (const [overrides, field] of [
    [{ time: '2026-12-02 09:10' }, 'time'],
    [{ time: '2026-11-30 09:00' }, 'time'],
    [{ time: '2027-02-01 09:00' }, 'time'],
    [{ type: 'call', time: '2026-12-02 09:00', price: 150000 }, 'time'],
    [{ type: 'video' }, 'type'],
    [{ username_doctor: 'someoneelse' }, 'username_doctor'],
    [{ patient: ' ' }, 'patient'],
    [{ time: '09:00' }, 'date'],
  ] as const) {
    const res = await book(s, bookingBody(s, overrides));
    assert.equal(res.statusCode, 422, `${JSON.stringify(overrides)}: ${res.body}`);
    assert.ok(envelope(res).errors?.[field], `${field}: ${res.body}`);
  }
  const withDate = await book(s, bookingBody(s, { time: '09:30', date: '2026-12-02' }));
  assert.equal(withDate.statusCode, 201, withDate.body);
  const other = await registerPatient(s.ta);
  const forbidden = await book(s, bookingBody(s, { user_id: other.userId, time: '2026-12-02 10:00' }));
  assert.equal(forbidden.statusCode, 403);
  assert.equal((await ordersOf(s)).length, 1);
});

test('booking: the same Idempotency-Key replays the order; with another body it is a 422', async (t) => {
  const s = await setup(t);
  const first = await book(s, bookingBody(s), s.patient, { 'idempotency-key': 'k-123' });
  assert.equal(first.statusCode, 201);
  const again = await book(s, bookingBody(s), s.patient, { 'idempotency-key': 'k-123' });
  assert.equal(again.statusCode, 200);
  assert.equal(envelope(again).data.transaction_id, envelope(first).data.transaction_id);
  const changed = await book(s, bookingBody(s, { time: '2026-12-02 10:00' }), s.patient, {
    'idempotency-key': 'k-123',
  });
  assert.equal(changed.statusCode, 422);
  assert.equal(envelope(changed).code, 'IDEMPOTENCY_KEY_REUSED');
  assert.equal((await ordersOf(s)).length, 1);
});

test('booking: an Idempotency-Key past its 24 hours, not yet purged, books anew', { timeout: 30_000 }, async (t) => {
  const s = await setup(t);
  const first = await book(s, bookingBody(s), s.patient, { 'idempotency-key': 'k-old' });
  assert.equal(first.statusCode, 201);
  // The purge job has not run since: the row is still there, a day and a minute old.
  await s.ta.db
    .updateTable('idempotency_keys')
    .set({ created_at: T0 - DAY - 60_000 })
    .where('key', '=', 'k-old')
    .execute();
  const later = await book(s, bookingBody(s, { time: '2026-12-02 10:00' }), s.patient, { 'idempotency-key': 'k-old' });
  assert.equal(later.statusCode, 201, later.body);
  assert.notEqual(envelope(later).data.transaction_id, envelope(first).data.transaction_id);
  const keys = await s.ta.db
    .selectFrom('idempotency_keys')
    .select(['order_id', 'created_at'])
    .where('key', '=', 'k-old')
    .execute();
  assert.equal(keys.length, 1);
  assert.equal(keys[0]!.created_at, T0);
  assert.equal((await ordersOf(s)).length, 2);
});

test('booking: at most 3 unpaid orders at a time', async (t) => {
  const s = await setup(t);
  for (const time of ['09:00', '09:30', '10:00']) {
    assert.equal((await book(s, bookingBody(s, { time: `2026-12-02 ${time}` }))).statusCode, 201);
  }
  const fourth = await book(s, bookingBody(s, { time: '2026-12-02 10:30' }));
  assert.equal(fourth.statusCode, 409);
  assert.equal(envelope(fourth).code, 'TOO_MANY_UNPAID_ORDERS');
});

test('50 concurrent bookings of one slot: exactly one 201, every other 409, one order', async (t) => {
  const s = await setup(t, { MAX_UNPAID_ORDERS: '100' });
  const patients = await Promise.all(Array.from({ length: 5 }, () => registerPatient(s.ta)));
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => book(s, bookingBody(s, { time: '2026-12-03 11:00' }), patients[i % 5])),
  );
  const statuses = results.map((r) => r.statusCode);
  assert.equal(statuses.filter((x) => x === 201).length, 1, statuses.join(','));
  assert.equal(statuses.filter((x) => x === 409).length, 49);
  const orders = await s.ta.db
    .selectFrom('orders')
    .select('id')
    .where('start_at', '=', Date.UTC(2026, 11, 3, 4, 0))
    .execute();
  assert.equal(orders.length, 1);
});

test('orders: list with filters, show own, another patient gets 404', async (t) => {
  const s = await setup(t);
  const a = envelope(await book(s, bookingBody(s))).data;
  await book(s, bookingBody(s, { type: 'call', time: '2026-12-02 13:00', price: 150000 }));
  const list = await s.ta.app.inject({
    method: 'POST',
    url: '/api/user/orders',
    headers: authHeaders(s.ta, s.patient),
    payload: {},
  });
  assert.equal(list.statusCode, 200);
  assert.equal(envelope(list).meta.total, 2);
  const calls = envelope(
    await s.ta.app.inject({
      method: 'POST',
      url: '/api/user/orders',
      headers: authHeaders(s.ta, s.patient),
      payload: { appointment: 'call', type: 'pending' },
    }),
  );
  assert.deepEqual(
    calls.data.map((o: { type: string }) => o.type),
    ['call'],
  );
  const finished = envelope(
    await s.ta.app.inject({
      method: 'POST',
      url: '/api/user/orders',
      headers: authHeaders(s.ta, s.patient),
      payload: { type: 'finish' },
    }),
  );
  assert.equal(finished.meta.total, 0);
  assert.equal((await show(s, a.transaction_id)).statusCode, 200);
  const other = await registerPatient(s.ta);
  const foreign = await show(s, a.transaction_id, other);
  assert.equal(foreign.statusCode, 404);
  assert.equal(envelope(foreign).code, 'ORDER_NOT_FOUND');
});

test('sandbox payment, cancellation with refund, and the slot given back', async (t) => {
  const s = await setup(t);
  const order = envelope(await book(s, bookingBody(s))).data;
  const path = new URL(order.payment_url).pathname;
  const page = await s.ta.app.inject({ method: 'GET', url: path });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(order.transaction_id));
  const paid = await s.ta.app.inject({ method: 'POST', url: `${path}/complete` });
  assert.equal(paid.statusCode, 200);
  assert.equal(envelope(paid).data.status, 'waiting_doctor_confirmation');

  const refused = await put(s, { transaction_id: order.transaction_id, type: 'accept' });
  assert.equal(refused.statusCode, 409);
  assert.equal(envelope(refused).code, 'ORDER_TRANSITION_NOT_ALLOWED');
  assert.match(envelope(refused).message, /waiting_doctor_confirmation/);

  const cancelled = await put(s, { transaction_id: order.transaction_id, type: 'reject_by_patient' });
  assert.equal(cancelled.statusCode, 200, cancelled.body);
  assert.equal(envelope(cancelled).data.status, 'waiting_refund');
  assert.equal(envelope(cancelled).data.refund_due, 250000);
  const slots = envelope(
    await timeList(s, { doctor_has_hospital_id: s.practice, date: '2026-12-02', appointment: 'reservasi' }),
  );
  assert.equal(slots.data[0].available, true, 'the slot is free again');
  assert.deepEqual(
    envelope(await show(s, order.transaction_id)).data.history.map((h: { status: string }) => h.status),
    ['waiting_payment', 'waiting_doctor_confirmation', 'waiting_refund'],
  );
});

test('payments arriving at once: each is a 200, the order is paid once (found by the fuzz suite)', async (t) => {
  const s = await setup(t);
  for (const outcome of ['complete', 'fail'] as const) {
    const order = envelope(
      await book(s, bookingBody(s, { time: outcome === 'complete' ? '2026-12-02 09:00' : '2026-12-02 09:30' })),
    ).data;
    const path = new URL(order.payment_url).pathname;
    // Before, the one that lost the race to change the status answered 409, which the sandbox
    // routes do not document and a gateway would take as a failed delivery.
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => s.ta.app.inject({ method: 'POST', url: `${path}/${outcome}` })),
    );
    const expected = outcome === 'complete' ? 'waiting_doctor_confirmation' : 'order_failed';
    for (const res of answers) {
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(envelope(res).data.status, expected);
    }
    const history = envelope(await show(s, order.transaction_id)).data.history.map((h: { status: string }) => h.status);
    assert.deepEqual(history, ['waiting_payment', expected]);
  }
});

test('the payment link is the patient’s alone: doctor and admin views lack it; the sandbox acts only with its secret', async (t) => {
  const s = await setup(t);
  const order = envelope(await book(s, bookingBody(s))).data;
  const link = new URL(order.payment_url);
  const secret = link.pathname.split('/')[2]!;
  assert.match(link.pathname, /^\/pay\/[\w-]{43}$/);
  assert.equal(envelope(await show(s, order.transaction_id)).data.payment_url, order.payment_url);

  // Dr Andi's own orders, and the back office's list and order: no link, no secret.
  const doctorEmail = `${uniqueName('dok')}@rs.example.id`;
  await createDoctorLogin(s.ta.db, { slug: `${s.fx.prefix}-andi`, email: doctorEmail, password: 'dokter-sandi-2026' });
  const adminEmail = `${uniqueName('admin')}@cexup.test`;
  await createAdmin(s.ta.db, { name: 'Admin Bayar', email: adminEmail, password: 'sangat-rahasia-2026' });
  const login = async (role: 'doctor' | 'admin', email: string, password: string) => {
    const res = await s.ta.app.inject({
      method: 'POST',
      url: `/api/login/${role}`,
      headers: authHeaders(s.ta),
      payload: { email, password },
    });
    assert.equal(res.statusCode, 200, res.body);
    return { ...authHeaders(s.ta), authorization: `Bearer ${envelope(res).data.access_token}` };
  };
  const doctor = await login('doctor', doctorEmail, 'dokter-sandi-2026');
  const admin = await login('admin', adminEmail, 'sangat-rahasia-2026');
  const staffViews = [
    await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/orders', headers: doctor }),
    await s.ta.app.inject({ method: 'GET', url: '/api/admin/orders', headers: admin }),
    await s.ta.app.inject({ method: 'GET', url: `/api/admin/orders/${order.transaction_id}`, headers: admin }),
  ];
  let adminRef: string | undefined;
  for (const res of staffViews) {
    assert.equal(res.statusCode, 200, res.body);
    const data = envelope(res).data;
    const seen = (Array.isArray(data) ? data : [data]).find(
      (o: { transaction_id: string }) => o.transaction_id === order.transaction_id,
    );
    assert.equal(seen?.status, 'waiting_payment', res.body);
    assert.ok(!('payment_url' in seen), `${res.body}: payment_url shown`);
    assert.ok(!res.body.includes(secret), 'the link secret is shown');
    adminRef ??= seen.payment_ref;
  }
  assert.ok(adminRef !== undefined && adminRef !== secret);

  // An order booked before links held their secret: its reference was the whole link.
  const before = envelope(await book(s, bookingBody(s, { time: '2026-12-02 10:00' }))).data;
  const oldRef = 'q9pXxO7LIX0kOelh6Cro0z5eW9NJ_dff';
  await s.ta.db
    .updateTable('orders')
    .set({ payment_ref: oldRef, payment_url: `http://localhost/pay/${oldRef}` })
    .where('transaction_id', '=', before.transaction_id)
    .execute();

  const state = async (transactionId: string) => {
    const row = await s.ta.db
      .selectFrom('orders')
      .select(['id', 'status', 'updated_at'])
      .where('transaction_id', '=', transactionId)
      .executeTakeFirstOrThrow();
    const events = await s.ta.db.selectFrom('order_events').select('action').where('order_id', '=', row.id).execute();
    return { status: row.status, updated_at: Number(row.updated_at), actions: events.map((e) => e.action) };
  };
  const [first, second] = [await state(order.transaction_id), await state(before.transaction_id)];
  const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
  for (const key of [order.transaction_id, adminRef, flipped, secret.slice(0, 42), '', oldRef, before.transaction_id]) {
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/complete'],
      ['POST', '/fail'],
    ] as const) {
      if (key === '' && suffix === '') continue; // GET /pay/ is no page at all
      const res = await s.ta.app.inject({ method, url: `/pay/${key}${suffix}` });
      assert.equal(res.statusCode, 404, `${method} /pay/${key}${suffix}: ${res.body}`);
      assert.equal(envelope(res).code, 'NOT_FOUND');
    }
  }
  assert.deepEqual(await state(order.transaction_id), first, 'no key but the secret moves the order');
  assert.deepEqual(await state(before.transaction_id), second, 'an old link form moves nothing');

  // The patient's link: the page, then its Pay button.
  const page = await s.ta.app.inject({ method: 'GET', url: link.pathname });
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes(`action="${link.pathname}/complete"`));
  const paid = await s.ta.app.inject({ method: 'POST', url: `${link.pathname}/complete` });
  assert.equal(paid.statusCode, 200, paid.body);
  assert.deepEqual(envelope(paid).data, {
    transaction_id: order.transaction_id,
    status: 'waiting_doctor_confirmation',
  });
  assert.equal((await state(order.transaction_id)).status, 'waiting_doctor_confirmation');
});

test('a patient proposes a new time: the proposal holds its slot; too close to the start it is refused', async (t) => {
  const s = await setup(t);
  const order = envelope(await book(s, bookingBody(s))).data;
  await s.ta.app.inject({ method: 'POST', url: `${new URL(order.payment_url).pathname}/complete` });
  const moved = await put(s, {
    transaction_id: order.transaction_id,
    type: 'reschedulle_patient',
    date: '2026-12-03',
    time: '10:00',
  });
  assert.equal(moved.statusCode, 200, moved.body);
  const data = envelope(moved).data;
  assert.equal(data.status, 'reschedule_from_patient');
  assert.equal(data.proposed_date, '2026-12-03');
  assert.equal(data.proposed_time, '10:00');
  const slots = envelope(
    await timeList(s, { doctor_has_hospital_id: s.practice, date: '2026-12-03', appointment: 'reservasi' }),
  );
  assert.equal(slots.data.find((x: { time: string }) => x.time === '10:00').available, false);

  const second = envelope(await book(s, bookingBody(s, { time: '2026-12-01 11:00' }))).data;
  await s.ta.app.inject({ method: 'POST', url: `${new URL(second.payment_url).pathname}/complete` });
  s.clock.now = Date.UTC(2026, 11, 1, 3, 30); // 10:30 local: 30 minutes before the 11:00 start
  const late = await put(s, {
    transaction_id: second.transaction_id,
    type: 'reschedule_patient',
    date: '2026-12-03',
    time: '11:00',
  });
  assert.equal(late.statusCode, 409);
  assert.equal(envelope(late).code, 'ORDER_PAST_CUTOFF');
});

test('the deadline job expires unpaid orders and frees their slots; a late payment is refunded', async (t) => {
  const s = await setup(t);
  const order = envelope(await book(s, bookingBody(s))).data;
  s.clock.now = T0 + 61 * MIN;
  assert.ok((await s.ta.app.services.booking.runDeadlines()) >= 1);
  const failed = envelope(await show(s, order.transaction_id)).data;
  assert.equal(failed.status, 'order_failed');
  assert.equal(failed.payment_url, null);
  const slots = envelope(
    await timeList(s, { doctor_has_hospital_id: s.practice, date: '2026-12-02', appointment: 'reservasi' }),
  );
  assert.equal(slots.data[0].available, true);
  // Running it again (another process) changes nothing more.
  assert.equal(await s.ta.app.services.booking.runDeadlines(), 0);

  const late = await s.ta.app.services.booking.paymentOutcome(order.transaction_id, 'paid');
  assert.equal(late?.status, 'waiting_refund');
  assert.equal(late?.refund_due, 250000);
});

/** An app whose gateway is Midtrans with a stand-in for its HTTP API, and one booking attempt. */
async function bookThroughMidtrans(t: TestContext, serverKey: string, fetchStandIn: typeof fetch) {
  const ta = await build(t, {
    now: () => T0,
    payments: new MidtransProvider({ serverKey, isProduction: false, fetch: fetchStandIn }),
  });
  const fx = await insertCatalogue(ta.db, uniqueName('m').toLowerCase());
  const practice = await openAndiForVisits(ta.db, fx);
  const patient = await registerPatient(ta);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/doctor/booking',
    headers: authHeaders(ta, patient),
    payload: {
      id: practice,
      username_doctor: `${fx.prefix}andi`,
      time: '2026-12-02 09:00',
      type: 'reservasi',
      patient: 'A',
      price: 250000,
    },
  });
  return { ta, practice, res };
}

/**
 * A stand-in for Midtrans's HTTP API: Snap creates transactions, and the status call answers
 * with what `states` holds for an order id (unknown ones: status_code "404"). `down` makes
 * every call fail as an unreachable host would.
 */
function fakeMidtrans() {
  const states = new Map<string, Record<string, string>>();
  const gateway = {
    states,
    down: false,
    statusCalls: 0,
    fetch: (async (input: string | URL | Request) => {
      if (gateway.down) throw new TypeError('fetch failed');
      const url = String(input);
      const json = (status: number, body: object) =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      const status = /\/v2\/([^/]+)\/status$/.exec(url);
      if (status) {
        gateway.statusCalls++;
        const state = states.get(decodeURIComponent(status[1]!));
        return json(200, state ?? { status_code: '404', status_message: "Transaction doesn't exist." });
      }
      return json(201, { token: 'snap-token', redirect_url: 'https://app.sandbox.midtrans.com/snap/v4/x' });
    }) as typeof fetch,
  };
  return gateway;
}

test('gateway webhook (Midtrans): signed notifications apply once; bad signatures change nothing', async (t) => {
  const serverKey = 'SB-Mid-server-test-key-0001';
  const gateway = fakeMidtrans();
  const { ta, res } = await bookThroughMidtrans(t, serverKey, gateway.fetch);
  assert.equal(res.statusCode, 201, res.body);
  const order = envelope(res).data;
  assert.equal(order.payment_url, 'https://app.sandbox.midtrans.com/snap/v4/x');

  const fields = { order_id: order.transaction_id, status_code: '200', gross_amount: '250000.00' };
  const notification = {
    ...fields,
    signature_key: signNotification(fields, serverKey),
    transaction_status: 'settlement',
    transaction_id: 'mt-1',
    fraud_status: 'accept',
  };
  const notify = (body: object) => ta.app.inject({ method: 'POST', url: '/payments/webhook', payload: body });
  const forged = await notify({ ...notification, signature_key: 'f'.repeat(128) });
  assert.equal(forged.statusCode, 401);
  const status = async () =>
    (
      await ta.db
        .selectFrom('orders')
        .select('status')
        .where('transaction_id', '=', order.transaction_id)
        .executeTakeFirstOrThrow()
    ).status;
  assert.equal(await status(), 'waiting_payment', 'a forged notification changes nothing');
  assert.equal(gateway.statusCalls, 0, 'an unsigned notification is not even confirmed');

  gateway.states.set(order.transaction_id, {
    order_id: order.transaction_id,
    status_code: '200',
    gross_amount: '250000.00',
    transaction_status: 'settlement',
    fraud_status: 'accept',
    transaction_id: 'mt-1',
  });
  const applied = await notify(notification);
  assert.equal(applied.statusCode, 200);
  assert.equal(envelope(applied).data.status, 'applied');
  assert.equal(await status(), 'waiting_doctor_confirmation');
  const repeat = await notify(notification);
  assert.equal(envelope(repeat).data.status, 'repeat');
  assert.equal(await status(), 'waiting_doctor_confirmation');
  const unknownFields = { order_id: 'CX-NOPE', status_code: '200', gross_amount: '1000.00' };
  const unknown = await notify({
    ...notification,
    ...unknownFields,
    transaction_id: 'mt-2',
    signature_key: signNotification(unknownFields, serverKey),
  });
  assert.equal(envelope(unknown).data.status, 'unknown_order');
});

test('gateway webhook (Midtrans): what the status call says wins over what a notification claims', async (t) => {
  const serverKey = 'SB-Mid-server-test-key-0002';
  const gateway = fakeMidtrans();
  const { ta, res } = await bookThroughMidtrans(t, serverKey, gateway.fetch);
  assert.equal(res.statusCode, 201, res.body);
  const order = envelope(res).data;
  const status = async () =>
    (
      await ta.db
        .selectFrom('orders')
        .select('status')
        .where('transaction_id', '=', order.transaction_id)
        .executeTakeFirstOrThrow()
    ).status;
  const notify = (body: object) => ta.app.inject({ method: 'POST', url: '/payments/webhook', payload: body });
  const pending = { order_id: order.transaction_id, status_code: '201', gross_amount: '250000.00' };
  gateway.states.set(order.transaction_id, { ...pending, transaction_status: 'pending', transaction_id: 'mt-9' });

  // A genuine, signed "pending" notification replayed with its (unsigned) status changed.
  const replayed = await notify({
    ...pending,
    signature_key: signNotification(pending, serverKey),
    transaction_status: 'cancel',
    transaction_id: 'mt-9',
  });
  assert.equal(replayed.statusCode, 200, replayed.body);
  assert.equal(await status(), 'waiting_payment', 'Midtrans says pending: the order stays unpaid');

  // Midtrans out of reach: 503, so that Midtrans sends the notification again; nothing changes.
  gateway.down = true;
  const settled = { order_id: order.transaction_id, status_code: '200', gross_amount: '250000.00' };
  const settlement = {
    ...settled,
    signature_key: signNotification(settled, serverKey),
    transaction_status: 'settlement',
    transaction_id: 'mt-9',
  };
  const unreachable = await notify(settlement);
  assert.equal(unreachable.statusCode, 503, unreachable.body);
  assert.equal(envelope(unreachable).code, 'PAYMENT_UNAVAILABLE');
  assert.equal(unreachable.headers['retry-after'], '30');
  assert.ok(!unreachable.body.includes(serverKey));
  assert.equal(await status(), 'waiting_payment');
  const recorded = await ta.db
    .selectFrom('payment_notifications')
    .innerJoin('orders', 'orders.id', 'payment_notifications.order_id')
    .select('payment_notifications.id')
    .where('orders.transaction_id', '=', order.transaction_id)
    .execute();
  assert.equal(recorded.length, 1, 'only the confirmed pending one was recorded');

  // Midtrans back, the payment settled: the same notification now applies.
  gateway.down = false;
  gateway.states.set(order.transaction_id, { ...settled, transaction_status: 'settlement', transaction_id: 'mt-9' });
  const applied = await notify(settlement);
  assert.equal(envelope(applied).data.status, 'applied');
  assert.equal(await status(), 'waiting_doctor_confirmation');
});

/**
 * Makes the database refuse, once it is armed, to move an order to waiting_doctor_confirmation:
 * a failure inside the payment's transaction, as a deadlock (PostgreSQL) or a refused write
 * (SQLite) would be. `disarm` lets the next attempt through.
 */
async function failPaymentMoves(ta: TestApp, name: string): Promise<{ disarm: () => Promise<void> }> {
  if (onPostgres) {
    await sql
      .raw(
        `CREATE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected deadlock' USING ERRCODE = '40P01'; END $$ LANGUAGE plpgsql`,
      )
      .execute(ta.db);
    await sql
      .raw(
        `CREATE TRIGGER ${name} BEFORE UPDATE ON orders FOR EACH ROW WHEN (NEW.status = 'waiting_doctor_confirmation') EXECUTE FUNCTION ${name}()`,
      )
      .execute(ta.db);
    return {
      disarm: async () => {
        await sql.raw(`DROP TRIGGER ${name} ON orders`).execute(ta.db);
        await sql.raw(`DROP FUNCTION ${name}()`).execute(ta.db);
      },
    };
  }
  await sql
    .raw(
      `CREATE TRIGGER ${name} BEFORE UPDATE ON orders WHEN NEW.status = 'waiting_doctor_confirmation' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
    )
    .execute(ta.db);
  return { disarm: async () => void (await sql.raw(`DROP TRIGGER ${name}`).execute(ta.db)) };
}

test('gateway webhook (Midtrans): a payment whose move fails is not recorded, so the retry applies it', async (t) => {
  const serverKey = 'SB-Mid-server-test-key-0003';
  const gateway = fakeMidtrans();
  const { ta, res } = await bookThroughMidtrans(t, serverKey, gateway.fetch);
  assert.equal(res.statusCode, 201, res.body);
  const order = envelope(res).data;
  const settled = { order_id: order.transaction_id, status_code: '200', gross_amount: '250000.00' };
  gateway.states.set(order.transaction_id, { ...settled, transaction_status: 'settlement', transaction_id: 'mt-7' });
  const notification = {
    ...settled,
    signature_key: signNotification(settled, serverKey),
    transaction_status: 'settlement',
    transaction_id: 'mt-7',
  };
  const notify = () => ta.app.inject({ method: 'POST', url: '/payments/webhook', payload: notification });
  const state = async () => {
    const row = await ta.db
      .selectFrom('orders')
      .select(['id', 'status', 'paid_at'])
      .where('transaction_id', '=', order.transaction_id)
      .executeTakeFirstOrThrow();
    const recorded = await ta.db
      .selectFrom('payment_notifications')
      .select('notification_key')
      .where('order_id', '=', row.id)
      .execute();
    const history = await ta.db.selectFrom('order_events').select('action').where('order_id', '=', row.id).execute();
    return { status: row.status, paid: row.paid_at !== null, recorded, actions: history.map((e) => e.action) };
  };

  const failure = await failPaymentMoves(ta, 'fail_payment_move_once');
  const failed = await notify();
  // Midtrans sends a notification again until it is answered with a 2xx.
  assert.equal(failed.statusCode, 503, failed.body);
  assert.equal(envelope(failed).code, 'PAYMENT_UNAVAILABLE');
  assert.equal(failed.headers['retry-after'], '30');
  assert.deepEqual(await state(), { status: 'waiting_payment', paid: false, recorded: [], actions: ['book'] });

  await failure.disarm();
  const retried = await notify();
  assert.equal(retried.statusCode, 200, retried.body);
  assert.equal(envelope(retried).data.status, 'applied');
  assert.deepEqual(await state(), {
    status: 'waiting_doctor_confirmation',
    paid: true,
    recorded: [{ notification_key: 'mt-7:settlement:200' }],
    actions: ['book', 'pay'],
  });
  const again = await notify();
  assert.equal(envelope(again).data.status, 'repeat');
  assert.equal((await state()).actions.length, 2);
});

test('when the gateway cannot take the payment, the order is not kept and the slot stays free', async (t) => {
  const failing = (async () => new Response('nope', { status: 500 })) as typeof fetch;
  const { ta, practice, res } = await bookThroughMidtrans(t, 'SB-x-key-0001', failing);
  assert.equal(res.statusCode, 503);
  assert.equal(envelope(res).code, 'PAYMENT_UNAVAILABLE');
  const holds = await ta.db
    .selectFrom('slot_holds')
    .innerJoin('orders', 'orders.id', 'slot_holds.order_id')
    .select('orders.id')
    .where('orders.practice_id', '=', practice)
    .execute();
  assert.equal(holds.length, 0);
});

test('date list: free slots a day over a range, in one request', async (t) => {
  const s = await setup(t);
  await book(s, bookingBody(s));
  const res = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/get-date-list',
    headers: authHeaders(s.ta),
    payload: { doctor_has_hospital_id: s.practice, appointment: 'reservasi', from: '2026-11-30', days: 4 },
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(envelope(res).data, [
    { date: '2026-11-30', available_slots: 0 },
    { date: '2026-12-01', available_slots: 6 },
    { date: '2026-12-02', available_slots: 5 },
    { date: '2026-12-03', available_slots: 6 },
  ]);
  const tooMany = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/get-date-list',
    headers: authHeaders(s.ta),
    payload: { doctor_has_hospital_id: s.practice, appointment: 'reservasi', from: '2026-12-01', days: 40 },
  });
  assert.equal(tooMany.statusCode, 422);
  assert.ok(envelope(tooMany).errors?.days);
});

test('a second hold of one doctor and start is refused by the database itself', async (t) => {
  const s = await setup(t);
  const order = envelope(await book(s, bookingBody(s))).data;
  const row = await s.ta.db
    .selectFrom('orders')
    .select(['id', 'doctor_id', 'start_at', 'end_at'])
    .where('transaction_id', '=', order.transaction_id)
    .executeTakeFirstOrThrow();
  await assert.rejects(
    insertHold(s.ta.db, {
      id: newId(),
      order_id: row.id,
      doctor_id: row.doctor_id,
      start_at: row.start_at,
      end_at: row.end_at,
      kind: 'proposal',
      created_at: T0,
    }),
  );
});

test('deadlines: unconfirmed orders refund an hour before, call rooms open 10 minutes before, missed meetings are marked, stale proposals lapse', async (t) => {
  const s = await setup(t, { MAX_UNPAID_ORDERS: '10' });
  const pay = async (body: object) => {
    const order = envelope(await book(s, body)).data;
    await s.ta.app.inject({ method: 'POST', url: `${new URL(order.payment_url).pathname}/complete` });
    return order.transaction_id as string;
  };
  const status = async (id: string) => envelope(await show(s, id)).data.status as string;
  const unconfirmed = await pay(bookingBody(s, { time: '2026-12-01 10:00' })); // 03:00 UTC
  const call = await pay(bookingBody(s, { type: 'call', time: '2026-12-01 13:00', price: 150000 })); // 06:00 UTC
  const proposed = await pay(bookingBody(s, { time: '2026-12-03 09:00' }));
  const accepted = await s.ta.app.services.booking.move(
    await s.ta.db.selectFrom('orders').selectAll().where('transaction_id', '=', call).executeTakeFirstOrThrow(),
    'confirm',
    'doctor',
    undefined,
  );
  assert.equal(accepted.status, 'waiting_meeting');
  assert.equal(
    (await put(s, { transaction_id: proposed, type: 'reschedulle_patient', date: '2026-12-04', time: '09:00' }))
      .statusCode,
    200,
  );

  s.clock.now = Date.UTC(2026, 11, 1, 2, 1); // 09:01 local: within an hour of the 10:00 start
  await s.ta.app.services.booking.runDeadlines();
  assert.equal(await status(unconfirmed), 'waiting_refund');

  s.clock.now = Date.UTC(2026, 11, 1, 5, 51); // 12:51 local: 9 minutes before the 13:00 call
  await s.ta.app.services.booking.runDeadlines();
  assert.equal(await status(call), 'join_now');
  assert.match(envelope(await show(s, call)).data.meeting_url, /^https:\/\/meet\.jit\.si\/cexup-/);

  s.clock.now = Date.UTC(2026, 11, 1, 6, 51); // 13:51 local: 31 minutes after its 13:20 end
  await s.ta.app.services.booking.runDeadlines();
  assert.equal(await status(call), 'missed_meeting');

  s.clock.now = T0 + 24 * 3_600_000 + 60_000; // a day after the proposal, nobody answered
  await s.ta.app.services.booking.runDeadlines();
  const lapsed = envelope(await show(s, proposed)).data;
  assert.equal(lapsed.status, 'waiting_doctor_confirmation', 'back to the status before the proposal');
  assert.equal(lapsed.proposed_date, null);
});
