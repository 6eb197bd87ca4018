import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authHeaders, build, envelope, registerPatient, uniqueName, type TestApp } from '../../../test/helpers.js';
import { fieldMessages } from '../../http/i18n.js';
import { createAdmin } from './admin-accounts.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

// Tuesday 1 December 2026, 07:00 in Jakarta (00:00 UTC).
const T0 = Date.UTC(2026, 11, 1, 0, 0);
const MINUTE = 60_000;

interface Ctx {
  ta: TestApp;
  token: string;
  adminId: string;
  clock: { now: number };
}

async function setup(t: TestContext, env: Record<string, string> = {}): Promise<Ctx> {
  const clock = { now: T0 };
  const ta = await build(t, { env, now: () => clock.now });
  const email = `${uniqueName('admin')}@cexup.test`;
  const password = 'sangat-rahasia-2026';
  const { id } = await createAdmin(ta.db, { name: 'Admin Jadwal', email, password });
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { ta, token: envelope(res).data.access_token, adminId: id, clock };
}

const call = (c: Ctx, method: Method, url: string, payload?: unknown, token: string | undefined = c.token) =>
  c.ta.app.inject({
    method,
    url,
    headers: { ...authHeaders(c.ta), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

async function ok(c: Ctx, method: Method, url: string, payload?: unknown, status = method === 'POST' ? 201 : 200) {
  const res = await call(c, method, url, payload);
  assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
  const body = envelope(res);
  assert.equal(body.success, true);
  return body.data;
}

function assertError(res: LightMyRequestResponse, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = envelope(res);
  assert.equal(body.success, false);
  assert.equal(body.code, code);
  assert.equal(body.data, null);
  return body;
}

/** A 422 naming exactly these fields. */
function assertInvalid(res: LightMyRequestResponse, fields: string[]) {
  const body = assertError(res, 422, 'VALIDATION_FAILED');
  assert.deepEqual(Object.keys(body.errors ?? {}).sort(), [...fields].sort(), res.body);
  return body;
}

const prefix = (): string => `s${randomBytes(4).toString('hex')}`;

/** A speciality, and hospitals and doctors made through the back office. */
async function catalogue(c: Ctx, p: string) {
  await ok(c, 'POST', '/api/admin/specialities', { slug: `${p}-anak`, name: `${p} Anak` });
  const hospital = async (key: string, timezone: string) =>
    ok(c, 'POST', '/api/admin/hospitals', { slug: `${p}-${key}`, name: `${p} RS ${key}`, city: 'Kota', timezone });
  const doctor = async (key: string) =>
    ok(c, 'POST', '/api/admin/doctors', { slug: `${p}-${key}`, name: `dr. ${key}`, speciality: `${p}-anak` });
  const practice = async (d: { slug: string }, h: { slug: string }, call: number | null, reservasi: number | null) =>
    (
      await ok(c, 'POST', '/api/admin/practices', {
        doctor: d.slug,
        hospital: h.slug,
        call_price: call,
        reservasi_price: reservasi,
      })
    ).id as number;
  return { hospital, doctor, practice };
}

const rulesUrl = (practice: number) => `/api/admin/practices/${practice}/schedule/rules`;
const exceptionsUrl = (practice: number) => `/api/admin/practices/${practice}/schedule/exceptions`;
const rule = (
  weekday: number | string,
  start: string,
  end: string,
  type = 'reservasi',
  slot: number | string = 30,
) => ({
  weekday,
  start_time: start,
  end_time: end,
  slot_minutes: slot,
  appointment_type: type,
});

const auditOf = (c: Ctx, entityId: string) =>
  c.ta.db.selectFrom('audit_log').selectAll().where('entity_id', '=', entityId).orderBy('id').execute();

// ---------------------------------------------------------------------------------------------

test('schedule rules: create, list, update, delete, each with its audit row; 422 per field; 404s', async (t) => {
  const c = await setup(t);
  const p = prefix();
  const cat = await catalogue(c, p);
  const rs = await cat.hospital('jakarta', 'Asia/Jakarta');
  const andi = await cat.doctor('andi');
  const practice = await cat.practice(andi, rs, 150000, 250000);

  const monday = await ok(c, 'POST', rulesUrl(practice), rule(1, '08:00', '12:00'));
  assert.equal(typeof monday.id, 'string');
  assert.deepEqual(
    { ...monday, id: undefined, created_at: undefined, updated_at: undefined },
    {
      id: undefined,
      practice_id: practice,
      weekday: 1,
      start_time: '08:00',
      end_time: '12:00',
      slot_minutes: 30,
      appointment_type: 'reservasi',
      created_at: undefined,
      updated_at: undefined,
    },
  );
  assert.equal(monday.created_at, new Date(T0).toISOString());
  // Numbers may come as digit strings, as amounts do everywhere in the back office.
  const wednesday = await ok(c, 'POST', rulesUrl(practice), rule('3', '13:00', '16:00', 'call', '20'));
  assert.equal(wednesday.weekday, 3);
  assert.equal(wednesday.slot_minutes, 20);

  const schedule = await ok(c, 'GET', `/api/admin/practices/${practice}/schedule`);
  assert.equal(schedule.timezone, 'Asia/Jakarta');
  assert.equal(schedule.practice.id, practice);
  assert.equal(schedule.practice.doctor, andi.slug);
  assert.deepEqual(
    schedule.rules.map((r: { id: string }) => r.id),
    [monday.id, wednesday.id],
  );
  assert.deepEqual(schedule.exceptions, []);
  assert.deepEqual(schedule.other_rules, []);

  c.clock.now += MINUTE;
  const updated = await ok(c, 'PUT', `${rulesUrl(practice)}/${monday.id}`, { end_time: '11:00', slot_minutes: 15 });
  assert.equal(updated.end_time, '11:00');
  assert.equal(updated.slot_minutes, 15);
  assert.equal(updated.start_time, '08:00');
  assert.equal(updated.updated_at, new Date(T0 + MINUTE).toISOString());
  // A change to nothing writes nothing.
  await ok(c, 'PUT', `${rulesUrl(practice)}/${monday.id}`, { end_time: '11:00' });
  await ok(c, 'PUT', `${rulesUrl(practice)}/${monday.id}`, {});

  await ok(c, 'DELETE', `${rulesUrl(practice)}/${wednesday.id}`);
  assertError(await call(c, 'DELETE', `${rulesUrl(practice)}/${wednesday.id}`), 404, 'NOT_FOUND');
  assertError(await call(c, 'PUT', `${rulesUrl(practice)}/${wednesday.id}`, { weekday: 2 }), 404, 'NOT_FOUND');
  const after = await ok(c, 'GET', `/api/admin/practices/${practice}/schedule`);
  assert.deepEqual(
    after.rules.map((r: { id: string; end_time: string }) => [r.id, r.end_time]),
    [[monday.id, '11:00']],
  );

  // One audit row a change, with who and before/after.
  const mondayAudit = await auditOf(c, monday.id);
  assert.deepEqual(
    mondayAudit.map((r) => [r.action, r.entity, r.actor_user_id]),
    [
      ['create', 'schedule_rule', c.adminId],
      ['update', 'schedule_rule', c.adminId],
    ],
  );
  assert.equal(JSON.parse(mondayAudit[1]!.before_json!).end_time, '12:00');
  assert.equal(JSON.parse(mondayAudit[1]!.after_json!).end_time, '11:00');
  const wednesdayAudit = await auditOf(c, wednesday.id);
  assert.deepEqual(
    wednesdayAudit.map((r) => r.action),
    ['create', 'delete'],
  );
  assert.equal(wednesdayAudit[1]!.after_json, null);
  const listed = await ok(c, 'GET', `/api/admin/audit-log?entity=schedule_rule&entity_id=${monday.id}`);
  assert.deepEqual(
    listed.map((e: { action: string }) => e.action),
    ['update', 'create'],
  );

  // Validation: every field, nothing written.
  const rulesBefore = (await c.ta.db.selectFrom('schedule_rules').select('id').execute()).length;
  const auditBefore = (await c.ta.db.selectFrom('audit_log').select('id').execute()).length;
  const post = (body: unknown) => call(c, 'POST', rulesUrl(practice), body);
  assertInvalid(await post({}), ['weekday', 'start_time', 'end_time', 'slot_minutes', 'appointment_type']);
  for (const weekday of [0, 8, 1.5, null, true, 'senin']) {
    assertInvalid(await post(rule(weekday as number, '08:00', '09:00')), ['weekday']);
  }
  for (const time of ['8:00', '24:00', '12:60', '12.00', '', 800]) {
    assertInvalid(await post(rule(2, time as string, '23:00')), ['start_time']);
  }
  for (const slot of [4, 241, 0, null, '30 menit']) {
    assertInvalid(await post(rule(2, '08:00', '12:00', 'call', slot as number)), ['slot_minutes']);
  }
  assertInvalid(await post(rule(2, '08:00', '12:00', 'video')), ['appointment_type']);
  // The end after the start, with room for one slot at least.
  const backwards = assertInvalid(await post(rule(2, '12:00', '08:00')), ['end_time']);
  assert.deepEqual(backwards.errors!.end_time, [
    fieldMessages.minimum.en.replace('{field}', 'end_time').replace('{limit}', '12:30'),
  ]);
  assertInvalid(await post(rule(2, '08:00', '08:00')), ['end_time']);
  assertInvalid(await post(rule(2, '08:00', '08:20')), ['end_time']);
  assertInvalid(await post(rule(2, '23:45', '23:59')), ['start_time']);
  assertInvalid(await call(c, 'PUT', `${rulesUrl(practice)}/${monday.id}`, { start_time: '11:00' }), ['end_time']);
  // Only a type the practice offers.
  const callOnly = await cat.practice(andi, await cat.hospital('kedua', 'Asia/Jakarta'), 100000, null);
  const notOffered = assertInvalid(await call(c, 'POST', rulesUrl(callOnly), rule(2, '08:00', '12:00')), [
    'appointment_type',
  ]);
  assert.deepEqual(notOffered.errors!.appointment_type, [fieldMessages.typeNotOffered.en]);
  assertInvalid(await call(c, 'PUT', `${rulesUrl(practice)}/${monday.id}`, { weekday: 9, end_time: '7' }), [
    'weekday',
    'end_time',
  ]);
  assert.equal((await c.ta.db.selectFrom('schedule_rules').select('id').execute()).length, rulesBefore);
  assert.equal((await c.ta.db.selectFrom('audit_log').select('id').execute()).length, auditBefore + 2); // the practice and hospital

  // Unknown practices and rules; admins only.
  for (const id of ['999999999', '0', 'abc', '99999999999']) {
    assertError(await call(c, 'GET', `/api/admin/practices/${id}/schedule`), 404, 'PRACTICE_NOT_FOUND');
    assertError(
      await call(c, 'POST', rulesUrl(id as unknown as number), rule(2, '08:00', '09:00')),
      404,
      'PRACTICE_NOT_FOUND',
    );
  }
  assertError(await call(c, 'DELETE', `${rulesUrl(callOnly)}/${monday.id}`), 404, 'NOT_FOUND');
  const patient = await registerPatient(c.ta);
  assertError(
    await call(c, 'GET', `/api/admin/practices/${practice}/schedule`, undefined, patient.token),
    401,
    'UNAUTHENTICATED',
  );
  assertError(await call(c, 'POST', rulesUrl(practice), rule(2, '08:00', '09:00'), ''), 401, 'UNAUTHENTICATED');
});

test("one doctor, one timeline: rules and extra hours may not overlap across the doctor's practices and time zones", async (t) => {
  const c = await setup(t);
  const p = prefix();
  const cat = await catalogue(c, p);
  const jakartaA = await cat.hospital('jakarta-a', 'Asia/Jakarta');
  const jakartaB = await cat.hospital('jakarta-b', 'Asia/Jakarta');
  const makassar = await cat.hospital('makassar', 'Asia/Makassar');
  const andi = await cat.doctor('andi');
  const budi = await cat.doctor('budi');
  const a = await cat.practice(andi, jakartaA, 100000, 200000);
  const b = await cat.practice(andi, jakartaB, 100000, 200000);
  const m = await cat.practice(andi, makassar, 100000, 200000);
  const other = await cat.practice(budi, jakartaB, 100000, 200000);

  const mondayA = await ok(c, 'POST', rulesUrl(a), rule(1, '08:00', '12:00'));
  const rulesBefore = (await c.ta.db.selectFrom('schedule_rules').select('id').execute()).length;
  // Another practice of the same doctor, the same hours or part of them: refused on start_time.
  const clash = assertInvalid(await call(c, 'POST', rulesUrl(b), rule(1, '11:00', '13:00', 'call', 20)), [
    'start_time',
  ]);
  assert.deepEqual(clash.errors!.start_time, [fieldMessages.scheduleOverlap.en]);
  assertInvalid(await call(c, 'POST', rulesUrl(b), rule(1, '07:00', '13:00')), ['start_time']);
  // The same practice, another type at the same time: the doctor is still in one place.
  assertInvalid(await call(c, 'POST', rulesUrl(a), rule(1, '10:00', '11:00', 'call', 20)), ['start_time']);
  assert.equal((await c.ta.db.selectFrom('schedule_rules').select('id').execute()).length, rulesBefore);
  // Back to back is fine, as are other days and other doctors.
  const mondayB = await ok(c, 'POST', rulesUrl(b), rule(1, '12:00', '14:00', 'call', 20));
  await ok(c, 'POST', rulesUrl(b), rule(2, '08:00', '12:00'));
  await ok(c, 'POST', rulesUrl(other), rule(1, '08:00', '12:00'));

  // Makassar is an hour ahead of Jakarta: 12:30-13:30 there is 11:30-12:30 in Jakarta.
  assertInvalid(await call(c, 'POST', rulesUrl(m), rule(1, '12:30', '13:30')), ['start_time']);
  // 15:00-16:00 in Makassar is 14:00-15:00 in Jakarta: after practice B's Monday.
  const mondayM = await ok(c, 'POST', rulesUrl(m), rule(1, '15:00', '16:00', 'call', 20));
  // 00:00-01:00 on Tuesday in Makassar is 23:00-24:00 on Monday in Jakarta: free.
  await ok(c, 'POST', rulesUrl(m), rule(2, '00:00', '01:00', 'call', 20));

  // Updates are checked the same way (the rule itself aside).
  await ok(c, 'PUT', `${rulesUrl(a)}/${mondayA.id}`, { start_time: '07:00', end_time: '11:30' });
  assertInvalid(await call(c, 'PUT', `${rulesUrl(m)}/${mondayM.id}`, { start_time: '12:00' }), ['start_time']);
  // 14:00-16:00 in Makassar would be 13:00-15:00 in Jakarta, inside practice B's Monday.
  assertInvalid(await call(c, 'PUT', `${rulesUrl(m)}/${mondayM.id}`, { start_time: '14:00' }), ['start_time']);
  await ok(c, 'PUT', `${rulesUrl(m)}/${mondayM.id}`, { end_time: '17:00' });

  // Extra hours on a date are checked against the doctor's weekly rules of that weekday...
  assertInvalid(
    await call(c, 'POST', exceptionsUrl(b), {
      date: '2026-12-07', // a Monday
      kind: 'extra',
      ...rule(1, '09:00', '10:00'),
      weekday: undefined,
    }),
    ['start_time'],
  );
  // ...and against their other extra hours around that date.
  const extra = (start: string, end: string, date = '2026-12-06') => ({
    date, // a Sunday
    kind: 'extra',
    start_time: start,
    end_time: end,
    slot_minutes: 30,
    appointment_type: 'reservasi',
  });
  const sundayB = await ok(c, 'POST', exceptionsUrl(b), extra('09:00', '11:00'));
  assertInvalid(await call(c, 'POST', exceptionsUrl(a), extra('10:30', '12:00')), ['start_time']);
  // 11:30-12:30 in Makassar is 10:30-11:30 in Jakarta.
  assertInvalid(await call(c, 'POST', exceptionsUrl(m), extra('11:30', '12:30')), ['start_time']);
  await ok(c, 'POST', exceptionsUrl(a), extra('11:00', '12:00'));
  // A new weekly rule may not run into extra hours still to come.
  assertInvalid(await call(c, 'POST', rulesUrl(m), rule(7, '10:00', '11:00')), ['start_time']);
  await ok(c, 'DELETE', `${exceptionsUrl(b)}/${sundayB.id}`);
  await ok(c, 'POST', rulesUrl(m), rule(7, '10:00', '11:00'));
  // Leave never conflicts.
  await ok(c, 'POST', exceptionsUrl(a), { date: '2026-12-07', kind: 'leave' });

  // The schedule of one practice shows the doctor's rules elsewhere.
  const schedule = await ok(c, 'GET', `/api/admin/practices/${b}/schedule`);
  assert.ok(schedule.rules.some((r: { id: string }) => r.id === mondayB.id));
  const elsewhere = schedule.other_rules as { id: string; hospital: string; timezone: string }[];
  assert.ok(
    elsewhere.some((r) => r.id === mondayA.id && r.hospital === jakartaA.slug && r.timezone === 'Asia/Jakarta'),
  );
  assert.ok(
    elsewhere.some((r) => r.id === mondayM.id && r.hospital === makassar.slug && r.timezone === 'Asia/Makassar'),
  );
  assert.ok(elsewhere.every((r) => r.hospital !== jakartaB.slug));
});

const timeList = (c: Ctx, practice: number, date: string, appointment: string) =>
  c.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/get-time-list',
    headers: authHeaders(c.ta),
    payload: { doctor_has_hospital_id: practice, date, appointment },
  });

async function times(c: Ctx, practice: number, date: string, appointment = 'reservasi'): Promise<string[]> {
  const res = await timeList(c, practice, date, appointment);
  assert.equal(res.statusCode, 200, res.body);
  return envelope(res).data.map((s: { time: string }) => s.time);
}

test('exceptions: leave hides slots from the time list (a day or some hours), extra hours add some', async (t) => {
  const c = await setup(t);
  const p = prefix();
  const cat = await catalogue(c, p);
  const rs = await cat.hospital('jakarta', 'Asia/Jakarta');
  const practice = await cat.practice(await cat.doctor('andi'), rs, 100000, 200000);
  await ok(c, 'POST', rulesUrl(practice), rule(3, '09:00', '11:00'));
  const wednesday = '2026-12-02';
  assert.deepEqual(await times(c, practice, wednesday), ['09:00', '09:30', '10:00', '10:30']);

  // A whole day of leave.
  const day = await ok(c, 'POST', exceptionsUrl(practice), { date: wednesday, kind: 'leave' });
  assert.deepEqual(
    { ...day, id: undefined, created_at: undefined },
    {
      id: undefined,
      practice_id: practice,
      date: wednesday,
      kind: 'leave',
      start_time: null,
      end_time: null,
      slot_minutes: null,
      appointment_type: null,
      created_at: undefined,
    },
  );
  assert.deepEqual(await times(c, practice, wednesday), []);
  assert.deepEqual(await times(c, practice, '2026-12-09'), ['09:00', '09:30', '10:00', '10:30']);
  await ok(c, 'DELETE', `${exceptionsUrl(practice)}/${day.id}`);
  assertError(await call(c, 'DELETE', `${exceptionsUrl(practice)}/${day.id}`), 404, 'NOT_FOUND');
  assert.deepEqual(await times(c, practice, wednesday), ['09:00', '09:30', '10:00', '10:30']);

  // Some hours of leave hide the slots they touch.
  await ok(c, 'POST', exceptionsUrl(practice), {
    date: wednesday,
    kind: 'leave',
    start_time: '09:30',
    end_time: '10:00',
  });
  assert.deepEqual(await times(c, practice, wednesday), ['09:00', '10:00', '10:30']);

  // Extra hours on a Sunday, for video calls.
  const sunday = '2026-12-06';
  assert.deepEqual(await times(c, practice, sunday, 'call'), []);
  const extra = await ok(c, 'POST', exceptionsUrl(practice), {
    date: sunday,
    kind: 'extra',
    start_time: '13:00',
    end_time: '14:00',
    slot_minutes: '20',
    appointment_type: 'call',
  });
  assert.equal(extra.slot_minutes, 20);
  assert.deepEqual(await times(c, practice, sunday, 'call'), ['13:00', '13:20', '13:40']);
  assert.deepEqual(await times(c, practice, sunday, 'reservasi'), []);
  assert.deepEqual(await times(c, practice, '2026-12-13', 'call'), []);

  // The back office sees the same slots as a patient's app, for any day and type.
  for (const [date, type] of [
    [sunday, 'call'],
    [wednesday, 'reservasi'],
    [sunday, 'reservasi'],
  ] as const) {
    const patients = envelope(await timeList(c, practice, date, type)).data;
    assert.deepEqual(await ok(c, 'GET', `/api/admin/practices/${practice}/slots?date=${date}&type=${type}`), patients);
  }
  assertInvalid(await call(c, 'GET', `/api/admin/practices/${practice}/slots?date=2026-02-30&type=call`), ['date']);
  assertInvalid(await call(c, 'GET', `/api/admin/practices/${practice}/slots?date=${sunday}&type=visit`), ['type']);
  assertError(
    await call(c, 'GET', `/api/admin/practices/99999/slots?date=${sunday}&type=call`),
    404,
    'PRACTICE_NOT_FOUND_PUBLIC',
  );

  // The schedule lists exceptions by date; from/to narrow them.
  const all = await ok(c, 'GET', `/api/admin/practices/${practice}/schedule`);
  assert.deepEqual(
    all.exceptions.map((e: { date: string; kind: string }) => [e.date, e.kind]),
    [
      [wednesday, 'leave'],
      [sunday, 'extra'],
    ],
  );
  const later = await ok(c, 'GET', `/api/admin/practices/${practice}/schedule?from=2026-12-03&to=2026-12-31`);
  assert.deepEqual(
    later.exceptions.map((e: { id: string }) => e.id),
    [extra.id],
  );
  const notADate = assertInvalid(await call(c, 'GET', `/api/admin/practices/${practice}/schedule?from=2026-02-30`), [
    'from',
  ]);
  assert.match(notADate.errors!.from![0]!, /Y-m-d/);

  // Audit rows for exceptions too.
  assert.deepEqual(
    (await auditOf(c, day.id)).map((r) => [r.action, r.entity]),
    [
      ['create', 'schedule_exception'],
      ['delete', 'schedule_exception'],
    ],
  );
  assert.equal((await auditOf(c, extra.id)).length, 1);

  // Validation.
  const post = (body: object) => call(c, 'POST', exceptionsUrl(practice), body);
  assertInvalid(await post({}), ['date', 'kind']);
  assertInvalid(await post({ date: sunday, kind: 'extra' }), [
    'start_time',
    'end_time',
    'slot_minutes',
    'appointment_type',
  ]);
  assertInvalid(await post({ date: '2026-02-30', kind: 'leave' }), ['date']);
  assertInvalid(await post({ date: '6 Dec 2026', kind: 'leave' }), ['date']);
  assertInvalid(await post({ date: sunday, kind: 'sick' }), ['kind']);
  assertInvalid(await post({ date: sunday, kind: 'leave', start_time: '09:00' }), ['end_time']);
  assertInvalid(await post({ date: sunday, kind: 'leave', end_time: '09:00' }), ['start_time']);
  assertInvalid(await post({ date: sunday, kind: 'leave', start_time: '10:00', end_time: '09:00' }), ['end_time']);
  assertInvalid(await post({ date: sunday, kind: 'leave', slot_minutes: 30, appointment_type: 'call' }), [
    'slot_minutes',
    'appointment_type',
  ]);
  assertInvalid(
    await post({
      date: sunday,
      kind: 'extra',
      start_time: '15:00',
      end_time: '15:10',
      slot_minutes: 20,
      appointment_type: 'call',
    }),
    ['end_time'],
  );
  const callOnly = await cat.practice(await cat.doctor('budi'), rs, 100000, null);
  assertInvalid(
    await call(c, 'POST', exceptionsUrl(callOnly), {
      date: sunday,
      kind: 'extra',
      start_time: '09:00',
      end_time: '10:00',
      slot_minutes: 30,
      appointment_type: 'reservasi',
    }),
    ['appointment_type'],
  );
  assertError(await call(c, 'POST', exceptionsUrl(999999), { date: sunday, kind: 'leave' }), 404, 'PRACTICE_NOT_FOUND');
});

test('admin orders: newest first, filtered by status, doctor, hospital and dates; a refund made is recorded once', async (t) => {
  const c = await setup(t, { DEMO_MODE: 'true' });
  const p = prefix();
  const cat = await catalogue(c, p);
  const jakarta = await cat.hospital('jakarta', 'Asia/Jakarta');
  const makassar = await cat.hospital('makassar', 'Asia/Makassar');
  const andi = await cat.doctor('andi');
  const budi = await cat.doctor('budi');
  const pa = await cat.practice(andi, jakarta, null, 200000);
  const pb = await cat.practice(budi, makassar, 100000, null);
  await ok(c, 'POST', rulesUrl(pa), rule(3, '09:00', '12:00'));
  await ok(c, 'POST', rulesUrl(pb), rule(3, '13:00', '15:00', 'call', 20));

  const patient = await registerPatient(c.ta);
  const book = async (practice: number, doctor: string, time: string, type: string, price: number) => {
    c.clock.now += MINUTE;
    const res = await c.ta.app.inject({
      method: 'POST',
      url: '/api/doctor/booking',
      headers: authHeaders(c.ta, patient),
      payload: { id: practice, username_doctor: doctor, time, type, patient: 'Siti Rahayu', price },
    });
    assert.equal(res.statusCode, 201, res.body);
    return envelope(res).data;
  };
  const first = await book(pa, andi.username, '2026-12-02 09:00', 'reservasi', 200000);
  const second = await book(pa, andi.username, '2026-12-02 09:30', 'reservasi', 200000);
  const third = await book(pb, budi.username, '2026-12-02 13:00', 'call', 100000);

  // The first is paid, then cancelled by the patient: a refund is due.
  await c.ta.app.inject({ method: 'POST', url: `${new URL(first.payment_url).pathname}/complete` });
  const cancelled = await c.ta.app.inject({
    method: 'PUT',
    url: '/api/user/orders',
    headers: authHeaders(c.ta, patient),
    payload: { transaction_id: first.transaction_id, type: 'reject_by_patient' },
  });
  assert.equal(envelope(cancelled).data.status, 'waiting_refund', cancelled.body);

  const ids = (data: { transaction_id: string }[]) => data.map((o) => o.transaction_id);
  const list = async (query = '') => {
    const res = await call(c, 'GET', `/api/admin/orders${query}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { data: any[]; meta: any };
  };
  const all = await list();
  assert.deepEqual(ids(all.data), [third.transaction_id, second.transaction_id, first.transaction_id]);
  assert.deepEqual(all.meta, { current_page: 1, per_page: 10, total: 3, last_page: 1 });
  const row = all.data[2];
  assert.equal(row.status, 'waiting_refund');
  assert.equal(row.refund_due, 200000);
  assert.equal(row.doctor_has_hospital_id, pa);
  assert.equal(row.user_id, patient.userId);
  assert.equal(row.app_id, c.ta.appId);
  assert.equal(row.doctor_account.slug, andi.slug);
  assert.equal(row.patient_account.name, 'Siti Rahayu');
  assert.match(row.paid_at, /\+07:00$/);
  assert.equal(row.refunded_at, null);
  assert.equal(row.date, '2026-12-02');
  assert.equal(all.data[0].timezone, 'Asia/Makassar');

  const paged = await list('?data=2&page=2');
  assert.deepEqual(ids(paged.data), [first.transaction_id]);
  assert.deepEqual(paged.meta, { current_page: 2, per_page: 2, total: 3, last_page: 2 });

  assert.deepEqual(ids((await list('?status=waiting_refund')).data), [first.transaction_id]);
  assert.deepEqual(ids((await list('?status=waiting_payment,waiting_refund')).data).length, 3);
  assert.deepEqual(ids((await list(`?doctor=${andi.slug}`)).data), [second.transaction_id, first.transaction_id]);
  assert.deepEqual(ids((await list(`?hospital=${makassar.slug}`)).data), [third.transaction_id]);
  assert.deepEqual(ids((await list(`?hospital=${makassar.slug}&doctor=${andi.slug}`)).data), []);
  assert.deepEqual((await list(`?doctor=${p}-nobody`)).meta.total, 0);
  // q: a transaction id exactly (any case), or a part of the patient's name (any case).
  assert.deepEqual(ids((await list(`?q=${second.transaction_id.toLowerCase()}`)).data), [second.transaction_id]);
  assert.equal((await list('?q=rahayu')).meta.total, 3);
  assert.equal((await list('?q=siti%20r')).meta.total, 3);
  assert.equal((await list('?q=%25')).meta.total, 0, 'a wildcard is a plain character');
  assert.equal((await list(`?q=${second.transaction_id.slice(0, 6)}`)).meta.total, 0, 'no partial ids');
  // Dates are the appointments' own local dates.
  assert.equal((await list('?from=2026-12-02&to=2026-12-02')).meta.total, 3);
  assert.equal((await list('?from=2026-12-03')).meta.total, 0);
  assert.equal((await list('?to=2026-12-01')).meta.total, 0);
  assertInvalid(await call(c, 'GET', '/api/admin/orders?status=lunas'), ['status']);
  assertInvalid(await call(c, 'GET', '/api/admin/orders?from=2026-12-05&to=2026-12-01'), ['to']);
  assertInvalid(await call(c, 'GET', '/api/admin/orders?from=2026-13-01'), ['from']);

  // One order.
  const shown = await ok(c, 'GET', `/api/admin/orders/${second.transaction_id}`);
  assert.equal(shown.status, 'waiting_payment');
  assertError(await call(c, 'GET', '/api/admin/orders/CX-NOPE'), 404, 'ORDER_NOT_FOUND');

  // A refund: only from waiting_refund (the lifecycle's 409 otherwise), audited.
  const refused = assertError(
    await call(c, 'POST', `/api/admin/orders/${second.transaction_id}/refund`),
    409,
    'ORDER_TRANSITION_NOT_ALLOWED',
  );
  assert.match(refused.message, /waiting_payment/);
  c.clock.now += MINUTE;
  const refunded = await ok(
    c,
    'POST',
    `/api/admin/orders/${first.transaction_id}/refund`,
    { reference: 'MT-REFUND-0001' },
    200,
  );
  assert.equal(refunded.status, 'refunded');
  assert.equal(refunded.refund_due, 0);
  assert.match(refunded.refunded_at, /^2026-12-01T07:0\d:00\+07:00$/);
  assert.deepEqual(refunded.history.at(-1), {
    status: 'refunded',
    action: 'refund_completed',
    by: 'admin',
    at: refunded.refunded_at,
  });
  assertError(
    await call(c, 'POST', `/api/admin/orders/${first.transaction_id}/refund`),
    409,
    'ORDER_TRANSITION_NOT_ALLOWED',
  );
  assertError(await call(c, 'POST', '/api/admin/orders/CX-NOPE/refund'), 404, 'ORDER_NOT_FOUND');
  const audit = await auditOf(c, first.transaction_id);
  assert.deepEqual(
    audit.map((r) => [r.action, r.entity, r.actor_user_id]),
    [['refund', 'order', c.adminId]],
  );
  assert.equal(JSON.parse(audit[0]!.before_json!).status, 'waiting_refund');
  const after = JSON.parse(audit[0]!.after_json!);
  assert.equal(after.status, 'refunded');
  assert.equal(after.refund_reference, 'MT-REFUND-0001');
  const fromLog = await ok(c, 'GET', '/api/admin/audit-log?entity=order&action=refund');
  assert.ok(fromLog.some((e: { entity_id: string }) => e.entity_id === first.transaction_id));
  assert.equal((await list('?status=refunded')).data[0].transaction_id, first.transaction_id);

  // The patient sees it refunded too; admins only here.
  const mine = await c.ta.app.inject({
    method: 'POST',
    url: '/api/user/order/show',
    headers: authHeaders(c.ta, patient),
    payload: { transaction_id: first.transaction_id },
  });
  assert.equal(envelope(mine).data.status, 'refunded');
  assertError(await call(c, 'GET', '/api/admin/orders', undefined, patient.token), 401, 'UNAUTHENTICATED');
  assertError(
    await call(c, 'POST', `/api/admin/orders/${second.transaction_id}/refund`, undefined, patient.token),
    401,
    'UNAUTHENTICATED',
  );
});

test('overlapping rules sent at once to two practices of one doctor: exactly one is kept', async (t) => {
  const c = await setup(t);
  const p = prefix();
  const cat = await catalogue(c, p);
  const andi = await cat.doctor('andi');
  const practices = [
    await cat.practice(andi, await cat.hospital('satu', 'Asia/Jakarta'), 100000, 200000),
    await cat.practice(andi, await cat.hospital('dua', 'Asia/Jakarta'), 100000, 200000),
  ];
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      call(c, 'POST', rulesUrl(practices[i % 2]!), rule(4, i % 3 === 0 ? '08:00' : '09:00', '11:00')),
    ),
  );
  assert.deepEqual(
    results.map((r) => r.statusCode).sort(),
    [201, ...Array<number>(11).fill(422)],
    results.map((r) => r.body).join('\n'),
  );
  const kept = await c.ta.db.selectFrom('schedule_rules').select('id').where('practice_id', 'in', practices).execute();
  assert.equal(kept.length, 1);
  assert.equal((await auditOf(c, kept[0]!.id)).length, 1);
});
