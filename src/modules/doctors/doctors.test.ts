import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, envelope } from '../../../test/helpers.js';
import { act, paidOrder, setup, show, stored } from '../../../test/fixtures/doctors.js';
import { createDoctorLogin, DoctorLoginError } from './doctors.service.js';

test('a doctor confirms, opens the room (call orders get a meeting link), starts and finishes', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s);
  const list = await s.ta.app.inject({
    method: 'GET',
    url: '/api/doctor-app/orders?status=waiting_doctor_confirmation',
    headers: { ...authHeaders(s.ta), authorization: `Bearer ${s.doctorToken}` },
  });
  assert.equal(list.statusCode, 200);
  assert.deepEqual(
    envelope(list).data.map((o: { transaction_id: string }) => o.transaction_id),
    [id],
  );
  assert.equal(envelope(await act(s, s.doctorToken, id, 'confirm')).data.status, 'waiting_meeting');
  s.clock.now = Date.UTC(2026, 11, 2, 1, 50); // 08:50 local, 10 minutes before the 09:00 start
  const open = envelope(await act(s, s.doctorToken, id, 'open-room')).data;
  assert.equal(open.status, 'join_now');
  assert.match(open.meeting_url, /^https:\/\/meet\.jit\.si\/cexup-[0-9a-f]{32}$/);
  const patientView = envelope(
    await s.ta.app.inject({
      method: 'POST',
      url: '/api/user/order/show',
      headers: authHeaders(s.ta, s.patient),
      payload: { transaction_id: id },
    }),
  ).data;
  assert.equal(patientView.meeting_url, open.meeting_url);
  assert.equal(envelope(await act(s, s.doctorToken, id, 'start')).data.status, 'on_air');
  // Finished before its time it is not: the patient could not have joined yet.
  const early = await act(s, s.doctorToken, id, 'finish');
  assert.equal(early.statusCode, 409);
  assert.equal(envelope(early).code, 'ORDER_TOO_EARLY');
  s.clock.now = Date.UTC(2026, 11, 2, 2, 20); // 09:20 local
  const done = envelope(await act(s, s.doctorToken, id, 'finish')).data;
  assert.equal(done.status, 'done');
  assert.equal(done.meeting_url, null, 'the room link is shown only while the meeting is on');
  const again = await act(s, s.doctorToken, id, 'finish');
  assert.equal(again.statusCode, 409);
  assert.match(envelope(again).message, /done/);
});

test('missed six days before the start is refused (409, nothing changes, the patient may still cancel); from 15 minutes after the start it is allowed', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s, '2026-12-07 09:00'); // 02:00 UTC, six days after T0
  assert.equal(envelope(await act(s, s.doctorToken, id, 'confirm')).data.status, 'waiting_meeting');
  const before = await stored(s, id);
  const shownBefore = await show(s, id);

  const early = await act(s, s.doctorToken, id, 'missed');
  assert.equal(early.statusCode, 409, early.body);
  assert.deepEqual(envelope(early), {
    success: false,
    code: 'ORDER_TOO_EARLY',
    message: 'Not possible yet while the order is waiting_meeting: possible from 2026-12-07T09:15:00+07:00.',
    data: null,
  });
  const earlyId = await act(s, s.doctorToken, id, 'missed', undefined, 'id');
  assert.equal(earlyId.statusCode, 409);
  assert.equal(
    envelope(earlyId).message,
    'Belum dapat dilakukan saat status pesanan waiting_meeting: dapat dilakukan mulai 2026-12-07T09:15:00+07:00.',
  );
  assert.deepEqual(await stored(s, id), before, 'the row, the history and the outbox are as they were');
  const shown = await show(s, id);
  assert.deepEqual(shown, shownBefore);
  assert.equal(shown.status, 'waiting_meeting');
  assert.equal(shown.refund_due, 0);

  s.clock.now = Date.UTC(2026, 11, 7, 2, 15) - 1; // a moment before 09:15 local
  const stillEarly = await act(s, s.doctorToken, id, 'missed');
  assert.equal(stillEarly.statusCode, 409);
  assert.equal(envelope(stillEarly).code, 'ORDER_TOO_EARLY');
  assert.deepEqual(await stored(s, id), before);

  s.clock.now = Date.UTC(2026, 11, 7, 2, 15); // 09:15 local: the start plus the 15-minute grace
  const missed = await act(s, s.doctorToken, id, 'missed');
  assert.equal(missed.statusCode, 200, missed.body);
  assert.equal(envelope(missed).data.status, 'missed_meeting');
  assert.deepEqual(
    envelope(missed)
      .data.history.slice(-1)
      .map((h: { status: string; by: string; at: string }) => [h.status, h.by, h.at]),
    [['missed_meeting', 'doctor', '2026-12-07T09:15:00+07:00']],
  );
});

test('a paid order the doctor tried to mark missed early may still be cancelled by the patient, with its refund', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s, '2026-12-07 09:00');
  await act(s, s.doctorToken, id, 'confirm');
  assert.equal((await act(s, s.doctorToken, id, 'missed')).statusCode, 409);
  const cancelled = await s.ta.app.inject({
    method: 'PUT',
    url: '/api/user/orders',
    headers: authHeaders(s.ta, s.patient),
    payload: { transaction_id: id, type: 'reject_by_patient' },
  });
  assert.equal(cancelled.statusCode, 200, cancelled.body);
  assert.equal(envelope(cancelled).data.status, 'waiting_refund');
  assert.equal(envelope(cancelled).data.refund_due, 150000);
});

test('open-room and start: refused 20 minutes before the start, allowed 10 minutes before; refused after the end and the grace', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s); // 2026-12-02 09:00 local, 02:00 UTC, ends 09:30
  await act(s, s.doctorToken, id, 'confirm');
  s.clock.now = Date.UTC(2026, 11, 2, 1, 40); // 08:40 local
  let before = await stored(s, id);
  const early = await act(s, s.doctorToken, id, 'open-room');
  assert.equal(early.statusCode, 409, early.body);
  assert.equal(envelope(early).code, 'ORDER_TOO_EARLY');
  assert.equal(
    envelope(early).message,
    'Not possible yet while the order is waiting_meeting: possible from 2026-12-02T08:45:00+07:00.',
  );
  assert.deepEqual(await stored(s, id), before);
  assert.equal((await show(s, id)).meeting_url, null);

  s.clock.now = Date.UTC(2026, 11, 2, 1, 50); // 08:50 local
  const open = await act(s, s.doctorToken, id, 'open-room');
  assert.equal(open.statusCode, 200, open.body);
  assert.equal(envelope(open).data.status, 'join_now');

  // Starting 20 minutes before (a second order, at 09:30 local). The API cannot open a room that
  // early, so the open room is set in the database: the guard must not rest on that alone.
  const second = await paidOrder(s, '2026-12-02 09:30');
  await act(s, s.doctorToken, second, 'confirm');
  s.clock.now = Date.UTC(2026, 11, 2, 2, 10); // 09:10 local
  await s.ta.db.updateTable('orders').set({ status: 'join_now' }).where('transaction_id', '=', second).execute();
  before = await stored(s, second);
  const startEarly = await act(s, s.doctorToken, second, 'start', undefined, 'id');
  assert.equal(startEarly.statusCode, 409, startEarly.body);
  assert.equal(envelope(startEarly).code, 'ORDER_TOO_EARLY');
  assert.match(envelope(startEarly).message, /dapat dilakukan mulai 2026-12-02T09:15:00\+07:00/);
  assert.deepEqual(await stored(s, second), before);
  s.clock.now = Date.UTC(2026, 11, 2, 2, 20); // 09:20 local
  assert.equal(envelope(await act(s, s.doctorToken, second, 'start')).data.status, 'on_air');

  // The first order's window closes 15 minutes after its 09:30 end.
  s.clock.now = Date.UTC(2026, 11, 2, 2, 45, 1); // 09:45:01 local
  before = await stored(s, id);
  const late = await act(s, s.doctorToken, id, 'start');
  assert.equal(late.statusCode, 409, late.body);
  assert.deepEqual(envelope(late), {
    success: false,
    code: 'ORDER_TOO_LATE',
    message:
      'No longer possible while the order is join_now: the appointment window closed at 2026-12-02T09:45:00+07:00.',
    data: null,
  });
  assert.deepEqual(await stored(s, id), before);
  // What is left to the doctor is marking it missed.
  assert.equal(envelope(await act(s, s.doctorToken, id, 'missed')).data.status, 'missed_meeting');
});

test('finish is refused until the meeting has started', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s);
  await act(s, s.doctorToken, id, 'confirm');
  s.clock.now = Date.UTC(2026, 11, 2, 2, 5); // 09:05 local
  const waiting = await act(s, s.doctorToken, id, 'finish');
  assert.equal(waiting.statusCode, 409);
  assert.equal(envelope(waiting).code, 'ORDER_TRANSITION_NOT_ALLOWED');
  assert.equal(envelope(await act(s, s.doctorToken, id, 'open-room')).data.status, 'join_now');
  const before = await stored(s, id);
  const refused = await act(s, s.doctorToken, id, 'finish');
  assert.equal(refused.statusCode, 409, refused.body);
  assert.equal(envelope(refused).code, 'ORDER_TRANSITION_NOT_ALLOWED');
  assert.equal(envelope(refused).message, 'This is not possible while the order is join_now.');
  assert.deepEqual(await stored(s, id), before);
  assert.equal(envelope(await act(s, s.doctorToken, id, 'start')).data.status, 'on_air');
  assert.equal(envelope(await act(s, s.doctorToken, id, 'finish')).data.status, 'done');
});

test('the doctor proposes a new time and the patient accepts it: the old slot is freed, the new one held', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s);
  const proposed = await act(s, s.doctorToken, id, 'propose', { date: '2026-12-03', time: '10:00' });
  assert.equal(proposed.statusCode, 200, proposed.body);
  assert.equal(envelope(proposed).data.status, 'reschedule_from_doctor');
  const accepted = await s.ta.app.inject({
    method: 'PUT',
    url: '/api/user/orders',
    headers: authHeaders(s.ta, s.patient),
    payload: { transaction_id: id, type: 'accept' },
  });
  assert.equal(accepted.statusCode, 200, accepted.body);
  const order = envelope(accepted).data;
  assert.equal(order.status, 'waiting_meeting');
  assert.equal(order.date, '2026-12-03');
  assert.equal(order.time, '10:00');
  assert.equal(order.proposed_date, null);
  const holds = await s.ta.db
    .selectFrom('slot_holds')
    .innerJoin('orders', 'orders.id', 'slot_holds.order_id')
    .select(['slot_holds.start_at', 'slot_holds.kind'])
    .where('orders.transaction_id', '=', id)
    .execute();
  assert.deepEqual(holds, [{ start_at: Date.UTC(2026, 11, 3, 3, 0), kind: 'booking' }]);
});

test('a decline refunds; other doctors and patients cannot act on the order', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s);
  const foreign = await act(s, s.otherDoctorToken, id, 'confirm');
  assert.equal(foreign.statusCode, 404);
  const patientToken = await act(s, s.patient.token, id, 'confirm');
  assert.equal(patientToken.statusCode, 401);
  const unknown = await act(s, s.doctorToken, id, 'teleport');
  assert.equal(unknown.statusCode, 404);
  const declined = envelope(await act(s, s.doctorToken, id, 'decline')).data;
  assert.equal(declined.status, 'waiting_refund');
  assert.equal(declined.refund_due, 150000);
});

test('doctor logins are made from the CLI function, once per doctor', async (t) => {
  const s = await setup(t);
  await assert.rejects(
    createDoctorLogin(s.ta.db, { slug: `${s.fx.prefix}-andi`, email: 'x@rs.example.id', password: 'long-enough-pass' }),
    DoctorLoginError,
  );
  await assert.rejects(
    createDoctorLogin(s.ta.db, { slug: 'nobody', email: 'y@rs.example.id', password: 'long-enough-pass' }),
    /no doctor/,
  );
  const patientLogin = await s.ta.app.inject({
    method: 'POST',
    url: '/api/login/doctor',
    headers: authHeaders(s.ta),
    payload: { email: s.patient.email, password: s.patient.password },
  });
  assert.equal(patientLogin.statusCode, 401, 'a patient account is not a doctor login');
});
