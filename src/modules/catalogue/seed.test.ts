import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { buildApp } from '../../app.js';
import { runCli } from '../../cli/index.js';
import type { Db } from '../../db/index.js';
import { ensureDemoData } from '../../demo.js';
import { build, createFreshDatabase, envelope, testConfig } from '../../../test/helpers.js';
import { rulesOverlap } from '../booking/schedule.js';
import { addDays, isoWeekday, utcToLocal } from '../../lib/time.js';
import { CATALOGUE_VERSION, sanitizeArticleHtml } from './catalogue.service.js';
import { seedCatalogue, seedCatalogueIfEmpty, type SeedResult } from './seed.js';
import { insertUser, newUserRow } from '../accounts/accounts.repository.js';
import { systemClock } from '../../clock.js';

/** An empty, migrated database of its own, dropped when the test ends. */
async function freshDb(t: TestContext) {
  const fresh = await createFreshDatabase();
  t.after(async () => {
    await fresh.handle.destroy();
    await fresh.cleanup();
  });
  return { db: fresh.handle.db, handle: fresh.handle, url: fresh.url };
}

/** Every catalogue row, in a stable order; practices without their database-made ids. */
async function snapshot(db: Db) {
  return {
    specialities: await db.selectFrom('specialities').selectAll().orderBy('id').execute(),
    hospitals: await db.selectFrom('hospitals').selectAll().orderBy('id').execute(),
    doctors: await db.selectFrom('doctors').selectAll().orderBy('id').execute(),
    practices: await db
      .selectFrom('practices')
      .select([
        'doctor_id',
        'hospital_id',
        'call_price',
        'reservasi_price',
        'unpublished_at',
        'created_at',
        'updated_at',
      ])
      .orderBy('doctor_id')
      .orderBy('hospital_id')
      .execute(),
    rules: await db
      .selectFrom('schedule_rules')
      .innerJoin('practices', 'practices.id', 'schedule_rules.practice_id')
      .select([
        'schedule_rules.id',
        'practices.doctor_id',
        'practices.hospital_id',
        'weekday',
        'start_time',
        'end_time',
        'slot_minutes',
        'appointment_type',
        'schedule_rules.created_at',
        'schedule_rules.updated_at',
      ])
      .orderBy('schedule_rules.id')
      .execute(),
    articles: await db.selectFrom('articles').selectAll().orderBy('id').execute(),
    categories: await db.selectFrom('product_categories').selectAll().orderBy('id').execute(),
    products: await db.selectFrom('products').selectAll().orderBy('id').execute(),
  };
}

async function counts(db: Db): Promise<SeedResult> {
  const n = async (
    table:
      | 'specialities'
      | 'hospitals'
      | 'doctors'
      | 'practices'
      | 'schedule_rules'
      | 'articles'
      | 'product_categories'
      | 'products',
  ) => Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    specialities: await n('specialities'),
    hospitals: await n('hospitals'),
    doctors: await n('doctors'),
    practices: await n('practices'),
    schedule_rules: await n('schedule_rules'),
    articles: await n('articles'),
    categories: await n('product_categories'),
    products: await n('products'),
  };
}

async function catalogueVersion(db: Db): Promise<number> {
  const row = await db
    .selectFrom('cache_versions')
    .select('version')
    .where('name', '=', CATALOGUE_VERSION)
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

/** Doctors a patient can see: published, with a published practice at a published hospital. */
async function visibleDoctorIds(db: Db): Promise<Set<string>> {
  const rows = await db
    .selectFrom('practices')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .innerJoin('doctors', 'doctors.id', 'practices.doctor_id')
    .innerJoin('specialities', 'specialities.id', 'doctors.speciality_id')
    .select('doctors.id')
    .where('practices.unpublished_at', 'is', null)
    .where('hospitals.unpublished_at', 'is', null)
    .where('doctors.unpublished_at', 'is', null)
    .where('specialities.unpublished_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.id));
}

const isRupiahPrice = (n: number | null) => n === null || (Number.isInteger(n) && n % 5000 === 0 && n >= 50_000);

test('the default seed: counts, Indonesian content, three time zones, 1-3 priced practices a doctor', async (t) => {
  const { db } = await freshDb(t);
  const result = await seedCatalogue(db);
  assert.deepEqual(await counts(db), result);
  assert.equal(result.doctors, 300);
  assert.equal(result.hospitals, 20);
  assert.equal(result.articles, 60);
  assert.equal(result.categories, 10);
  assert.equal(result.products, 150);
  assert.ok(result.specialities >= 15, `${result.specialities} specialities`);
  assert.ok(result.practices >= 300 && result.practices <= 900);
  assert.ok((await catalogueVersion(db)) >= 1);

  const hospitals = await db.selectFrom('hospitals').selectAll().execute();
  assert.deepEqual([...new Set(hospitals.map((h) => h.timezone))].sort(), [
    'Asia/Jakarta',
    'Asia/Jayapura',
    'Asia/Makassar',
  ]);
  for (const h of hospitals) {
    assert.match(h.name, /^RS /);
    assert.ok(h.name.endsWith(h.city.replace(/^Jakarta .*/, 'Jakarta')), h.name);
    assert.equal(h.unpublished_at, null);
  }
  assert.ok(hospitals.some((h) => h.name === 'RS Harapan Sehat Makassar'));

  const specialities = await db.selectFrom('specialities').selectAll().execute();
  const doctors = await db.selectFrom('doctors').selectAll().execute();
  assert.equal(new Set(doctors.map((d) => d.slug)).size, doctors.length, 'unique slugs');
  assert.equal(new Set(doctors.map((d) => d.username)).size, doctors.length, 'unique usernames');
  for (const d of doctors) {
    assert.match(d.username, /^[a-z]+\d+$/);
    assert.match(d.slug, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.match(d.name, /^drg?\. [A-Z][a-z]+( [A-Z][a-z]+)+(, Sp\.[A-Za-z-]+)?$/);
    assert.equal(d.name_search, d.name.toLowerCase());
    assert.ok(Number.isInteger(d.experience_years) && d.experience_years >= 1, d.name);
    assert.ok(d.about !== null && d.about.startsWith(`${d.name} adalah dokter`), d.about ?? 'null');
    assert.equal(d.user_id, null);
    assert.equal(d.unpublished_at, null);
  }
  assert.ok(doctors.some((d) => d.name.endsWith(', Sp.A')));
  // Every speciality has doctors.
  assert.deepEqual(new Set(doctors.map((d) => d.speciality_id)), new Set(specialities.map((s) => s.id)));

  const practices = await db.selectFrom('practices').selectAll().execute();
  const byDoctor = new Map<string, typeof practices>();
  for (const p of practices) byDoctor.set(p.doctor_id, [...(byDoctor.get(p.doctor_id) ?? []), p]);
  assert.equal(byDoctor.size, doctors.length, 'every doctor practises');
  for (const [doctorId, list] of byDoctor) {
    assert.ok(list.length >= 1 && list.length <= 3, `${doctorId}: ${list.length} practices`);
    assert.equal(new Set(list.map((p) => p.hospital_id)).size, list.length);
  }
  for (const p of practices) {
    assert.ok(p.call_price !== null || p.reservasi_price !== null, `practice ${p.id} offers nothing`);
    assert.ok(isRupiahPrice(p.call_price) && isRupiahPrice(p.reservasi_price), JSON.stringify(p));
    assert.ok((p.call_price ?? 0) <= 350_000 && (p.reservasi_price ?? 0) <= 350_000);
  }
  // All three kinds of practice exist, and every hospital has doctors.
  assert.ok(practices.some((p) => p.call_price !== null && p.reservasi_price !== null));
  assert.ok(practices.some((p) => p.call_price === null));
  assert.ok(practices.some((p) => p.reservasi_price === null));
  assert.equal(new Set(practices.map((p) => p.hospital_id)).size, 20);

  const articles = await db.selectFrom('articles').selectAll().execute();
  const drafts = articles.filter((a) => a.published_at === null);
  assert.ok(drafts.length >= 1 && drafts.length <= 10, `${drafts.length} drafts`);
  assert.equal(new Set(articles.map((a) => a.slug)).size, 60);
  for (const a of articles) {
    assert.match(a.body_html, /^<p>/);
    assert.equal(sanitizeArticleHtml(a.body_html), a.body_html, 'already sanitised');
    assert.ok(a.excerpt !== null && a.excerpt.length > 20);
    assert.ok(a.author !== null);
  }
  assert.ok(articles.some((a) => a.title.startsWith('Mengenal Demam Berdarah Dengue')));

  const categories = await db.selectFrom('product_categories').selectAll().execute();
  const products = await db.selectFrom('products').selectAll().execute();
  assert.equal(new Set(products.map((p) => p.slug)).size, 150);
  assert.deepEqual(new Set(products.map((p) => p.category_id)), new Set(categories.map((c) => c.id)));
  for (const p of products) {
    assert.ok(Number.isInteger(p.price) && p.price > 0, p.name);
    assert.ok(Number.isInteger(p.stock) && p.stock >= 0, p.name);
    assert.equal(p.image_ids, '[]');
  }
  assert.ok(products.some((p) => p.name.startsWith('Vitamin C 1000 mg')));
});

test('two databases seeded alike hold the same rows; the first N doctors do not depend on the total', async (t) => {
  const a = await freshDb(t);
  const b = await freshDb(t);
  await seedCatalogue(a.db);
  await seedCatalogue(b.db);
  const first = await snapshot(a.db);
  assert.deepEqual(await snapshot(b.db), first);

  // Slugs, names and prices side by side, as a client would compare them.
  const priced = (db: Db) =>
    db
      .selectFrom('practices')
      .innerJoin('doctors', 'doctors.id', 'practices.doctor_id')
      .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
      .select(['doctors.slug', 'doctors.name', 'hospitals.slug as hospital', 'call_price', 'reservasi_price'])
      .orderBy('doctors.slug')
      .orderBy('hospitals.slug')
      .execute();
  assert.deepEqual(await priced(b.db), await priced(a.db));

  // 50 doctors are the first 50 of the 300, practices included.
  await seedCatalogue(b.db, { doctors: 50 });
  const fifty = await snapshot(b.db);
  assert.equal(fifty.doctors.length, 50);
  const bigDoctors = new Map(first.doctors.map((d) => [d.id, d]));
  for (const d of fifty.doctors) assert.deepEqual(d, bigDoctors.get(d.id));
  const key = (p: { doctor_id: string; hospital_id: string }) => `${p.doctor_id}@${p.hospital_id}`;
  const bigPractices = new Map(first.practices.map((p) => [key(p), p]));
  for (const p of fifty.practices) assert.deepEqual(p, bigPractices.get(key(p)));
  const bigRules = new Map(first.rules.map((r) => [r.id, r]));
  assert.ok(fifty.rules.length > 0);
  for (const r of fifty.rules) assert.deepEqual(r, bigRules.get(r.id));
  assert.deepEqual(new Set(fifty.rules.map((r) => r.doctor_id)), new Set(fifty.doctors.map((d) => d.id)));
  assert.deepEqual(fifty.hospitals, first.hospitals);
  assert.deepEqual(fifty.articles, first.articles);
  assert.deepEqual(fifty.products, first.products);
});

test('a second seed replaces the catalogue: same rows, new practice ids, users kept, cache version bumped', async (t) => {
  const { db } = await freshDb(t);
  await seedCatalogue(db);
  const before = await snapshot(db);
  const oldIds = (await db.selectFrom('practices').select('id').execute()).map((p) => p.id);
  const version = await catalogueVersion(db);

  // A doctor's login account is a user: seeding leaves users alone.
  const now = systemClock();
  await insertUser(
    db,
    newUserRow(
      {
        id: 'seed-test-user',
        role: 'doctor',
        name: 'dr. Akun Dokter',
        username: 'akundokter',
        email: 'akun.dokter@example.id',
        password_hash: 'x',
      },
      now,
    ),
  );
  await db.updateTable('doctors').set({ user_id: 'seed-test-user' }).where('id', '=', before.doctors[0]!.id).execute();

  const result = await seedCatalogue(db);
  assert.deepEqual(await counts(db), result);
  assert.equal(result.doctors, 300);
  assert.deepEqual(await snapshot(db), before);
  assert.equal(await catalogueVersion(db), version + 1);
  const user = await db.selectFrom('users').select('id').where('id', '=', 'seed-test-user').executeTakeFirst();
  assert.deepEqual(user, { id: 'seed-test-user' });

  // Practice ids are never reused: an app holding an old doctor_has_hospital_id gets no other practice.
  const newIds = (await db.selectFrom('practices').select('id').execute()).map((p) => p.id);
  assert.equal(newIds.length, oldIds.length);
  assert.ok(Math.min(...newIds) > Math.max(...oldIds));
});

test('doctors: a chosen number, 0 included; not a whole number in range is refused and nothing changes', async (t) => {
  const { db } = await freshDb(t);
  assert.equal((await seedCatalogue(db, { doctors: 50 })).doctors, 50);
  assert.equal((await counts(db)).doctors, 50);
  const before = await snapshot(db);
  for (const doctors of [-1, 1.5, Number.NaN, 2_000_000]) {
    await assert.rejects(seedCatalogue(db, { doctors }), RangeError);
  }
  assert.deepEqual(await snapshot(db), before);

  const none = await seedCatalogue(db, { doctors: 0 });
  assert.equal(none.doctors, 0);
  assert.equal(none.practices, 0);
  assert.equal(none.schedule_rules, 0);
  assert.equal((await counts(db)).hospitals, 20);
});

test('npm run db:seed -- --doctors 50 seeds 50 doctors', async (t) => {
  const { handle, url } = await freshDb(t);
  const lines: string[] = [];
  const code = await runCli(['seed', '--doctors', '50'], {
    config: testConfig({}, url),
    database: handle,
    out: (l) => lines.push(l),
  });
  assert.equal(code, 0, lines.join('\n'));
  assert.match(lines.join('\n'), /Seeded: \d+ specialities, 20 hospitals, 50 doctors, /);
  assert.equal((await counts(handle.db)).doctors, 50);
});

test('npm run db:seed seeds the default catalogue and says what it wrote', async (t) => {
  const { handle, url } = await freshDb(t);
  const lines: string[] = [];
  const code = await runCli(['seed'], { config: testConfig({}, url), database: handle, out: (l) => lines.push(l) });
  assert.equal(code, 0, lines.join('\n'));
  const c = await counts(handle.db);
  assert.deepEqual(lines, [
    `Seeded: ${c.specialities} specialities, 20 hospitals, 300 doctors, ${c.practices} practices, ` +
      `${c.schedule_rules} schedule_rules, 60 articles, 10 categories, 150 products.`,
  ]);
});

test('after seeding, the API lists the doctors, specialities, hospitals and published articles', async (t) => {
  const ta = await build(t);
  const post = (url: string, payload: object = {}) =>
    ta.app.inject({ method: 'POST', url, headers: { 'x-api-key': ta.apiKey }, payload });

  // Whatever this process cached before the seed, the version bump makes it show the new catalogue.
  const empty = await post('/api/doctor');
  assert.equal(empty.statusCode, 200);
  assert.equal((envelope(empty) as any).meta.total, 0);
  const result = await seedCatalogue(ta.db);

  const res = await post('/api/doctor', { data: 20 });
  assert.equal(res.statusCode, 200, res.body);
  const body = envelope(res);
  assert.equal(body.success, true);
  const visible = await visibleDoctorIds(ta.db);
  assert.equal(visible.size, result.doctors);
  assert.deepEqual((body as any).meta, {
    current_page: 1,
    per_page: 20,
    total: visible.size,
    last_page: Math.ceil(visible.size / 20),
  });
  assert.equal(body.data.length, 20);
  for (const d of body.data) {
    assert.ok(Array.isArray(d.hospital) && d.hospital.length >= 1 && d.hospital.length <= 3, d.slug);
    for (const h of d.hospital) {
      assert.equal(h.id, h.doctor_has_hospital_id);
      assert.ok(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'].includes(h.timezone));
      assert.ok(h.appointment_types.length >= 1);
      assert.deepEqual(h.appointment_types, [
        ...(h.prices.call !== null ? ['call'] : []),
        ...(h.prices.reservasi !== null ? ['reservasi'] : []),
      ]);
    }
  }

  // One doctor in full, against the database.
  const slug = body.data[0].slug as string;
  const show = await post('/api/doctor/show', { slug });
  assert.equal(show.statusCode, 200);
  const doctor = envelope(show).data;
  const row = await ta.db.selectFrom('doctors').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow();
  assert.equal(doctor.name, row.name);
  assert.equal(doctor.username, row.username);
  const practices = await ta.db.selectFrom('practices').selectAll().where('doctor_id', '=', row.id).execute();
  assert.deepEqual(
    doctor.hospital.map((h: any) => [h.id, h.prices.call, h.prices.reservasi]).sort(),
    practices.map((p) => [p.id, p.call_price, p.reservasi_price]).sort(),
  );

  // A speciality filter counts that speciality's doctors.
  const anak = await post('/api/doctor', { speciality: 'anak' });
  const anakCount = await ta.db
    .selectFrom('doctors')
    .innerJoin('specialities', 'specialities.id', 'doctors.speciality_id')
    .select('doctors.id')
    .where('specialities.slug', '=', 'anak')
    .execute();
  assert.equal((envelope(anak) as any).meta.total, anakCount.length);
  assert.ok(anakCount.length > 0);

  const specialities = await ta.app.inject({
    method: 'GET',
    url: '/api/speciality',
    headers: { 'x-api-key': ta.apiKey },
  });
  assert.equal(envelope(specialities).data.length, result.specialities);
  assert.equal((envelope(await post('/api/hospital')) as any).meta.total, 20);
  const published = await ta.db.selectFrom('articles').select('id').where('published_at', 'is not', null).execute();
  assert.equal((envelope(await post('/api/article')) as any).meta.total, published.length);
  assert.ok(published.length < result.articles, 'drafts are not listed');

  // A smaller seed shows at once too.
  await seedCatalogue(ta.db, { doctors: 50 });
  assert.equal((envelope(await post('/api/doctor')) as any).meta.total, 50);
});

test('weekly schedules: every practice has rules of the types it offers; no doctor is in two places at once', async (t) => {
  const { db } = await freshDb(t);
  const result = await seedCatalogue(db);
  const practices = await db
    .selectFrom('practices')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .select(['practices.id', 'doctor_id', 'call_price', 'reservasi_price', 'hospitals.timezone'])
    .execute();
  const rules = await db.selectFrom('schedule_rules').selectAll().execute();
  assert.equal(rules.length, result.schedule_rules);
  const byPractice = new Map<number, typeof rules>();
  for (const r of rules) byPractice.set(r.practice_id, [...(byPractice.get(r.practice_id) ?? []), r]);
  assert.equal(byPractice.size, practices.length, 'every practice has rules');

  const byDoctor = new Map<string, (typeof rules)[number][]>();
  for (const p of practices) {
    const list = byPractice.get(p.id)!;
    // Only the types the practice offers, and each of them.
    assert.deepEqual(
      new Set(list.map((r) => r.appointment_type)),
      new Set([...(p.reservasi_price !== null ? ['reservasi'] : []), ...(p.call_price !== null ? ['call'] : [])]),
      `practice ${p.id}`,
    );
    for (const r of list) {
      assert.ok(r.weekday >= 1 && r.weekday <= 7);
      assert.match(r.start_time, /^\d{2}:\d{2}$/);
      assert.ok(r.start_time < r.end_time, JSON.stringify(r));
      assert.equal(r.slot_minutes, r.appointment_type === 'reservasi' ? 30 : 20);
      // Mornings in person, afternoons by video call.
      assert.ok(
        r.appointment_type === 'reservasi' ? r.end_time <= '12:00' : r.start_time >= '13:00',
        JSON.stringify(r),
      );
    }
    byDoctor.set(p.doctor_id, [...(byDoctor.get(p.doctor_id) ?? []), ...list]);
  }
  let pairs = 0;
  for (const [doctorId, list] of byDoctor) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        pairs += 1;
        assert.equal(rulesOverlap(list[i]!, list[j]!), false, `${doctorId}: ${JSON.stringify([list[i], list[j]])}`);
      }
    }
    // A doctor's practices never share a weekday (so time zones cannot make them overlap either).
    const days = new Map<number, number>();
    for (const r of list) {
      const other = days.get(r.weekday);
      assert.ok(
        other === undefined || other === r.practice_id,
        `${doctorId} works at two practices on day ${r.weekday}`,
      );
      days.set(r.weekday, r.practice_id);
    }
  }
  assert.ok(pairs > 1000, `${pairs} pairs compared`);
  // All days of the plan are used, Sunday is free.
  assert.deepEqual([...new Set(rules.map((r) => r.weekday))].sort(), [1, 2, 3, 4, 5, 6]);
});

test('the time list of a demo practice has slots on its scheduled weekdays and none on the others', async (t) => {
  const ta = await build(t);
  await seedCatalogue(ta.db, { doctors: 30 });
  const practice = await ta.db
    .selectFrom('practices')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .select(['practices.id', 'hospitals.timezone'])
    .where('reservasi_price', 'is not', null)
    .orderBy('practices.id')
    .executeTakeFirstOrThrow();
  const rules = await ta.db
    .selectFrom('schedule_rules')
    .selectAll()
    .where('practice_id', '=', practice.id)
    .where('appointment_type', '=', 'reservasi')
    .execute();
  const rule = rules[0]!;
  // The next such weekday after today, in the hospital's zone (within the booking horizon).
  const today = utcToLocal(systemClock(), practice.timezone).date;
  let date = addDays(today, 1);
  while (isoWeekday(date) !== rule.weekday) date = addDays(date, 1);
  const list = (day: string) =>
    ta.app.inject({
      method: 'POST',
      url: '/api/doctor/get-time-list',
      headers: { 'x-api-key': ta.apiKey },
      payload: { doctor_has_hospital_id: practice.id, date: day, appointment: 'reservasi' },
    });
  const res = await list(date);
  assert.equal(res.statusCode, 200, res.body);
  const slots = envelope(res).data as { time: string; end_time: string; available: boolean }[];
  const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3));
  assert.equal(slots.length, (minutes(rule.end_time) - minutes(rule.start_time)) / 30);
  assert.equal(slots[0]!.time, rule.start_time);
  assert.equal(slots.at(-1)!.end_time, rule.end_time);
  assert.ok(slots.every((s) => s.available));

  // Sunday is nobody's practice day.
  let sunday = addDays(today, 1);
  while (isoWeekday(sunday) !== 7) sunday = addDays(sunday, 1);
  assert.deepEqual(envelope(await list(sunday)).data, []);
});

async function demoApp(t: TestContext, env: Record<string, string> = { DEMO_MODE: 'true' }) {
  const { handle, url } = await freshDb(t);
  const config = testConfig(env, url);
  const app = await buildApp({ config, database: handle });
  t.after(() => app.close());
  return { app, config, db: handle.db };
}

test('demo mode on an empty database loads the demo catalogue once; the demo key lists it', async (t) => {
  const { app, config, db } = await demoApp(t);
  const printed: string[] = [];
  await ensureDemoData(app, config, (l) => printed.push(l));
  const loaded = printed.filter((l) => l.includes('Demo catalogue'));
  assert.equal(loaded.length, 1, printed.join('\n'));
  assert.match(loaded[0]!, /300 doctors at 20 hospitals/);
  assert.equal((await counts(db)).doctors, 300);

  const key = /Demo API key \(shown once, keep it\): (\S+)/.exec(printed.join('\n'))![1]!;
  const res = await app.inject({ method: 'POST', url: '/api/doctor', headers: { 'x-api-key': key }, payload: {} });
  assert.equal(res.statusCode, 200);
  assert.equal((envelope(res) as any).meta.total, 300);

  // A second start: nothing printed, nothing rewritten (practice ids unchanged).
  const before = (await db.selectFrom('practices').select('id').orderBy('id').execute()).map((p) => p.id);
  const version = await catalogueVersion(db);
  const again: string[] = [];
  await ensureDemoData(app, config, (l) => again.push(l));
  assert.deepEqual(again, []);
  assert.deepEqual(
    (await db.selectFrom('practices').select('id').orderBy('id').execute()).map((p) => p.id),
    before,
  );
  assert.equal(await catalogueVersion(db), version);
});

test('demo mode keeps a catalogue that is there, even one without doctors', async (t) => {
  const { app, config, db } = await demoApp(t);
  const now = systemClock();
  await db
    .insertInto('hospitals')
    .values({
      id: 'own-hospital',
      slug: 'rs-milik-sendiri',
      name: 'RS Milik Sendiri',
      address: null,
      city: 'Bogor',
      province: null,
      timezone: 'Asia/Jakarta',
      phone: null,
      description: null,
      image_id: null,
      unpublished_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const printed: string[] = [];
  await ensureDemoData(app, config, (l) => printed.push(l));
  assert.equal(
    printed.some((l) => l.includes('Demo catalogue')),
    false,
  );
  assert.deepEqual(await counts(db), {
    specialities: 0,
    hospitals: 1,
    doctors: 0,
    practices: 0,
    schedule_rules: 0,
    articles: 0,
    categories: 0,
    products: 0,
  });
  assert.equal(await seedCatalogueIfEmpty(db), null);
  assert.equal((await counts(db)).hospitals, 1);
});

test('outside demo mode no catalogue is loaded', async (t) => {
  const { app, config, db } = await demoApp(t, { DEMO_MODE: 'false' });
  await ensureDemoData(app, config, () => assert.fail('printed something'));
  assert.equal((await counts(db)).doctors, 0);
  assert.equal((await counts(db)).specialities, 0);
});
