// Who hears of an order: the doctor only once it is paid (a free one at once), never of an
// unpaid booking, its cancellation or its expiry; so booking and cancelling in a loop reaches no
// doctor, in the inbox or by mail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, envelope } from '../../../test/helpers.js';
import { bearer, callBody, paidOrder, setup, type Setup } from '../../../test/fixtures/notifications.js';

const book = (s: Setup, time: string) =>
  s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/booking',
    headers: authHeaders(s.ta, s.patient),
    payload: callBody(s, time),
  });

const cancel = (s: Setup, transactionId: string) =>
  s.ta.app.inject({
    method: 'PUT',
    url: '/api/user/orders',
    headers: authHeaders(s.ta, s.patient),
    payload: { transaction_id: transactionId, type: 'reject_by_patient' },
  });

const doctorInbox = async (s: Setup) => {
  const res = await s.ta.app.inject({
    method: 'GET',
    url: '/api/doctor-app/notifications',
    headers: bearer(s, s.doctorToken),
  });
  assert.equal(res.statusCode, 200, res.body);
  return (envelope(res).data as { type: string; transaction_id: string }[]).map((n) => `${n.type} ${n.transaction_id}`);
};

/** What the job wrote for a user: inbox rows and mails, by kind. */
const writtenFor = async (s: Setup, userId: string) => ({
  inbox: (await s.ta.db.selectFrom('notifications').select('kind').where('user_id', '=', userId).execute())
    .map((n) => n.kind)
    .sort(),
  mails: (
    await s.ta.db
      .selectFrom('notification_deliveries')
      .select('kind')
      .where('channel', '=', 'email')
      .where('target', '=', userId)
      .execute()
  )
    .map((d) => d.kind)
    .sort(),
});

test('booking and cancelling unpaid orders in a loop: nothing reaches the doctor, inbox or mail', async (t) => {
  const s = await setup(t, { NOTIFY_EMAIL: 'true' });
  for (const time of ['09:00', '09:30', '10:00', '10:30', '11:00']) {
    const booked = await book(s, time);
    assert.equal(booked.statusCode, 201, booked.body);
    const cancelled = await cancel(s, envelope(booked).data.transaction_id);
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal(envelope(cancelled).data.status, 'order_cancel');
  }
  // An unpaid order left to expire reaches no doctor either.
  const expiring = await book(s, '11:30');
  assert.equal(expiring.statusCode, 201);
  s.clock.now = Date.parse(envelope(expiring).data.expires_at) + 1000;
  await s.ta.app.services.booking.runDeadlines();

  const job = await s.ta.app.services.notifications.runJob();
  assert.equal(job.events, 12, 'six bookings, five cancellations, one expiry');
  assert.deepEqual(await doctorInbox(s), []);
  assert.deepEqual(await writtenFor(s, s.doctorUserId), { inbox: [], mails: [] });
  // The patient hears of each of their own orders.
  const patient = await writtenFor(s, s.patient.userId);
  assert.equal(patient.inbox.filter((k) => k === 'order.booked').length, 6);
  assert.equal(patient.inbox.filter((k) => k === 'order.cancelled').length, 5);
  assert.deepEqual(patient.inbox.filter((k) => k === 'order.payment_failed').length, 1);
  assert.equal(patient.mails.length, 12);
});

test('a paid order reaches the doctor once, at its payment; its cancellation then reaches them too', async (t) => {
  const s = await setup(t, { NOTIFY_EMAIL: 'true' });
  const id = await paidOrder(s);
  await s.ta.app.services.notifications.runJob();
  assert.deepEqual(await doctorInbox(s), [`order.paid ${id}`]);
  assert.deepEqual(await writtenFor(s, s.doctorUserId), { inbox: ['order.paid'], mails: ['order.paid'] });
  // The job again: nothing twice.
  await s.ta.app.services.notifications.runJob();
  assert.deepEqual(await doctorInbox(s), [`order.paid ${id}`]);

  // The doctor knew of this one: its cancellation frees their time, so they hear of it.
  const cancelled = await cancel(s, id);
  assert.equal(cancelled.statusCode, 200, cancelled.body);
  assert.equal(envelope(cancelled).data.status, 'waiting_refund');
  await s.ta.app.services.notifications.runJob();
  assert.deepEqual(await doctorInbox(s), [`order.cancelled ${id}`, `order.paid ${id}`]);
});

test('a payment arriving after an unpaid order was cancelled: a refund for the patient, nothing for the doctor', async (t) => {
  const s = await setup(t);
  const booked = envelope(await book(s, '09:00')).data;
  assert.equal((await cancel(s, booked.transaction_id)).statusCode, 200);
  const late = await s.ta.app.inject({ method: 'POST', url: `${new URL(booked.payment_url).pathname}/complete` });
  assert.ok(late.statusCode < 400, late.body);
  const row = await s.ta.db
    .selectFrom('orders')
    .select(['status', 'refund_due'])
    .where('transaction_id', '=', booked.transaction_id)
    .executeTakeFirstOrThrow();
  assert.deepEqual({ ...row, refund_due: Number(row.refund_due) }, { status: 'waiting_refund', refund_due: 150000 });
  await s.ta.app.services.notifications.runJob();
  assert.deepEqual(await doctorInbox(s), []);
  assert.deepEqual((await writtenFor(s, s.patient.userId)).inbox, [
    'order.booked',
    'order.cancelled',
    'order.paid_late',
  ]);
});

test('a free order reaches the doctor at once, when it is booked', async (t) => {
  const s = await setup(t);
  await s.ta.db
    .updateTable('practices')
    .set({ call_price: 0 })
    .where('id', '=', s.fx.practiceIds['andi@jakarta']!)
    .execute();
  s.ta.app.services.booking.invalidate();
  const res = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/booking',
    headers: authHeaders(s.ta, s.patient),
    payload: callBody(s, '09:00', { price: 0 }),
  });
  assert.equal(res.statusCode, 201, res.body);
  const order = envelope(res).data;
  assert.equal(order.status, 'waiting_doctor_confirmation');
  await s.ta.app.services.notifications.runJob();
  assert.deepEqual(await doctorInbox(s), [`order.booked ${order.transaction_id}`]);
});
