import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, build, envelope, registerPatient, type Patient } from '../../../test/helpers.js';
import {
  bearer,
  book,
  fullProfile,
  privacySetup,
  refundedOrder,
  type PrivacySetup,
} from '../../../test/fixtures/privacy.js';

const erase = (s: PrivacySetup, patient: Patient, payload: object) =>
  s.ta.app.inject({ method: 'DELETE', url: '/api/me', headers: authHeaders(s.ta, patient), payload });

const userRow = (s: PrivacySetup, id: string) =>
  s.ta.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

const ordersOf = (s: PrivacySetup, id: string) =>
  s.ta.db.selectFrom('orders').selectAll().where('patient_user_id', '=', id).orderBy('id').execute();

const eventsOf = (s: PrivacySetup, id: string) =>
  s.ta.db
    .selectFrom('order_events')
    .innerJoin('orders', 'orders.id', 'order_events.order_id')
    .selectAll('order_events')
    .where('orders.patient_user_id', '=', id)
    .orderBy('order_events.id')
    .execute();

const count = async (
  s: PrivacySetup,
  table: 'images' | 'obgyn_profiles' | 'known_addresses',
  column: string,
  id: string,
) =>
  Number(
    (
      await s.ta.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .where(column as never, '=', id as never)
        .executeTakeFirstOrThrow()
    ).n,
  );

test('deleting the account erases personal data, ends every session, keeps the orders anonymised; the email is free again', async (t) => {
  const s = await privacySetup(t);
  await fullProfile(s, s.patient, '3273015203940003');
  await fullProfile(s, s.other, '3273015203940004');
  const id = await refundedOrder(s, s.patient, { allow_access_data: true }, '2026-12-02 09:00');
  const otherOrder = await book(s, s.other, {}, '2026-12-02 10:00');
  // A second session of the same patient.
  const login = await s.ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: authHeaders(s.ta),
    payload: { email: s.patient.email, password: s.patient.password },
  });
  const secondToken = envelope(login).data.access_token as string;
  const thumb = envelope(
    await s.ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(s.ta, s.patient) }),
  ).data.thumb as string;
  assert.equal((await s.ta.app.inject({ method: 'GET', url: new URL(thumb).pathname })).statusCode, 200);

  await s.ta.app.services.notifications.runJob();
  const inbox = (id: string) =>
    s.ta.db.selectFrom('notifications').select('id').where('user_id', '=', id).orderBy('id').execute();
  assert.ok((await inbox(s.patient.userId)).length > 0);
  const otherInbox = await inbox(s.other.userId);

  const before = await userRow(s, s.patient.userId);
  const ordersBefore = await ordersOf(s, s.patient.userId);
  const eventsBefore = await eventsOf(s, s.patient.userId);
  const otherBefore = await userRow(s, s.other.userId);
  const otherOrdersBefore = await ordersOf(s, s.other.userId);

  const wrong = await erase(s, s.patient, { password: 'not-the-password' });
  assert.equal(wrong.statusCode, 422);
  assert.equal(envelope(wrong).code, 'VALIDATION_FAILED');
  assert.deepEqual(Object.keys(envelope(wrong).errors ?? {}), ['password']);
  assert.deepEqual(await userRow(s, s.patient.userId), before, 'a wrong password changes nothing');
  const missing = await erase(s, s.patient, {});
  assert.equal(missing.statusCode, 422);
  assert.ok(envelope(missing).errors?.password);
  const someoneElse = await erase(s, s.patient, { password: s.patient.password, user_id: s.other.userId });
  assert.equal(someoneElse.statusCode, 403);

  const res = await erase(s, s.patient, { password: s.patient.password });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(envelope(res), {
    success: true,
    message: 'Your account and personal data have been deleted.',
    data: null,
  });

  const after = await userRow(s, s.patient.userId);
  assert.equal(after.id, before.id);
  assert.equal(after.name, '');
  assert.equal(after.email, `erased-${before.id}@erased.invalid`);
  assert.equal(after.username, `erased-${before.id}`);
  for (const field of [
    'address',
    'gender',
    'phone_number',
    'date_of_birth',
    'place_of_birth',
    'id_type',
    'id_number_enc',
    'id_number_masked',
    'id_number_hmac',
    'avatar_image_id',
  ] as const) {
    assert.equal(after[field], null, field);
  }
  assert.notEqual(after.password_hash, before.password_hash);
  assert.ok(after.erased_at !== null);
  assert.equal(await count(s, 'images', 'owner_user_id', before.id), 0);
  assert.equal((await s.ta.app.inject({ method: 'GET', url: new URL(thumb).pathname })).statusCode, 404);
  assert.equal(await count(s, 'obgyn_profiles', 'user_id', before.id), 0);
  assert.deepEqual(await inbox(before.id), [], 'the inbox goes with the account');
  assert.deepEqual(await inbox(s.other.userId), otherInbox);
  assert.equal(await count(s, 'known_addresses', 'user_id', before.id), 0);
  for (const table of ['recovery_secrets', 'verified_emails'] as const) {
    const rows = await s.ta.db.selectFrom(table).select('user_id').where('user_id', '=', before.id).execute();
    assert.deepEqual(rows, [], table);
  }
  const live = await s.ta.db
    .selectFrom('access_tokens')
    .select('id')
    .where('user_id', '=', before.id)
    .where('revoked_at', 'is', null)
    .execute();
  assert.deepEqual(live, []);
  for (const token of [s.patient.token, secondToken]) {
    const me = await s.ta.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { ...authHeaders(s.ta), authorization: `Bearer ${token}` },
    });
    assert.equal(me.statusCode, 401);
  }
  const oldLogin = await s.ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: authHeaders(s.ta),
    payload: { email: s.patient.email, password: s.patient.password },
  });
  assert.equal(oldLogin.statusCode, 401);

  // Orders: the same rows, amounts, statuses and history; the name and the note blanked.
  const ordersAfter = await ordersOf(s, s.patient.userId);
  assert.deepEqual(
    ordersAfter,
    ordersBefore.map((o) => ({ ...o, patient_name: '', note: null })),
  );
  assert.equal(ordersBefore[0]!.patient_name, 'Siti Rahayu');
  assert.deepEqual(await eventsOf(s, s.patient.userId), eventsBefore);
  const audit = await s.ta.db
    .selectFrom('audit_log')
    .select(['before_json', 'after_json'])
    .where('entity', '=', 'order')
    .where('entity_id', '=', id)
    .executeTakeFirstOrThrow();
  assert.ok(!`${audit.before_json}${audit.after_json}`.includes('Siti'), 'the audit trail forgets the name');
  assert.ok(!`${audit.before_json}${audit.after_json}`.includes('Sakit kepala'), 'and the note');
  const adminView = await s.ta.app.inject({
    method: 'GET',
    url: `/api/admin/orders/${id}`,
    headers: bearer(s, s.admin.token),
  });
  const shown = envelope(adminView).data;
  assert.equal(shown.status, 'refunded');
  assert.equal(shown.price, 150000);
  assert.equal(shown.patient, '');
  assert.equal(shown.note, null);
  assert.equal(shown.user_id, before.id);

  // The other patient is untouched.
  assert.deepEqual(await userRow(s, s.other.userId), otherBefore);
  assert.deepEqual(await ordersOf(s, s.other.userId), otherOrdersBefore);
  assert.equal(otherOrdersBefore[0]!.transaction_id, otherOrder.transaction_id);

  // The same email, username and identity number make a new account.
  const again = await registerPatient(s.ta, { username: s.patient.username, email: s.patient.email });
  assert.notEqual(again.userId, before.id);
  const idAgain = await s.ta.app.inject({
    method: 'POST',
    url: '/api/update/patient',
    headers: authHeaders(s.ta, again),
    payload: { type: 'ktp', no_type: '3273015203940003' },
  });
  assert.equal(idAgain.statusCode, 200, idAgain.body);
  const newExport = envelope(
    await s.ta.app.inject({ method: 'GET', url: '/api/me/export', headers: authHeaders(s.ta, again) }),
  ).data;
  assert.deepEqual(newExport.orders, [], 'the old orders do not follow the email');
});

test('an account with open orders is not deleted (409), and nothing changes', async (t) => {
  const s = await privacySetup(t);
  await book(s, s.patient);
  const before = await userRow(s, s.patient.userId);
  const res = await erase(s, s.patient, { password: s.patient.password });
  assert.equal(res.statusCode, 409, res.body);
  assert.equal(envelope(res).code, 'ACCOUNT_HAS_OPEN_ORDERS');
  assert.equal(envelope(res).data, null);
  assert.deepEqual(await userRow(s, s.patient.userId), before);
  const me = await s.ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(s.ta, s.patient) });
  assert.equal(me.statusCode, 200);
});

test('wrong passwords lock deletion out like logins: 429 with Retry-After, even with the right one', async (t) => {
  // Another app on the same database, with a low lockout threshold.
  const strict = await build(t, { env: { LOGIN_MAX_FAILURES_PER_ADDRESS: '3' } });
  const patient = await registerPatient(strict);
  for (let i = 0; i < 3; i++) {
    const res = await strict.app.inject({
      method: 'DELETE',
      url: '/api/me',
      headers: authHeaders(strict, patient),
      payload: { password: `wrong-${i}` },
    });
    assert.equal(res.statusCode, 422);
  }
  const locked = await strict.app.inject({
    method: 'DELETE',
    url: '/api/me',
    headers: authHeaders(strict, patient),
    payload: { password: patient.password },
  });
  assert.equal(locked.statusCode, 429, locked.body);
  assert.equal(envelope(locked).code, 'LOGIN_LOCKED');
  assert.ok(Number(locked.headers['retry-after']) > 0);
  const row = await strict.db
    .selectFrom('users')
    .select('erased_at')
    .where('id', '=', patient.userId)
    .executeTakeFirstOrThrow();
  assert.equal(row.erased_at, null);
});
