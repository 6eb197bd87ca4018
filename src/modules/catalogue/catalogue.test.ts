import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertCatalogue } from '../../../test/catalogue-fixture.js';
import { build, envelope, uniqueName, type TestApp } from '../../../test/helpers.js';
import { VersionedCache } from '../../lib/cache.js';
import { CATALOGUE_VERSION } from './catalogue.service.js';
import { systemClock } from '../../clock.js';

async function setup(t: import('node:test').TestContext, env: Record<string, string> = {}, now?: () => number) {
  const ta = await build(t, { env, ...(now ? { now } : {}) });
  const fx = await insertCatalogue(ta.db, uniqueName('k').toLowerCase());
  // An app limited to this fixture's hospitals sees only this fixture, whatever else the file wrote.
  const scoped = await ta.app.services.apps.createApp('Fixture app', {
    hospitals: Object.keys(fx.hospitals).map((h) => `${fx.prefix}-${h}`),
  });
  return { ta, fx, key: scoped.key };
}

const call = (ta: TestApp, key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  ta.app.inject({ method, url, headers: { 'x-api-key': key }, ...(payload ? { payload } : {}) });

const names = (res: { json: () => any }) => (envelope(res as never).data as { name: string }[]).map((d) => d.name);

test('doctor list: visible doctors in name order, full resources, pagination meta', async (t) => {
  const { ta, fx, key } = await setup(t);
  const res = await call(ta, key, 'POST', '/api/doctor', {});
  assert.equal(res.statusCode, 200);
  const body = envelope(res);
  assert.equal(body.success, true);
  const p = fx.prefix;
  assert.deepEqual(names(res), [
    `${p} dr. Andi Wijaya, Sp.A`,
    `${p} dr. Budi 100% Sehat, Sp.JP`,
    `${p} dr. Citra Lestari, Sp.A`,
    `${p} dr. Dewi Anggraini, Sp.JP`,
  ]);
  assert.deepEqual(body.meta, { current_page: 1, per_page: 10, total: 4, last_page: 1 });
  const andi = body.data[0];
  assert.deepEqual(andi, {
    slug: `${p}-andi`,
    username: `${p}andi`,
    name: `${p} dr. Andi Wijaya, Sp.A`,
    thumb: null,
    speciality: `${p} Anak`,
    speciality_slug: `${p}-anak`,
    about: `Tentang ${p} dr. Andi Wijaya, Sp.A`,
    experience_years: 7,
    hospital: [
      {
        doctor_has_hospital_id: fx.practiceIds['andi@jakarta'],
        id: fx.practiceIds['andi@jakarta'],
        name: `${p} RS Harapan Jakarta`,
        slug: `${p}-jakarta`,
        city: 'Jakarta',
        timezone: 'Asia/Jakarta',
        appointment_types: ['call', 'reservasi'],
        prices: { call: 150000, reservasi: 250000 },
      },
      {
        doctor_has_hospital_id: fx.practiceIds['andi@makassar'],
        id: fx.practiceIds['andi@makassar'],
        name: `${p} RS Sehat Makassar`,
        slug: `${p}-makassar`,
        city: 'Makassar',
        timezone: 'Asia/Makassar',
        appointment_types: ['reservasi'],
        prices: { call: null, reservasi: 200000 },
      },
    ],
  });

  const page2 = await call(ta, key, 'POST', '/api/doctor', { data: 3, page: '2' });
  assert.deepEqual(names(page2), [`${p} dr. Dewi Anggraini, Sp.JP`]);
  assert.deepEqual(envelope(page2).meta, { current_page: 2, per_page: 3, total: 4, last_page: 2 });
  const past = await call(ta, key, 'GET', '/api/doctor?page=9');
  assert.deepEqual(envelope(past).data, []);
  assert.deepEqual(envelope(past).meta, { current_page: 9, per_page: 10, total: 4, last_page: 1 });
});

test('doctor list filters: name (partial, any case, wildcards literal), speciality, hospital, combined', async (t) => {
  const { ta, fx, key } = await setup(t);
  const p = fx.prefix;
  assert.deepEqual(names(await call(ta, key, 'POST', '/api/doctor', { name: 'LESTARI' })), [
    `${p} dr. Citra Lestari, Sp.A`,
  ]);
  assert.deepEqual(names(await call(ta, key, 'POST', '/api/doctor', { name: '100%' })), [
    `${p} dr. Budi 100% Sehat, Sp.JP`,
  ]);
  assert.deepEqual(names(await call(ta, key, 'POST', '/api/doctor', { name: '%' })), [
    `${p} dr. Budi 100% Sehat, Sp.JP`,
  ]);
  assert.deepEqual(names(await call(ta, key, 'POST', '/api/doctor', { name: '_' })), []);
  assert.deepEqual(names(await call(ta, key, 'GET', `/api/doctor?speciality=${p}-jantung`)), [
    `${p} dr. Budi 100% Sehat, Sp.JP`,
    `${p} dr. Dewi Anggraini, Sp.JP`,
  ]);
  assert.deepEqual(names(await call(ta, key, 'POST', '/api/doctor', { hospital: `${p}-jakarta` })), [
    `${p} dr. Andi Wijaya, Sp.A`,
    `${p} dr. Dewi Anggraini, Sp.JP`,
  ]);
  assert.deepEqual(
    names(await call(ta, key, 'POST', '/api/doctor', { hospital: `${p}-jakarta`, speciality: `${p}-anak` })),
    [`${p} dr. Andi Wijaya, Sp.A`],
  );
  assert.deepEqual(names(await call(ta, key, 'POST', '/api/doctor', { speciality: 'no-such-speciality' })), []);
  const bad = await call(ta, key, 'POST', '/api/doctor', { name: { $gt: '' } });
  assert.equal(bad.statusCode, 422);
  assert.ok(envelope(bad).errors?.name);
});

test('unpublished doctors, and doctors whose only hospital is closed, are not shown', async (t) => {
  const { ta, fx, key } = await setup(t);
  const all = names(await call(ta, key, 'POST', '/api/doctor', { data: 100 }));
  assert.equal(
    all.some((n) => n.includes('Hidden') || n.includes('Tutup')),
    false,
  );
  for (const slug of [`${fx.prefix}-hidden`, `${fx.prefix}-closedonly`, 'nobody-at-all']) {
    const res = await call(ta, key, 'POST', '/api/doctor/show', { slug });
    assert.equal(res.statusCode, 404, slug);
    assert.deepEqual(envelope(res), {
      success: false,
      message: 'No such doctor.',
      code: 'DOCTOR_NOT_FOUND',
      data: null,
    });
  }
});

test('doctor show by POST body or GET path', async (t) => {
  const { ta, fx, key } = await setup(t);
  const post = await call(ta, key, 'POST', '/api/doctor/show', { slug: `${fx.prefix}-citra` });
  const get = await call(ta, key, 'GET', `/api/doctor/${fx.prefix}-citra`);
  assert.equal(post.statusCode, 200);
  assert.equal(get.statusCode, 200);
  assert.deepEqual(envelope(post).data, envelope(get).data);
  assert.equal(envelope(post).data.hospital[0].id, fx.practiceIds['citra@jayapura']);
  assert.equal(envelope(post).data.hospital[0].timezone, 'Asia/Jayapura');
  const missing = await call(ta, key, 'POST', '/api/doctor/show', {});
  assert.equal(missing.statusCode, 422);
  assert.deepEqual(envelope(missing).errors, { slug: ['The slug field is required.'] });
});

test('specialities: the whole list without data, a page with it', async (t) => {
  const { ta, fx, key } = await setup(t);
  const all = envelope(await call(ta, key, 'GET', '/api/speciality'));
  assert.equal(all.meta, undefined);
  const ours = (all.data as { slug: string }[]).filter((s) => s.slug.startsWith(fx.prefix));
  assert.deepEqual(ours, [
    { slug: `${fx.prefix}-anak`, name: `${fx.prefix} Anak`, description: null },
    { slug: `${fx.prefix}-jantung`, name: `${fx.prefix} Jantung`, description: null },
  ]);
  const paged = envelope(await call(ta, key, 'GET', '/api/speciality?data=1&page=1'));
  assert.equal(paged.data.length, 1);
  assert.equal(paged.meta.per_page, 1);
  assert.equal(paged.meta.total, all.data.length);
});

test('hospitals: list, detail with its doctors, closed ones hidden', async (t) => {
  const { ta, fx, key } = await setup(t);
  const p = fx.prefix;
  const list = await call(ta, key, 'POST', '/api/hospital', {});
  assert.deepEqual(names(list), [`${p} RS Cenderawasih Jayapura`, `${p} RS Harapan Jakarta`, `${p} RS Sehat Makassar`]);
  assert.equal(envelope(list).meta.total, 3);
  const detail = await call(ta, key, 'GET', `/api/hospital/${p}-jakarta`);
  assert.equal(detail.statusCode, 200);
  const data = envelope(detail).data;
  assert.equal(data.timezone, 'Asia/Jakarta');
  assert.deepEqual(
    data.doctors.map((d: { slug: string }) => d.slug),
    [`${p}-andi`, `${p}-dewi`],
  );
  const viaPost = await call(ta, key, 'POST', '/api/hospital/show', { slug: `${p}-jakarta` });
  assert.deepEqual(envelope(viaPost).data, data);
  const closed = await call(ta, key, 'POST', '/api/hospital/show', { slug: `${p}-closed` });
  assert.equal(closed.statusCode, 404);
  assert.equal(envelope(closed).code, 'HOSPITAL_NOT_FOUND');
});

test('articles: published only, newest first; detail has the body', async (t) => {
  const { ta, fx, key } = await setup(t);
  const p = fx.prefix;
  const list = envelope(await call(ta, key, 'POST', '/api/article', { data: 100 }));
  const ours = (list.data as { title: string }[]).map((a) => a.title).filter((x) => x.startsWith(p));
  assert.deepEqual(ours, [`${p} Artikel Baru`, `${p} Artikel Lama`]);
  const detail = await call(ta, key, 'GET', `/api/article/${p}-baru`);
  assert.equal(envelope(detail).data.body, `<p>Isi ${p} Artikel Baru</p>`);
  const draft = await call(ta, key, 'POST', '/api/article/show', { slug: `${p}-draf` });
  assert.equal(draft.statusCode, 404);
  assert.equal(envelope(draft).code, 'ARTICLE_NOT_FOUND');
});

test('an app key limited to some hospitals sees only them and only their practices', async (t) => {
  const { ta, fx } = await setup(t);
  const p = fx.prefix;
  const kiosk = await ta.app.services.apps.createApp('Makassar kiosk', { hospitals: [`${p}-makassar`] });
  const list = envelope(await call(ta, kiosk.key, 'POST', '/api/doctor', {}));
  assert.deepEqual(
    list.data.map((d: { slug: string }) => d.slug),
    [`${p}-andi`, `${p}-budi`],
  );
  assert.deepEqual(
    list.data[0].hospital.map((h: { slug: string }) => h.slug),
    [`${p}-makassar`],
    "Andi's Jakarta practice is not this app's",
  );
  assert.deepEqual(names(await call(ta, kiosk.key, 'POST', '/api/hospital', {})), [`${p} RS Sehat Makassar`]);
  for (const [url, body] of [
    ['/api/doctor/show', { slug: `${p}-dewi` }],
    ['/api/hospital/show', { slug: `${p}-jakarta` }],
  ] as const) {
    const res = await call(ta, kiosk.key, 'POST', url, body);
    assert.equal(res.statusCode, 404, url);
  }
  const andi = envelope(await call(ta, kiosk.key, 'GET', `/api/doctor/${p}-andi`)).data;
  assert.deepEqual(
    andi.hospital.map((h: { slug: string }) => h.slug),
    [`${p}-makassar`],
  );
  const filtered = envelope(await call(ta, kiosk.key, 'POST', '/api/doctor', { hospital: `${p}-jakarta` }));
  assert.deepEqual(filtered.data, [], 'a hospital outside the scope filters to nothing');
});

test('GET answers carry an ETag and answer 304 to If-None-Match; POST never does', async (t) => {
  const { ta, fx, key } = await setup(t);
  const first = await call(ta, key, 'GET', `/api/doctor?name=${fx.prefix}`);
  assert.equal(first.statusCode, 200);
  const etag = first.headers.etag as string;
  assert.match(etag, /^"[\w-]+"$/);
  assert.equal(first.headers.vary, 'x-api-key, Accept-Language');
  assert.match(String(first.headers['cache-control']), /max-age=/);
  const again = await ta.app.inject({
    method: 'GET',
    url: `/api/doctor?name=${fx.prefix}`,
    headers: { 'x-api-key': key, 'if-none-match': etag },
  });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
  const post = await ta.app.inject({
    method: 'POST',
    url: '/api/doctor',
    headers: { 'x-api-key': key, 'if-none-match': etag },
    payload: { name: fx.prefix },
  });
  assert.equal(post.statusCode, 200);
  assert.equal(post.headers.etag, undefined);
  assert.equal(post.headers['cache-control'], 'no-store');
});

test("pagination: the document's ?page=1?data=10, clamping, and 422 for nonsense", async (t) => {
  const { ta, key } = await setup(t);
  const doc = await call(ta, key, 'GET', '/api/doctor?page=1?data=2');
  assert.equal(doc.statusCode, 200);
  assert.deepEqual(envelope(doc).meta, { current_page: 1, per_page: 2, total: 4, last_page: 2 });
  const big = await call(ta, key, 'POST', '/api/doctor', { data: 5000 });
  assert.equal(envelope(big).meta.per_page, 100);
  for (const payload of [{ data: 0 }, { data: 'abc' }, { page: -1 }, { page: 'x' }, { data: [] }]) {
    const res = await call(ta, key, 'POST', '/api/doctor', payload);
    assert.equal(res.statusCode, 422, JSON.stringify(payload));
    assert.deepEqual(Object.keys(envelope(res).errors ?? {}), Object.keys(payload));
  }
});

test('a change shows in every process within the cache TTL, at once after a version bump here', async (t) => {
  let now = systemClock();
  const { ta, fx, key } = await setup(t, { CACHE_TTL_MS: '60000' }, () => now);
  const before = envelope(await call(ta, key, 'POST', '/api/doctor', {})).meta.total;
  await ta.db.updateTable('doctors').set({ unpublished_at: now }).where('id', '=', fx.doctors.andi).execute();
  await VersionedCache.bump(ta.db, CATALOGUE_VERSION);
  const stale = envelope(await call(ta, key, 'POST', '/api/doctor', {})).meta.total;
  assert.equal(stale, before, 'within the TTL this process still answers from its cache');
  now += 60_001;
  const fresh = envelope(await call(ta, key, 'POST', '/api/doctor', {})).meta.total;
  assert.equal(fresh, before - 1);
});

test('GET lists read data and page from a JSON body too, as the document sends them', async (t) => {
  const { ta, key } = await setup(t);
  const res = await ta.app.inject({
    method: 'GET',
    url: '/api/doctor',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    payload: JSON.stringify({ data: 2, page: 2 }),
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(envelope(res).meta, { current_page: 2, per_page: 2, total: 4, last_page: 2 });
  const bad = await ta.app.inject({
    method: 'GET',
    url: '/api/hospital',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    payload: '{"data": ',
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(envelope(bad).code, 'MALFORMED_JSON');
});

test('a doctor of an unpublished speciality is hidden by slug as in lists; a NUL in a path is a 422', async (t) => {
  const { ta, fx, key } = await setup(t);
  await ta.db
    .updateTable('specialities')
    .set({ unpublished_at: systemClock() })
    .where('id', '=', fx.specialities.jantung)
    .execute();
  await VersionedCache.bump(ta.db, CATALOGUE_VERSION);
  const hidden = await call(ta, key, 'GET', `/api/doctor/${fx.prefix}-dewi`);
  assert.equal(hidden.statusCode, 404);
  const nul = await call(ta, key, 'GET', '/api/doctor/a%00b');
  assert.equal(nul.statusCode, 422);
  assert.ok(envelope(nul).errors?.slug);
});

test('doctor usernames are unique whatever their case, in the database itself', async (t) => {
  const { ta, fx } = await setup(t);
  const row = await ta.db.selectFrom('doctors').selectAll().where('id', '=', fx.doctors.andi).executeTakeFirstOrThrow();
  await assert.rejects(
    ta.db
      .insertInto('doctors')
      .values({ ...row, id: 'another-id', slug: `${fx.prefix}-copy`, username: row.username.toUpperCase() })
      .execute(),
  );
});
