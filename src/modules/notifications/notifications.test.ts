import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSmtpServer } from '../../../test/smtp.js';
import { authHeaders, envelope } from '../../../test/helpers.js';
import { bearer, doctorAct, paidOrder, setup, type Setup } from '../../../test/fixtures/notifications.js';

const inbox = (s: Setup, headers: Record<string, string>, query = '') =>
  s.ta.app.inject({ method: 'GET', url: `/api/notifications${query}`, headers });

/** An event of this test's order still waiting for the job (the file's tests share a database). */
const waitingEvent = (s: Setup) =>
  s.ta.db
    .selectFrom('notification_outbox')
    .selectAll()
    .where('processed_at', 'is', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirstOrThrow();

const kindsOf = (res: { json(): { data: { type: string }[] } }) => res.json().data.map((n) => n.type);

test('order events reach the patient’s inbox through the outbox; the doctor gets theirs', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s);
  // Written with the changes themselves, nothing delivered before the job runs.
  const outbox = await s.ta.db
    .selectFrom('notification_outbox')
    .select(['kind', 'processed_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  assert.deepEqual(
    outbox.map((o) => [o.kind, o.processed_at]),
    [
      ['order.booked', null],
      ['order.paid', null],
    ],
  );
  const before = envelope(await inbox(s, authHeaders(s.ta, s.patient)));
  assert.deepEqual(before.data, []);
  assert.deepEqual(before.meta, { current_page: 1, per_page: 10, total: 0, last_page: 1 });

  assert.deepEqual(await s.ta.app.services.notifications.runJob(), { events: 2, deliveries: 0 });
  assert.equal((await doctorAct(s, id, 'confirm')).statusCode, 200);
  await s.ta.app.services.notifications.runJob();

  const res = await inbox(s, authHeaders(s.ta, s.patient));
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['cache-control'], 'no-store');
  const body = envelope(res);
  assert.deepEqual(
    body.data.map((n: { type: string }) => n.type),
    ['order.confirmed', 'order.paid', 'order.booked'],
  );
  const confirmed = body.data[0];
  assert.equal(confirmed.title, 'Appointment confirmed');
  assert.equal(confirmed.body, `The doctor confirmed ${id} for 2026-12-02 09:00 (Asia/Jakarta).`);
  assert.equal(confirmed.transaction_id, id);
  assert.equal(confirmed.status, 'waiting_meeting');
  assert.equal(confirmed.read, false);
  assert.equal(confirmed.data.previous_status, 'waiting_doctor_confirmation');
  assert.equal(confirmed.data.actor, 'doctor');
  assert.equal(body.meta.total, 3);

  const id_ = await inbox(s, { ...authHeaders(s.ta, s.patient), 'accept-language': 'id' });
  assert.equal(envelope(id_).data[0].title, 'Janji temu dikonfirmasi');

  // The doctor hears of the payment (an order to confirm), not of the unpaid booking nor of their own move.
  const doc = await s.ta.app.inject({
    method: 'GET',
    url: '/api/doctor-app/notifications',
    headers: bearer(s, s.doctorToken),
  });
  assert.equal(doc.statusCode, 200);
  assert.deepEqual(kindsOf(doc), ['order.paid']);
  // Each inbox is its own: a patient token is not a doctor's, and the reverse.
  assert.equal(
    (
      await s.ta.app.inject({
        method: 'GET',
        url: '/api/doctor-app/notifications',
        headers: authHeaders(s.ta, s.patient),
      })
    ).statusCode,
    401,
  );
  assert.equal((await inbox(s, bearer(s, s.doctorToken))).statusCode, 401);
  assert.equal((await inbox(s, authHeaders(s.ta))).statusCode, 401);

  // Pagination as in every list.
  const page2 = envelope(await inbox(s, authHeaders(s.ta, s.patient), '?data=2&page=2'));
  assert.deepEqual(
    page2.data.map((n: { type: string }) => n.type),
    ['order.booked'],
  );
  assert.deepEqual(page2.meta, { current_page: 2, per_page: 2, total: 3, last_page: 2 });
  assert.equal((await inbox(s, authHeaders(s.ta, s.patient), '?page=0')).statusCode, 422);

  // The job again: nothing new, nothing twice.
  assert.deepEqual(await s.ta.app.services.notifications.runJob(), { events: 0, deliveries: 0 });
  assert.equal(
    (await s.ta.db.selectFrom('notifications').select('id').where('user_id', '=', s.patient.userId).execute()).length,
    3,
  );
});

test('a backlog of events is worked off in one round of the job, a batch of 100 a pass', async (t) => {
  const s = await setup(t);
  await paidOrder(s);
  // 250 events waiting, as after a busy hour: the two of the order and 248 more like them.
  const first = await waitingEvent(s);
  const more = Array.from({ length: 248 }, (_, i) => ({
    ...first,
    id: `backlog-${String(i).padStart(3, '0')}`,
    event_key: `backlog-${String(i).padStart(3, '0')}`,
  }));
  for (let i = 0; i < more.length; i += 50) {
    await s.ta.db
      .insertInto('notification_outbox')
      .values(more.slice(i, i + 50))
      .execute();
  }
  const pending = async () =>
    (await s.ta.db.selectFrom('notification_outbox').select('id').where('processed_at', 'is', null).execute()).length;

  // One pass takes one batch.
  assert.deepEqual(await s.ta.app.services.notifications.runJob(), { events: 100, deliveries: 0 });
  assert.equal(await pending(), 150);
  // A round goes on while passes find full batches: 100 and then the last 50. Between passes
  // the event loop turns (SQLite answers synchronously: requests would otherwise wait).
  let turns = 0;
  let draining = true;
  const turn = () => {
    turns += 1;
    if (draining) setImmediate(turn);
  };
  setImmediate(turn);
  const round = await s.ta.app.services.notifications.drainJob(60_000);
  draining = false;
  assert.deepEqual(round, { events: 150, deliveries: 0, passes: 2 });
  assert.ok(turns >= 1, `the event loop turned during the round (${turns})`);
  assert.equal(await pending(), 0);
  const inboxRows = await s.ta.db
    .selectFrom('notifications')
    .select('event_key')
    .where('user_id', '=', s.patient.userId)
    .execute();
  assert.equal(inboxRows.length, 250);
  assert.equal(new Set(inboxRows.map((r) => r.event_key)).size, 250);
  assert.equal(envelope(await inbox(s, authHeaders(s.ta, s.patient))).meta.total, 250);

  // Nothing left: one pass that finds nothing ends the round.
  assert.deepEqual(await s.ta.app.services.notifications.drainJob(60_000), { events: 0, deliveries: 0, passes: 1 });
});

test('a round of the job stops at its time budget even with a backlog left', async (t) => {
  const s = await setup(t);
  await paidOrder(s);
  const first = await waitingEvent(s);
  await s.ta.db
    .insertInto('notification_outbox')
    .values(Array.from({ length: 150 }, (_, i) => ({ ...first, id: `late-${i}`, event_key: `late-${i}` })))
    .execute();
  // A budget of nothing: the first pass runs, no second one.
  assert.deepEqual(await s.ta.app.services.notifications.drainJob(0), { events: 100, deliveries: 0, passes: 1 });
  assert.equal(
    (await s.ta.db.selectFrom('notification_outbox').select('id').where('processed_at', 'is', null).execute()).length,
    52,
  );
});

test('mark read: some ids or all; another account’s ids change nothing; bad bodies are 422', async (t) => {
  const s = await setup(t);
  await paidOrder(s);
  await s.ta.app.services.notifications.runJob();
  const ids = envelope(await inbox(s, authHeaders(s.ta, s.patient))).data.map((n: { id: string }) => n.id);
  assert.equal(ids.length, 2);
  const read = (headers: Record<string, string>, payload: unknown, url = '/api/notifications/read') =>
    s.ta.app.inject({ method: 'POST', url, headers, payload: payload as object });

  // The doctor cannot mark the patient's notifications read with their ids.
  const foreign = await read(bearer(s, s.doctorToken), { ids }, '/api/doctor-app/notifications/read');
  assert.equal(foreign.statusCode, 200);
  assert.deepEqual(envelope(foreign).data, { updated: 0, unread: 1 });

  const one = await read(authHeaders(s.ta, s.patient), { ids: [ids[0]] });
  assert.equal(one.statusCode, 200);
  assert.deepEqual(envelope(one).data, { updated: 1, unread: 1 });
  const unread = envelope(await inbox(s, authHeaders(s.ta, s.patient), '?unread=true'));
  assert.deepEqual(
    unread.data.map((n: { id: string }) => n.id),
    [ids[1]],
  );
  const all = await read(authHeaders(s.ta, s.patient), { all: true });
  assert.deepEqual(envelope(all).data, { updated: 1, unread: 0 });
  const row = await s.ta.db.selectFrom('notifications').selectAll().where('id', '=', ids[1]).executeTakeFirstOrThrow();
  assert.equal(Number(row.read_at), s.clock.now);
  const listed = envelope(await inbox(s, authHeaders(s.ta, s.patient))).data[0];
  assert.equal(listed.read, true);
  assert.equal(typeof listed.read_at, 'string');

  for (const bad of [{}, { ids: [] }, { ids: 'x' }, { all: 'yes' }, { ids: Array(101).fill('a') }]) {
    const res = await read(authHeaders(s.ta, s.patient), bad);
    assert.equal(res.statusCode, 422, JSON.stringify(bad));
    assert.equal(envelope(res).success, false);
  }
  assert.equal((await read(authHeaders(s.ta), { all: true })).statusCode, 401);
});

test('mark read with a body naming another account is a 403 and marks nothing', async (t) => {
  const s = await setup(t);
  await paidOrder(s);
  await s.ta.app.services.notifications.runJob();
  const read = (headers: Record<string, string>, payload: object, url = '/api/notifications/read') =>
    s.ta.app.inject({ method: 'POST', url, headers, payload });
  const unread = async () =>
    (await s.ta.db.selectFrom('notifications').select('id').where('read_at', 'is', null).execute()).length;
  const before = await unread();
  assert.ok(before > 0);
  const patient = authHeaders(s.ta, s.patient);
  for (const [headers, naming, url] of [
    [patient, { user_id: s.doctorUserId }, undefined],
    [patient, { username: 'someoneelse' }, undefined],
    [bearer(s, s.doctorToken), { user_id: s.patient.userId }, '/api/doctor-app/notifications/read'],
  ] as const) {
    const res = await read(headers, { all: true, ...naming }, url);
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(envelope(res).code, 'FORBIDDEN_OTHER_USER');
  }
  assert.equal(await unread(), before);
  const own = await read(patient, { all: true, user_id: s.patient.userId, username: s.patient.username });
  assert.equal(own.statusCode, 200, own.body);
  assert.ok(envelope(own).data.updated > 0);
});

test('the reminder an hour before is recorded once per order and start time, however often the job runs', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s, '10:00');
  await doctorAct(s, id, 'confirm');
  // 2 December 10:00 in Jakarta is 03:00 UTC: at 02:05 UTC the start is 55 minutes ahead.
  s.clock.now = Date.UTC(2026, 11, 2, 1, 55);
  await s.ta.app.services.booking.runDeadlines();
  // The file's database is shared by its tests: only this order counts.
  const order = await s.ta.db
    .selectFrom('orders')
    .select('id')
    .where('transaction_id', '=', id)
    .executeTakeFirstOrThrow();
  const remindersOf = () =>
    s.ta.db.selectFrom('order_reminders').selectAll().where('order_id', '=', order.id).execute();
  assert.equal((await remindersOf()).length, 0, 'not yet: 65 minutes ahead');
  s.clock.now = Date.UTC(2026, 11, 2, 2, 5);
  await Promise.all([s.ta.app.services.booking.runDeadlines(), s.ta.app.services.booking.runDeadlines()]);
  await s.ta.app.services.booking.runDeadlines();
  assert.equal((await remindersOf()).length, 1);
  const reminders = await s.ta.db
    .selectFrom('notification_outbox')
    .select('event_key')
    .where('kind', '=', 'order.reminder')
    .where('order_id', '=', order.id)
    .execute();
  assert.equal(reminders.length, 1);
  await Promise.all([s.ta.app.services.notifications.runJob(), s.ta.app.services.notifications.runJob()]);
  const patientKinds = kindsOf(await inbox(s, authHeaders(s.ta, s.patient)));
  assert.equal(patientKinds.filter((k) => k === 'order.reminder').length, 1);
  const doctorKinds = kindsOf(
    await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/notifications', headers: bearer(s, s.doctorToken) }),
  );
  assert.deepEqual(doctorKinds, ['order.reminder', 'order.paid']);
  // The room opens 10 minutes before (a move of its own): notified too.
  s.clock.now = Date.UTC(2026, 11, 2, 2, 51);
  await s.ta.app.services.booking.runDeadlines();
  await s.ta.app.services.notifications.runJob();
  assert.equal(kindsOf(await inbox(s, authHeaders(s.ta, s.patient)))[0], 'order.room_opened');
});

test('NOTIFY_EMAIL: each event is mailed once through the SMTP server, in the configured language', async (t) => {
  const smtp = await startSmtpServer();
  t.after(() => smtp.close());
  const s = await setup(t, { SMTP_URL: smtp.url, NOTIFY_EMAIL: 'true', NOTIFY_EMAIL_LANGUAGE: 'id' });
  const id = await paidOrder(s);
  await Promise.all([s.ta.app.services.notifications.runJob(), s.ta.app.services.notifications.runJob()]);
  // Fan-out first, then the mails; a second pass sends what the first one queued, once.
  await Promise.all([s.ta.app.services.notifications.runJob(), s.ta.app.services.notifications.runJob()]);
  await s.ta.app.services.notifications.runJob();
  // Registration sent its confirmation mail too: only the order mails count here.
  const orderMails = smtp.mails.filter((m) => m.subject.startsWith('Cexup: '));
  const mine = orderMails.filter((m) => m.to.includes(s.patient.email));
  assert.deepEqual(mine.map((m) => m.subject).sort(), [
    `Cexup: Pembayaran diterima (${id})`,
    `Cexup: Pesanan dibuat (${id})`,
  ]);
  assert.match(mine[0]!.text, /Halo Siti Rahayu/);
  // The doctor's mail: the payment only.
  const others = orderMails.filter((m) => !m.to.includes(s.patient.email));
  assert.equal(others.length, 1);
  assert.equal(others[0]!.subject, `Cexup: Pembayaran diterima (${id})`);
  const order = await s.ta.db
    .selectFrom('orders')
    .select('id')
    .where('transaction_id', '=', id)
    .executeTakeFirstOrThrow();
  const deliveries = await s.ta.db
    .selectFrom('notification_deliveries')
    .selectAll()
    .where('order_id', '=', order.id)
    .execute();
  assert.equal(deliveries.length, 3);
  assert.ok(deliveries.every((d) => d.channel === 'email' && d.state === 'delivered' && Number(d.attempts) === 1));
});
