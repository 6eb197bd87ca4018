import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, build, envelope, registerPatient } from '../../../test/helpers.js';
import {
  bearer,
  book,
  pay,
  privacySetup,
  refundedOrder,
  T0,
  type PrivacySetup,
} from '../../../test/fixtures/privacy.js';

const accessLog = async (s: PrivacySetup, token: string, query = '') => {
  const res = await s.ta.app.inject({
    method: 'GET',
    url: `/api/me/access-log${query}`,
    headers: { ...authHeaders(s.ta), authorization: `Bearer ${token}` },
  });
  return { res, body: envelope(res) };
};

const rowsOf = (s: PrivacySetup, patientId: string) =>
  s.ta.db
    .selectFrom('access_log')
    .select(['actor_user_id', 'actor_role', 'what', 'subject'])
    .where('patient_user_id', '=', patientId)
    .orderBy('id')
    .execute();

test('reads by the doctor and by admins are logged in the same request; the patient lists them, readers by role and name', async (t) => {
  const s = await privacySetup(t);
  const order = await book(s, s.patient, { allow_access_data: true });
  await pay(s, order);
  const id = order.transaction_id as string;
  // The patient reading their own order is not a read by someone else.
  await s.ta.app.inject({
    method: 'POST',
    url: '/api/user/order/show',
    headers: authHeaders(s.ta, s.patient),
    payload: { transaction_id: id },
  });
  assert.deepEqual(await rowsOf(s, s.patient.userId), []);

  s.clock.now = T0 + 60_000;
  const list = await s.ta.app.inject({
    method: 'GET',
    url: '/api/doctor-app/orders',
    headers: bearer(s, s.doctor.token),
  });
  assert.equal(list.statusCode, 200);
  s.clock.now = T0 + 120_000;
  const confirmed = await s.ta.app.inject({
    method: 'POST',
    url: `/api/doctor-app/orders/${id}/confirm`,
    headers: bearer(s, s.doctor.token),
  });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  s.clock.now = T0 + 180_000;
  assert.equal(
    (await s.ta.app.inject({ method: 'GET', url: '/api/admin/orders', headers: bearer(s, s.admin.token) })).statusCode,
    200,
  );
  s.clock.now = T0 + 240_000;
  assert.equal(
    (await s.ta.app.inject({ method: 'GET', url: `/api/admin/orders/${id}`, headers: bearer(s, s.admin.token) }))
      .statusCode,
    200,
  );

  assert.deepEqual(await rowsOf(s, s.patient.userId), [
    { actor_user_id: s.doctor.userId, actor_role: 'doctor', what: 'orders_list', subject: null },
    { actor_user_id: s.doctor.userId, actor_role: 'doctor', what: 'order', subject: id },
    { actor_user_id: s.admin.userId, actor_role: 'admin', what: 'orders_list', subject: null },
    { actor_user_id: s.admin.userId, actor_role: 'admin', what: 'order', subject: id },
  ]);
  assert.deepEqual(await rowsOf(s, s.other.userId), [], 'nobody read the other patient');

  const { res, body } = await accessLog(s, s.patient.token);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.deepEqual(body.meta, { current_page: 1, per_page: 10, total: 4, last_page: 1 });
  assert.deepEqual(body.data[0], {
    read_at: new Date(T0 + 240_000).toISOString(),
    actor: { role: 'admin', name: 'Admin Privasi' },
    what: 'order',
    transaction_id: id,
  });
  assert.deepEqual(body.data[2].actor, { role: 'doctor', name: `${s.fx.prefix} dr. Andi Wijaya, Sp.A` }, res.body);
  assert.ok(!res.body.includes('@'), 'no reader email in the answer');

  const page2 = await accessLog(s, s.patient.token, '?data=3&page=2');
  assert.deepEqual(page2.body.meta, { current_page: 2, per_page: 3, total: 4, last_page: 2 });
  assert.equal(page2.body.data.length, 1);
  assert.equal(page2.body.data[0].what, 'orders_list');

  const other = await accessLog(s, s.other.token);
  assert.deepEqual(other.body.data, []);
  const bad = await accessLog(s, s.patient.token, '?page=abc');
  assert.equal(bad.res.statusCode, 422);
  assert.ok(bad.body.errors?.page);
  const doctorToken = await accessLog(s, s.doctor.token);
  assert.equal(doctorToken.res.statusCode, 401, 'a patient route');
});

test('a read whose log cannot be written fails and sends no patient data', async (t) => {
  const s = await privacySetup(t);
  const order = await book(s, s.patient);
  const id = order.transaction_id as string;
  const original = s.ta.app.services.privacy.recordOrderReads;
  s.ta.app.services.privacy.recordOrderReads = async () => {
    throw new Error('log store down');
  };
  t.after(() => {
    s.ta.app.services.privacy.recordOrderReads = original;
  });
  const res = await s.ta.app.inject({
    method: 'GET',
    url: `/api/admin/orders/${id}`,
    headers: bearer(s, s.admin.token),
  });
  assert.equal(res.statusCode, 500);
  assert.equal(envelope(res).data, null);
  assert.ok(!res.body.includes('Siti'), 'the patient name never left');
});

test('a refund answer and the audit trail of an order are reads of the patient’s data too', async (t) => {
  const s = await privacySetup(t);
  const id = await refundedOrder(s, s.patient);
  const audit = await s.ta.app.inject({
    method: 'GET',
    url: '/api/admin/audit-log?entity=order',
    headers: bearer(s, s.admin.token),
  });
  assert.equal(audit.statusCode, 200, audit.body);
  assert.equal(envelope(audit).data.length, 1);
  const admin = (await rowsOf(s, s.patient.userId)).filter((r) => r.actor_role === 'admin');
  assert.deepEqual(admin, [
    { actor_user_id: s.admin.userId, actor_role: 'admin', what: 'order', subject: id },
    { actor_user_id: s.admin.userId, actor_role: 'admin', what: 'audit_log', subject: id },
  ]);
});

test('a page past any list is a 422, not a database error (found by the fuzz suite)', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  for (const [query, body] of [
    ['', '{"page":1.5e178}'],
    ['', '{"page":10000000001}'],
    ['?page=99999999999999999999', ''],
  ] as const) {
    const res = await ta.app.inject({
      method: 'GET',
      url: `/api/me/access-log${query}`,
      headers: { ...authHeaders(ta, patient), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { payload: body } : {}),
    });
    assert.equal(res.statusCode, 422, `${query}${body}: ${res.body}`);
    assert.deepEqual(envelope(res).errors, { page: ['The page may not be greater than 1000000000.'] });
  }
  const last = await ta.app.inject({
    method: 'GET',
    url: '/api/me/access-log?page=1000000000&data=100',
    headers: authHeaders(ta, patient),
  });
  assert.equal(last.statusCode, 200, last.body);
  assert.deepEqual(envelope(last).data, []);
});
