import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { sql, type CompiledQuery } from 'kysely';
import { andiVisit, insertCatalogue, openAndiForVisits } from '../../../test/catalogue-fixture.js';
import {
  authHeaders,
  build,
  createFreshDatabase,
  envelope,
  onPostgres,
  registerPatient,
  uniqueName,
} from '../../../test/helpers.js';
import { createDatabase, type Db } from '../../db/index.js';
import { GroupCommitter } from '../../db/group-commit.js';
import { isUniqueViolation } from '../../db/errors.js';
import { createAdmin } from '../admin/index.js';
import { VersionedCache } from '../../lib/cache.js';
import { CATALOGUE_VERSION } from '../catalogue/catalogue.service.js';
import { SandboxProvider } from '../payments/sandbox.js';
import { orderEventsOutbox } from '../notifications/index.js';
import { BookingService } from './booking.service.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

// Tuesday 1 December 2026, 07:00 in Jakarta (00:00 UTC).
const T0 = Date.UTC(2026, 11, 1, 0, 0);

/** An app (at T0 unless told) with Dr Andi in Jakarta, open on Wednesdays 09:00-10:00 for visits (two slots). */
async function wednesdayMorning(t: TestContext, env: Record<string, string>, now = () => T0) {
  const ta = await build(t, { env, now });
  const fx = await insertCatalogue(ta.db, uniqueName('w').toLowerCase());
  return { ta, fx, practice: await openAndiForVisits(ta.db, fx) };
}

test('grouped writes: a unit that fails is rolled back alone; the others are written and answered', async (t) => {
  const fresh = await createFreshDatabase();
  t.after(async () => {
    await fresh.handle.destroy();
    await fresh.cleanup();
  });
  const { db, dialect } = fresh.handle;
  await sql`create table group_units (id text primary key)`.execute(db);
  const writer = new GroupCommitter(db, dialect);
  const insert = (id: string) => sql`insert into group_units (id) values (${id})`;
  const ids = async () =>
    (await sql<{ id: string }>`select id from group_units order by id`.execute(db)).rows.map((r) => r.id);

  const outcomes = await Promise.allSettled(
    ['a', 'b', 'a', 'c'].map((id) =>
      writer.run(async (trx) => {
        await insert(id).execute(trx);
        return id;
      }),
    ),
  );
  // On SQLite the four share one transaction, in order; on PostgreSQL they run side by side,
  // so either 'a' may be the one refused.
  const answers = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'refused'));
  assert.deepEqual([answers[1], answers[3]], ['b', 'c']);
  assert.deepEqual([answers[0], answers[2]].sort(), ['a', 'refused']);
  if (dialect === 'sqlite') assert.equal(answers[2], 'refused');
  const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
  assert.ok(isUniqueViolation(refused.reason));
  assert.deepEqual(await ids(), ['a', 'b', 'c']);

  // A unit that throws its own error is reported as such, and leaves nothing behind.
  const [good, bad] = await Promise.allSettled([
    writer.run(async (trx) => insert('d').execute(trx)),
    writer.run(async (trx) => {
      await insert('e').execute(trx);
      throw new Error('changed my mind');
    }),
  ]);
  assert.equal(good.status, 'fulfilled');
  assert.equal((bad as PromiseRejectedResult).reason.message, 'changed my mind');
  assert.deepEqual(await ids(), ['a', 'b', 'c', 'd']);
});

test('a cached version is read ahead once half of CACHE_TTL_MS has gone, without making a request wait', async (t) => {
  const clock = { now: T0 };
  const ta = await build(t, { now: () => clock.now });
  const cache = new VersionedCache(ta.db, 'read-ahead-test', 60_000, 100, () => clock.now);
  const value = (answer: string) => cache.get('key', async () => answer);
  assert.equal(await value('first'), 'first');
  // Another process changes what is cached and bumps the version.
  await VersionedCache.bump(ta.db, 'read-ahead-test');
  clock.now += 29_000;
  assert.equal(await value('second'), 'first', 'before half of the TTL: no read, the cached value');
  clock.now += 2_000;
  assert.equal(await value('second'), 'first', 'after half: the cached value at once, a read begins');
  let seen = 'first';
  for (let i = 0; i < 100 && seen === 'first'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    seen = await value('second');
  }
  assert.equal(seen, 'second', 'the read ahead saw the new version before the TTL ran out');
});

test('cached schedules: an admin change shows at once here, a change from elsewhere within CACHE_TTL_MS', async (t) => {
  const clock = { now: T0 };
  const { ta, practice } = await wednesdayMorning(t, { DEMO_MODE: 'true', CACHE_TTL_MS: '60000' }, () => clock.now);
  // Written straight to the database, as another process would: announced by a version bump.
  await VersionedCache.bump(ta.db, CATALOGUE_VERSION);
  const times = async () => {
    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/doctor/get-time-list',
      headers: authHeaders(ta),
      payload: { doctor_has_hospital_id: practice, date: '2026-12-02', appointment: 'reservasi' },
    });
    assert.equal(res.statusCode, 200, res.body);
    return (envelope(res).data as { time: string }[]).map((s) => s.time);
  };
  assert.deepEqual(await times(), ['09:00', '09:30']);

  const email = `${uniqueName('admin')}@cexup.test`;
  await createAdmin(ta.db, { name: 'Admin Jadwal', email, password: 'sangat-rahasia-2026' });
  const login = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password: 'sangat-rahasia-2026' },
  });
  const admin = { ...authHeaders(ta), authorization: `Bearer ${envelope(login).data.access_token}` };
  const leave = await ta.app.inject({
    method: 'POST',
    url: `/api/admin/practices/${practice}/schedule/exceptions`,
    headers: admin,
    payload: { date: '2026-12-02', kind: 'leave', start_time: '09:00', end_time: '09:30' },
  });
  assert.equal(leave.statusCode, 201, leave.body);
  assert.deepEqual(await times(), ['09:30'], 'the change made through this process shows at once');

  // Another process removes the leave and bumps the version: seen once the TTL has passed.
  await ta.db.deleteFrom('schedule_exceptions').where('practice_id', '=', practice).execute();
  await VersionedCache.bump(ta.db, CATALOGUE_VERSION);
  assert.deepEqual(await times(), ['09:30'], 'within CACHE_TTL_MS this process still answers from its cache');
  clock.now += 60_001;
  assert.deepEqual(await times(), ['09:00', '09:30']);
});

/**
 * The database as a service sees it, except that reads of slot_holds are counted and their
 * answers held back until `open()` (after the query has run, so the connection is free).
 */
function gatedHeldReads(db: Db) {
  const gate = { reads: 0, isOpen: false, waiting: [] as (() => void)[] };
  const open = () => {
    gate.isOpen = true;
    for (const release of gate.waiting.splice(0)) release();
  };
  const gated = new Proxy(db, {
    get(target, prop) {
      if (prop === 'executeQuery') {
        return async (query: CompiledQuery) => {
          const result = await target.executeQuery(query);
          if (/^select .* from "slot_holds"/.test(query.sql)) {
            gate.reads++;
            if (!gate.isOpen) await new Promise<void>((resolve) => gate.waiting.push(resolve));
          }
          return result;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { gated, gate, open };
}

test('slot lists of one doctor share a read in flight, but never one that began before a booking here', async (t) => {
  const { ta, fx, practice } = await wednesdayMorning(t, { DEMO_MODE: 'true' });
  const patient = await registerPatient(ta);
  const { gated, gate, open } = gatedHeldReads(ta.db);
  // Its own service, on a database whose slot_holds reads wait at the gate.
  const booking = new BookingService(gated, ta.config.booking, new SandboxProvider(true), orderEventsOutbox, () => T0);
  const free = async (list: Promise<{ time: string; available: boolean }[]>) =>
    (await list).filter((s) => s.available).map((s) => s.time);

  // Until `reads` reads have reached the gate, and a moment more for any read too many.
  const settle = async (reads: number) => {
    for (let waited = 0; gate.reads < reads && waited < 10_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  };
  const first = booking.timeList(null, practice, '2026-12-02', 'reservasi');
  const second = booking.timeList(null, practice, '2026-12-02', 'reservasi');
  const days = booking.dateList(null, practice, 'reservasi', '2026-12-02', 1);
  await settle(1);
  assert.equal(gate.reads, 1, 'two time lists and a date list over the same slots: one read');

  const { order } = await booking.book(
    {
      userId: patient.userId,
      userName: 'Siti Rahayu',
      email: patient.email,
      account: { name: 'Siti Rahayu', avatar_image_id: null, date_of_birth: null, gender: null },
      appId: ta.appId,
      scope: null,
      baseUrl: 'http://localhost',
    },
    {
      practiceId: practice,
      usernameDoctor: `${fx.prefix}andi`,
      type: 'reservasi',
      date: '2026-12-02',
      time: '09:00',
      patientName: 'Siti Rahayu',
      price: 250000,
      note: null,
      allowAccessData: false,
    },
    undefined,
  );
  assert.equal(order.time, '09:00');
  const after = booking.timeList(null, practice, '2026-12-02', 'reservasi');
  await settle(2);
  assert.equal(gate.reads, 2, 'a list after the booking reads anew');
  open();
  // The reads that began before the booking may still show its slot; the one after never does.
  assert.deepEqual(await free(first), ['09:00', '09:30']);
  assert.deepEqual(await free(second), ['09:00', '09:30']);
  assert.deepEqual(await days, [{ date: '2026-12-02', available_slots: 2 }]);
  assert.deepEqual(await free(after), ['09:30']);
  assert.deepEqual(await free(booking.timeList(null, practice, '2026-12-02', 'reservasi')), ['09:30']);
  assert.equal(gate.reads, 3, 'nothing is kept once a read has answered');
});

test('the sandbox outside demo mode: a paid booking is refused with 503 and nothing is written', async (t) => {
  const { ta, fx, practice } = await wednesdayMorning(t, { DEMO_MODE: 'false' });
  const patient = await registerPatient(ta);
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/doctor/booking',
    headers: authHeaders(ta, patient),
    payload: andiVisit(fx),
  });
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(envelope(res).code, 'PAYMENT_UNAVAILABLE');
  assert.equal(res.headers['retry-after'], '30');
  const orders = await ta.db.selectFrom('orders').select('id').where('practice_id', '=', practice).execute();
  const holds = await ta.db
    .selectFrom('slot_holds')
    .innerJoin('practices', 'practices.doctor_id', 'slot_holds.doctor_id')
    .select('slot_holds.id')
    .where('practices.id', '=', practice)
    .execute();
  assert.equal(orders.length, 0);
  assert.equal(holds.length, 0);
});

test(
  'SQLite: a server database is checkpointed by a background thread, not by the writer',
  { skip: onPostgres },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cexup-ckpt-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'db.sqlite');
    const handle = createDatabase({ kind: 'sqlite', file }, { backgroundCheckpoints: true });
    t.after(() => handle.destroy());
    await sql`create table notes (id integer primary key, body text not null)`.execute(handle.db);
    const before = statSync(file).size;
    // About 2 MB of pages: far below the writer's own threshold (10,000 pages).
    for (let i = 0; i < 200; i++) {
      await sql`insert into notes (body) values (${'x'.repeat(10_000)})`.execute(handle.db);
    }
    const deadline = performance.now() + 5000;
    while (statSync(file).size <= before + 1_000_000 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(statSync(file).size > before + 1_000_000, 'the pages were copied into the database file');
    await handle.destroy();
    assert.throws(() => statSync(`${file}-wal`), 'closing removes the WAL: nothing was left uncheckpointed');
  },
);
