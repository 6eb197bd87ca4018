import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { authHeaders, build, envelope, registerPatient, uniqueName, type TestApp } from '../../../test/helpers.js';
import { catalogueSnapshot } from '../../../test/fixtures/catalogue.js';
import type { Db } from '../../db/index.js';
import { errorCatalogue } from '../../http/errors.js';
import { createAdmin } from './admin-accounts.js';

const PASSWORD = 'sangat-rahasia-2026';
const URL = '/api/admin/catalogue/import';

/** A slug prefix no other test of this file uses. */
const prefix = (): string => `m${randomBytes(3).toString('hex')}`;

async function adminToken(ta: TestApp): Promise<string> {
  const email = `${uniqueName('admin')}@cexup.test`;
  await createAdmin(ta.db, { name: 'Admin Impor', email, password: PASSWORD });
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password: PASSWORD },
  });
  assert.equal(res.statusCode, 200, res.body);
  return envelope(res).data.access_token;
}

const upload = (ta: TestApp, token: string | undefined, payload: object) =>
  ta.app.inject({
    method: 'POST',
    url: URL,
    headers: { ...authHeaders(ta), ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    payload,
  });

/** An upload that must succeed: its data. */
async function imported(ta: TestApp, token: string, file_name: string, content: string, dry_run: boolean) {
  const res = await upload(ta, token, { file_name, content, dry_run });
  assert.equal(res.statusCode, 200, res.body);
  const data = envelope(res).data;
  assert.equal(data.dry_run, dry_run);
  return data;
}

const snapshot = (db: Db) => catalogueSnapshot(db, ['audit_log']);

/** The 1-based line of the first occurrence of `needle`. */
const lineOf = (text: string, needle: string): number => {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the text`);
  return text.slice(0, at).split('\n').length;
};

type Practice = { hospital: string; call_price?: number; reservasi_price?: number };

/** A small catalogue whose slugs all start with `p`. */
function catalogue(p: string) {
  const practices = (list: Practice[]) => list;
  return {
    specialities: [{ slug: `${p}-anak`, name: `${p} Anak` }],
    hospitals: [
      { slug: `${p}-rs-jakarta`, name: `${p} RS Jakarta`, city: 'Jakarta', timezone: 'Asia/Jakarta' },
      { slug: `${p}-rs-makassar`, name: `${p} RS Makassar`, city: 'Makassar', timezone: 'Asia/Makassar' },
    ],
    doctors: [
      {
        slug: `${p}-dr-andi`,
        username: `${p}andi`,
        name: `${p} dr. Andi`,
        speciality: `${p}-anak`,
        practices: practices([{ hospital: `${p}-rs-jakarta`, call_price: 150000 }]),
      },
      {
        slug: `${p}-dr-budi`,
        username: `${p}budi`,
        name: `${p} dr. Budi`,
        speciality: `${p}-anak`,
        practices: practices([{ hospital: `${p}-rs-makassar`, reservasi_price: 200000 }]),
      },
    ],
    articles: [{ slug: `${p}-imunisasi`, title: `${p} Imunisasi`, body: '<p>Penting</p>' }],
    categories: [{ slug: `${p}-vitamin`, name: `${p} Vitamin` }],
    products: [{ slug: `${p}-vit-c`, name: `${p} Vitamin C`, category: `${p}-vitamin`, price: 45000, stock: 10 }],
  };
}

const json = (value: object) => JSON.stringify(value, null, 2);
const none = { create: [], update: [], unchanged: 0, fields: {} };

test('a dry run of a JSON file lists what it would create and update, and writes nothing', async (t) => {
  const ta = await build(t);
  const token = await adminToken(ta);
  const p = prefix();
  const first = await imported(ta, token, 'catalogue.json', json(catalogue(p)), false);
  assert.deepEqual(first.changes.hospitals, {
    create: [`${p}-rs-jakarta`, `${p}-rs-makassar`],
    update: [],
    unchanged: 0,
    fields: {},
  });
  assert.deepEqual(first.counts, {
    specialities: 1,
    hospitals: 2,
    doctors: 2,
    practices: 2,
    articles: 1,
    categories: 1,
    products: 1,
  });

  // Read once through the public API, so a cached answer exists that applying must drop.
  const shown = await ta.app.inject({ method: 'GET', url: `/api/hospital/${p}-rs-jakarta`, headers: authHeaders(ta) });
  assert.equal(envelope(shown).data.name, `${p} RS Jakarta`);

  const second = catalogue(p);
  second.specialities.push({ slug: `${p}-kulit`, name: `${p} Kulit` });
  second.hospitals[0]!.name = `${p} RS Jakarta Baru`;
  (second.hospitals[0] as Record<string, unknown>).phone = '+62 21 555 0101';
  second.doctors[0]!.practices[0]!.call_price = 175000;
  second.doctors[1]!.speciality = `${p}-kulit`;
  second.products[0]!.price = 47000;
  const text = json(second);

  const before = await snapshot(ta.db);
  const dry = await imported(ta, token, 'catalogue.json', text, true);
  assert.deepEqual(dry.changes, {
    specialities: { create: [`${p}-kulit`], update: [], unchanged: 1, fields: {} },
    hospitals: {
      create: [],
      update: [`${p}-rs-jakarta`],
      unchanged: 1,
      fields: { [`${p}-rs-jakarta`]: ['name', 'phone'] },
    },
    doctors: {
      create: [],
      update: [`${p}-dr-andi`, `${p}-dr-budi`],
      unchanged: 0,
      fields: { [`${p}-dr-andi`]: ['practices'], [`${p}-dr-budi`]: ['speciality'] },
    },
    articles: { ...none, unchanged: 1 },
    categories: { ...none, unchanged: 1 },
    products: { create: [], update: [`${p}-vit-c`], unchanged: 0, fields: { [`${p}-vit-c`]: ['price'] } },
  });
  assert.deepEqual(await snapshot(ta.db), before, 'a dry run writes nothing: no row, no version, no audit entry');
  const still = await ta.app.inject({ method: 'GET', url: `/api/hospital/${p}-rs-jakarta`, headers: authHeaders(ta) });
  assert.equal(envelope(still).data.name, `${p} RS Jakarta`);
  const kulit = await ta.app.inject({ method: 'GET', url: '/api/speciality', headers: authHeaders(ta) });
  assert.equal(
    envelope(kulit).data.some((s: { slug: string }) => s.slug === `${p}-kulit`),
    false,
  );

  // Applying answers the same summary, and the public catalogue shows it at once.
  const applied = await imported(ta, token, 'catalogue.json', text, false);
  assert.deepEqual(applied.changes, dry.changes);
  assert.deepEqual(applied.counts, dry.counts);
  const hospital = await ta.app.inject({
    method: 'GET',
    url: `/api/hospital/${p}-rs-jakarta`,
    headers: authHeaders(ta),
  });
  assert.equal(envelope(hospital).data.name, `${p} RS Jakarta Baru`);
  assert.equal(envelope(hospital).data.phone, '+62 21 555 0101');
  const andi = envelope(
    await ta.app.inject({ method: 'GET', url: `/api/doctor/${p}-dr-andi`, headers: authHeaders(ta) }),
  ).data;
  assert.equal(andi.hospital[0].prices.call, 175000);
  const budi = envelope(
    await ta.app.inject({ method: 'GET', url: `/api/doctor/${p}-dr-budi`, headers: authHeaders(ta) }),
  ).data;
  assert.equal(budi.speciality_slug, `${p}-kulit`);

  // Once more: nothing left to change.
  const again = await imported(ta, token, 'catalogue.json', text, true);
  assert.deepEqual(again.changes.hospitals, { ...none, unchanged: 2 });
  assert.deepEqual(again.changes.doctors, { ...none, unchanged: 2 });

  // One audit entry an import: the summary, not the file.
  const audit = await ta.app.inject({
    method: 'GET',
    url: '/api/admin/audit-log?entity=catalogue_import&action=import',
    headers: { ...authHeaders(ta), authorization: `Bearer ${token}` },
  });
  assert.equal(audit.statusCode, 200, audit.body);
  const entries = envelope(audit).data;
  assert.equal(entries.length, 2, 'the two imports applied; the dry runs left no entry');
  const latest = entries[0];
  assert.equal(latest.before, null);
  assert.equal(latest.after.file_name, 'catalogue.json');
  assert.deepEqual(latest.after.changes, applied.changes);
  assert.deepEqual(latest.after.counts, {
    specialities: 2,
    hospitals: 2,
    doctors: 2,
    practices: 2,
    articles: 1,
    categories: 1,
    products: 1,
  });
  assert.equal(JSON.stringify(latest).includes('<p>Penting</p>'), false, 'no content of the file');
});

test('a CSV file (hospitals.csv) is read the same way', async (t) => {
  const ta = await build(t);
  const token = await adminToken(ta);
  const p = prefix();
  const csv = (name: string) =>
    [
      'slug,name,city,timezone,phone',
      `${p}-rs-a,${name},Bandung,Asia/Jakarta,`,
      `${p}-rs-b,"${p} RS B, Cabang",Jayapura,Asia/Jayapura,+62 967 1`,
      '',
    ].join('\r\n');
  const created = await imported(ta, token, 'hospitals.csv', csv(`${p} RS A`), false);
  assert.deepEqual(created.changes.hospitals, {
    create: [`${p}-rs-a`, `${p}-rs-b`],
    update: [],
    unchanged: 0,
    fields: {},
  });
  assert.deepEqual(created.changes.doctors, none);
  assert.deepEqual(created.counts, {
    specialities: 0,
    hospitals: 2,
    doctors: 0,
    practices: 0,
    articles: 0,
    categories: 0,
    products: 0,
  });

  const before = await snapshot(ta.db);
  const dry = await imported(ta, token, 'RS-Baru-Hospitals.CSV', csv(`${p} RS A Baru`), true);
  assert.deepEqual(dry.changes.hospitals, {
    create: [],
    update: [`${p}-rs-a`],
    unchanged: 1,
    fields: { [`${p}-rs-a`]: ['name'] },
  });
  assert.deepEqual(await snapshot(ta.db), before);

  await imported(ta, token, 'RS-Baru-Hospitals.CSV', csv(`${p} RS A Baru`), false);
  const res = await ta.app.inject({ method: 'GET', url: `/api/hospital/${p}-rs-a`, headers: authHeaders(ta) });
  assert.equal(envelope(res).data.name, `${p} RS A Baru`);
  const b = await ta.app.inject({ method: 'GET', url: `/api/hospital/${p}-rs-b`, headers: authHeaders(ta) });
  assert.equal(envelope(b).data.name, `${p} RS B, Cabang`);
  assert.equal(envelope(b).data.timezone, 'Asia/Jayapura');
});

test('a file with a problem at line N is a 422 naming line N, and nothing is written', async (t) => {
  const ta = await build(t);
  const token = await adminToken(ta);
  const p = prefix();
  await imported(ta, token, 'catalogue.json', json(catalogue(p)), false);
  const before = await snapshot(ta.db);

  const changed = catalogue(p);
  changed.hospitals[0]!.name = `${p} Renamed`;
  changed.products.push({ slug: `${p}-bad`, name: 'Bad', category: `${p}-vitamin`, price: -5, stock: 1 });
  (changed.doctors[1] as Record<string, unknown>).speciality = `${p}-tidak-ada`;
  const text = json(changed);
  const badLine = lineOf(text, `"slug": "${p}-bad"`) - 1; // the record's "{" is the line before
  const doctorLine = lineOf(text, `"slug": "${p}-dr-budi"`) - 1;
  for (const dry_run of [true, false]) {
    const res = await upload(ta, token, { file_name: 'catalogue.json', content: text, dry_run });
    assert.equal(res.statusCode, 422, res.body);
    const body = envelope(res);
    assert.equal(body.code, 'IMPORT_INVALID');
    assert.equal(body.message, errorCatalogue.IMPORT_INVALID.message.en);
    assert.equal(body.data, null);
    assert.deepEqual(body.errors, {
      content: [
        `line ${doctorLine}: doctor "${p}-dr-budi": speciality "${p}-tidak-ada" is neither in this file nor in the database`,
        `line ${badLine}: product "${p}-bad": price must be a whole number of rupiah from 0 to 2147483647 (got -5)`,
      ],
    });
    assert.deepEqual(await snapshot(ta.db), before, 'nothing written');
  }

  // Malformed text is reported by its line too, in the client's language for the envelope.
  const csv = await ta.app.inject({
    method: 'POST',
    url: URL,
    headers: { ...authHeaders(ta), authorization: `Bearer ${token}`, 'accept-language': 'id' },
    payload: { file_name: 'specialities.csv', content: 'slug,name\nx-a,A\nx-b,"B\n', dry_run: true },
  });
  assert.equal(csv.statusCode, 422);
  assert.equal(envelope(csv).message, errorCatalogue.IMPORT_INVALID.message.id);
  assert.deepEqual(envelope(csv).errors, {
    content: ['line 3: malformed CSV: field 2 opens a quote here that is never closed'],
  });
  assert.deepEqual(await snapshot(ta.db), before);
});

test('a file name that is not .json or .csv, or a CSV naming no entity, is a 422 on file_name', async (t) => {
  const ta = await build(t);
  const token = await adminToken(ta);
  const before = await snapshot(ta.db);
  const cases: [string, RegExp][] = [
    ['catalogue.xml', /^catalogue\.xml: the file name must end in \.json or \.csv$/],
    ['catalogue', /must end in \.json or \.csv$/],
    ['catalogue.csv', /^cannot tell what catalogue\.csv holds/],
  ];
  for (const [file_name, expected] of cases) {
    const res = await upload(ta, token, { file_name, content: 'slug,name\nx-a,A\n', dry_run: false });
    assert.equal(res.statusCode, 422, res.body);
    const body = envelope(res);
    assert.equal(body.code, 'IMPORT_INVALID');
    assert.deepEqual(Object.keys(body.errors!), ['file_name']);
    assert.match(body.errors!.file_name![0]!, expected);
  }
  // The body's own rules: a standard validation 422.
  const missing = await upload(ta, token, { file_name: 'specialities.csv', content: 'slug,name\nx-a,A\n' });
  assert.equal(missing.statusCode, 422);
  assert.equal(envelope(missing).code, 'VALIDATION_FAILED');
  assert.deepEqual(Object.keys(envelope(missing).errors!), ['dry_run']);
  const empty = await upload(ta, token, { file_name: 'specialities.csv', content: ' \n', dry_run: true });
  assert.deepEqual(envelope(empty).errors, { content: ['line 1: the file is empty'] });
  assert.deepEqual(await snapshot(ta.db), before);
});

test('a file over the default body limit is taken; over 5 MiB of text is a 422', async (t) => {
  const ta = await build(t);
  const token = await adminToken(ta);
  const p = prefix();
  const body = `<p>${'Imunisasi dasar "lengkap"\n'.repeat(34_000)}</p>`; // ~900 kB, escaped to over 1 MiB
  const file = json({
    articles: [
      { slug: `${p}-a`, title: 'A', body },
      { slug: `${p}-b`, title: 'B', body },
    ],
  });
  assert.ok(JSON.stringify({ content: file }).length > 1024 * 1024 * 2);
  const dry = await imported(ta, token, 'articles.json', file, true);
  assert.deepEqual(dry.changes.articles.create, [`${p}-a`, `${p}-b`]);

  const tooLarge = await upload(ta, token, {
    file_name: 'x.csv',
    content: 'x'.repeat(5 * 1024 * 1024 + 1),
    dry_run: true,
  });
  assert.equal(tooLarge.statusCode, 422);
  assert.equal(envelope(tooLarge).code, 'VALIDATION_FAILED');
  assert.deepEqual(Object.keys(envelope(tooLarge).errors!), ['content']);
});

test('only an admin imports: a patient token or none is a 401', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const before = await snapshot(ta.db);
  const payload = { file_name: 'specialities.csv', content: 'slug,name\nzz-a,A\n', dry_run: false };
  for (const token of [patient.token, undefined]) {
    const res = await upload(ta, token, payload);
    assert.equal(res.statusCode, 401, res.body);
    assert.equal(envelope(res).code, 'UNAUTHENTICATED');
  }
  assert.deepEqual(await snapshot(ta.db), before);
});

test('a row written by the back office and the same row imported are stored alike', async (t) => {
  const ta = await build(t);
  const token = await adminToken(ta);
  const p = prefix();
  const send = async (url: string, payload: object) => {
    const res = await ta.app.inject({
      method: 'POST',
      url,
      headers: { ...authHeaders(ta), authorization: `Bearer ${token}` },
      payload,
    });
    assert.equal(res.statusCode, 201, res.body);
  };
  // The same fields, padded and with blanks, once by hand and once in a file (slugs differ).
  const fields = {
    hospital: {
      name: '  RS Sama Rata ',
      city: ' Bandung ',
      timezone: 'Asia/Jakarta',
      address: '   ',
      phone: ' 022 1 ',
    },
    speciality: { name: ' Saraf ', description: '' },
    doctor: { name: ' dr. Sama Rata, Sp.N ', about: ' Dokter saraf. ', experience_years: 7 },
    article: { title: ' Tidur Cukup ', body: ' <p>Tidur <b>cukup</b>.</p><script>x()</script> ', excerpt: ' ' },
  };
  await send('/api/admin/hospitals', { slug: `${p}-rs-a`, ...fields.hospital });
  await send('/api/admin/specialities', { slug: `${p}-sp-a`, ...fields.speciality });
  await send('/api/admin/doctors', { slug: `${p}-dr-a`, speciality: `${p}-sp-a`, ...fields.doctor });
  await send('/api/admin/articles', { slug: `${p}-ar-a`, publish: true, ...fields.article });
  const file = {
    hospitals: [{ slug: `${p}-rs-b`, ...fields.hospital }],
    specialities: [{ slug: `${p}-sp-b`, ...fields.speciality }],
    doctors: [
      {
        slug: `${p}-dr-b`,
        username: `${p}drb`,
        speciality: `${p}-sp-b`,
        practices: [{ hospital: `${p}-rs-b`, call_price: 50000 }],
        ...fields.doctor,
      },
    ],
    articles: [{ slug: `${p}-ar-b`, ...fields.article }],
  };
  await imported(ta, token, 'catalogue.json', JSON.stringify(file), false);

  const same = async (table: 'hospitals' | 'specialities' | 'doctors' | 'articles', kind: string, skip: string[]) => {
    const rows = await (ta.db as Db)
      .selectFrom(table)
      .selectAll()
      .where('slug', 'in', [`${p}-${kind}-a`, `${p}-${kind}-b`])
      .orderBy('slug')
      .execute();
    assert.equal(rows.length, 2, `${table}: both rows`);
    const strip = (r: object) =>
      Object.fromEntries(
        Object.entries(r).filter(([k]) => !['id', 'slug', 'created_at', 'updated_at', ...skip].includes(k)),
      );
    assert.deepEqual(strip(rows[1]!), strip(rows[0]!), table);
    return rows[0] as Record<string, unknown>;
  };
  const hospital = await same('hospitals', 'rs', []);
  assert.deepEqual(
    [hospital.name, hospital.city, hospital.address, hospital.phone],
    ['RS Sama Rata', 'Bandung', null, '022 1'],
  );
  await same('specialities', 'sp', []);
  const doctor = await same('doctors', 'dr', ['username', 'speciality_id']);
  assert.equal(doctor.name_search, 'dr. sama rata, sp.n');
  const article = await same('articles', 'ar', ['published_at']);
  assert.equal(article.body_html, '<p>Tidur <b>cukup</b>.</p>');
  assert.equal(article.excerpt, null);
});
