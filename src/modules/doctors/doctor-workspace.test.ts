// The doctor workspace's API (issue #15): its browser session, the agenda's fields, the order
// page with the patient as consented, the moves with what the doctor writes, proposing from free
// slots, leave where the hospital allows it, and the inbox polled with an ETag.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authHeaders, envelope, uniqueName } from '../../../test/helpers.js';
import {
  act,
  DOCTOR_PASSWORD,
  paidOrder,
  setup,
  show,
  stored,
  T0,
  type Setup,
} from '../../../test/fixtures/doctors.js';
import { createAdmin } from '../admin/index.js';

const cookieOf = (res: LightMyRequestResponse) => /cexup_doctor=([^;]*)/.exec(String(res.headers['set-cookie']))?.[1];

/** Signs the first doctor in as the workspace does: JSON, no key; the cookie and the CSRF value. */
async function signIn(s: Setup, login = s.doctorEmail) {
  const res = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor-app/session',
    payload: { email: login, password: DOCTOR_PASSWORD },
  });
  assert.equal(res.statusCode, 200, res.body);
  const cookie = cookieOf(res)!;
  return { res, cookie, csrf: envelope(res).data.csrf_token as string };
}

type Browser = Awaited<ReturnType<typeof signIn>>;

const inBrowser = (
  s: Setup,
  b: Browser,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: object,
  headers: Record<string, string> = {},
) =>
  s.ta.app.inject({
    method,
    url,
    headers: {
      cookie: `cexup_doctor=${b.cookie}`,
      ...(method === 'GET' ? {} : { 'x-csrf-token': b.csrf }),
      ...headers,
    },
    ...(payload ? { payload } : {}),
  });

/** The first doctor's account id. */
const doctorUserId = async (s: Setup): Promise<string> =>
  (await s.ta.db.selectFrom('users').select('id').where('email', '=', s.doctorEmail).executeTakeFirstOrThrow()).id;

const asDoctor = (s: Setup, token = s.doctorToken) => ({ ...authHeaders(s.ta), authorization: `Bearer ${token}` });

async function adminToken(s: Setup): Promise<string> {
  const email = `${uniqueName('operator')}@cexup.test`;
  await createAdmin(s.ta.db, { name: 'Operator', email, password: 'admin-rahasia-123' });
  const res = await s.ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(s.ta),
    payload: { email, password: 'admin-rahasia-123' },
  });
  return envelope(res).data.access_token as string;
}

test('sign-in: a cookie scoped to /api/doctor-app, no token in the body; it works without a key, and only there', async (t) => {
  const s = await setup(t);
  const { res, cookie, csrf } = await signIn(s);
  const set = String(res.headers['set-cookie']);
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Strict/);
  assert.match(set, /Path=\/api\/doctor-app/);
  assert.ok(!('access_token' in envelope(res).data), 'the token stays in the cookie');
  assert.equal(envelope(res).data.user.email, s.doctorEmail);

  const b = { res, cookie, csrf };
  const me = await inBrowser(s, b, 'GET', '/api/doctor-app/session');
  assert.equal(me.statusCode, 200);
  assert.equal(envelope(me).data.csrf_token, csrf, 'a reload gets the same CSRF value back');
  assert.equal((await inBrowser(s, b, 'GET', '/api/doctor-app/orders')).statusCode, 200);
  // A change without the CSRF value is refused and changes nothing.
  const id = await paidOrder(s);
  const forged = await s.ta.app.inject({
    method: 'POST',
    url: `/api/doctor-app/orders/${id}/confirm`,
    headers: { cookie: `cexup_doctor=${cookie}` },
  });
  assert.equal(forged.statusCode, 403);
  assert.equal(forged.json().code, 'CSRF_TOKEN_INVALID');
  assert.equal((await stored(s, id)).order.status, 'waiting_doctor_confirmation');
  // The cookie is nothing outside the doctor's API, nor a Bearer token of a partner app.
  const elsewhere = await s.ta.app.inject({
    method: 'GET',
    url: '/api/me',
    headers: { cookie: `cexup_doctor=${cookie}` },
  });
  assert.equal(elsewhere.statusCode, 401);
  assert.equal(elsewhere.json().code, 'API_KEY_INVALID');
  const asBearer = await s.ta.app.inject({
    method: 'GET',
    url: '/api/doctor-app/orders',
    headers: asDoctor(s, cookie),
  });
  assert.equal(asBearer.statusCode, 401);
});

test('sign-in takes the username too, refuses patients, wrong passwords and forms', async (t) => {
  const s = await setup(t);
  const user = await s.ta.db
    .selectFrom('users')
    .select('username')
    .where('email', '=', s.doctorEmail)
    .executeTakeFirstOrThrow();
  await signIn(s, user.username);
  const wrong = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor-app/session',
    payload: { email: s.doctorEmail, password: 'salah-sandi-2026' },
  });
  assert.equal(wrong.statusCode, 401);
  assert.equal(wrong.json().code, 'INVALID_CREDENTIALS');
  assert.equal(cookieOf(wrong), undefined);
  const patient = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor-app/session',
    payload: { email: s.patient.email, password: s.patient.password },
  });
  assert.equal(patient.json().code, 'INVALID_CREDENTIALS', 'a patient is no doctor');
  const form = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor-app/session',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `email=${encodeURIComponent(s.doctorEmail)}&password=${DOCTOR_PASSWORD}`,
  });
  assert.equal(form.statusCode, 415);
});

test('sign out here, or everywhere: then even the Bearer token of another app is refused', async (t) => {
  const s = await setup(t);
  const here = await signIn(s);
  const other = await signIn(s);
  const out = await inBrowser(s, here, 'DELETE', '/api/doctor-app/session');
  assert.equal(out.statusCode, 200);
  assert.match(String(out.headers['set-cookie']), /cexup_doctor=;/);
  assert.equal((await inBrowser(s, here, 'GET', '/api/doctor-app/session')).statusCode, 401);
  assert.equal((await inBrowser(s, other, 'GET', '/api/doctor-app/session')).statusCode, 200, 'only this one ended');
  assert.equal(
    (await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/orders', headers: asDoctor(s) })).statusCode,
    200,
  );

  const everywhere = await inBrowser(s, other, 'DELETE', '/api/doctor-app/session?everywhere=true');
  assert.equal(everywhere.statusCode, 200);
  assert.equal((await inBrowser(s, other, 'GET', '/api/doctor-app/session')).statusCode, 401);
  const bearer = await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/orders', headers: asDoctor(s) });
  assert.equal(bearer.statusCode, 401, 'the partner app’s token ended too');
  const other2 = await s.ta.app.inject({
    method: 'GET',
    url: '/api/doctor-app/orders',
    headers: asDoctor(s, s.otherDoctorToken),
  });
  assert.equal(other2.statusCode, 200, 'another doctor is not signed out');
});

test('change password: the current one is checked, the new one long enough; other sessions end', async (t) => {
  const s = await setup(t);
  const b = await signIn(s);
  const wrong = await inBrowser(s, b, 'POST', '/api/doctor-app/password', {
    current_password: 'bukan-sandi-ini',
    new_password: 'sandi-dokter-baru-2026',
  });
  assert.equal(wrong.statusCode, 422);
  assert.ok(wrong.json().errors.current_password);
  const short = await inBrowser(s, b, 'POST', '/api/doctor-app/password', {
    current_password: DOCTOR_PASSWORD,
    new_password: 'pendek',
  });
  assert.equal(short.statusCode, 422);
  assert.ok(short.json().errors.new_password);
  const mismatch = await inBrowser(s, b, 'POST', '/api/doctor-app/password', {
    current_password: DOCTOR_PASSWORD,
    new_password: 'sandi-dokter-baru-2026',
    new_password_confirmation: 'sandi-dokter-lain-2026',
  });
  assert.equal(mismatch.statusCode, 422);
  const ok = await inBrowser(s, b, 'POST', '/api/doctor-app/password', {
    current_password: DOCTOR_PASSWORD,
    new_password: 'sandi-dokter-baru-2026',
    new_password_confirmation: 'sandi-dokter-baru-2026',
  });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal((await inBrowser(s, b, 'GET', '/api/doctor-app/session')).statusCode, 200, 'this session goes on');
  const bearer = await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/orders', headers: asDoctor(s) });
  assert.equal(bearer.statusCode, 401, 'the other session ended');
  const again = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor-app/session',
    payload: { email: s.doctorEmail, password: 'sandi-dokter-baru-2026' },
  });
  assert.equal(again.statusCode, 200);
});

test('the agenda: a date range in the hospital’s zone, each order with its deadline and the moves open now', async (t) => {
  const s = await setup(t);
  const tomorrow = await paidOrder(s, '2026-12-02 09:00');
  const later = await paidOrder(s, '2026-12-04 10:00');
  const list = async (query: string) => {
    const res = await s.ta.app.inject({ method: 'GET', url: `/api/doctor-app/orders?${query}`, headers: asDoctor(s) });
    assert.equal(res.statusCode, 200, res.body);
    return envelope(res).data as { transaction_id: string; actions: string[]; respond_before: string | null }[];
  };
  assert.deepEqual(
    (await list('from=2026-12-02&to=2026-12-02')).map((o) => o.transaction_id),
    [tomorrow],
  );
  assert.deepEqual(
    (await list('from=2026-12-03')).map((o) => o.transaction_id),
    [later],
  );
  const [first] = await list('from=2026-12-01&to=2026-12-07');
  assert.deepEqual(first!.actions, ['confirm', 'decline', 'propose']);
  assert.equal(first!.respond_before, '2026-12-02T08:00:00+07:00', 'an hour before the start');
  const bad = await s.ta.app.inject({
    method: 'GET',
    url: '/api/doctor-app/orders?from=2026-13-01',
    headers: asDoctor(s),
  });
  assert.equal(bad.statusCode, 422);
  assert.ok(bad.json().errors.from);

  // Confirmed: other moves open; those the table does not allow now are not offered, and forced
  // through the API they get the 409 naming the status.
  assert.equal((await act(s, s.doctorToken, tomorrow, 'confirm')).statusCode, 200);
  const confirmed = (await list('from=2026-12-02&to=2026-12-02'))[0]!;
  assert.deepEqual(confirmed.actions, ['propose']);
  assert.equal(confirmed.respond_before, null);
  const forced = await act(s, s.doctorToken, tomorrow, 'start');
  assert.equal(forced.statusCode, 409);
  assert.match(forced.json().message, /waiting_meeting/);
  // Within 15 minutes of the start the room may open; after the grace, missed.
  s.clock.now = Date.parse('2026-12-02T08:50:00+07:00');
  assert.deepEqual((await list('from=2026-12-02&to=2026-12-02'))[0]!.actions, ['propose', 'open-room']);
  s.clock.now = Date.parse('2026-12-02T09:20:00+07:00');
  assert.deepEqual((await list('from=2026-12-02&to=2026-12-02'))[0]!.actions, ['propose', 'open-room', 'missed']);
});

test('the order page: the patient’s age, gender and obgyn profile only with consent; another doctor’s is a 404', async (t) => {
  const s = await setup(t);
  const headers = authHeaders(s.ta, s.patient);
  await s.ta.app.inject({
    method: 'POST',
    url: '/api/update/patient',
    headers,
    payload: { gender: 'perempuan', date_of_birth: '1994-12-03', phone_number: '081234567890' },
  });
  await s.ta.app.inject({ method: 'POST', url: '/api/obgyn', headers, payload: { suami: 'Budi Santoso' } });
  const consented = await paidOrder(s, '2026-12-02 09:00', { allow_access_data: true });
  const withheld = await paidOrder(s, '2026-12-02 09:30');
  const detail = async (id: string, token = s.doctorToken) =>
    s.ta.app.inject({ method: 'GET', url: `/api/doctor-app/orders/${id}`, headers: asDoctor(s, token) });

  const open = envelope(await detail(consented)).data;
  assert.deepEqual(
    { ...open.patient_profile, obgyn: open.patient_profile.obgyn.suami },
    { age: 31, gender: 'perempuan', date_of_birth: '1994-12-03', obgyn: 'Budi Santoso' },
    'a day before the 32nd birthday',
  );
  assert.ok(!('user_id' in open.patient_profile.obgyn));
  assert.deepEqual(
    open.history.map((h: { action: string }) => h.action),
    ['book', 'pay'],
  );

  const closed = envelope(await detail(withheld)).data;
  assert.equal(closed.patient_profile, null);
  assert.equal(closed.patient_account.date_of_birth, null);
  assert.equal(closed.patient_account.gender, null);
  assert.equal(closed.patient, 'Siti', 'the name always');

  const foreign = await detail(consented, s.otherDoctorToken);
  assert.equal(foreign.statusCode, 404);
  assert.equal(foreign.json().code, 'ORDER_NOT_FOUND');
  // Every read is in the patient's access log.
  const logged = await s.ta.db
    .selectFrom('access_log')
    .select('what')
    .where('patient_user_id', '=', s.patient.userId)
    .execute();
  assert.ok(logged.some((r) => r.what === 'order'));
});

test('decline with a reason the patient reads; a reason too long is a 422 and changes nothing', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s);
  const before = await stored(s, id);
  const long = await act(s, s.doctorToken, id, 'decline', { reason: 'x'.repeat(501) });
  assert.equal(long.statusCode, 422);
  assert.ok(long.json().errors.reason);
  assert.deepEqual(await stored(s, id), before);
  const res = await act(s, s.doctorToken, id, 'decline', { reason: '  Saya sedang bertugas di IGD.  ' });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(envelope(res).data.decline_reason, 'Saya sedang bertugas di IGD.');
  const seen = await show(s, id);
  assert.equal(seen.status, 'waiting_refund');
  assert.equal(seen.decline_reason, 'Saya sedang bertugas di IGD.');
});

test('finish with a note and ICD-10 codes: stored, shown to the patient; a bad code is a 422 on the field', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s);
  await act(s, s.doctorToken, id, 'confirm');
  s.clock.now = Date.parse('2026-12-02T08:55:00+07:00');
  assert.equal((await act(s, s.doctorToken, id, 'open-room')).statusCode, 200);
  assert.equal((await act(s, s.doctorToken, id, 'start')).statusCode, 200);
  s.clock.now = Date.parse('2026-12-02T09:20:00+07:00');
  const before = await stored(s, id);
  const bad = await act(s, s.doctorToken, id, 'finish', { note: 'ISPA ringan.', diagnosis_codes: ['J06.9', 'flu'] });
  assert.equal(bad.statusCode, 422);
  assert.ok(bad.json().errors.diagnosis_codes);
  const tooMany = await act(s, s.doctorToken, id, 'finish', {
    note: 'ISPA ringan.',
    diagnosis_codes: Array.from({ length: 11 }, (_, i) => `J0${i % 10}`),
  });
  assert.equal(tooMany.statusCode, 422);
  assert.deepEqual(await stored(s, id), before, 'nothing half-written');

  const res = await act(s, s.doctorToken, id, 'finish', {
    note: 'ISPA ringan. Istirahat, minum air, parasetamol bila demam.',
    diagnosis_codes: ['j06.9', 'R50.9', 'J06.9'],
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(envelope(res).data.actions, []);
  const row = (await stored(s, id)).order;
  assert.equal(row.status, 'done');
  assert.deepEqual(JSON.parse(row.diagnosis_codes!), ['J06.9', 'R50.9'], 'upper case, once each');
  const seen = await show(s, id);
  assert.equal(seen.consultation_note, 'ISPA ringan. Istirahat, minum air, parasetamol bila demam.');
  assert.deepEqual(seen.diagnosis_codes, ['J06.9', 'R50.9']);
  // Done: nothing more to do, and forcing a move names the status.
  const again = await act(s, s.doctorToken, id, 'finish', { note: 'lagi' });
  assert.equal(again.statusCode, 409);
  assert.match(again.json().message, /done/);
});

test('free slots to propose: free, ahead, not the order’s own time; proposing one reaches the patient', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s, '2026-12-02 09:00');
  await paidOrder(s, '2026-12-02 09:30');
  const slots = async (date: string, token = s.doctorToken) =>
    s.ta.app.inject({
      method: 'GET',
      url: `/api/doctor-app/orders/${id}/free-slots?date=${date}`,
      headers: asDoctor(s, token),
    });
  const times = (envelope(await slots('2026-12-02')).data as { time: string }[]).map((x) => x.time);
  assert.deepEqual(times, ['10:00', '10:30', '11:00', '11:30'], 'not 09:00 (its own), not 09:30 (taken)');
  assert.equal((await slots('2026-12-02', s.otherDoctorToken)).statusCode, 404);
  const missing = await s.ta.app.inject({
    method: 'GET',
    url: `/api/doctor-app/orders/${id}/free-slots`,
    headers: asDoctor(s),
  });
  assert.equal(missing.statusCode, 422);
  assert.ok(missing.json().errors.date);

  assert.equal((await act(s, s.doctorToken, id, 'propose', { date: '2026-12-02', time: '10:30' })).statusCode, 200);
  const seen = await show(s, id);
  assert.deepEqual(
    [seen.status, seen.proposed_date, seen.proposed_time],
    ['reschedule_from_doctor', '2026-12-02', '10:30'],
  );
  const after = (envelope(await slots('2026-12-02')).data as { time: string }[]).map((x) => x.time);
  assert.ok(!after.includes('10:30'), 'the proposal holds its slot');
});

test('leave: refused where the hospital plans it; allowed, it closes the slots, lists the orders in it, is audited', async (t) => {
  const s = await setup(t);
  const practice = s.fx.practiceIds['andi@jakarta']!;
  const inLeave = await paidOrder(s, '2026-12-03 10:00');
  const outside = await paidOrder(s, '2026-12-03 11:30');
  const leave = (payload: object, token = s.doctorToken) =>
    s.ta.app.inject({ method: 'POST', url: '/api/doctor-app/leave', headers: asDoctor(s, token), payload });

  const practices = envelope(
    await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/practices', headers: asDoctor(s) }),
  ).data;
  const own = practices.find((p: { id: number }) => p.id === practice);
  assert.deepEqual([own.leave_allowed, own.timezone, own.call], [false, 'Asia/Jakarta', true]);
  assert.ok(!practices.some((p: { id: number }) => p.id === s.fx.practiceIds['dewi@jakarta']));
  const refused = await leave({ practice_id: practice, date: '2026-12-03' });
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().code, 'LEAVE_NOT_ALLOWED');
  assert.equal(
    (await s.ta.db.selectFrom('schedule_exceptions').select('id').where('practice_id', '=', practice).execute()).length,
    0,
  );

  // The hospital lets its doctors mark leave (a back-office field).
  const admin = await adminToken(s);
  const hospital = await s.ta.db
    .selectFrom('practices')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .select('hospitals.slug')
    .where('practices.id', '=', practice)
    .executeTakeFirstOrThrow();
  const patch = await s.ta.app.inject({
    method: 'PUT',
    url: `/api/admin/hospitals/${hospital.slug}`,
    headers: { ...authHeaders(s.ta), authorization: `Bearer ${admin}` },
    payload: { doctor_leave_allowed: true },
  });
  assert.equal(patch.statusCode, 200, patch.body);
  assert.equal(envelope(patch).data.doctor_leave_allowed, true);

  const notMine = await leave({ practice_id: s.fx.practiceIds['dewi@jakarta']!, date: '2026-12-03' });
  assert.equal(notMine.statusCode, 422);
  assert.ok(notMine.json().errors.practice_id);
  const half = await leave({ practice_id: practice, date: '2026-12-03', start_time: '10:00' });
  assert.equal(half.statusCode, 422);
  assert.ok(half.json().errors.end_time);

  const made = await leave({ practice_id: practice, date: '2026-12-03', start_time: '09:30', end_time: '11:00' });
  assert.equal(made.statusCode, 200, made.body);
  const { leave: created, affected_orders: affected } = envelope(made).data;
  assert.deepEqual(
    affected.map((o: { transaction_id: string; actions: string[] }) => [o.transaction_id, o.actions]),
    [[inLeave, ['confirm', 'decline', 'propose']]],
  );
  assert.ok(!affected.some((o: { transaction_id: string }) => o.transaction_id === outside));
  // Its slots close for patients; those outside stay open.
  const timeList = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/get-time-list',
    headers: authHeaders(s.ta),
    payload: { doctor_has_hospital_id: practice, date: '2026-12-03', appointment: 'call' },
  });
  const free = (envelope(timeList).data as { time: string; available: boolean }[]).filter((x) => x.available);
  assert.deepEqual(
    free.map((x) => x.time),
    ['09:00', '11:00'],
  );
  const audit = await s.ta.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', 'schedule_exception')
    .where('entity_id', '=', created.id)
    .execute();
  const doctorUser = { id: await doctorUserId(s) };
  assert.deepEqual(
    audit.map((a) => [a.action, a.actor_user_id]),
    [['create', doctorUser.id]],
  );

  // Listed, its orders again, and the other doctor neither sees nor removes it.
  const listed = envelope(
    await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/leave?from=2026-12-01', headers: asDoctor(s) }),
  ).data;
  assert.deepEqual(
    listed.map((l: { id: string; start_time: string }) => [l.id, l.start_time]),
    [[created.id, '09:30']],
  );
  const orders = await s.ta.app.inject({
    method: 'GET',
    url: `/api/doctor-app/leave/${created.id}/orders`,
    headers: asDoctor(s),
  });
  assert.deepEqual(
    envelope(orders).data.map((o: { transaction_id: string }) => o.transaction_id),
    [inLeave],
  );
  const foreign = await s.ta.app.inject({
    method: 'DELETE',
    url: `/api/doctor-app/leave/${created.id}`,
    headers: asDoctor(s, s.otherDoctorToken),
  });
  assert.equal(foreign.statusCode, 404);
  // Rescheduling the affected order: propose a free slot outside the leave.
  assert.equal(
    (await act(s, s.doctorToken, inLeave, 'propose', { date: '2026-12-03', time: '11:00' })).statusCode,
    200,
  );
  assert.equal((await show(s, inLeave)).status, 'reschedule_from_doctor');
  const removed = await s.ta.app.inject({
    method: 'DELETE',
    url: `/api/doctor-app/leave/${created.id}`,
    headers: asDoctor(s),
  });
  assert.equal(removed.statusCode, 200);
  assert.equal(
    (await s.ta.db.selectFrom('schedule_exceptions').select('id').where('practice_id', '=', practice).execute()).length,
    0,
  );
});

test('the inbox answers with an ETag: polling with If-None-Match gets a 304 until something arrives', async (t) => {
  const s = await setup(t);
  const b = await signIn(s);
  const first = await inBrowser(s, b, 'GET', '/api/doctor-app/notifications?data=20');
  assert.equal(first.statusCode, 200);
  const etag = String(first.headers.etag);
  assert.match(etag, /^".+"$/);
  assert.equal(first.headers['cache-control'], 'no-store');
  const same = await inBrowser(s, b, 'GET', '/api/doctor-app/notifications?data=20', undefined, {
    'if-none-match': etag,
  });
  assert.equal(same.statusCode, 304);
  assert.equal(same.body, '');

  await paidOrder(s);
  // The outbox turns the paid order into the doctor's notification.
  await s.ta.app.services.notifications.runJob();
  const changed = await inBrowser(s, b, 'GET', '/api/doctor-app/notifications?data=20', undefined, {
    'if-none-match': etag,
  });
  assert.equal(changed.statusCode, 200);
  assert.notEqual(changed.headers.etag, etag);
  const body = changed.json();
  assert.equal(body.unread, 1);
  assert.equal(body.data[0].type, 'order.paid');
});

/** Lets the doctors of the practice's hospital mark leave, as an operator does in the back office. */
async function allowLeave(s: Setup, practice: number): Promise<void> {
  await s.ta.db
    .updateTable('hospitals')
    .set({ doctor_leave_allowed: 1 })
    .where('id', '=', s.ta.db.selectFrom('practices').select('hospital_id').where('id', '=', practice))
    .execute();
}

test('an app scoped to other hospitals sees none of the doctor’s practices or leave there', async (t) => {
  const s = await setup(t);
  const practice = s.fx.practiceIds['andi@jakarta']!;
  await allowLeave(s, practice);
  const leave = envelope(
    await s.ta.app.inject({
      method: 'POST',
      url: '/api/doctor-app/leave',
      headers: asDoctor(s),
      payload: { practice_id: practice, date: '2026-12-03' },
    }),
  ).data.leave;
  const kiosk = await s.ta.app.services.apps.createApp('Makassar kiosk', { hospitals: [`${s.fx.prefix}-makassar`] });
  const login = await s.ta.app.inject({
    method: 'POST',
    url: '/api/login/doctor',
    headers: { 'x-api-key': kiosk.key },
    payload: { email: s.doctorEmail, password: DOCTOR_PASSWORD },
  });
  const h = { 'x-api-key': kiosk.key, authorization: `Bearer ${envelope(login).data.access_token}` };
  const practices = envelope(
    await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/practices', headers: h }),
  ).data;
  assert.ok(!practices.some((p: { id: number }) => p.id === practice));
  assert.deepEqual(
    envelope(await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/leave', headers: h })).data,
    [],
  );
  const outside = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor-app/leave',
    headers: h,
    payload: { practice_id: practice, date: '2026-12-04' },
  });
  assert.equal(outside.statusCode, 422);
  assert.ok(outside.json().errors.practice_id);
  for (const [method, url] of [
    ['GET', `/api/doctor-app/leave/${leave.id}/orders`],
    ['DELETE', `/api/doctor-app/leave/${leave.id}`],
  ] as const) {
    const res = await s.ta.app.inject({ method, url, headers: h });
    assert.equal(res.statusCode, 404, url);
    assert.equal(res.json().code, 'LEAVE_NOT_FOUND');
  }
  assert.equal(
    (await s.ta.db.selectFrom('schedule_exceptions').select('id').where('practice_id', '=', practice).execute()).length,
    1,
  );
});

test('leave the hospital planned is shown but not the doctor’s to remove; the same leave twice is one', async (t) => {
  const s = await setup(t);
  const practice = s.fx.practiceIds['andi@jakarta']!;
  await allowLeave(s, practice);
  const admin = await adminToken(s);
  const planned = await s.ta.app.inject({
    method: 'POST',
    url: `/api/admin/practices/${practice}/schedule/exceptions`,
    headers: { ...authHeaders(s.ta), authorization: `Bearer ${admin}` },
    payload: { date: '2026-12-05', kind: 'leave' },
  });
  assert.equal(planned.statusCode, 201, planned.body);
  const listed = envelope(
    await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/leave', headers: asDoctor(s) }),
  ).data;
  assert.deepEqual(
    listed.map((l: { date: string; mine: boolean }) => [l.date, l.mine]),
    [['2026-12-05', false]],
  );
  const refused = await s.ta.app.inject({
    method: 'DELETE',
    url: `/api/doctor-app/leave/${listed[0].id}`,
    headers: asDoctor(s),
  });
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().code, 'LEAVE_PLANNED_BY_HOSPITAL');

  const mark = () =>
    s.ta.app.inject({
      method: 'POST',
      url: '/api/doctor-app/leave',
      headers: asDoctor(s),
      payload: { practice_id: practice, date: '2026-12-06', start_time: '09:00', end_time: '10:00' },
    });
  const first = envelope(await mark()).data.leave;
  const again = envelope(await mark()).data.leave;
  assert.equal(again.id, first.id, 'a retry answers with the leave that exists');
  assert.equal(first.mine, true);
  const rows = await s.ta.db
    .selectFrom('schedule_exceptions')
    .select(['date', 'created_by'])
    .where('practice_id', '=', practice)
    .orderBy('date')
    .execute();
  const doctorUser = { id: await doctorUserId(s) };
  assert.deepEqual(
    rows.map((r) => [r.date, r.created_by]),
    [
      ['2026-12-05', null],
      ['2026-12-06', doctorUser.id],
    ],
  );
});

test('a patient’s proposal into the doctor’s new leave is listed, can only be rejected, and is never accepted', async (t) => {
  const s = await setup(t);
  const practice = s.fx.practiceIds['andi@jakarta']!;
  await allowLeave(s, practice);
  const id = await paidOrder(s, '2026-12-03 09:00');
  await act(s, s.doctorToken, id, 'confirm');
  const proposed = await s.ta.app.inject({
    method: 'PUT',
    url: '/api/user/orders',
    headers: authHeaders(s.ta, s.patient),
    payload: { transaction_id: id, type: 'reschedulle_patient', date: '2026-12-04', time: '11:00' },
  });
  assert.equal(proposed.statusCode, 200, proposed.body);
  const made = envelope(
    await s.ta.app.inject({
      method: 'POST',
      url: '/api/doctor-app/leave',
      headers: asDoctor(s),
      payload: { practice_id: practice, date: '2026-12-04' },
    }),
  ).data;
  assert.deepEqual(
    made.affected_orders.map((o: { transaction_id: string; actions: string[] }) => [o.transaction_id, o.actions]),
    [[id, ['reject-proposal']]],
    'its proposal falls in the leave: accepting it is not offered',
  );
  const before = await stored(s, id);
  const forced = await act(s, s.doctorToken, id, 'accept-proposal');
  assert.equal(forced.statusCode, 409);
  assert.equal(forced.json().code, 'PROPOSAL_NO_LONGER_OFFERED');
  assert.deepEqual(await stored(s, id), before, 'nothing moved');
  const rejected = await act(s, s.doctorToken, id, 'reject-proposal');
  assert.equal(envelope(rejected).data.status, 'waiting_meeting');
  assert.equal((await show(s, id)).time, '09:00');
});

test('free slots follow the proposal’s rules even where the practice is hidden from patients', async (t) => {
  const s = await setup(t);
  const practice = s.fx.practiceIds['andi@jakarta']!;
  const id = await paidOrder(s, '2026-12-02 09:00');
  await s.ta.db.updateTable('practices').set({ unpublished_at: T0 }).where('id', '=', practice).execute();
  s.ta.app.services.booking.invalidate();
  const res = await s.ta.app.inject({
    method: 'GET',
    url: `/api/doctor-app/orders/${id}/free-slots?date=2026-12-02`,
    headers: asDoctor(s),
  });
  assert.equal(res.statusCode, 200, res.body);
  const times = (envelope(res).data as { time: string }[]).map((x) => x.time);
  assert.equal(times[0], '09:30');
  assert.equal((await act(s, s.doctorToken, id, 'propose', { date: '2026-12-02', time: times[0] })).statusCode, 200);
});

test('past the confirmation deadline confirm is neither offered nor accepted; the order page’s profile read is logged', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s, '2026-12-02 09:00', { allow_access_data: true });
  s.clock.now = Date.parse('2026-12-02T08:30:00+07:00');
  const listed = envelope(await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/orders', headers: asDoctor(s) }))
    .data[0];
  assert.deepEqual(listed.actions, ['decline', 'propose']);
  const late = await act(s, s.doctorToken, id, 'confirm');
  assert.equal(late.statusCode, 409);
  assert.equal(late.json().code, 'CONFIRMATION_DEADLINE_PASSED');
  assert.match(late.json().message, /2026-12-02T08:00:00\+07:00/);
  assert.equal((await stored(s, id)).order.status, 'waiting_doctor_confirmation');

  await s.ta.app.inject({ method: 'GET', url: `/api/doctor-app/orders/${id}`, headers: asDoctor(s) });
  const logged = await s.ta.db
    .selectFrom('access_log')
    .select('what')
    .where('patient_user_id', '=', s.patient.userId)
    .where('subject', '=', id)
    .execute();
  assert.deepEqual(logged.map((r) => r.what).sort(), ['order', 'profile']);
});
