import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { andiVisit, insertCatalogue, insertRule, openAndiForVisits } from '../../../test/catalogue-fixture.js';
import { authHeaders, build, envelope, registerPatient, uniqueName, type TestApp } from '../../../test/helpers.js';
import { createDoctorLogin } from '../doctors/doctors.service.js';

// Tuesday 1 December 2026, 07:00 in Jakarta (00:00 UTC).
const T0 = Date.UTC(2026, 11, 1, 0, 0);

/**
 * Issue 13: an app key scoped to some hospitals must keep every order route to those hospitals.
 * A patient books Dr Andi in Jakarta (A) and in Makassar (B) through an unscoped app, then uses
 * a kiosk app scoped to Jakarta.
 */
async function setup(t: TestContext) {
  const clock = { now: T0 };
  const ta = await build(t, { env: { DEMO_MODE: 'true' }, now: () => clock.now });
  const fx = await insertCatalogue(ta.db, uniqueName('hs').toLowerCase());
  await openAndiForVisits(ta.db, fx);
  await insertRule(ta.db, fx.practiceIds['andi@makassar']!, {
    weekday: 3,
    start_time: '09:00',
    end_time: '10:00',
    slot_minutes: 30,
    appointment_type: 'reservasi',
  });
  const patient = await registerPatient(ta);
  const book = async (body: object) => {
    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/doctor/booking',
      headers: authHeaders(ta, patient),
      payload: body,
    });
    assert.equal(res.statusCode, 201, res.body);
    return envelope(res).data.transaction_id as string;
  };
  const atA = await book(andiVisit(fx));
  const atB = await book(andiVisit(fx, { id: fx.practiceIds['andi@makassar'], price: 200000 }));
  const kiosk = await ta.app.services.apps.createApp('Jakarta kiosk', { hospitals: [`${fx.prefix}-jakarta`] });
  const login = await ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: { 'x-api-key': kiosk.key },
    payload: { email: patient.email, password: patient.password },
  });
  assert.equal(login.statusCode, 200, login.body);
  const kioskHeaders = { 'x-api-key': kiosk.key, authorization: `Bearer ${envelope(login).data.access_token}` };
  return { ta, fx, clock, patient, atA, atB, kiosk, kioskHeaders };
}

/** Everything stored about an order: its row, its history, its held slots, its notifications. */
async function stored(ta: TestApp, transactionId: string) {
  const order = await ta.db
    .selectFrom('orders')
    .selectAll()
    .where('transaction_id', '=', transactionId)
    .executeTakeFirstOrThrow();
  const of = (table: 'order_events' | 'slot_holds') =>
    ta.db.selectFrom(table).selectAll().where('order_id', '=', order.id).orderBy('id').execute();
  // Notifications waiting to go out: which ones (a job may be sending them meanwhile).
  const outbox = await ta.db
    .selectFrom('notification_outbox')
    .select('id')
    .where('order_id', '=', order.id)
    .orderBy('id')
    .execute();
  return { order, events: await of('order_events'), holds: await of('slot_holds'), outbox };
}

test("a key scoped to hospital A lists, shows and moves only A's orders; B's are 404 and unchanged", async (t) => {
  const { ta, patient, atA, atB, kioskHeaders } = await setup(t);
  const before = await stored(ta, atB);

  const list = await ta.app.inject({ method: 'POST', url: '/api/user/orders', headers: kioskHeaders, payload: {} });
  assert.equal(list.statusCode, 200, list.body);
  assert.deepEqual(
    envelope(list).data.map((o: { transaction_id: string }) => o.transaction_id),
    [atA],
  );
  assert.equal(envelope(list).meta.total, 1);
  for (const filter of [{ type: 'pending' }, { appointment: 'reservasi' }, { data: 100, page: 1 }]) {
    const filtered = await ta.app.inject({
      method: 'POST',
      url: '/api/user/orders',
      headers: kioskHeaders,
      payload: filter,
    });
    assert.deepEqual(
      envelope(filtered).data.map((o: { transaction_id: string }) => o.transaction_id),
      [atA],
      JSON.stringify(filter),
    );
  }

  const show = (transactionId: string) =>
    ta.app.inject({
      method: 'POST',
      url: '/api/user/order/show',
      headers: kioskHeaders,
      payload: { transaction_id: transactionId },
    });
  const hidden = await show(atB);
  assert.equal(hidden.statusCode, 404, hidden.body);
  assert.deepEqual(envelope(hidden), {
    success: false,
    message: envelope(hidden).message,
    code: 'ORDER_NOT_FOUND',
    data: null,
  });
  assert.equal((await show(atA)).statusCode, 200);

  for (const payload of [
    { type: 'accept' },
    { type: 'reject_by_patient' },
    { type: 'reschedulle_patient', time: '2026-12-02 09:30' },
    { type: 'reschedule_patient', date: '2026-12-02', time: '09:30' },
  ]) {
    const res = await ta.app.inject({
      method: 'PUT',
      url: '/api/user/orders',
      headers: kioskHeaders,
      payload: { transaction_id: atB, ...payload },
    });
    assert.equal(res.statusCode, 404, `${payload.type}: ${res.body}`);
    assert.equal(envelope(res).code, 'ORDER_NOT_FOUND');
    assert.ok(!res.body.includes(atB), 'the answer does not name the order');
  }
  assert.deepEqual(await stored(ta, atB), before, "B's order, history, slots and notifications are unchanged");

  // Inside the scope the routes work as before; the unscoped app still has both orders.
  const cancelA = await ta.app.inject({
    method: 'PUT',
    url: '/api/user/orders',
    headers: kioskHeaders,
    payload: { transaction_id: atA, type: 'reject_by_patient' },
  });
  assert.equal(cancelA.statusCode, 200, cancelA.body);
  assert.equal(envelope(cancelA).data.status, 'order_cancel');
  const everywhere = await ta.app.inject({
    method: 'POST',
    url: '/api/user/orders',
    headers: authHeaders(ta, patient),
    payload: {},
  });
  assert.deepEqual(
    envelope(everywhere)
      .data.map((o: { transaction_id: string }) => o.transaction_id)
      .sort(),
    [atA, atB].sort(),
  );
});

test('an Idempotency-Key repeated after the scope shrank answers as a first request would: 404', async (t) => {
  const { ta, fx, kiosk, kioskHeaders } = await setup(t);
  const body = andiVisit(fx, { time: '2026-12-02 09:30' });
  const headers = { ...kioskHeaders, 'idempotency-key': 'kiosk-retry-1' };
  const first = await ta.app.inject({ method: 'POST', url: '/api/doctor/booking', headers, payload: body });
  assert.equal(first.statusCode, 201, first.body);
  const again = await ta.app.inject({ method: 'POST', url: '/api/doctor/booking', headers, payload: body });
  assert.equal(again.statusCode, 200, 'a replay while in scope');

  await ta.db
    .updateTable('client_apps')
    .set({ hospital_scope: JSON.stringify([`${fx.prefix}-makassar`]) })
    .where('id', '=', kiosk.appId)
    .execute();
  ta.app.services.apps.clearCache();
  const replay = await ta.app.inject({ method: 'POST', url: '/api/doctor/booking', headers, payload: body });
  assert.equal(replay.statusCode, 404, replay.body);
  assert.equal(envelope(replay).code, 'PRACTICE_NOT_FOUND_PUBLIC');
  assert.ok(!replay.body.includes(envelope(first).data.transaction_id));
});

test("a doctor on a scoped key lists and moves only the orders at the key's hospitals", async (t) => {
  const { ta, fx, atA, atB, kiosk } = await setup(t);
  const email = `${uniqueName('andi')}@rs.example.id`;
  await createDoctorLogin(ta.db, { slug: `${fx.prefix}-andi`, email, password: 'dokter-andi-2026' }, T0);
  const login = await ta.app.inject({
    method: 'POST',
    url: '/api/login/doctor',
    headers: { 'x-api-key': kiosk.key },
    payload: { email, password: 'dokter-andi-2026' },
  });
  assert.equal(login.statusCode, 200, login.body);
  const headers = { 'x-api-key': kiosk.key, authorization: `Bearer ${envelope(login).data.access_token}` };
  const list = await ta.app.inject({ method: 'GET', url: '/api/doctor-app/orders', headers });
  assert.equal(list.statusCode, 200, list.body);
  assert.deepEqual(
    envelope(list).data.map((o: { transaction_id: string }) => o.transaction_id),
    [atA],
  );
  const before = await stored(ta, atB);
  for (const action of ['confirm', 'decline', 'propose']) {
    const res = await ta.app.inject({
      method: 'POST',
      url: `/api/doctor-app/orders/${atB}/${action}`,
      headers,
      ...(action === 'propose' ? { payload: { date: '2026-12-02', time: '09:30' } } : {}),
    });
    assert.equal(res.statusCode, 404, `${action}: ${res.body}`);
    assert.equal(envelope(res).code, 'ORDER_NOT_FOUND');
  }
  assert.deepEqual(await stored(ta, atB), before);
});
