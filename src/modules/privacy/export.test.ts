import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, envelope } from '../../../test/helpers.js';
import { bearer, book, fullProfile, pay, privacySetup } from '../../../test/fixtures/privacy.js';

test('the export holds all of the patient’s data, the identity number in clear, as a no-store download', async (t) => {
  const s = await privacySetup(t);
  await fullProfile(s, s.patient, '3273015203940001');
  const order = await book(s, s.patient, { allow_access_data: true });
  await pay(s, order);
  await book(s, s.other, {}, '2026-12-02 10:00');
  const read = await s.ta.app.inject({
    method: 'GET',
    url: `/api/admin/orders/${order.transaction_id as string}`,
    headers: bearer(s, s.admin.token),
  });
  assert.equal(read.statusCode, 200);

  // The notification job fills the inboxes (booked, paid).
  await s.ta.app.services.notifications.runJob();

  const res = await s.ta.app.inject({ method: 'GET', url: '/api/me/export', headers: authHeaders(s.ta, s.patient) });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(String(res.headers['content-disposition']), /^attachment; filename="cexup-data-2026-12-01\.json"$/);
  const data = envelope(res).data;
  assert.equal(data.profile.user_id, s.patient.userId);
  assert.equal(data.profile.email, s.patient.email);
  assert.equal(data.profile.no_type, '************0001', 'the profile stays masked');
  assert.deepEqual(data.identity, { type: 'ktp', number: '3273015203940001' });
  assert.equal(data.profile.phone_number, '081234567890');
  assert.match(data.profile.thumb, /\/files\/avatars\/[0-9a-f-]{36}\.jpg$/);
  assert.equal(data.obgyn.suami, 'Budi Santoso');
  assert.deepEqual(
    data.orders.map((o: { transaction_id: string }) => o.transaction_id),
    [order.transaction_id],
    'own orders only',
  );
  assert.equal(data.orders[0].allow_access_data, true);
  assert.deepEqual(
    data.orders[0].history.map((h: { status: string }) => h.status),
    ['waiting_payment', 'waiting_doctor_confirmation'],
  );
  assert.ok(data.notifications.length >= 2, res.body);
  assert.ok(
    data.notifications.every((n: { transaction_id: string }) => n.transaction_id === order.transaction_id),
    'own notifications only',
  );
  assert.deepEqual(
    data.access_log.map((e: { actor: { role: string }; what: string }) => [e.actor.role, e.what]),
    [['admin', 'order']],
  );
  assert.equal(data.login_addresses.length, 1);
  assert.equal(data.email_verified_at, null);

  // The other patient's export has none of this patient's data.
  const other = await s.ta.app.inject({ method: 'GET', url: '/api/me/export', headers: authHeaders(s.ta, s.other) });
  const otherData = envelope(other).data;
  assert.deepEqual(otherData.identity, { type: null, number: null });
  assert.equal(otherData.obgyn, null);
  assert.equal(otherData.orders.length, 1);
  assert.ok(
    otherData.notifications.every((n: { transaction_id: string }) => n.transaction_id !== order.transaction_id),
  );
  assert.ok(!other.body.includes('3273015203940001'));
  assert.deepEqual(otherData.access_log, []);
});

test('the export needs the patient’s own token; the clear number appears nowhere else', async (t) => {
  const s = await privacySetup(t);
  await fullProfile(s, s.patient, '3273015203940002');
  const noToken = await s.ta.app.inject({ method: 'GET', url: '/api/me/export', headers: authHeaders(s.ta) });
  assert.equal(noToken.statusCode, 401);
  assert.equal(envelope(noToken).code, 'UNAUTHENTICATED');
  const doctor = await s.ta.app.inject({ method: 'GET', url: '/api/me/export', headers: bearer(s, s.doctor.token) });
  assert.equal(doctor.statusCode, 401);
  const me = await s.ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(s.ta, s.patient) });
  assert.ok(!me.body.includes('3273015203940002'));
});
