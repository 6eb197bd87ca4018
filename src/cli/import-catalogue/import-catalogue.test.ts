import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { authHeaders, build, envelope, testDatabase, type TestApp } from '../../../test/helpers.js';
import { catalogueSnapshot } from '../../../test/fixtures/catalogue.js';
import type { Db } from '../../db/index.js';
import { importCatalogue, parseCsv, parseInstant } from './index.js';
import { JsonSyntaxError, parseJson } from './read.js';
import { runCli } from '../index.js';
import { systemClock } from '../../clock.js';

const root = mkdtempSync(join(tmpdir(), 'cexup-catalogue-import-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Writes a file under its own name (a CSV's name says what it holds) in a directory of its own. */
function write(name: string, content: string | Buffer | object): string {
  const file = join(mkdtempSync(join(root, 'f-')), name);
  writeFileSync(
    file,
    typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 2),
  );
  return file;
}

async function cli(ta: TestApp, ...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const { handle } = await testDatabase();
  const code = await runCli(argv, { config: ta.config, database: handle, out: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

/** The 1-based line of the first occurrence of `needle`. */
const lineOf = (text: string, needle: string): number => {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the text`);
  return text.slice(0, at).split('\n').length;
};

const snapshot = (db: Db) => catalogueSnapshot(db);

const cacheVersion = async (db: Db): Promise<number> =>
  (await db.selectFrom('cache_versions').select('version').where('name', '=', 'catalogue').executeTakeFirst())
    ?.version ?? 0;

/** A small catalogue whose slugs all start with `p`. */
function catalogue(p: string) {
  return {
    specialities: [
      { slug: `${p}-anak`, name: `${p} Spesialis Anak`, description: 'Anak dan remaja' },
      { slug: `${p}-jantung`, name: `${p} Jantung` },
    ],
    hospitals: [
      {
        slug: `${p}-rs-jakarta`,
        name: `${p} RS Harapan Jakarta`,
        city: 'Jakarta',
        timezone: 'Asia/Jakarta',
        address: 'Jl. Sudirman 1',
        phone: '+62 21 555 0101',
      },
      { slug: `${p}-rs-makassar`, name: `${p} RS Sehat Makassar`, city: 'Makassar', timezone: 'Asia/Makassar' },
    ],
    doctors: [
      {
        slug: `${p}-dr-andi`,
        username: `${p}andi`,
        name: `${p} dr. Andi Wijaya, Sp.A`,
        speciality: `${p}-anak`,
        about: 'Tumbuh kembang anak',
        experience_years: 12,
        practices: [
          { hospital: `${p}-rs-jakarta`, call_price: 150000, reservasi_price: 250000 },
          { hospital: `${p}-rs-makassar`, reservasi_price: 200000 },
        ],
      },
      {
        slug: `${p}-dr-budi`,
        username: `${p}budi`,
        name: `${p} dr. Budi Santoso, Sp.JP`,
        speciality: `${p}-jantung`,
        practices: [{ hospital: `${p}-rs-jakarta`, call_price: 0 }],
      },
    ],
    articles: [
      {
        slug: `${p}-imunisasi`,
        title: `${p} Imunisasi Dasar`,
        excerpt: 'Jadwal imunisasi',
        author: 'Tim Medis',
        published_at: '2026-01-15T08:00:00+07:00',
        body: '<p onclick="x()">Penting <a href="https://example.id">baca</a></p><script>alert(1)</script>',
      },
      { slug: `${p}-draf`, title: `${p} Draf`, body: '<p>Belum terbit</p>', published: false },
    ],
    categories: [{ slug: `${p}-vitamin`, name: `${p} Vitamin` }],
    products: [
      { slug: `${p}-vit-c`, name: `${p} Vitamin C`, category: `${p}-vitamin`, price: 45000, stock: 120 },
      { slug: `${p}-vit-d`, name: `${p} Vitamin D`, category: `${p}-vitamin`, price: '60000' },
    ],
  };
}

test('a JSON catalogue creates everything, and the public API shows it', async (t) => {
  const ta = await build(t);
  const versionBefore = await cacheVersion(ta.db);
  const res = await cli(ta, 'import', write('catalogue.json', catalogue('a')));
  assert.equal(res.code, 0, res.out);
  assert.equal(
    res.out,
    'Imported: 2 specialities, 2 hospitals, 2 doctors, 3 practices, 2 articles, 1 categories, 2 products.',
  );
  assert.equal(await cacheVersion(ta.db), versionBefore + 1, 'the catalogue version is bumped once');

  const list = await ta.app.inject({
    method: 'POST',
    url: '/api/doctor',
    headers: authHeaders(ta),
    payload: { hospital: 'a-rs-jakarta' },
  });
  assert.equal(list.statusCode, 200);
  const doctors = envelope(list).data;
  assert.deepEqual(
    doctors.map((d: any) => d.slug),
    ['a-dr-andi', 'a-dr-budi'],
  );
  const andi = doctors[0];
  assert.equal(andi.username, 'aandi');
  assert.equal(andi.speciality, 'a Spesialis Anak');
  assert.equal(andi.speciality_slug, 'a-anak');
  assert.equal(andi.experience_years, 12);
  assert.equal(andi.about, 'Tumbuh kembang anak');
  const jakarta = andi.hospital.find((h: any) => h.slug === 'a-rs-jakarta');
  const makassar = andi.hospital.find((h: any) => h.slug === 'a-rs-makassar');
  assert.deepEqual(jakarta.appointment_types, ['call', 'reservasi']);
  assert.deepEqual(jakarta.prices, { call: 150000, reservasi: 250000 });
  assert.equal(jakarta.timezone, 'Asia/Jakarta');
  assert.deepEqual(makassar.appointment_types, ['reservasi']);
  assert.deepEqual(makassar.prices, { call: null, reservasi: 200000 });
  assert.equal(makassar.timezone, 'Asia/Makassar');
  assert.deepEqual(doctors[1].hospital[0].prices, { call: 0, reservasi: null }, 'a free call is a price of 0');

  const byName = await ta.app.inject({
    method: 'POST',
    url: '/api/doctor',
    headers: authHeaders(ta),
    payload: { name: 'ANDI WIJAYA' },
  });
  assert.deepEqual(
    envelope(byName).data.map((d: any) => d.slug),
    ['a-dr-andi'],
    'name_search is the lower-cased name',
  );

  const specialities = envelope(
    await ta.app.inject({ method: 'GET', url: '/api/speciality', headers: authHeaders(ta) }),
  ).data;
  assert.ok(specialities.some((s: any) => s.slug === 'a-anak' && s.description === 'Anak dan remaja'));

  const hospital = await ta.app.inject({ method: 'GET', url: '/api/hospital/a-rs-jakarta', headers: authHeaders(ta) });
  assert.equal(hospital.statusCode, 200);
  assert.equal(envelope(hospital).data.phone, '+62 21 555 0101');

  const article = await ta.app.inject({
    method: 'POST',
    url: '/api/article/show',
    headers: authHeaders(ta),
    payload: { slug: 'a-imunisasi' },
  });
  assert.equal(article.statusCode, 200);
  const body: string = envelope(article).data.body;
  assert.equal(body.includes('script'), false);
  assert.equal(body.includes('onclick'), false);
  // Links stay, marked so they pass on no referrer trust.
  assert.match(body, /<a href="https:\/\/example.id"[^>]*rel="noopener nofollow"[^>]*>baca<\/a>/);
  assert.equal(envelope(article).data.published_at, '2026-01-15T01:00:00.000Z');
  const draft = await ta.app.inject({ method: 'GET', url: '/api/article/a-draf', headers: authHeaders(ta) });
  assert.equal(draft.statusCode, 404, 'published: false imports a draft');

  const products = await ta.db
    .selectFrom('products')
    .innerJoin('product_categories', 'product_categories.id', 'products.category_id')
    .select(['products.slug', 'products.price', 'products.stock', 'product_categories.slug as category'])
    .where('products.slug', 'like', 'a-%')
    .orderBy('products.slug')
    .execute();
  assert.deepEqual(products, [
    { slug: 'a-vit-c', price: 45000, stock: 120, category: 'a-vitamin' },
    { slug: 'a-vit-d', price: 60000, stock: 0, category: 'a-vitamin' },
  ]);
  const row = await ta.db.selectFrom('doctors').selectAll().where('slug', '=', 'a-dr-andi').executeTakeFirstOrThrow();
  assert.equal(row.name_search, 'a dr. andi wijaya, sp.a');
  assert.equal(typeof row.created_at, 'number');
  assert.equal(row.created_at, row.updated_at);
  assert.match(row.id, /^[0-9a-f-]{36}$/);
});

test('the example files import cleanly, in the order docs/catalogue.md gives', async (t) => {
  const ta = await build(t);
  for (const name of ['catalogue.json', 'hospitals.csv', 'doctors.csv', 'products.csv', 'catalogue.json']) {
    const file = fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));
    const res = await cli(ta, 'import', file);
    assert.equal(res.code, 0, `${name}: ${res.out}`);
  }
  const budi = await ta.app.inject({ method: 'GET', url: '/api/doctor/dr-budi-santoso', headers: authHeaders(ta) });
  assert.equal(budi.statusCode, 200);
  assert.deepEqual(
    envelope(budi)
      .data.hospital.map((h: any) => h.slug)
      .sort(),
    ['rs-harapan-jakarta', 'rs-medika-bandung'],
  );
});

test('a re-import updates by slug: same ids, no duplicates, practices replaced, stock kept', async (t) => {
  const ta = await build(t);
  const first = catalogue('b');
  assert.equal((await cli(ta, 'import', write('catalogue.json', first))).code, 0);
  const before = await ta.db
    .selectFrom('doctors')
    .selectAll()
    .where('slug', '=', 'b-dr-andi')
    .executeTakeFirstOrThrow();
  const practicesBefore = await ta.db
    .selectFrom('practices')
    .selectAll()
    .where('doctor_id', '=', before.id)
    .orderBy('id')
    .execute();
  // Read once through the API, so a cached answer exists that the import must invalidate.
  const shown = await ta.app.inject({ method: 'GET', url: '/api/doctor/b-dr-andi', headers: authHeaders(ta) });
  assert.equal(envelope(shown).data.hospital.length, 2);

  const second = catalogue('b');
  second.specialities.push({ slug: 'b-kulit', name: 'b Kulit' });
  second.hospitals[0]!.name = 'b RS Harapan Jakarta Baru';
  second.hospitals.push({ slug: 'b-rs-jayapura', name: 'b RS Jayapura', city: 'Jayapura', timezone: 'Asia/Jayapura' });
  const andi = second.doctors[0]!;
  andi.name = 'b dr. Andi Wijaya Putra, Sp.A';
  andi.speciality = 'b-kulit';
  andi.practices = [
    { hospital: 'b-rs-jakarta', call_price: 175000, reservasi_price: 250000 },
    { hospital: 'b-rs-jayapura', call_price: 90000 } as any,
  ];
  second.products[0] = { slug: 'b-vit-c', name: 'b Vitamin C', category: 'b-vitamin', price: 47000 } as any;
  second.articles[0]!.title = 'b Imunisasi Dasar Lengkap';
  const later = systemClock() + 60_000;
  const result = await importCatalogue(ta.db, write('catalogue.json', second), () => later);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.counts.doctors, 2);

  const rows = await ta.db.selectFrom('doctors').selectAll().where('slug', 'like', 'b-%').execute();
  assert.equal(rows.length, 2, 'no duplicate doctors');
  const afterRow = rows.find((r) => r.slug === 'b-dr-andi')!;
  assert.equal(afterRow.id, before.id);
  assert.equal(afterRow.created_at, before.created_at);
  assert.equal(afterRow.updated_at, later);
  assert.equal(afterRow.name_search, 'b dr. andi wijaya putra, sp.a');
  const budi = rows.find((r) => r.slug === 'b-dr-budi')!;
  assert.notEqual(budi.updated_at, later, 'an unchanged record is not rewritten');
  for (const table of ['specialities', 'hospitals', 'articles', 'product_categories', 'products'] as const) {
    const slugs = (await ta.db.selectFrom(table).select('slug').where('slug', 'like', 'b-%').execute()).map(
      (r) => r.slug,
    );
    assert.equal(new Set(slugs).size, slugs.length, `no duplicate ${table}`);
  }

  const practicesAfter = await ta.db
    .selectFrom('practices')
    .selectAll()
    .where('doctor_id', '=', before.id)
    .orderBy('id')
    .execute();
  assert.equal(practicesAfter.length, 3);
  assert.equal(practicesAfter[0]!.id, practicesBefore[0]!.id, 'a kept practice keeps its doctor_has_hospital_id');
  assert.equal(practicesAfter[0]!.call_price, 175000);
  assert.equal(practicesAfter[1]!.id, practicesBefore[1]!.id);
  assert.equal(practicesAfter[1]!.unpublished_at, later, 'a practice left out is unpublished, not deleted');
  assert.equal(practicesAfter[2]!.reservasi_price, null);

  const res = await ta.app.inject({ method: 'GET', url: '/api/doctor/b-dr-andi', headers: authHeaders(ta) });
  const data = envelope(res).data;
  assert.equal(data.name, 'b dr. Andi Wijaya Putra, Sp.A', 'the cached answer was dropped');
  assert.equal(data.speciality_slug, 'b-kulit');
  assert.deepEqual(data.hospital.map((h: any) => [h.slug, h.name, h.prices.call]).sort(), [
    ['b-rs-jakarta', 'b RS Harapan Jakarta Baru', 175000],
    ['b-rs-jayapura', 'b RS Jayapura', 90000],
  ]);
  const product = await ta.db
    .selectFrom('products')
    .selectAll()
    .where('slug', '=', 'b-vit-c')
    .executeTakeFirstOrThrow();
  assert.equal(product.price, 47000);
  assert.equal(product.stock, 120, 'a file without stock keeps the shop count');

  // The makassar practice comes back with the id it had.
  const third = await importCatalogue(ta.db, write('catalogue.json', first), () => later + 1000);
  assert.ok(third.ok);
  const again = await ta.db
    .selectFrom('practices')
    .selectAll()
    .where('id', '=', practicesBefore[1]!.id)
    .executeTakeFirstOrThrow();
  assert.equal(again.unpublished_at, null);
  assert.equal(
    (await ta.db.selectFrom('practices').select('id').where('doctor_id', '=', before.id).execute()).length,
    3,
  );
});

test('a bad record is reported by its line, and the database stays exactly as it was', async (t) => {
  const ta = await build(t);
  assert.equal((await cli(ta, 'import', write('catalogue.json', catalogue('c')))).code, 0);
  const before = await snapshot(ta.db);

  const changed = catalogue('c');
  changed.doctors[0]!.name = 'c Renamed';
  changed.hospitals.push({ slug: 'c-rs-new', name: 'c New', city: 'Bogor', timezone: 'Asia/Jakarta' });
  changed.products.push({ slug: 'c-bad', name: 'c Bad', category: 'c-vitamin', price: -5 } as any);
  const text = JSON.stringify(changed, null, 2);
  const res = await cli(ta, 'import', write('catalogue.json', text));
  assert.equal(res.code, 1);
  const line = lineOf(text, '"slug": "c-bad"') - 1; // the record's "{" is the line before
  assert.equal(
    res.out,
    `line ${line}: product "c-bad": price must be a whole number of rupiah from 0 to 2147483647 (got -5)\nerror: nothing was imported`,
  );
  assert.deepEqual(await snapshot(ta.db), before, 'nothing written, not even the cache version');

  // The same in CSV, after a record whose quoted field spans lines.
  const csv = [
    'slug,name,city,timezone,address',
    'c-rs-jakarta,c Renamed,Jakarta,Asia/Jakarta,"Jl. Sudirman 1,',
    'Lantai 2"',
    'c-rs-bad,c Bad,Jakarta,Asia/Singapore,',
    '',
  ].join('\n');
  const csvRes = await cli(ta, 'import', write('hospitals.csv', csv));
  assert.equal(csvRes.code, 1);
  assert.match(
    csvRes.out,
    /^line 4: hospital "c-rs-bad": timezone "Asia\/Singapore" must be one of Asia\/Jakarta, Asia\/Makassar, Asia\/Jayapura$/m,
  );
  assert.deepEqual(await snapshot(ta.db), before);
});

test('CSV: quoted commas, quotes and line breaks, CRLF, a byte-order mark, columns in any order', async (t) => {
  const ta = await build(t);
  const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';
  assert.equal(
    (
      await cli(
        ta,
        'import',
        write('specialities.csv', '\uFEFF' + crlf(['slug,name', 'd-jantung,"Jantung, Pembuluh Darah"'])),
      )
    ).code,
    0,
  );
  const hospitals = crlf([
    'Timezone,Slug,Name,City,Address',
    'Asia/Jakarta,d-rs-a,"RS ""Harapan"" A",Jakarta,"Jl. Dago 1, Coblong"',
    '',
    'Asia/Jayapura,d-rs-b,RS B,Jayapura,',
  ]);
  const h = await cli(ta, 'import', write('d-hospitals.csv', hospitals));
  assert.equal(h.code, 0, h.out);
  assert.equal(h.out, 'Imported: 2 hospitals.');
  const doctors = crlf([
    'slug,username,name,speciality,about,experience_years,practices,published',
    'd-dr-budi,d.budi,"dr. Budi, Sp.JP",d-jantung,"Ramah, ""teliti"".',
    'Praktik pagi.",15, d-rs-a:call=200000:reservasi=350000 | d-rs-b:reservasi=300000 ,yes',
    'd-dr-eko,d_eko,dr. Eko,d-jantung,,,d-rs-b:call=0,',
  ]);
  const d = await cli(ta, 'import', write('doctors.csv', doctors));
  assert.equal(d.code, 0, d.out);
  assert.equal(d.out, 'Imported: 2 doctors, 3 practices.');

  const spec = await ta.db
    .selectFrom('specialities')
    .selectAll()
    .where('slug', '=', 'd-jantung')
    .executeTakeFirstOrThrow();
  assert.equal(spec.name, 'Jantung, Pembuluh Darah');
  const rsA = await ta.db.selectFrom('hospitals').selectAll().where('slug', '=', 'd-rs-a').executeTakeFirstOrThrow();
  assert.equal(rsA.name, 'RS "Harapan" A');
  assert.equal(rsA.address, 'Jl. Dago 1, Coblong');
  const rsB = await ta.db.selectFrom('hospitals').selectAll().where('slug', '=', 'd-rs-b').executeTakeFirstOrThrow();
  assert.equal(rsB.address, null, 'an empty cell is no value');
  const budi = await ta.db.selectFrom('doctors').selectAll().where('slug', '=', 'd-dr-budi').executeTakeFirstOrThrow();
  assert.equal(budi.name, 'dr. Budi, Sp.JP');
  assert.equal(budi.about, 'Ramah, "teliti".\r\nPraktik pagi.');
  assert.equal(budi.experience_years, 15);
  const eko = await ta.db.selectFrom('doctors').selectAll().where('slug', '=', 'd-dr-eko').executeTakeFirstOrThrow();
  assert.equal(eko.experience_years, 0);
  assert.equal(eko.username, 'd_eko');

  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/doctor/show',
    headers: authHeaders(ta),
    payload: { slug: 'd-dr-budi' },
  });
  assert.deepEqual(
    envelope(res)
      .data.hospital.map((x: any) => [x.slug, x.prices.call, x.prices.reservasi])
      .sort(),
    [
      ['d-rs-a', 200000, 350000],
      ['d-rs-b', null, 300000],
    ],
  );
});

test('the CSV parser follows RFC 4180 and counts physical lines', () => {
  const parsed = parseCsv('a,b\r\n"x\r\ny","say ""hi"""\n\n"",\nlast,"one,two"');
  assert.ok('rows' in parsed);
  assert.deepEqual(parsed.rows, [
    { line: 1, fields: ['a', 'b'] },
    { line: 2, fields: ['x\r\ny', 'say "hi"'] },
    { line: 5, fields: ['', ''] },
    { line: 6, fields: ['last', 'one,two'] },
  ]);
  assert.deepEqual(parseCsv('a\n"open\n\nstill'), {
    error: { line: 2, message: 'malformed CSV: field 1 opens a quote here that is never closed' },
  });
  const stray = parseCsv('a\nb,c"d\n');
  assert.ok('error' in stray);
  assert.equal(stray.error.line, 2);
  // Lone CRs end records too; a line of spaces is blank.
  assert.deepEqual(parseCsv('h\r  \r\tx,"y"\r\n'), {
    rows: [
      { line: 1, fields: ['h'] },
      { line: 3, fields: ['\tx', 'y'] },
    ],
  });
  // After a quoted field that spans lines, the line of its closing quote.
  assert.deepEqual(parseCsv('h,i\n"a\r\nb"x,c\n'), {
    error: {
      line: 3,
      message: 'malformed CSV: "x" after the closing quote of field 1 (a quote inside a quoted field is written "")',
    },
  });
});

test('the JSON reader: objects without a prototype, where each key and element starts, nesting', () => {
  const text = '{\n  "__proto__": {"polluted": true},\n  "list": [1,\n    {"a": null}]\n}';
  const { value, keys, items } = parseJson(text);
  const top = value as Record<string, any>;
  assert.equal(Object.getPrototypeOf(top), null);
  assert.deepEqual(Object.keys(top), ['__proto__', 'list'], '"__proto__" is an ordinary key');
  assert.equal(top['__proto__'].polluted, true);
  assert.equal(({} as any).polluted, undefined);
  assert.deepEqual(
    [...keys.get(top)!],
    [
      ['__proto__', text.indexOf('"__proto__"')],
      ['list', text.indexOf('"list"')],
    ],
  );
  assert.deepEqual(items.get(top.list), [text.indexOf('1,'), text.indexOf('{"a"')]);

  const twice = '{"a": 1, "b": {"a": 2, "a": 3}}';
  assert.throws(
    () => parseJson(twice),
    (e) =>
      e instanceof JsonSyntaxError && e.offset === twice.lastIndexOf('"a"') && /"a" is given twice/.test(e.message),
  );
  // 64 levels inside the top value, and no deeper: the parser never recurses into a deep file.
  assert.doesNotThrow(() => parseJson('['.repeat(65) + ']'.repeat(65)));
  assert.throws(
    () => parseJson('['.repeat(66) + ']'.repeat(66)),
    (e) => e instanceof JsonSyntaxError && e.offset === 65 && e.message === 'nested too deeply',
  );
  assert.throws(() => parseJson('['.repeat(1_000_000)), /nested too deeply/);
  // The first problem in the text wins: here the missing comma, not the depth after it.
  assert.throws(() => parseJson('[1 2' + '['.repeat(100)), /expected "," or "\]" after an element, found "2"/);
});

test('references resolve to the same file or the database; unknown ones are reported by line', async (t) => {
  const ta = await build(t);
  assert.equal((await cli(ta, 'import', write('specialities.csv', 'slug,name\ne-anak,Anak\n'))).code, 0);
  assert.equal(
    (await cli(ta, 'import', write('hospitals.csv', 'slug,name,city,timezone\ne-rs,RS E,Medan,Asia/Jakarta\n'))).code,
    0,
  );
  const before = await snapshot(ta.db);
  const file = {
    specialities: [{ slug: 'e-baru', name: 'Baru' }],
    doctors: [
      {
        slug: 'e-dr-1',
        username: 'e1',
        name: 'Satu',
        speciality: 'e-anak',
        practices: [{ hospital: 'e-rs', call_price: 1 }],
      },
      {
        slug: 'e-dr-2',
        username: 'e2',
        name: 'Dua',
        speciality: 'e-baru',
        practices: [{ hospital: 'e-rs', call_price: 1 }],
      },
      {
        slug: 'e-dr-3',
        username: 'e3',
        name: 'Tiga',
        speciality: 'e-tidak-ada',
        practices: [{ hospital: 'e-rs-hilang', call_price: 1 }],
      },
    ],
    products: [{ slug: 'e-p', name: 'P', category: 'e-kategori-hilang', price: 1 }],
  };
  const text = JSON.stringify(file, null, 2);
  const res = await cli(ta, 'import', write('catalogue.json', text));
  assert.equal(res.code, 1);
  const lines = res.out.split('\n');
  assert.equal(
    lines[0],
    `line ${lineOf(text, '"slug": "e-dr-3"') - 1}: doctor "e-dr-3": speciality "e-tidak-ada" is neither in this file nor in the database; hospital "e-rs-hilang" is neither in this file nor in the database`,
  );
  assert.equal(
    lines[1],
    `line ${lineOf(text, '"slug": "e-p"') - 1}: product "e-p": category "e-kategori-hilang" is neither in this file nor in the database`,
  );
  assert.equal(lines.length, 3, res.out);
  assert.deepEqual(await snapshot(ta.db), before);

  file.doctors.pop();
  file.products = [];
  const ok = await cli(ta, 'import', write('catalogue.json', file));
  assert.equal(ok.code, 0, ok.out);
});

test('malformed files, missing files and unnamed CSVs are reported without a stack trace', async (t) => {
  const ta = await build(t);
  const before = await snapshot(ta.db);
  const cases: [string, string | Buffer, RegExp][] = [
    [
      'catalogue.json',
      '{\n  "specialities": [\n    {"slug": "x", "name": "X"},\n  ]\n}\n',
      /^line 4: malformed JSON \(column 3\): a comma before "\]"/,
    ],
    [
      'catalogue.json',
      '{\n  "specialities": [\n    {"slug": "x", "name": "X}\n  ]\n}\n',
      /^line 3: malformed JSON .*line break/,
    ],
    ['catalogue.json', '{"specialities": [{"slug": \'x\'}]}', /^line 1: malformed JSON \(column 28\): unexpected "'"/],
    ['catalogue.json', '{\n  "specialities": []\n', /^line 3: malformed JSON .*expected "," or "}"/],
    ['catalogue.json', '{"a": 1, "a": 2}', /^line 1: malformed JSON .*"a" is given twice/],
    // What JavaScript or JSON5 would take, and RFC 8259 does not.
    [
      'catalogue.json',
      '{\n  // the clinics\n  "hospitals": []\n}',
      /^line 2: malformed JSON \(column 3\): a comment \(JSON has no comments\)/,
    ],
    [
      'catalogue.json',
      '{"specialities": [{"slug": "x",}]}',
      /^line 1: malformed JSON \(column 32\): a comma before "\}" \(JSON allows no trailing comma\)/,
    ],
    [
      'catalogue.json',
      '{"products": [\n  {"slug": "x", "price": NaN}\n]}',
      /^line 2: malformed JSON \(column 26\): unexpected "N" where a value is expected \(JSON has no NaN or Infinity\)/,
    ],
    [
      'catalogue.json',
      '{"products": [{"slug": "x", "price": +5}]}',
      /^line 1: malformed JSON \(column 38\): unexpected "\+" where a value is expected \(a JSON number has no leading \+\)/,
    ],
    [
      'catalogue.json',
      '{"products": [{"slug": "x", "price": 0x10}]}',
      /^line 1: malformed JSON \(column 39\): expected "," or "\}" after the value of "price", found "x" \(JSON numbers are decimal/,
    ],
    [
      'catalogue.json',
      '{\n  "specialities": [{"slug": "x", "name": "A\tB"}]\n}',
      /^line 2: malformed JSON \(column 44\): a line break or control character inside a string/,
    ],
    [
      'catalogue.json',
      '{"specialities": [{"slug": "x\\q"}]}',
      /^line 1: malformed JSON \(column 30\): unknown escape \\q/,
    ],
    [
      'catalogue.json',
      '{"specialities": ' + '['.repeat(100_000),
      /^line 1: malformed JSON \(column 82\): nested too deeply/,
    ],
    ['catalogue.json', '[{"slug": "x"}]', /^line 1: the file must hold one JSON object/],
    ['catalogue.json', '{\n  "doctor": []\n}', /^line 2: unknown section "doctor"/],
    ['catalogue.json', '{\n\n  "doctors": {}\n}', /^line 3: "doctors" must be an array/],
    ['catalogue.json', '{\n  "doctors": [\n    "dr-x"\n  ]\n}', /^line 3: doctors record 1: must be an object/],
    ['catalogue.json', '{}', /^line 1: the file holds no records/],
    ['catalogue.json', '  \n', /^line 1: the file is empty/],
    [
      'specialities.csv',
      'slug,name\nf-a,"A\nf-b,B\n',
      /^line 2: malformed CSV: field 2 opens a quote here that is never closed/,
    ],
    ['specialities.csv', 'slug,name\nf-a,"A"x\n', /^line 2: malformed CSV: "x" after the closing quote/],
    ['specialities.csv', 'slug,name\nf-a,RS "A"\n', /^line 2: malformed CSV: a quote inside unquoted field 2/],
    [
      'specialities.csv',
      'slug,name\nf-a,A,extra\n',
      /^line 2: specialities record 1: has 3 field\(s\) where the header has 2/,
    ],
    [
      'specialities.csv',
      'slug,nama\n',
      /^line 1: specialities header: unknown column\(s\) "nama" .*; missing column\(s\) name/,
    ],
    ['specialities.csv', 'slug,name\n', /^line 1: the file holds no records/],
    ['catalogue.csv', 'slug,name\nf-a,A\n', /^cannot tell what catalogue.csv holds/],
    ['catalogue.xml', '<x/>', /^catalogue.xml: the file name must end in .json or .csv/],
    ['specialities.csv', Buffer.from('slug,name\nf-a,Caf\xe9\n', 'latin1'), /^line 2: the file is not UTF-8 text/],
  ];
  for (const [name, content, expected] of cases) {
    const res = await cli(ta, 'import', write(name, content));
    assert.equal(res.code, 1, `${name} ${JSON.stringify(content)}`);
    assert.match(res.out, expected);
    assert.match(res.out, /\nerror: nothing was imported$/);
    assert.doesNotMatch(res.out, /\n\s+at /, 'no stack trace');
  }
  const missing = await cli(ta, 'import', join(root, 'no-such-file.json'));
  assert.equal(missing.code, 1);
  assert.match(missing.out, /^cannot read .*no-such-file\.json: no such file$/m);
  const dir = await cli(ta, 'import', root);
  assert.equal(dir.code, 1);
  assert.match(dir.out, /it is a directory/);
  assert.equal((await cli(ta, 'import')).code, 1, 'no file named');
  assert.deepEqual(await snapshot(ta.db), before);
});

test('every rule of a record is checked, and all problems are reported at once', async (t) => {
  const ta = await build(t);
  assert.ok(
    (
      await importCatalogue(
        ta.db,
        write('catalogue.json', {
          specialities: [{ slug: 'g-umum', name: 'Umum' }],
          hospitals: [{ slug: 'g-rs', name: 'RS', city: 'Medan', timezone: 'Asia/Jakarta' }],
          doctors: [
            { slug: 'g-dr-lama', username: 'gtaken', name: 'Lama', speciality: 'g-umum', practices: 'g-rs:call=1' },
          ],
        }),
      )
    ).ok,
  );
  const before = await snapshot(ta.db);
  const doctor = (slug: string, extra: object) => ({
    slug,
    username: slug.replace(/-/g, ''),
    name: 'Dokter',
    speciality: 'g-umum',
    practices: [{ hospital: 'g-rs', call_price: 100 }],
    ...extra,
  });
  const file = {
    hospitals: [
      { slug: 'G-RS', name: 'x', city: 'x', timezone: 'Asia/Jakarta' },
      { slug: 'g-rs-2', name: '  ', city: 'x', timezone: 'WIB', phone: 62211234 },
      { slug: 'g--rs', name: 'x', city: 'x', timezone: 'Asia/Jakarta', published: 'maybe' },
    ],
    doctors: [
      doctor('g-dr-a', { practices: [{ hospital: 'g-rs' }] }),
      doctor('g-dr-b', { practices: [{ hospital: 'g-rs', call_price: 1.5, reservasi_price: '100.000' }] }),
      doctor('g-dr-c', { practices: [] }),
      doctor('g-dr-d', {
        practices: [
          { hospital: 'g-rs', call_price: 1 },
          { hospital: 'g-rs', reservasi_price: 2 },
        ],
      }),
      doctor('g-dr-e', { username: 'gtaken' }),
      doctor('g-dr-f', { username: 'GDRA' }),
      doctor('g-dr-a', {}),
      doctor('g-dr-g', { experience_years: -1, hospital: 'x' }),
      doctor('g-dr-h', { practices: [{ hospital: 'g-rs', call_price: 3_000_000_000 }] }),
      doctor('g-dr-i', { username: 'has space', about: 'a\u0000b' }),
    ],
    articles: [
      { slug: 'g-a1', title: 'T', body: '<script>alert(1)</script>' },
      { slug: 'g-a2', title: 'T', body: '<p>x</p>', published_at: '2026-02-30' },
      { slug: 'g-a3', title: 'T', body: '<p>x</p>', published_at: '2026-01-01T10:00' },
      { slug: 'g-a4', title: 'T', body: '<p>x</p>', published_at: '2026-01-01', published: false },
    ],
    products: [{ slug: 'g-p', name: 'P', category: 'g-umum', stock: 'lots' }],
  };
  const text = JSON.stringify(file, null, 2);
  const result = await importCatalogue(ta.db, write('catalogue.json', text));
  assert.equal(result.ok, false);
  const errors = (result as { errors: { line: number; message: string }[] }).errors;
  const at = (slug: string) => {
    const line = lineOf(text, `"slug": "${slug}"`) - 1;
    const found = errors.filter((e) => e.line === line);
    assert.equal(found.length, 1, `one error for ${slug} at line ${line}: ${JSON.stringify(errors)}`);
    return found[0]!.message;
  };
  assert.match(at('G-RS'), /^hospitals record 1: slug "G-RS" is not a slug/);
  assert.match(
    at('g-rs-2'),
    /name is required; timezone "WIB" must be one of Asia\/Jakarta, Asia\/Makassar, Asia\/Jayapura/,
  );
  assert.match(at('g-rs-2'), /phone must be text/);
  assert.match(at('g--rs'), /^hospitals record 3: slug "g--rs" is not a slug .*; published must be true or false$/);
  assert.match(at('g-dr-a'), /practice 1 \(g-rs\) offers no appointment type/);
  assert.match(
    at('g-dr-b'),
    /practice 1: call_price must be a whole number of rupiah .*\(got 1\.5\); practice 1: reservasi_price must be .*\(got "100\.000"\)/,
  );
  assert.match(at('g-dr-c'), /practices needs at least one hospital/);
  assert.match(at('g-dr-d'), /practice 2: hospital g-rs is listed twice/);
  assert.match(at('g-dr-e'), /username "gtaken" belongs to doctor "g-dr-lama" in the database/);
  assert.match(at('g-dr-f'), /username "GDRA" is already used by doctor "g-dr-a"/);
  assert.equal(
    errors.filter((e) => /slug "g-dr-a" is already used at line/.test(e.message)).length,
    1,
    'the second g-dr-a is reported',
  );
  assert.match(at('g-dr-g'), /unknown field "hospital"/);
  assert.match(at('g-dr-g'), /experience_years must be a whole number from 0 to 100/);
  assert.match(at('g-dr-h'), /call_price must be a whole number of rupiah from 0 to 2147483647/);
  assert.match(at('g-dr-i'), /username "has space" must be letters and digits/);
  assert.match(at('g-dr-i'), /about contains a character that cannot be stored/);
  assert.match(at('g-a1'), /body has nothing left once scripts/);
  assert.match(at('g-a2'), /published_at "2026-02-30" must be a date/);
  assert.match(at('g-a3'), /published_at "2026-01-01T10:00" must be a date/);
  assert.match(at('g-a4'), /published is false but published_at is given/);
  assert.match(at('g-p'), /price is required; stock must be a whole number/);
  assert.deepEqual(
    errors.map((e) => e.line),
    [...errors.map((e) => e.line)].sort((a, b) => a - b),
    'errors come in file order',
  );
  assert.deepEqual(await snapshot(ta.db), before);
});

test('usernames may move between doctors within one file', async (t) => {
  const ta = await build(t);
  const file = (a: string, b: string) => ({
    specialities: [{ slug: 'h-umum', name: 'Umum' }],
    hospitals: [{ slug: 'h-rs', name: 'RS', city: 'Medan', timezone: 'Asia/Jakarta' }],
    doctors: [
      { slug: 'h-dr-a', username: a, name: 'A', speciality: 'h-umum', practices: 'h-rs:call=1' },
      { slug: 'h-dr-b', username: b, name: 'B', speciality: 'h-umum', practices: 'h-rs:reservasi=1' },
    ],
  });
  assert.ok((await importCatalogue(ta.db, write('catalogue.json', file('hsatu', 'hdua')))).ok);
  const swapped = await importCatalogue(ta.db, write('catalogue.json', file('hdua', 'hsatu')));
  assert.ok(swapped.ok, JSON.stringify(swapped));
  const rows = await ta.db
    .selectFrom('doctors')
    .select(['slug', 'username'])
    .where('slug', 'like', 'h-%')
    .orderBy('slug')
    .execute();
  assert.deepEqual(rows, [
    { slug: 'h-dr-a', username: 'hdua' },
    { slug: 'h-dr-b', username: 'hsatu' },
  ]);
});

test('published: false hides a record, a file without it keeps the state, true shows it again', async (t) => {
  const ta = await build(t);
  const file = (published?: boolean) => ({
    specialities: [{ slug: 'i-umum', name: 'Umum' }],
    hospitals: [{ slug: 'i-rs', name: 'RS', city: 'Medan', timezone: 'Asia/Jakarta' }],
    doctors: [
      {
        slug: 'i-dr',
        username: 'idr',
        name: 'I',
        speciality: 'i-umum',
        practices: 'i-rs:call=1',
        ...(published === undefined ? {} : { published }),
      },
    ],
  });
  const status = async () =>
    (await ta.app.inject({ method: 'GET', url: '/api/doctor/i-dr', headers: authHeaders(ta) })).statusCode;
  assert.ok((await importCatalogue(ta.db, write('catalogue.json', file()))).ok);
  assert.equal(await status(), 200);
  assert.ok((await importCatalogue(ta.db, write('catalogue.json', file(false)))).ok);
  assert.equal(await status(), 404);
  assert.ok((await importCatalogue(ta.db, write('catalogue.json', file()))).ok);
  assert.equal(await status(), 404, 'left out: kept unpublished');
  assert.ok((await importCatalogue(ta.db, write('catalogue.json', file(true)))).ok);
  assert.equal(await status(), 200);
});

test('published_at takes a date (midnight in Jakarta) or a date-time with its offset', () => {
  assert.equal(parseInstant('2026-01-15'), Date.parse('2026-01-15T00:00:00+07:00'));
  assert.equal(parseInstant('2026-01-15T08:30:00Z'), Date.parse('2026-01-15T08:30:00Z'));
  assert.equal(parseInstant('2026-01-15 08:30+09:00'), Date.parse('2026-01-15T08:30:00+09:00'));
  assert.equal(parseInstant('2026-01-15T08:30:00.5+07:00'), Date.parse('2026-01-15T08:30:00.500+07:00'));
  assert.equal(parseInstant('2024-02-29'), Date.parse('2024-02-29T00:00:00+07:00'));
  for (const bad of ['2026-02-29', '2026-13-01', '2026-01-15T24:00Z', '2026-01-15T08:00', '15/01/2026', '2026-1-5']) {
    assert.equal(parseInstant(bad), undefined, bad);
  }
});
