import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { createAdmin } from '../../src/modules/admin/index.js';
import { createDoctorLogin } from '../../src/modules/doctors/doctors.service.js';
import { insertCatalogue, insertRule, type Fixture } from '../catalogue-fixture.js';
import { authHeaders, build, envelope, registerPatient, uniqueName, type Patient, type TestApp } from '../helpers.js';

/**
 * The people of the access matrix: patients A and B on app key K1, patient C on key K2 (scoped
 * to one hospital), doctors D1 (A's orders are with D1) and D2, an admin. A has everything a
 * patient can have: a full profile with an identity number, an avatar, an obgyn profile, orders
 * in many states (with history, holds, an idempotency key), notifications, access-log rows.
 */

/** Tuesday 1 December 2026, 07:00 in Jakarta. */
export const T0 = Date.UTC(2026, 11, 1, 0, 0);

export const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** A's profile: values chosen so that none of them can appear in anyone else's answer by chance. */
export const A_PROFILE = {
  name: 'Larasati Kusumawardhani',
  address: 'Jl. Cempaka Wangi Nomor 17, Pangkalpinang',
  gender: 'perempuan',
  phone_number: '081398765432',
  date_of_birth: '1991-07-23',
  place_of_birth: 'Tanjungpandan',
  type: 'ktp',
  // 16 digits; the birth-date part is 63 07 91 (the day plus 40 for a woman).
  no_type: '3273016307917391',
};
export const A_OBGYN = {
  suami: 'Hendrawan Saputradinata',
  faskes1: 'Puskesmas Cibeunying Kidul',
  faskes_rujukan: 'RSIA Melati Kasih',
  pendidikan: 'magister',
  pekerjaan: 'arsitek lanskap',
};
export const A_NOTE = 'Nyeri punggung bawah menjalar sejak minggu lalu';
export const A_IDEMPOTENCY_KEY = 'laras-idem-7f3e9c';

export interface Token {
  token: string;
  userId: string;
}

export interface AOrder {
  transactionId: string;
  status: string;
  paymentUrl: string | null;
}

export interface World {
  ta: TestApp;
  fx: Fixture;
  clock: { now: number };
  k1: { key: string; appId: string };
  k2: { key: string; appId: string };
  a: Patient;
  b: Patient;
  c: Patient;
  d1: Token & { slug: string };
  d2: Token & { slug: string };
  admin: Token;
  /** A's second session, logged out before the matrix. */
  aRevoked: string;
  /** A's orders by the state they were left in. */
  orders: Record<string, AOrder>;
  /** The body of A's booking that used A_IDEMPOTENCY_KEY (its slot is still held). */
  idempotentBody: Record<string, unknown>;
  /** Notification ids: A's inbox, and D1's rows about A's orders. */
  aNotificationIds: string[];
  d1NotificationIds: string[];
  /** A's own answers, read before the matrix (the source of A's values). */
  aMe: Record<string, unknown>;
  aExport: Record<string, unknown>;
}

export async function buildWorld(t: TestContext): Promise<World> {
  const clock = { now: T0 };
  const ta = await build(t, { env: { DEMO_MODE: 'true' }, now: () => clock.now });
  const fx = await insertCatalogue(ta.db, uniqueName('m').toLowerCase());
  for (let weekday = 1; weekday <= 7; weekday++) {
    const rule = { weekday, slot_minutes: 30, appointment_type: 'call' as const };
    await insertRule(ta.db, fx.practiceIds['andi@jakarta']!, { ...rule, start_time: '09:00', end_time: '12:00' });
    await insertRule(ta.db, fx.practiceIds['dewi@jakarta']!, { ...rule, start_time: '13:00', end_time: '15:00' });
  }
  const scoped = await ta.app.services.apps.createApp('Makassar kiosk', { hospitals: [`${fx.prefix}-makassar`] });
  const k1 = { key: ta.apiKey, appId: ta.appId };
  const k2 = { key: scoped.key, appId: scoped.appId };
  const onK2: TestApp = { ...ta, apiKey: k2.key, appId: k2.appId };

  const a = await registerPatient(ta, {
    name: A_PROFILE.name,
    address: A_PROFILE.address,
    username: `larasati${uniqueName('k')}`,
  });
  const b = await registerPatient(ta, { name: 'Bambang Pamungkas', address: 'Jl. Merdeka 1, Bogor' });
  const c = await registerPatient(onK2, { name: 'Cahyani Putri', address: 'Jl. Somba Opu 3, Makassar' });

  const call = async (who: Patient, method: 'POST' | 'PUT', url: string, payload: object, key = k1.key) => {
    const res = await ta.app.inject({
      method,
      url,
      headers: { 'x-api-key': key, authorization: `Bearer ${who.token}` },
      payload,
    });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return envelope(res).data;
  };
  await call(a, 'POST', '/api/update/patient', A_PROFILE);
  await call(a, 'POST', '/api/obgyn', A_OBGYN);
  await call(a, 'POST', '/api/avatar', { file: PNG, type: 'png' });
  await call(b, 'POST', '/api/update/patient', { phone_number: '085600001111', gender: 'laki-laki' });
  await call(b, 'POST', '/api/obgyn', { suami: 'Bukan Siapa Siapa' });

  const login = async (url: string, email: string, password: string) => {
    const res = await ta.app.inject({ method: 'POST', url, headers: authHeaders(ta), payload: { email, password } });
    assert.equal(res.statusCode, 200, res.body);
    const data = envelope(res).data;
    return { token: data.access_token as string, userId: data.user.user_id as string };
  };
  const doctor = async (key: 'andi' | 'dewi') => {
    const email = `${uniqueName('dok')}@rs.example.id`;
    const slug = `${fx.prefix}-${key}`;
    await createDoctorLogin(ta.db, { slug, email, password: 'dokter-sandi-2026' });
    return { ...(await login('/api/login/doctor', email, 'dokter-sandi-2026')), slug };
  };
  const d1 = await doctor('andi');
  const d2 = await doctor('dewi');
  const adminEmail = `${uniqueName('admin')}@cexup.test`;
  await createAdmin(ta.db, { name: 'Admin Matriks', email: adminEmail, password: 'admin-sandi-2026' });
  const admin = await login('/api/login/admin', adminEmail, 'admin-sandi-2026');

  // A's orders, all with D1 (andi at Jakarta).
  const bookingBody = (time: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: fx.practiceIds['andi@jakarta'],
    username_doctor: `${fx.prefix}andi`,
    time,
    type: 'call',
    patient: A_PROFILE.name,
    price: 150000,
    note: A_NOTE,
    allow_access_data: true,
    ...extra,
  });
  const book = async (who: Patient, time: string, headers: Record<string, string> = {}, body = bookingBody(time)) => {
    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/doctor/booking',
      headers: { ...authHeaders(ta, who), ...headers },
      payload: body,
    });
    assert.equal(res.statusCode, 201, res.body);
    return envelope(res).data as { transaction_id: string; payment_url: string | null };
  };
  const pay = async (order: { payment_url: string | null }) => {
    const res = await ta.app.inject({ method: 'POST', url: `${new URL(order.payment_url!).pathname}/complete` });
    assert.equal(res.statusCode, 200, res.body);
  };
  const doctorAct = async (tx: string, action: string, payload?: object) => {
    const res = await ta.app.inject({
      method: 'POST',
      url: `/api/doctor-app/orders/${tx}/${action}`,
      headers: { 'x-api-key': k1.key, authorization: `Bearer ${d1.token}` },
      ...(payload ? { payload } : {}),
    });
    assert.equal(res.statusCode, 200, res.body);
  };
  const patientAct = (tx: string, type: string, extra: object = {}) =>
    call(a, 'PUT', '/api/user/orders', { transaction_id: tx, type, ...extra });

  const unpaid = await book(a, '2026-12-02 09:00');
  const idempotentBody = bookingBody('2026-12-02 09:30');
  const toConfirm = await book(a, '2026-12-02 09:30', { 'idempotency-key': A_IDEMPOTENCY_KEY }, idempotentBody);
  await pay(toConfirm);
  const confirmed = await book(a, '2026-12-02 10:00');
  await pay(confirmed);
  await doctorAct(confirmed.transaction_id, 'confirm');
  const doctorProposal = await book(a, '2026-12-02 10:30');
  await pay(doctorProposal);
  await doctorAct(doctorProposal.transaction_id, 'propose', { date: '2026-12-04', time: '09:00' });
  const patientProposal = await book(a, '2026-12-02 11:00');
  await pay(patientProposal);
  await patientAct(patientProposal.transaction_id, 'reschedulle_patient', { date: '2026-12-04', time: '09:30' });
  const declined = await book(a, '2026-12-02 11:30');
  await pay(declined);
  await doctorAct(declined.transaction_id, 'decline');
  const cancelled = await book(a, '2026-12-03 09:00');
  await patientAct(cancelled.transaction_id, 'reject_by_patient');
  const done = await book(a, '2026-12-03 09:30');
  await pay(done);
  await doctorAct(done.transaction_id, 'confirm');
  // The room opens and the meeting starts only near its time (09:30 local, 02:30 UTC): the clock
  // goes there for the meeting and back, so the world's other orders stay ahead.
  clock.now = Date.UTC(2026, 11, 3, 2, 25);
  for (const action of ['open-room', 'start']) await doctorAct(done.transaction_id, action);
  clock.now = Date.UTC(2026, 11, 3, 2, 50); // finished after its start
  await doctorAct(done.transaction_id, 'finish');
  clock.now = T0;
  const refunded = await book(a, '2026-12-03 10:00');
  await pay(refunded);
  await doctorAct(refunded.transaction_id, 'decline');
  const refund = await ta.app.inject({
    method: 'POST',
    url: `/api/admin/orders/${refunded.transaction_id}/refund`,
    headers: { 'x-api-key': k1.key, authorization: `Bearer ${admin.token}` },
    payload: { reference: 'transfer laras 0112' },
  });
  assert.equal(refund.statusCode, 200, refund.body);

  // B's own orders: one with D1, one with D2, so their lists are not empty.
  await pay(
    await book(b, '2026-12-03 10:30', {}, { ...bookingBody('2026-12-03 10:30'), patient: 'Bambang', note: null }),
  );
  await pay(
    await book(
      b,
      '2026-12-02 13:00',
      {},
      {
        ...bookingBody('2026-12-02 13:00'),
        id: fx.practiceIds['dewi@jakarta'],
        username_doctor: `${fx.prefix}dewi`,
        price: 175000,
        patient: 'Bambang',
        note: null,
      },
    ),
  );

  // Inboxes filled; D1 and the admin read A's orders (access-log rows).
  await ta.app.services.notifications.runJob();
  const list = await ta.app.inject({
    method: 'GET',
    url: '/api/doctor-app/orders',
    headers: { 'x-api-key': k1.key, authorization: `Bearer ${d1.token}` },
  });
  assert.equal(list.statusCode, 200, list.body);
  const adminShow = await ta.app.inject({
    method: 'GET',
    url: `/api/admin/orders/${confirmed.transaction_id}`,
    headers: { 'x-api-key': k1.key, authorization: `Bearer ${admin.token}` },
  });
  assert.equal(adminShow.statusCode, 200, adminShow.body);

  // A's second session, ended.
  const second = await login('/api/login/patient', a.username, a.password);
  const out = await ta.app.inject({
    method: 'POST',
    url: '/api/logout',
    headers: { 'x-api-key': k1.key, authorization: `Bearer ${second.token}` },
  });
  assert.equal(out.statusCode, 200, out.body);

  const aNotificationIds = (
    await ta.db.selectFrom('notifications').select('id').where('user_id', '=', a.userId).execute()
  ).map((r) => r.id);
  const d1NotificationIds = (
    await ta.db.selectFrom('notifications').select('id').where('user_id', '=', d1.userId).execute()
  ).map((r) => r.id);
  assert.ok(aNotificationIds.length > 5 && d1NotificationIds.length > 2, 'the inboxes are filled');

  const read = async (url: string) => {
    const res = await ta.app.inject({ method: 'GET', url, headers: authHeaders(ta, a) });
    assert.equal(res.statusCode, 200, res.body);
    return envelope(res).data as Record<string, unknown>;
  };
  const aMe = await read('/api/me');
  const aExport = await read('/api/me/export');

  const orders: Record<string, AOrder> = {};
  for (const [name, o] of Object.entries({
    unpaid,
    toConfirm,
    confirmed,
    doctorProposal,
    patientProposal,
    declined,
    cancelled,
    done,
    refunded,
  })) {
    const row = await ta.db
      .selectFrom('orders')
      .select(['status', 'payment_url'])
      .where('transaction_id', '=', o.transaction_id)
      .executeTakeFirstOrThrow();
    orders[name] = { transactionId: o.transaction_id, status: row.status, paymentUrl: row.payment_url };
  }
  // The states the matrix is meant to cover.
  assert.deepEqual(
    Object.values(orders)
      .map((o) => o.status)
      .sort(),
    [
      'done',
      'order_cancel',
      'refunded',
      'reschedule_from_doctor',
      'reschedule_from_patient',
      'waiting_doctor_confirmation',
      'waiting_meeting',
      'waiting_payment',
      'waiting_refund',
    ],
  );

  return {
    ta,
    fx,
    clock,
    k1,
    k2,
    a,
    b,
    c,
    d1,
    d2,
    admin,
    aRevoked: second.token,
    orders,
    idempotentBody,
    aNotificationIds,
    d1NotificationIds,
    aMe,
    aExport,
  };
}
