import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import {
  authHeaders,
  build,
  envelope,
  registerPatient,
  uniqueName,
  type Patient,
  type TestApp,
} from '../../../test/helpers.js';
import { newSortableId } from '../../security/tokens.js';
import { createDoctorLogin } from '../doctors/doctors.service.js';
import { AdminDashboard, dashboardRange } from './admin-dashboard.js';
import { createAdmin } from './admin-accounts.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Thursday 10 December 2026, 10:00 in Jakarta (WIB), 11:00 in Makassar (WITA), 12:00 in Jayapura (WIT). */
const T0 = Date.UTC(2026, 11, 10, 3, 0);
/** An instant given as WIB wall-clock time. */
const wib = (date: string, time: string) => Date.parse(`${date}T${time}:00+07:00`);

interface Ctx {
  ta: TestApp;
  token: string;
  clock: { now: number };
}

async function setup(t: TestContext, start = T0): Promise<Ctx> {
  const clock = { now: start };
  const ta = await build(t, {
    env: { DEMO_MODE: 'true', RATE_LIMIT_BOOKINGS_PER_HOUR: '1000', MAX_UNPAID_ORDERS: '100' },
    now: () => clock.now,
  });
  const email = `${uniqueName('admin')}@cexup.test`;
  const password = 'sangat-rahasia-2026';
  await createAdmin(ta.db, { name: 'Admin Dasbor', email, password });
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { ta, token: envelope(res).data.access_token, clock };
}

const get = (c: Ctx, url: string, token: string = c.token) =>
  c.ta.app.inject({ method: 'GET', url, headers: { ...authHeaders(c.ta), authorization: `Bearer ${token}` } });

async function dashboard(c: Ctx, query = '') {
  const res = await get(c, `/api/admin/dashboard${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return envelope(res).data;
}

async function admin(c: Ctx, url: string, payload: object) {
  const res = await c.ta.app.inject({
    method: 'POST',
    url,
    headers: { ...authHeaders(c.ta), authorization: `Bearer ${c.token}` },
    payload,
  });
  assert.ok(res.statusCode === 200 || res.statusCode === 201, `${url}: ${res.body}`);
  return envelope(res).data;
}

function assertInvalid(res: LightMyRequestResponse, field: string, message?: RegExp) {
  assert.equal(res.statusCode, 422, res.body);
  const body = envelope(res);
  assert.equal(body.code, 'VALIDATION_FAILED');
  assert.deepEqual(Object.keys(body.errors ?? {}), [field], res.body);
  if (message) assert.match(body.errors?.[field]?.[0] ?? '', message);
}

/** Three hospitals (one a zone), a doctor at each with a login, open every day. */
async function catalogue(c: Ctx) {
  const p = `d${randomBytes(3).toString('hex')}`;
  await admin(c, '/api/admin/specialities', { slug: `${p}-umum`, name: `${p} Umum` });
  const hospital = (key: string, name: string, timezone: string) =>
    admin(c, '/api/admin/hospitals', { slug: `${p}-${key}`, name, city: 'Kota', timezone });
  // Named so that their order by name is Jayapura, Jakarta, Makassar.
  const jakarta = await hospital('jakarta', `${p} RS B Jakarta`, 'Asia/Jakarta');
  const makassar = await hospital('makassar', `${p} RS C Makassar`, 'Asia/Makassar');
  const jayapura = await hospital('jayapura', `${p} RS A Jayapura`, 'Asia/Jayapura');
  const doctor = async (key: string, h: { slug: string }, call: number | null, reservasi: number | null) => {
    const d = await admin(c, '/api/admin/doctors', {
      slug: `${p}-${key}`,
      name: `dr. ${key}`,
      speciality: `${p}-umum`,
    });
    const practice = (
      await admin(c, '/api/admin/practices', {
        doctor: d.slug,
        hospital: h.slug,
        call_price: call,
        reservasi_price: reservasi,
      })
    ).id as number;
    const type = call !== null ? 'call' : 'reservasi';
    for (let weekday = 1; weekday <= 7; weekday++) {
      await admin(c, `/api/admin/practices/${practice}/schedule/rules`, {
        weekday,
        start_time: '00:00',
        end_time: '23:00',
        slot_minutes: 30,
        appointment_type: type,
      });
    }
    const email = `${uniqueName('dok')}@rs.example.id`;
    await createDoctorLogin(c.ta.db, { slug: d.slug, email, password: 'dokter-sandi-2026' }, c.clock.now);
    const login = await c.ta.app.inject({
      method: 'POST',
      url: '/api/login/doctor',
      headers: authHeaders(c.ta),
      payload: { email, password: 'dokter-sandi-2026' },
    });
    assert.equal(login.statusCode, 200, login.body);
    return {
      practice,
      username: d.username as string,
      type,
      price: (call ?? reservasi)!,
      token: envelope(login).data.access_token as string,
    };
  };
  return {
    hospitals: { jakarta, makassar, jayapura },
    andi: await doctor('andi', jakarta, null, 200_000),
    budi: await doctor('budi', makassar, 100_000, null),
    citra: await doctor('citra', jayapura, null, 180_000),
  };
}

type Doctor = Awaited<ReturnType<typeof catalogue>>['andi'];

/** The real flows: booking, the sandbox payment, the patient's and the doctor's moves. */
function flows(c: Ctx, patient: Patient) {
  const book = async (d: Doctor, time: string) => {
    const res = await c.ta.app.inject({
      method: 'POST',
      url: '/api/doctor/booking',
      headers: authHeaders(c.ta, patient),
      payload: { id: d.practice, username_doctor: d.username, time, type: d.type, patient: 'Siti', price: d.price },
    });
    assert.equal(res.statusCode, 201, res.body);
    return envelope(res).data as { transaction_id: string; payment_url: string };
  };
  const pay = async (order: { payment_url: string }) => {
    const res = await c.ta.app.inject({ method: 'POST', url: `${new URL(order.payment_url).pathname}/complete` });
    assert.ok(res.statusCode < 400, res.body);
  };
  const doctor = async (d: Doctor, order: { transaction_id: string }, action: string, payload?: object) => {
    const res = await c.ta.app.inject({
      method: 'POST',
      url: `/api/doctor-app/orders/${order.transaction_id}/${action}`,
      headers: { ...authHeaders(c.ta), authorization: `Bearer ${d.token}` },
      ...(payload ? { payload } : {}),
    });
    assert.equal(res.statusCode, 200, `${action}: ${res.body}`);
    return envelope(res).data;
  };
  const cancel = async (order: { transaction_id: string }) => {
    const res = await c.ta.app.inject({
      method: 'PUT',
      url: '/api/user/orders',
      headers: authHeaders(c.ta, patient),
      payload: { transaction_id: order.transaction_id, type: 'reject_by_patient' },
    });
    assert.equal(res.statusCode, 200, res.body);
    return envelope(res).data.status as string;
  };
  const refund = (order: { transaction_id: string }) =>
    admin(c, `/api/admin/orders/${order.transaction_id}/refund`, {});
  return { book, pay, doctor, cancel, refund };
}

const figures = (days: { date: string }[], date: string) => {
  const day = days.find((d) => d.date === date);
  assert.ok(day, `no ${date}`);
  const { date: _date, ...rest } = day as Record<string, unknown>;
  return rest;
};

test('per-day figures, totals, today per hospital in its own zone, and attention, through the real flows', async (t) => {
  const c = await setup(t, wib('2026-12-08', '08:00'));
  const cat = await catalogue(c);
  const { andi, budi, citra } = cat;
  const patient = await registerPatient(c.ta);
  const f = flows(c, patient);
  const at = (date: string, time: string) => (c.clock.now = wib(date, time));

  // Tuesday 8 December (WIB).
  at('2026-12-08', '09:00');
  const o1 = await f.book(andi, '2026-12-10 14:00'); // paid, confirmed: today, confirmed
  await f.pay(o1);
  const o2 = await f.book(andi, '2026-12-10 15:00'); // paid, never confirmed: today, waiting
  await f.pay(o2);
  const o3 = await f.book(andi, '2026-12-10 08:00'); // paid, done this morning
  await f.pay(o3);
  at('2026-12-08', '09:10');
  const o8 = await f.book(andi, '2026-12-11 09:00'); // paid, declined: cancelled today, refunded tomorrow
  await f.pay(o8);
  await f.doctor(andi, o8, 'decline');
  await f.book(andi, '2026-12-11 10:00'); // never paid: expires, no cancellation
  const o12 = await f.book(andi, '2026-12-09 09:00'); // paid, confirmed, missed tomorrow
  await f.pay(o12);
  await f.doctor(andi, o12, 'confirm');
  await f.doctor(andi, o1, 'confirm');
  await f.doctor(andi, o3, 'confirm');
  at('2026-12-08', '11:00');
  assert.ok((await c.ta.app.services.booking.runDeadlines()) >= 1);
  // 23:59 WIB is still the 8th; 00:30 WIB on the 9th is the 8th in UTC, but the 9th here.
  at('2026-12-08', '23:59');
  const o5 = await f.book(budi, '2026-12-10 13:00'); // Makassar 13:00 WITA today, paid, confirmed
  await f.pay(o5);
  await f.doctor(budi, o5, 'confirm');
  c.clock.now = Date.UTC(2026, 11, 8, 17, 30); // 2026-12-09 00:30 WIB
  const o9 = await f.book(andi, '2026-12-12 09:00'); // paid, then cancelled by the patient: refund waits
  await f.pay(o9);

  // Wednesday 9 December.
  at('2026-12-09', '09:20');
  await f.doctor(andi, o12, 'missed');
  at('2026-12-09', '10:00');
  assert.equal(await f.cancel(o9), 'waiting_refund');
  const o10 = await f.book(andi, '2026-12-12 10:00'); // cancelled before paying
  assert.equal(await f.cancel(o10), 'order_cancel');
  await f.refund(o8);
  const o6 = await f.book(citra, '2026-12-10 09:00'); // Jayapura 09:00 WIT today, paid, confirmed
  await f.pay(o6);
  await f.doctor(citra, o6, 'confirm');
  // Friday 00:30 in Jayapura is Thursday 22:30 in Jakarta: not today there.
  const o7 = await f.book(citra, '2026-12-11 00:30');
  await f.pay(o7);
  await f.doctor(citra, o7, 'confirm');
  const o14 = await f.book(budi, '2026-12-11 13:00'); // paid, the doctor proposes another time
  await f.pay(o14);
  await f.doctor(budi, o14, 'propose', { date: '2026-12-12', time: '13:00' });
  const o13 = await f.book(andi, '2026-12-10 10:30'); // paid, still unconfirmed an hour before: overdue
  await f.pay(o13);
  // A look in between: the 8th is settled then, and kept; what follows must not be lost.
  const midweek = await dashboard(c, '?from=2026-12-08&to=2026-12-09');
  assert.equal(midweek.totals.bookings, 13);

  // Thursday 10 December: the morning's meeting, then 10:00 WIB (T0).
  at('2026-12-10', '07:50');
  await f.doctor(andi, o3, 'open-room');
  at('2026-12-10', '08:05');
  await f.doctor(andi, o3, 'start');
  at('2026-12-10', '08:35');
  await f.doctor(andi, o3, 'finish');
  await f.book(andi, '2026-12-10 16:00'); // unpaid: no appointment
  c.clock.now = T0;

  const d = await dashboard(c, '?from=2026-12-07&to=2026-12-10');
  assert.equal(d.from, '2026-12-07');
  assert.equal(d.to, '2026-12-10');
  assert.equal(d.timezone, 'Asia/Jakarta');
  assert.deepEqual(
    d.days.map((x: { date: string }) => x.date),
    ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10'],
  );
  const none = { bookings: 0, paid: 0, cancelled: 0, refunded: 0, missed: 0, revenue: 0 };
  assert.deepEqual(figures(d.days, '2026-12-07'), none);
  // 8th: o1 o2 o3 o8 o11 o12 booked and all but o11 paid (5 x 200,000); o5 (100,000) at 23:59;
  // o8 declined (cancelled); o11 expired (not a cancellation).
  assert.deepEqual(figures(d.days, '2026-12-08'), {
    bookings: 7,
    paid: 6,
    cancelled: 1,
    refunded: 0,
    missed: 0,
    revenue: 5 * 200_000 + 100_000,
  });
  // 9th: o9 (00:30 WIB) o10 o6 o7 o14 o13 booked; o9 o6 o7 o14 o13 paid; o9 and o10 cancelled;
  // o8's refund; o12 missed.
  assert.deepEqual(figures(d.days, '2026-12-09'), {
    bookings: 6,
    paid: 5,
    cancelled: 2,
    refunded: 1,
    missed: 1,
    revenue: 200_000 + 180_000 + 180_000 + 100_000 + 200_000 - 200_000,
  });
  assert.deepEqual(figures(d.days, '2026-12-10'), { ...none, bookings: 1 });
  assert.deepEqual(d.totals, {
    bookings: 14,
    paid: 11,
    cancelled: 3,
    refunded: 1,
    missed: 1,
    revenue: 1_100_000 + 660_000,
  });
  // Each hospital's own today; by hospital name.
  assert.deepEqual(d.today, [
    {
      hospital_slug: cat.hospitals.jayapura.slug,
      hospital_name: cat.hospitals.jayapura.name,
      timezone: 'Asia/Jayapura',
      timezone_label: 'WIT',
      appointments: 1,
      waiting_confirmation: 0,
      confirmed: 1,
      done: 0,
    },
    {
      hospital_slug: cat.hospitals.jakarta.slug,
      hospital_name: cat.hospitals.jakarta.name,
      timezone: 'Asia/Jakarta',
      timezone_label: 'WIB',
      // o1 confirmed, o2 and o13 waiting, o3 done; o4 unpaid.
      appointments: 4,
      waiting_confirmation: 2,
      confirmed: 1,
      done: 1,
    },
    {
      hospital_slug: cat.hospitals.makassar.slug,
      hospital_name: cat.hospitals.makassar.name,
      timezone: 'Asia/Makassar',
      timezone_label: 'WITA',
      appointments: 1,
      waiting_confirmation: 0,
      confirmed: 1,
      done: 0,
    },
  ]);
  assert.deepEqual(d.attention, {
    refunds_waiting: 1, // o9 (o8 was refunded)
    confirm_overdue: 1, // o13 starts at 10:30, its deadline was 09:30; o2 (15:00) is in time
    proposals_unanswered: 1, // o14
    webhooks_failing: 0,
  });

  // The kept days are what a fresh count says (same database, nothing kept).
  const fresh = await new AdminDashboard(c.ta.db, () => c.clock.now).read({ from: '2026-12-07', to: '2026-12-10' });
  assert.deepEqual(fresh, d);
  assert.deepEqual(midweek.days[0], d.days[1]);

  // One hospital: its figures alone.
  const makassar = await dashboard(c, `?from=2026-12-08&to=2026-12-09&hospital=${cat.hospitals.makassar.slug}`);
  assert.deepEqual(makassar.totals, { ...none, bookings: 2, paid: 2, revenue: 200_000 });
  assert.deepEqual(
    makassar.today.map((x: { hospital_slug: string }) => x.hospital_slug),
    [cat.hospitals.makassar.slug],
  );
  assert.deepEqual(makassar.attention, {
    refunds_waiting: 0,
    confirm_overdue: 0,
    proposals_unanswered: 1,
    webhooks_failing: 0,
  });
  const jakarta = await dashboard(c, `?from=2026-12-08&to=2026-12-10&hospital=${cat.hospitals.jakarta.slug}`);
  assert.deepEqual(jakarta.totals, {
    bookings: 10,
    paid: 7,
    cancelled: 3,
    refunded: 1,
    missed: 1,
    revenue: 7 * 200_000 - 200_000,
  });
  assert.deepEqual(jakarta.attention, {
    refunds_waiting: 1,
    confirm_overdue: 1,
    proposals_unanswered: 0,
    webhooks_failing: 0,
  });

  // The refund made now counts today, and the figures before stay as they were.
  c.clock.now = T0 + MINUTE;
  await f.refund(o9);
  const after = await dashboard(c, '?from=2026-12-07&to=2026-12-10');
  assert.deepEqual(after.days.slice(0, 3), d.days.slice(0, 3));
  assert.deepEqual(figures(after.days, '2026-12-10'), { ...none, bookings: 1, refunded: 1, revenue: -200_000 });
  assert.equal(after.attention.refunds_waiting, 0);

  // The default range: the 30 days ending today (WIB), every one of them listed.
  const recent = await dashboard(c);
  assert.equal(recent.from, '2026-11-11');
  assert.equal(recent.to, '2026-12-10');
  assert.equal(recent.days.length, 30);
  assert.deepEqual(recent.totals, { ...after.totals });
});

test('webhooks failing: given up on in the last 7 days, or waiting for a retry after a failed call', async (t) => {
  const c = await setup(t);
  const cat = await catalogue(c);
  const patient = await registerPatient(c.ta);
  const f = flows(c, patient);
  const order = await f.book(cat.budi, '2026-12-11 13:00');
  const row = await c.ta.db
    .selectFrom('orders')
    .select(['id', 'app_id'])
    .where('transaction_id', '=', order.transaction_id)
    .executeTakeFirstOrThrow();
  const delivery = (state: string, updatedAt: number, lastError: string | null, channel = 'webhook') => ({
    id: newSortableId(updatedAt),
    event_key: newSortableId(updatedAt),
    channel,
    target: 'hook',
    app_id: row.app_id,
    order_id: row.id,
    kind: 'order.created',
    payload: '{}',
    state,
    attempts: 3,
    next_attempt_at: updatedAt + HOUR,
    lease_until: null,
    lease_owner: null,
    last_status: lastError === null ? null : 500,
    last_error: lastError,
    created_at: updatedAt - HOUR,
    updated_at: updatedAt,
    delivered_at: state === 'delivered' ? updatedAt : null,
  });
  await c.ta.db
    .insertInto('notification_deliveries')
    .values([
      delivery('failed', T0 - DAY, 'HTTP 500'), // counts
      delivery('failed', T0 - 6 * DAY, 'timeout'), // counts
      delivery('failed', T0 - 8 * DAY, 'HTTP 500'), // too long ago
      delivery('pending', T0 - MINUTE, 'HTTP 503'), // retrying: counts
      delivery('pending', T0, null), // not tried yet
      delivery('delivered', T0 - HOUR, null),
      delivery('failed', T0 - HOUR, 'mail not accepted', 'email'), // not a webhook
    ])
    .execute();
  assert.equal((await dashboard(c)).attention.webhooks_failing, 3);
  assert.equal(
    (await dashboard(c, `?hospital=${cat.hospitals.makassar.slug}`)).attention.webhooks_failing,
    3,
    'the order is Makassar’s',
  );
  assert.equal((await dashboard(c, `?hospital=${cat.hospitals.jakarta.slug}`)).attention.webhooks_failing, 0);
});

test('422 on the field at fault, unknown hospital, and admins only (401 for a patient)', async (t) => {
  const c = await setup(t);
  assertInvalid(await get(c, '/api/admin/dashboard?from=2026-12-05&to=2026-12-01'), 'to', /at least 2026-12-05/);
  assertInvalid(await get(c, '/api/admin/dashboard?from=2026-12-11'), 'from', /greater than 2026-12-10/);
  assertInvalid(await get(c, '/api/admin/dashboard?from=2025-01-01&to=2026-01-02'), 'to', /greater than 2026-01-01/);
  assertInvalid(await get(c, '/api/admin/dashboard?from=2025-12-09'), 'from', /at least 2025-12-10/);
  assertInvalid(await get(c, '/api/admin/dashboard?to=2026-02-30'), 'to', /real date/);
  assertInvalid(await get(c, '/api/admin/dashboard?from=2026-13-01'), 'from', /real date/);
  assertInvalid(await get(c, '/api/admin/dashboard?from=10-12-2026'), 'from');
  assertInvalid(await get(c, '/api/admin/dashboard?from=1969-12-31&to=1970-01-01'), 'from', /at least 1970-01-01/);
  assertInvalid(await get(c, '/api/admin/dashboard?hospital=no-such-hospital'), 'hospital', /does not exist/);

  // 366 days, both ends included (2028 is a leap year), is the longest range.
  const year = await dashboard(c, '?from=2028-01-01&to=2028-12-31');
  assert.equal(year.days.length, 366);
  assert.equal(year.days[365].date, '2028-12-31');
  const one = await dashboard(c, '?from=2026-12-10&to=2026-12-10');
  assert.equal(one.days.length, 1);
  // An empty hospital filter is no filter.
  assert.equal((await dashboard(c, '?hospital=')).days.length, 30);

  const patient = await registerPatient(c.ta);
  const refused = await get(c, '/api/admin/dashboard', patient.token);
  assert.equal(refused.statusCode, 401, refused.body);
  assert.equal(envelope(refused).code, 'UNAUTHENTICATED');
  const anonymous = await c.ta.app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: authHeaders(c.ta) });
  assert.equal(anonymous.statusCode, 401);
});

test('the range: defaults, and the WIB day of "today"', () => {
  // 23:30 UTC on 9 December is 06:30 on the 10th in Jakarta.
  const late = Date.UTC(2026, 11, 9, 23, 30);
  assert.deepEqual(dashboardRange({}, late), { from: '2026-11-11', to: '2026-12-10' });
  assert.deepEqual(dashboardRange({ to: '2026-03-01' }, late), { from: '2026-01-31', to: '2026-03-01' });
  assert.deepEqual(dashboardRange({ from: '2026-12-01' }, late), { from: '2026-12-01', to: '2026-12-10' });
});

test('settled days kept are bounded, least recently used out, and only settled days are kept', async (t) => {
  const c = await setup(t);
  const small = new AdminDashboard(c.ta.db, () => c.clock.now, 40);
  const year = await small.read({ from: '2025-12-11', to: '2026-12-10' });
  assert.equal(year.days.length, 365);
  assert.equal(small.settledDaysKept, 40);
  // 10:00 WIB: yesterday ended 10 hours ago and is settled; today is not.
  const recent = new AdminDashboard(c.ta.db, () => c.clock.now);
  await recent.read({ from: '2026-12-08', to: '2026-12-10' });
  assert.equal(recent.settledDaysKept, 2);
  // 00:30 WIB: yesterday ended half an hour ago, not settled yet.
  const night = new AdminDashboard(c.ta.db, () => wib('2026-12-10', '00:30'));
  await night.read({ from: '2026-12-08', to: '2026-12-10' });
  assert.equal(night.settledDaysKept, 1);
});
