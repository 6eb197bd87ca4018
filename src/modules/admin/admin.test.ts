import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import {
  authHeaders,
  build,
  envelope,
  registerPatient,
  testDatabase,
  uniqueName,
  type TestApp,
} from '../../../test/helpers.js';
import { runCli } from '../../cli/index.js';
import { errorCatalogue } from '../../http/errors.js';
import { fieldMessages } from '../../http/i18n.js';
import { createAdmin } from './admin-accounts.js';
import { systemClock } from '../../clock.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Admin {
  id: string;
  token: string;
  email: string;
  password: string;
}

const PASSWORD = 'sangat-rahasia-2026';

/** A slug prefix no other test of this file uses. */
const prefix = (): string => `t${randomBytes(4).toString('hex')}`;

async function cli(ta: TestApp, ...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const { handle } = await testDatabase();
  const code = await runCli(argv, { config: ta.config, database: handle, out: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

const loginAdmin = (ta: TestApp, email: string, password: string, ip = '127.0.0.1') =>
  ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password },
    remoteAddress: ip,
  });

async function newAdmin(ta: TestApp): Promise<Admin> {
  const email = `${uniqueName('admin')}@cexup.test`;
  const { id } = await createAdmin(ta.db, { name: 'Admin Satu', email, password: PASSWORD });
  const res = await loginAdmin(ta, email, PASSWORD);
  assert.equal(res.statusCode, 200, res.body);
  return { id, token: envelope(res).data.access_token, email, password: PASSWORD };
}

function call(ta: TestApp, token: string | undefined, method: Method, url: string, payload?: unknown) {
  return ta.app.inject({
    method,
    url,
    headers: { ...authHeaders(ta), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

/** A request of the admin that must succeed; its envelope's data. */
async function ok(
  ta: TestApp,
  admin: Admin,
  method: Method,
  url: string,
  payload?: unknown,
  status = method === 'POST' && !/\/(publish|unpublish|image)$/.test(url) ? 201 : 200,
) {
  const res = await call(ta, admin.token, method, url, payload);
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
  const template = errorCatalogue[code as keyof typeof errorCatalogue].message.en;
  assert.match(body.message, new RegExp(`^${template.replace(/[.()]/g, '\\$&').replace(/\{\w+\}/g, '.+')}$`));
  return body;
}

/** A 422 naming exactly these fields. */
function assertInvalid(res: LightMyRequestResponse, fields: string[]) {
  const body = assertError(res, 422, 'VALIDATION_FAILED');
  assert.deepEqual(Object.keys(body.errors ?? {}).sort(), [...fields].sort(), res.body);
  return body;
}

const publicCall = (ta: TestApp, method: 'GET' | 'POST', url: string, payload?: object) =>
  ta.app.inject({ method, url, headers: authHeaders(ta), ...(payload ? { payload } : {}) });

const auditRows = (ta: TestApp, entityId: string) =>
  ta.db.selectFrom('audit_log').selectAll().where('entity_id', '=', entityId).orderBy('created_at').execute();

const catalogueVersion = async (ta: TestApp): Promise<number> =>
  Number(
    (await ta.db.selectFrom('cache_versions').select('version').where('name', '=', 'catalogue').executeTakeFirst())
      ?.version ?? 0,
  );

/** A speciality, a hospital, a doctor practising there: the usual base of a test. */
async function basics(ta: TestApp, admin: Admin, p: string) {
  const speciality = await ok(ta, admin, 'POST', '/api/admin/specialities', { slug: `${p}-anak`, name: `${p} Anak` });
  const hospital = await ok(ta, admin, 'POST', '/api/admin/hospitals', {
    slug: `${p}-rs`,
    name: `${p} RS Sehat`,
    city: 'Makassar',
    timezone: 'Asia/Makassar',
  });
  const doctor = await ok(ta, admin, 'POST', '/api/admin/doctors', {
    slug: `${p}-dr-andi`,
    name: 'dr. Andi Wijaya, Sp.A',
    speciality: speciality.slug,
    experience_years: 7,
  });
  const practice = await ok(ta, admin, 'POST', '/api/admin/practices', {
    doctor: doctor.slug,
    hospital: hospital.slug,
    call_price: 150000,
    reservasi_price: null,
  });
  return { speciality, hospital, doctor, practice };
}

/** Slugs of the doctors of one speciality as patients see them. */
async function publicDoctors(ta: TestApp, speciality: string): Promise<string[]> {
  const res = await publicCall(ta, 'POST', '/api/doctor', { speciality, data: 100 });
  assert.equal(res.statusCode, 200, res.body);
  return envelope(res).data.map((d: { slug: string }) => d.slug);
}

const png = (width = 64, height = 48, background = '#0a0') =>
  sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();

// ---------------------------------------------------------------------------------------------

test('admins create (CLI) makes an admin account that logs in at /login/admin only', async (t) => {
  const ta = await build(t);
  const local = uniqueName('siti').replace(/[0-9]/g, '');
  const email = `${local}.Rahayu-77@cexup.test`;
  const created = await cli(ta, 'admins', 'create', '--name', 'Siti Admin', '--email', email, '--password', PASSWORD);
  assert.equal(created.code, 0, created.out);
  const id = /admin id: (\S+)/.exec(created.out)![1]!;

  const row = await ta.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.role, 'admin');
  assert.equal(row.name, 'Siti Admin');
  assert.equal(row.email, email);
  assert.equal(row.email_normalized, email.toLowerCase());
  assert.equal(row.username, `${local}rahayu77`);
  assert.equal(row.username_normalized, row.username);
  assert.equal(row.address, '');
  assert.match(row.password_hash, /^\$argon2id\$/);
  assert.equal(row.password_hash.includes(PASSWORD), false);

  // The same session shape as a patient's login.
  const res = await loginAdmin(ta, email.toUpperCase(), PASSWORD);
  assert.equal(res.statusCode, 200, res.body);
  const data = envelope(res).data;
  assert.match(data.access_token, /^cxp_/);
  assert.equal(data.token_type, 'Bearer');
  assert.ok(Date.parse(data.expires_at) > systemClock());
  assert.equal(data.user.user_id, id);
  assert.equal(data.user.email, email);
  assert.equal(data.user.username, row.username);
  assert.equal('password_hash' in data.user, false);

  // By username too; and the patient login does not know admins.
  assert.equal((await loginAdmin(ta, row.username, PASSWORD)).statusCode, 200);
  assertError(
    await publicCall(ta, 'POST', '/api/login/patient', { email, password: PASSWORD }),
    401,
    'INVALID_CREDENTIALS',
  );
  assertError(await loginAdmin(ta, email, 'wrong-password-1'), 401, 'INVALID_CREDENTIALS');
  assertError(await loginAdmin(ta, 'nobody@cexup.test', PASSWORD), 401, 'INVALID_CREDENTIALS');
  assertInvalid(await publicCall(ta, 'POST', '/api/login/admin', {}), ['email', 'password']);
  // The app key is needed as everywhere under /api.
  assertError(
    await ta.app.inject({ method: 'POST', url: '/api/login/admin', payload: { email, password: PASSWORD } }),
    401,
    'API_KEY_INVALID',
  );
});

test('admins create: usernames are made unique; a taken email, a short password or a bad email is refused', async (t) => {
  const ta = await build(t);
  const local = uniqueName('budi');
  const first = await createAdmin(ta.db, { name: 'Budi', email: `${local}@a.test`, password: PASSWORD });
  const second = await createAdmin(ta.db, { name: 'Budi Dua', email: `${local}@b.test`, password: PASSWORD });
  const third = await createAdmin(ta.db, {
    name: 'Budi Tiga',
    email: `${local.toUpperCase()}@c.test`,
    password: PASSWORD,
  });
  assert.deepEqual([first.username, second.username, third.username], [local, `${local}2`, `${local}3`]);

  // A patient's username is taken as well: accounts share one namespace.
  const patient = await registerPatient(ta);
  const fourth = await createAdmin(ta.db, { name: 'P', email: `${patient.username}@d.test`, password: PASSWORD });
  assert.equal(fourth.username, `${patient.username.toLowerCase()}2`);

  const count = async () => (await ta.db.selectFrom('users').select('id').where('role', '=', 'admin').execute()).length;
  const before = await count();
  await assert.rejects(
    createAdmin(ta.db, { name: 'Again', email: `${local}@A.test`, password: PASSWORD }),
    /already exists/,
  );
  await assert.rejects(
    createAdmin(ta.db, { name: 'Patient email', email: patient.email, password: PASSWORD }),
    /already exists/,
  );
  await assert.rejects(
    createAdmin(ta.db, { name: 'Short', email: `${uniqueName()}@a.test`, password: 'elevenchars' }),
    /at least 12 characters/,
  );
  await assert.rejects(
    createAdmin(ta.db, { name: 'Bad', email: 'not-an-email', password: PASSWORD }),
    /not a valid email/,
  );
  await assert.rejects(createAdmin(ta.db, { name: '  ', email: `${uniqueName()}@a.test`, password: PASSWORD }), /name/);
  // Through the CLI the operator gets the message and a non-zero code, not a stack trace.
  const taken = await cli(ta, 'admins', 'create', '--name', 'X', '--email', `${local}@a.test`, '--password', PASSWORD);
  assert.equal(taken.code, 1);
  assert.match(taken.out, /^error: .*already exists/m);
  const missing = await cli(ta, 'admins', 'create', '--name', 'X');
  assert.equal(missing.code, 1);
  assert.equal(await count(), before, 'nothing was written');
});

test('admin login has the brute-force lockout of patient login', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  for (let i = 0; i < 10; i++) {
    assertError(await loginAdmin(ta, admin.email, `wrong-${i}`, '203.0.113.9'), 401, 'INVALID_CREDENTIALS');
  }
  const locked = await loginAdmin(ta, admin.email, admin.password, '203.0.113.9');
  assertError(locked, 429, 'LOGIN_LOCKED');
  assert.ok(Number(locked.headers['retry-after']) > 0);
  assert.equal((await loginAdmin(ta, admin.email, admin.password, '198.51.100.3')).statusCode, 200);
});

test('admin routes take admin tokens only; patient routes refuse admin tokens', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const patient = await registerPatient(ta);

  assertError(await call(ta, undefined, 'GET', '/api/admin/specialities'), 401, 'UNAUTHENTICATED');
  assertError(await call(ta, patient.token, 'GET', '/api/admin/specialities'), 401, 'UNAUTHENTICATED');
  assertError(
    await call(ta, patient.token, 'POST', '/api/admin/specialities', { slug: 'x', name: 'X' }),
    401,
    'UNAUTHENTICATED',
  );
  assertError(await call(ta, patient.token, 'GET', '/api/admin/audit-log'), 401, 'UNAUTHENTICATED');
  assert.equal(
    (await ta.db.selectFrom('specialities').select('id').where('slug', '=', 'x').executeTakeFirst()) ?? null,
    null,
  );

  // The admin's token on patient routes.
  assertError(await call(ta, admin.token, 'GET', '/api/me'), 401, 'UNAUTHENTICATED');
  assertError(await call(ta, admin.token, 'POST', '/api/obgyn', { suami: 'X' }), 401, 'UNAUTHENTICATED');

  const me = await ok(ta, admin, 'GET', '/api/admin/me');
  assert.equal(me.user_id, admin.id);
  assert.equal(me.email, admin.email);

  // Another app's key does not carry the admin's token.
  const other = await ta.app.services.apps.createApp('other app');
  const res = await ta.app.inject({
    method: 'GET',
    url: '/api/admin/me',
    headers: { 'x-api-key': other.key, authorization: `Bearer ${admin.token}` },
  });
  assertError(res, 401, 'UNAUTHENTICATED');

  // Logging out ends the session.
  await ok(ta, admin, 'POST', '/api/admin/logout', undefined, 200);
  assertError(await call(ta, admin.token, 'GET', '/api/admin/me'), 401, 'UNAUTHENTICATED');
});

test('specialities: create, update, unpublish, publish, delete, with the database and the public list', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  const versionBefore = await catalogueVersion(ta);

  const created = await ok(ta, admin, 'POST', '/api/admin/specialities', {
    slug: `${p}-jantung`,
    name: '  Jantung  ',
    description: 'Penyakit jantung dan pembuluh darah',
  });
  assert.equal(created.slug, `${p}-jantung`);
  assert.equal(created.name, 'Jantung');
  assert.equal(created.unpublished_at, null);
  const row = await ta.db.selectFrom('specialities').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
  assert.deepEqual(
    { slug: row.slug, name: row.name, description: row.description, unpublished_at: row.unpublished_at },
    { slug: `${p}-jantung`, name: 'Jantung', description: 'Penyakit jantung dan pembuluh darah', unpublished_at: null },
  );
  assert.ok((await catalogueVersion(ta)) > versionBefore, 'the catalogue version was bumped');

  const publicSlugs = async () =>
    envelope(await publicCall(ta, 'GET', '/api/speciality')).data.map((s: { slug: string }) => s.slug);
  assert.ok((await publicSlugs()).includes(`${p}-jantung`));

  const updated = await ok(ta, admin, 'PUT', `/api/admin/specialities/${p}-jantung`, {
    name: 'Kardiologi',
    description: null,
  });
  assert.equal(updated.name, 'Kardiologi');
  assert.equal(updated.description, null);
  const afterUpdate = await ta.db
    .selectFrom('specialities')
    .selectAll()
    .where('id', '=', created.id)
    .executeTakeFirstOrThrow();
  assert.equal(afterUpdate.name, 'Kardiologi');
  assert.equal(afterUpdate.description, null);
  const publicOne = envelope(await publicCall(ta, 'GET', '/api/speciality')).data.find(
    (s: { slug: string }) => s.slug === `${p}-jantung`,
  );
  assert.equal(publicOne.name, 'Kardiologi', 'the change shows in the public catalogue');

  const unpublished = await ok(ta, admin, 'POST', `/api/admin/specialities/${p}-jantung/unpublish`);
  assert.ok(Date.parse(unpublished.unpublished_at) > 0);
  assert.notEqual(
    (await ta.db.selectFrom('specialities').select('unpublished_at').where('id', '=', created.id).executeTakeFirst())
      ?.unpublished_at,
    null,
  );
  assert.equal((await publicSlugs()).includes(`${p}-jantung`), false);
  // The admin list still has it.
  const listed = await ok(ta, admin, 'GET', `/api/admin/specialities?q=${p}`);
  assert.deepEqual(
    listed.map((s: { slug: string }) => s.slug),
    [`${p}-jantung`],
  );

  const published = await ok(ta, admin, 'POST', `/api/admin/specialities/${p}-jantung/publish`);
  assert.equal(published.unpublished_at, null);
  assert.ok((await publicSlugs()).includes(`${p}-jantung`));

  // Changing the slug works; the old one is gone.
  await ok(ta, admin, 'PUT', `/api/admin/specialities/${p}-jantung`, { slug: `${p}-kardio` });
  assertError(await call(ta, admin.token, 'GET', `/api/admin/specialities/${p}-jantung`), 404, 'SPECIALITY_NOT_FOUND');
  assert.equal((await ok(ta, admin, 'GET', `/api/admin/specialities/${p}-kardio`)).id, created.id);

  assert.equal(await ok(ta, admin, 'DELETE', `/api/admin/specialities/${p}-kardio`, undefined, 200), null);
  assert.equal(
    await ta.db.selectFrom('specialities').select('id').where('id', '=', created.id).executeTakeFirst(),
    undefined,
  );
  assert.equal((await publicSlugs()).includes(`${p}-kardio`), false);
  assertError(
    await call(ta, admin.token, 'DELETE', `/api/admin/specialities/${p}-kardio`),
    404,
    'SPECIALITY_NOT_FOUND',
  );

  const actions = (await auditRows(ta, created.id)).map((r) => r.action);
  assert.deepEqual(actions, ['create', 'update', 'unpublish', 'publish', 'update', 'delete']);
});

test('validation: 422 per field for slugs, time zones, prices, references and duplicates; nothing written', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  const { speciality, hospital, doctor } = await basics(ta, admin, p);
  await ok(ta, admin, 'POST', '/api/admin/hospitals', {
    slug: `${p}-rs-2`,
    name: 'RS Dua',
    city: 'Jayapura',
    timezone: 'Asia/Jayapura',
  });
  const second = await ok(ta, admin, 'POST', '/api/admin/doctors', {
    slug: `${p}-dr-b`,
    name: 'dr. B',
    speciality: speciality.slug,
  });
  const auditBefore = (await ta.db.selectFrom('audit_log').select('id').execute()).length;
  const versionBefore = await catalogueVersion(ta);

  const post = (url: string, payload: unknown) => call(ta, admin.token, 'POST', url, payload);

  // Slugs: pattern, and taken.
  for (const slug of ['Kapital', 'dua  spasi', 'akhir-', '-awal', 'dobel--strip', 'garis_bawah', '', 'é']) {
    assertInvalid(await post('/api/admin/specialities', { slug, name: 'X' }), ['slug']);
  }
  const taken = assertInvalid(await post('/api/admin/specialities', { slug: speciality.slug, name: 'X' }), ['slug']);
  assert.deepEqual(taken.errors!.slug, [fieldMessages.slugTaken.en]);
  assertInvalid(await call(ta, admin.token, 'PUT', `/api/admin/hospitals/${p}-rs-2`, { slug: hospital.slug }), [
    'slug',
  ]);

  // Required fields, blank text, time zone.
  assertInvalid(await post('/api/admin/hospitals', {}), ['slug', 'name', 'city', 'timezone']);
  const tz = assertInvalid(
    await post('/api/admin/hospitals', { slug: `${p}-rs-3`, name: '  ', city: 'Medan', timezone: 'Asia/Singapore' }),
    ['name', 'timezone'],
  );
  assert.match(tz.errors!.timezone![0]!, /Asia\/Jakarta, Asia\/Makassar, Asia\/Jayapura/);

  // References that do not exist.
  const unknown = assertInvalid(
    await post('/api/admin/doctors', { slug: `${p}-dr-x`, name: 'dr. X', speciality: `${p}-tidak-ada` }),
    ['speciality'],
  );
  assert.deepEqual(unknown.errors!.speciality, [fieldMessages.unknownReference.en.replace('{field}', 'speciality')]);
  assertInvalid(
    await post('/api/admin/practices', { doctor: `${p}-nobody`, hospital: `${p}-nowhere`, call_price: 1 }),
    ['doctor', 'hospital'],
  );
  // A doctor's username is unique (it defaults to the slug).
  assertInvalid(
    await post('/api/admin/doctors', {
      slug: `${p}-dr-y`,
      username: doctor.username.toUpperCase(),
      name: 'dr. Y',
      speciality: speciality.slug,
    }),
    ['username'],
  );
  assertInvalid(
    await post('/api/admin/doctors', {
      slug: `${p}-dr-z`,
      name: 'dr. Z',
      speciality: speciality.slug,
      experience_years: -1,
    }),
    ['experience_years'],
  );

  // Prices: non-negative whole numbers; at least one type offered; one practice per doctor and hospital.
  const practice = (body: object) =>
    post('/api/admin/practices', { doctor: second.slug, hospital: hospital.slug, ...body });
  assertInvalid(await practice({ call_price: -1 }), ['call_price']);
  assertInvalid(await practice({ call_price: 1.5, reservasi_price: 'mahal' }), ['call_price', 'reservasi_price']);
  assertInvalid(await practice({ call_price: 10_000_000_000 }), ['call_price']);
  const none = assertInvalid(await practice({ call_price: null, reservasi_price: null }), [
    'call_price',
    'reservasi_price',
  ]);
  assert.deepEqual(none.errors!.call_price, [fieldMessages.priceRequired.en]);
  assertInvalid(await practice({}), ['call_price', 'reservasi_price']);
  assertInvalid(await post('/api/admin/practices', { doctor: doctor.slug, hospital: hospital.slug, call_price: 5 }), [
    'hospital',
  ]);

  // Products.
  assertInvalid(
    await post('/api/admin/products', { slug: `${p}-madu`, name: 'Madu', price: -5, stock: 1.5, category: `${p}-x` }),
    ['price', 'stock'],
  );
  assertInvalid(
    await post('/api/admin/products', { slug: `${p}-madu`, name: 'Madu', price: 5, stock: 1, category: `${p}-x` }),
    ['category'],
  );
  // Article bodies that sanitise to nothing.
  assertInvalid(
    await post('/api/admin/articles', {
      slug: `${p}-a`,
      title: 'A',
      body: '<script>alert(1)</script><style>p{}</style>',
    }),
    ['body'],
  );

  assert.equal((await ta.db.selectFrom('audit_log').select('id').execute()).length, auditBefore, 'no audit rows');
  assert.equal(await catalogueVersion(ta), versionBefore, 'no version bump');
  assert.equal(
    (await ta.db.selectFrom('practices').select('id').where('doctor_id', '=', second.id).execute()).length,
    0,
  );
  assert.equal((await ta.db.selectFrom('products').select('id').where('slug', '=', `${p}-madu`).execute()).length, 0);
});

test('hospitals, doctors and practices: changes show in the public catalogue; referenced deletes are 409', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  const { speciality, hospital, doctor, practice } = await basics(ta, admin, p);

  assert.equal(doctor.username, doctor.slug, 'the username defaults to the slug');
  assert.equal(doctor.speciality, speciality.slug);
  assert.equal(practice.doctor, doctor.slug);
  assert.equal(practice.hospital, hospital.slug);
  assert.deepEqual(practice.appointment_types, ['call']);
  const practiceRow = await ta.db
    .selectFrom('practices')
    .selectAll()
    .where('id', '=', practice.id)
    .executeTakeFirstOrThrow();
  assert.deepEqual(
    [practiceRow.doctor_id, practiceRow.hospital_id, practiceRow.call_price, practiceRow.reservasi_price],
    [doctor.id, hospital.id, 150000, null],
  );
  const doctorRow = await ta.db.selectFrom('doctors').selectAll().where('id', '=', doctor.id).executeTakeFirstOrThrow();
  assert.equal(doctorRow.name_search, 'dr. andi wijaya, sp.a');
  assert.equal(doctorRow.speciality_id, speciality.id);
  assert.equal(doctorRow.experience_years, 7);

  // Patients see the doctor, with the practice and its price.
  assert.deepEqual(await publicDoctors(ta, speciality.slug), [doctor.slug]);
  const shown = envelope(await publicCall(ta, 'POST', '/api/doctor/show', { slug: doctor.slug })).data;
  assert.equal(shown.hospital[0].doctor_has_hospital_id, practice.id);
  assert.deepEqual(shown.hospital[0].prices, { call: 150000, reservasi: null });
  assert.equal(shown.hospital[0].timezone, 'Asia/Makassar');

  // A price change and a new appointment type.
  const changed = await ok(ta, admin, 'PUT', `/api/admin/practices/${practice.id}`, { reservasi_price: 200000 });
  assert.deepEqual(changed.appointment_types, ['call', 'reservasi']);
  assert.equal(
    (await ta.db.selectFrom('practices').select('reservasi_price').where('id', '=', practice.id).executeTakeFirst())
      ?.reservasi_price,
    200000,
  );
  const reshown = envelope(await publicCall(ta, 'POST', '/api/doctor/show', { slug: doctor.slug })).data;
  assert.deepEqual(reshown.hospital[0].prices, { call: 150000, reservasi: 200000 });
  assertInvalid(
    await call(ta, admin.token, 'PUT', `/api/admin/practices/${practice.id}`, {
      call_price: null,
      reservasi_price: null,
    }),
    ['call_price', 'reservasi_price'],
  );

  // Doctor and hospital updates show too.
  await ok(ta, admin, 'PUT', `/api/admin/doctors/${doctor.slug}`, { name: 'dr. Andi Pratama', about: 'Dokter anak' });
  await ok(ta, admin, 'PUT', `/api/admin/hospitals/${hospital.slug}`, { city: 'Gowa', phone: '0411-555123' });
  const after = envelope(await publicCall(ta, 'POST', '/api/doctor/show', { slug: doctor.slug })).data;
  assert.equal(after.name, 'dr. Andi Pratama');
  assert.equal(after.about, 'Dokter anak');
  assert.equal(after.hospital[0].city, 'Gowa');
  assert.equal(
    (await ta.db.selectFrom('doctors').select('name_search').where('id', '=', doctor.id).executeTakeFirst())
      ?.name_search,
    'dr. andi pratama',
  );

  // Unpublishing the doctor hides them from POST /api/doctor and doctor/show; publishing brings them back.
  await ok(ta, admin, 'POST', `/api/admin/doctors/${doctor.slug}/unpublish`);
  assert.deepEqual(await publicDoctors(ta, speciality.slug), []);
  assertError(await publicCall(ta, 'POST', '/api/doctor/show', { slug: doctor.slug }), 404, 'DOCTOR_NOT_FOUND');
  await ok(ta, admin, 'POST', `/api/admin/doctors/${doctor.slug}/publish`);
  assert.deepEqual(await publicDoctors(ta, speciality.slug), [doctor.slug]);

  // An unpublished practice or hospital leaves the doctor nowhere to be seen.
  await ok(ta, admin, 'POST', `/api/admin/practices/${practice.id}/unpublish`);
  assert.notEqual(
    (await ta.db.selectFrom('practices').select('unpublished_at').where('id', '=', practice.id).executeTakeFirst())
      ?.unpublished_at,
    null,
  );
  assert.deepEqual(await publicDoctors(ta, speciality.slug), []);
  await ok(ta, admin, 'POST', `/api/admin/practices/${practice.id}/publish`);
  assert.deepEqual(await publicDoctors(ta, speciality.slug), [doctor.slug]);
  await ok(ta, admin, 'POST', `/api/admin/hospitals/${hospital.slug}/unpublish`);
  assert.deepEqual(await publicDoctors(ta, speciality.slug), []);
  const hospitals = envelope(await publicCall(ta, 'POST', '/api/hospital', { data: 100 })).data;
  assert.equal(
    hospitals.some((h: { slug: string }) => h.slug === hospital.slug),
    false,
  );
  await ok(ta, admin, 'POST', `/api/admin/hospitals/${hospital.slug}/publish`);
  assert.deepEqual(await publicDoctors(ta, speciality.slug), [doctor.slug]);

  // The admin sees the doctor's practices, unpublished ones too.
  const adminDoctor = await ok(ta, admin, 'GET', `/api/admin/doctors/${doctor.slug}`);
  assert.deepEqual(
    adminDoctor.practices.map((x: { id: number }) => x.id),
    [practice.id],
  );
  const practices = await ok(ta, admin, 'GET', `/api/admin/practices?doctor=${doctor.slug}`);
  assert.deepEqual(
    practices.map((x: { id: number }) => x.id),
    [practice.id],
  );

  // Still referenced: 409, nothing deleted.
  assertError(
    await call(ta, admin.token, 'DELETE', `/api/admin/specialities/${speciality.slug}`),
    409,
    'SPECIALITY_IN_USE',
  );
  assertError(await call(ta, admin.token, 'DELETE', `/api/admin/hospitals/${hospital.slug}`), 409, 'HOSPITAL_IN_USE');
  assertError(await call(ta, admin.token, 'DELETE', `/api/admin/doctors/${doctor.slug}`), 409, 'DOCTOR_IN_USE');
  assert.ok(await ta.db.selectFrom('doctors').select('id').where('id', '=', doctor.id).executeTakeFirst());

  // Deleting in order works.
  await ok(ta, admin, 'DELETE', `/api/admin/practices/${practice.id}`, undefined, 200);
  assert.equal(
    await ta.db.selectFrom('practices').select('id').where('id', '=', practice.id).executeTakeFirst(),
    undefined,
  );
  assertError(await call(ta, admin.token, 'GET', `/api/admin/practices/${practice.id}`), 404, 'PRACTICE_NOT_FOUND');
  await ok(ta, admin, 'DELETE', `/api/admin/doctors/${doctor.slug}`, undefined, 200);
  await ok(ta, admin, 'DELETE', `/api/admin/hospitals/${hospital.slug}`, undefined, 200);
  await ok(ta, admin, 'DELETE', `/api/admin/specialities/${speciality.slug}`, undefined, 200);
  assert.equal(
    await ta.db.selectFrom('doctors').select('id').where('id', '=', doctor.id).executeTakeFirst(),
    undefined,
  );
  assert.equal(
    await ta.db.selectFrom('hospitals').select('id').where('id', '=', hospital.id).executeTakeFirst(),
    undefined,
  );

  // Ids that cannot be practices are simply not found (no 500 on PostgreSQL's integer).
  for (const id of ['abc', '0', '99999999999', '2147483648', '-1']) {
    assertError(await call(ta, admin.token, 'GET', `/api/admin/practices/${id}`), 404, 'PRACTICE_NOT_FOUND');
  }
});

test('articles: drafts, sanitised bodies, publish and unpublish in the public list', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  const publicSlugs = async () =>
    envelope(await publicCall(ta, 'POST', '/api/article', { data: 100 })).data.map((a: { slug: string }) => a.slug);

  const draft = await ok(ta, admin, 'POST', '/api/admin/articles', {
    slug: `${p}-asi`,
    title: 'ASI eksklusif',
    excerpt: 'Enam bulan pertama',
    author: 'dr. Citra',
    body: '<p onclick="steal()">Susui <strong>bayi</strong> <a href="javascript:alert(1)">di sini</a></p><script>alert(1)</script><img src="https://cdn.cexup.test/a.png" onerror="x()">',
  });
  assert.equal(draft.published_at, null);
  const row = await ta.db.selectFrom('articles').selectAll().where('id', '=', draft.id).executeTakeFirstOrThrow();
  assert.equal(row.published_at, null);
  assert.equal(row.body_html.includes('script'), false);
  assert.equal(row.body_html.includes('onclick'), false);
  assert.equal(row.body_html.includes('onerror'), false);
  assert.equal(row.body_html.includes('javascript:'), false);
  assert.match(row.body_html, /<strong>bayi<\/strong>/);
  assert.match(row.body_html, /<img src="https:\/\/cdn\.cexup\.test\/a\.png" \/>/);
  assert.equal(draft.body, row.body_html);
  assert.equal((await publicSlugs()).includes(`${p}-asi`), false, 'a draft is not public');
  assertError(await publicCall(ta, 'POST', '/api/article/show', { slug: `${p}-asi` }), 404, 'ARTICLE_NOT_FOUND');

  const published = await ok(ta, admin, 'POST', `/api/admin/articles/${p}-asi/publish`);
  assert.ok(Date.parse(published.published_at) > 0);
  const publishedAt = (
    await ta.db.selectFrom('articles').select('published_at').where('id', '=', draft.id).executeTakeFirstOrThrow()
  ).published_at;
  assert.ok(publishedAt !== null && publishedAt > 0);
  assert.ok((await publicSlugs()).includes(`${p}-asi`));
  const shown = envelope(await publicCall(ta, 'POST', '/api/article/show', { slug: `${p}-asi` })).data;
  assert.equal(shown.body, row.body_html);
  assert.equal(shown.title, 'ASI eksklusif');

  // Publishing again changes nothing (and writes no audit row).
  const auditCount = (await auditRows(ta, draft.id)).length;
  const again = await ok(ta, admin, 'POST', `/api/admin/articles/${p}-asi/publish`);
  assert.equal(again.published_at, published.published_at);
  assert.equal((await auditRows(ta, draft.id)).length, auditCount);

  await ok(ta, admin, 'PUT', `/api/admin/articles/${p}-asi`, { title: 'ASI Eksklusif 6 Bulan', body: '<h2>Baru</h2>' });
  const updated = envelope(await publicCall(ta, 'POST', '/api/article/show', { slug: `${p}-asi` })).data;
  assert.equal(updated.title, 'ASI Eksklusif 6 Bulan');
  assert.equal(updated.body, '<h2>Baru</h2>');

  const unpublished = await ok(ta, admin, 'POST', `/api/admin/articles/${p}-asi/unpublish`);
  assert.equal(unpublished.published_at, null);
  assert.equal(
    (await ta.db.selectFrom('articles').select('published_at').where('id', '=', draft.id).executeTakeFirstOrThrow())
      .published_at,
    null,
  );
  assert.equal((await publicSlugs()).includes(`${p}-asi`), false);

  // Created published at once.
  const direct = await ok(ta, admin, 'POST', '/api/admin/articles', {
    slug: `${p}-gizi`,
    title: 'Gizi',
    body: '<p>Makan sayur</p>',
    publish: true,
  });
  assert.notEqual(direct.published_at, null);
  assert.ok((await publicSlugs()).includes(`${p}-gizi`));
  const drafts = await ok(ta, admin, 'GET', `/api/admin/articles?q=${p}&status=unpublished`);
  assert.deepEqual(
    drafts.map((a: { slug: string }) => a.slug),
    [`${p}-asi`],
  );

  await ok(ta, admin, 'DELETE', `/api/admin/articles/${p}-gizi`, undefined, 200);
  assert.equal(
    await ta.db.selectFrom('articles').select('id').where('id', '=', direct.id).executeTakeFirst(),
    undefined,
  );
  assert.equal((await publicSlugs()).includes(`${p}-gizi`), false);
});

test('product categories and products: create, update, unpublish, publish, delete; a category with products is 409', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();

  const category = await ok(ta, admin, 'POST', '/api/admin/product-categories', {
    slug: `${p}-herbal`,
    name: 'Herbal',
  });
  const product = await ok(ta, admin, 'POST', '/api/admin/products', {
    slug: `${p}-madu`,
    name: 'Madu Hutan',
    description: 'Madu murni',
    price: '85000',
    stock: 12,
    category: category.slug,
  });
  assert.equal(product.price, 85000, 'a digit string is read as a number');
  assert.equal(product.category, category.slug);
  assert.deepEqual(product.images, []);
  const row = await ta.db.selectFrom('products').selectAll().where('id', '=', product.id).executeTakeFirstOrThrow();
  assert.deepEqual(
    [row.name, row.price, row.stock, row.category_id, row.image_ids, row.unpublished_at],
    ['Madu Hutan', 85000, 12, category.id, '[]', null],
  );

  const other = await ok(ta, admin, 'POST', '/api/admin/product-categories', { slug: `${p}-madu`, name: 'Madu' });
  const moved = await ok(ta, admin, 'PUT', `/api/admin/products/${p}-madu`, { price: 90000, category: other.slug });
  assert.equal(moved.price, 90000);
  assert.equal(moved.category, other.slug);
  const movedRow = await ta.db
    .selectFrom('products')
    .selectAll()
    .where('id', '=', product.id)
    .executeTakeFirstOrThrow();
  assert.equal(movedRow.price, 90000);
  assert.equal(movedRow.category_id, other.id);

  await ok(ta, admin, 'POST', `/api/admin/products/${p}-madu/unpublish`);
  assert.notEqual(
    (await ta.db.selectFrom('products').select('unpublished_at').where('id', '=', product.id).executeTakeFirstOrThrow())
      .unpublished_at,
    null,
  );
  await ok(ta, admin, 'POST', `/api/admin/products/${p}-madu/publish`);
  await ok(ta, admin, 'POST', `/api/admin/product-categories/${p}-madu/unpublish`);
  const categoryRow = await ta.db
    .selectFrom('product_categories')
    .select('unpublished_at')
    .where('id', '=', other.id)
    .executeTakeFirstOrThrow();
  assert.notEqual(categoryRow.unpublished_at, null);
  await ok(ta, admin, 'POST', `/api/admin/product-categories/${p}-madu/publish`);

  // Filter by category; lists count unpublished ones too.
  await ok(ta, admin, 'POST', `/api/admin/products/${p}-madu/unpublish`);
  const res = await call(ta, admin.token, 'GET', `/api/admin/products?category=${other.slug}&data=5`);
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.deepEqual(
    body.data.map((x: { slug: string }) => x.slug),
    [`${p}-madu`],
  );
  assert.deepEqual(body.meta, { current_page: 1, per_page: 5, total: 1, last_page: 1 });
  assert.deepEqual(await ok(ta, admin, 'GET', `/api/admin/products?category=${p}-none`), []);

  assertError(
    await call(ta, admin.token, 'DELETE', `/api/admin/product-categories/${other.slug}`),
    409,
    'CATEGORY_IN_USE',
  );
  assert.ok(await ta.db.selectFrom('product_categories').select('id').where('id', '=', other.id).executeTakeFirst());
  await ok(ta, admin, 'DELETE', `/api/admin/product-categories/${category.slug}`, undefined, 200);
  await ok(ta, admin, 'DELETE', `/api/admin/products/${p}-madu`, undefined, 200);
  await ok(ta, admin, 'DELETE', `/api/admin/product-categories/${other.slug}`, undefined, 200);
  assert.equal(
    await ta.db.selectFrom('products').select('id').where('id', '=', product.id).executeTakeFirst(),
    undefined,
  );
  assert.equal(
    await ta.db.selectFrom('product_categories').select('id').where('id', '=', other.id).executeTakeFirst(),
    undefined,
  );
});

test('image upload: checked like an avatar, stored without an owner, shown publicly; replaced images go', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  const { speciality, doctor } = await basics(ta, admin, p);
  const file = (await png()).toString('base64');

  const uploaded = await ok(ta, admin, 'POST', `/api/admin/doctors/${doctor.slug}/image`, { file, type: 'png' });
  assert.match(uploaded.thumb, new RegExp(`/files/images/${uploaded.image_id}\\.jpg$`));
  const image = await ta.db
    .selectFrom('images')
    .selectAll()
    .where('id', '=', uploaded.image_id)
    .executeTakeFirstOrThrow();
  assert.equal(image.owner_user_id, null);
  assert.equal(image.content_type, 'image/jpeg');
  assert.deepEqual([image.width, image.height], [64, 48]);
  assert.equal(
    (await ta.db.selectFrom('doctors').select('image_id').where('id', '=', doctor.id).executeTakeFirstOrThrow())
      .image_id,
    uploaded.image_id,
  );
  const publicDoctor = envelope(await publicCall(ta, 'POST', '/api/doctor', { speciality: speciality.slug })).data[0];
  assert.equal(publicDoctor.thumb, uploaded.thumb);
  const served = await ta.app.inject({ method: 'GET', url: new URL(uploaded.thumb).pathname });
  assert.equal(served.statusCode, 200);
  assert.equal(served.headers['content-type'], 'image/jpeg');

  // A new picture replaces the old one, which is deleted.
  const replaced = await ok(ta, admin, 'POST', `/api/admin/doctors/${doctor.slug}/image`, {
    file: `data:image/png;base64,${(await png(20, 20, '#00f')).toString('base64')}`,
  });
  assert.notEqual(replaced.image_id, uploaded.image_id);
  assert.equal(
    await ta.db.selectFrom('images').select('id').where('id', '=', uploaded.image_id).executeTakeFirst(),
    undefined,
  );

  // Hospitals and articles alike.
  const hospital = await ok(ta, admin, 'POST', `/api/admin/hospitals/${p}-rs/image`, { file, extension: 'png' });
  assert.ok(hospital.image_id);
  const article = await ok(ta, admin, 'POST', '/api/admin/articles', { slug: `${p}-a`, title: 'A', body: '<p>a</p>' });
  const withImage = await ok(ta, admin, 'POST', `/api/admin/articles/${article.slug}/image`, { file, type: 'png' });
  assert.ok(withImage.thumb);

  // Products collect pictures in order; one can be taken off.
  await ok(ta, admin, 'POST', '/api/admin/product-categories', { slug: `${p}-alat`, name: 'Alat' });
  await ok(ta, admin, 'POST', '/api/admin/products', {
    slug: `${p}-termo`,
    name: 'Termometer',
    price: 50000,
    stock: 3,
    category: `${p}-alat`,
  });
  const one = await ok(ta, admin, 'POST', `/api/admin/products/${p}-termo/image`, { file, type: 'png' });
  const two = await ok(ta, admin, 'POST', `/api/admin/products/${p}-termo/image`, { file, type: 'image/png' });
  assert.equal(one.images.length, 1);
  assert.equal(two.images.length, 2);
  assert.equal(two.images[0].id, one.images[0].id);
  assert.equal(two.thumb, two.images[0].url);
  const productRow = await ta.db
    .selectFrom('products')
    .select('image_ids')
    .where('slug', '=', `${p}-termo`)
    .executeTakeFirstOrThrow();
  assert.deepEqual(
    JSON.parse(productRow.image_ids),
    two.images.map((i: { id: string }) => i.id),
  );
  const removed = await ok(
    ta,
    admin,
    'DELETE',
    `/api/admin/products/${p}-termo/images/${one.images[0].id}`,
    undefined,
    200,
  );
  assert.deepEqual(
    removed.images.map((i: { id: string }) => i.id),
    [two.images[1].id],
  );
  assert.equal(
    await ta.db.selectFrom('images').select('id').where('id', '=', one.images[0].id).executeTakeFirst(),
    undefined,
  );
  assertError(
    await call(ta, admin.token, 'DELETE', `/api/admin/products/${p}-termo/images/${one.images[0].id}`),
    404,
    'NOT_FOUND',
  );

  // Deleting a product deletes its pictures.
  await ok(ta, admin, 'DELETE', `/api/admin/products/${p}-termo`, undefined, 200);
  assert.equal(
    await ta.db.selectFrom('images').select('id').where('id', '=', two.images[1].id).executeTakeFirst(),
    undefined,
  );

  // The avatar's checks.
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>').toString('base64');
  const imagesBefore = (await ta.db.selectFrom('images').select('id').execute()).length;
  assertError(
    await call(ta, admin.token, 'POST', `/api/admin/doctors/${doctor.slug}/image`, { file: svg, type: 'png' }),
    415,
    'UNSUPPORTED_IMAGE',
  );
  assertError(
    await call(ta, admin.token, 'POST', `/api/admin/doctors/${doctor.slug}/image`, { file, type: 'jpg' }),
    415,
    'UNSUPPORTED_IMAGE',
  );
  assertInvalid(
    await call(ta, admin.token, 'POST', `/api/admin/doctors/${doctor.slug}/image`, { file: '%%%', type: 'png' }),
    ['file'],
  );
  assertInvalid(await call(ta, admin.token, 'POST', `/api/admin/doctors/${doctor.slug}/image`, { type: 'png' }), [
    'file',
  ]);
  assertError(
    await call(ta, admin.token, 'POST', `/api/admin/doctors/${doctor.slug}/image`, {
      file: Buffer.alloc(2 * 1024 * 1024 + 10).toString('base64'),
      type: 'png',
    }),
    413,
    'IMAGE_TOO_LARGE',
  );
  assertError(
    await call(ta, admin.token, 'POST', `/api/admin/doctors/${p}-nobody/image`, { file, type: 'png' }),
    404,
    'DOCTOR_NOT_FOUND',
  );
  assert.equal((await ta.db.selectFrom('images').select('id').execute()).length, imagesBefore);
  assert.equal(
    (await ta.db.selectFrom('doctors').select('image_id').where('id', '=', doctor.id).executeTakeFirstOrThrow())
      .image_id,
    replaced.image_id,
  );
  // Specialities have no pictures.
  assertError(
    await call(ta, admin.token, 'POST', `/api/admin/specialities/${speciality.slug}/image`, { file, type: 'png' }),
    404,
    'ROUTE_NOT_FOUND',
  );
});

test('the audit log: one row per change, in its transaction, with before and after; newest first, filtered', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  const hospital = await ok(ta, admin, 'POST', '/api/admin/hospitals', {
    slug: `${p}-rs`,
    name: 'RS Lama',
    city: 'Jakarta',
    timezone: 'Asia/Jakarta',
  });
  await ok(ta, admin, 'PUT', `/api/admin/hospitals/${p}-rs`, { name: 'RS Baru', timezone: 'Asia/Jayapura' });
  await ok(ta, admin, 'POST', `/api/admin/hospitals/${p}-rs/unpublish`);

  const rows = await auditRows(ta, hospital.id);
  assert.deepEqual(
    rows.map((r) => [r.action, r.entity, r.actor_user_id]),
    [
      ['create', 'hospital', admin.id],
      ['update', 'hospital', admin.id],
      ['unpublish', 'hospital', admin.id],
    ],
  );
  assert.equal(rows[0]!.before_json, null);
  assert.equal(JSON.parse(rows[0]!.after_json!).name, 'RS Lama');
  const update = rows[1]!;
  const before = JSON.parse(update.before_json!);
  const after = JSON.parse(update.after_json!);
  assert.deepEqual([before.name, before.timezone], ['RS Lama', 'Asia/Jakarta']);
  assert.deepEqual([after.name, after.timezone], ['RS Baru', 'Asia/Jayapura']);
  assert.equal(before.id, hospital.id);
  assert.ok(after.updated_at >= before.updated_at);
  assert.equal(JSON.parse(rows[2]!.after_json!).unpublished_at > 0, true);

  // An update that changes nothing writes nothing.
  await ok(ta, admin, 'PUT', `/api/admin/hospitals/${p}-rs`, { name: 'RS Baru' });
  assert.equal((await auditRows(ta, hospital.id)).length, 3);

  // Read through the API: newest first, filtered by entity and id.
  const res = await call(ta, admin.token, 'GET', `/api/admin/audit-log?entity=hospital&entity_id=${hospital.id}`);
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.deepEqual(
    body.data.map((e: { action: string }) => e.action),
    ['unpublish', 'update', 'create'],
  );
  assert.deepEqual(body.meta, { current_page: 1, per_page: 10, total: 3, last_page: 1 });
  const entry = body.data[1];
  assert.equal(entry.entity, 'hospital');
  assert.equal(entry.entity_id, hospital.id);
  assert.equal(entry.actor_user_id, admin.id);
  assert.deepEqual(entry.actor, { name: 'Admin Satu', email: admin.email });
  assert.equal(entry.before.name, 'RS Lama');
  assert.equal(entry.after.name, 'RS Baru');
  assert.ok(Date.parse(entry.created_at) > 0);
  const paged = (
    await call(ta, admin.token, 'GET', `/api/admin/audit-log?entity_id=${hospital.id}&data=2&page=2`)
  ).json();
  assert.deepEqual(
    paged.data.map((e: { action: string }) => e.action),
    ['create'],
  );
  assert.deepEqual(paged.meta, { current_page: 2, per_page: 2, total: 3, last_page: 2 });
  const updates = (
    await call(ta, admin.token, 'GET', `/api/admin/audit-log?entity_id=${hospital.id}&action=update`)
  ).json();
  assert.equal(updates.data.length, 1);
  assertInvalid(await call(ta, admin.token, 'GET', '/api/admin/audit-log?entity=users'), ['entity']);
  assertInvalid(await call(ta, admin.token, 'GET', '/api/admin/audit-log?data=0'), ['data']);

  // Deletion keeps the last state in before_json.
  await ok(ta, admin, 'DELETE', `/api/admin/hospitals/${p}-rs`, undefined, 200);
  const last = (await auditRows(ta, hospital.id)).at(-1)!;
  assert.equal(last.action, 'delete');
  assert.equal(JSON.parse(last.before_json!).name, 'RS Baru');
  assert.equal(last.after_json, null);
});

test('a change shows at once even with a long catalogue cache (the version is bumped and the cache told)', async (t) => {
  const ta = await build(t, { env: { CACHE_TTL_MS: '60000' } });
  const admin = await newAdmin(ta);
  const p = prefix();
  const { speciality, doctor } = await basics(ta, admin, p);
  assert.deepEqual(await publicDoctors(ta, speciality.slug), [doctor.slug]);
  const version = await catalogueVersion(ta);

  await ok(ta, admin, 'POST', `/api/admin/doctors/${doctor.slug}/unpublish`);
  assert.equal(await catalogueVersion(ta), version + 1);
  assert.deepEqual(await publicDoctors(ta, speciality.slug), [], 'the unpublished doctor is gone at once');
  await ok(ta, admin, 'POST', `/api/admin/doctors/${doctor.slug}/publish`);
  assert.deepEqual(await publicDoctors(ta, speciality.slug), [doctor.slug]);

  // The shop reads the same catalogue version.
  await ok(ta, admin, 'POST', '/api/admin/product-categories', { slug: `${p}-vit`, name: 'Vitamin' });
  await ok(ta, admin, 'POST', '/api/admin/products', {
    slug: `${p}-vitc`,
    name: 'Vitamin C',
    price: 25000,
    stock: 9,
    category: `${p}-vit`,
  });
  const product = await publicCall(ta, 'GET', `/api/ecommerce/product/${p}-vitc`);
  assert.equal(product.statusCode, 200, product.body);
  assert.equal(envelope(product).data.price, 25000);
  await ok(ta, admin, 'PUT', `/api/admin/products/${p}-vitc`, { price: 27500 });
  assert.equal(envelope(await publicCall(ta, 'GET', `/api/ecommerce/product/${p}-vitc`)).data.price, 27500);
  await ok(ta, admin, 'POST', `/api/admin/products/${p}-vitc/unpublish`);
  assert.equal((await publicCall(ta, 'GET', `/api/ecommerce/product/${p}-vitc`)).statusCode, 404);
});

test('admin lists: unpublished rows included, search, status, pagination', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  for (const name of ['Cempaka', 'Anggrek', 'Bougenville']) {
    await ok(ta, admin, 'POST', '/api/admin/specialities', {
      slug: `${p}-${name.toLowerCase()}`,
      name: `${p} ${name}`,
    });
  }
  await ok(ta, admin, 'POST', `/api/admin/specialities/${p}-bougenville/unpublish`);

  const page1 = (await call(ta, admin.token, 'GET', `/api/admin/specialities?q=${p}&data=2`)).json();
  assert.deepEqual(
    page1.data.map((s: { slug: string }) => s.slug),
    [`${p}-anggrek`, `${p}-bougenville`],
  );
  assert.deepEqual(page1.meta, { current_page: 1, per_page: 2, total: 3, last_page: 2 });
  const page2 = (await call(ta, admin.token, 'GET', `/api/admin/specialities?q=${p}&data=2&page=2`)).json();
  assert.deepEqual(
    page2.data.map((s: { slug: string }) => s.slug),
    [`${p}-cempaka`],
  );
  const hidden = await ok(ta, admin, 'GET', `/api/admin/specialities?q=${p}&status=unpublished`);
  assert.deepEqual(
    hidden.map((s: { slug: string }) => s.slug),
    [`${p}-bougenville`],
  );
  const shown = await ok(ta, admin, 'GET', `/api/admin/specialities?q=${p.toUpperCase()}&status=published`);
  assert.equal(shown.length, 2);
  // LIKE wildcards in a search are plain text.
  assert.deepEqual(await ok(ta, admin, 'GET', `/api/admin/specialities?q=${p}%25_`), []);
  assertInvalid(await call(ta, admin.token, 'GET', '/api/admin/specialities?status=draft'), ['status']);
  assertInvalid(await call(ta, admin.token, 'GET', '/api/admin/specialities?page=abc'), ['page']);
});

test('Indonesian messages, and 404 for unknown slugs on every entity', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/admin/specialities',
    headers: { ...authHeaders(ta), authorization: `Bearer ${admin.token}`, 'accept-language': 'id' },
    payload: { slug: `${p}-gigi`, name: 'Gigi' },
  });
  assert.equal(res.statusCode, 201);
  assert.equal(envelope(res).message, 'Berhasil dibuat.');

  const cases: [string, string][] = [
    ['specialities', 'SPECIALITY_NOT_FOUND'],
    ['hospitals', 'HOSPITAL_NOT_FOUND'],
    ['doctors', 'DOCTOR_NOT_FOUND'],
    ['articles', 'ARTICLE_NOT_FOUND'],
    ['product-categories', 'CATEGORY_NOT_FOUND'],
    ['products', 'PRODUCT_NOT_FOUND'],
  ];
  for (const [entity, code] of cases) {
    const url = `/api/admin/${entity}/${p}-nothing`;
    assertError(await call(ta, admin.token, 'GET', url), 404, code);
    assertError(await call(ta, admin.token, 'PUT', url, {}), 404, code);
    assertError(await call(ta, admin.token, 'POST', `${url}/unpublish`), 404, code);
    assertError(await call(ta, admin.token, 'DELETE', url), 404, code);
  }
});

test('renaming a hospital keeps it in the scope of the apps limited to it', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  const { hospital, doctor } = await basics(ta, admin, p);
  const scoped = await ta.app.services.apps.createApp('kiosk', { hospitals: [hospital.slug, 'elsewhere'] });
  const seen = async () => {
    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/doctor',
      headers: { 'x-api-key': scoped.key },
      payload: { data: 100 },
    });
    assert.equal(res.statusCode, 200, res.body);
    return envelope(res).data.map((d: { slug: string }) => d.slug);
  };
  assert.deepEqual(await seen(), [doctor.slug]);
  await ok(ta, admin, 'PUT', `/api/admin/hospitals/${hospital.slug}`, { slug: `${p}-rs-baru` });
  const app = await ta.db
    .selectFrom('client_apps')
    .select('hospital_scope')
    .where('id', '=', scoped.appId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(JSON.parse(app.hospital_scope!), [`${p}-rs-baru`, 'elsewhere']);
  assert.deepEqual(await seen(), [doctor.slug]);
});

test('concurrent creations of one slug: one 201, the others 422, one row and one audit entry', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      call(ta, admin.token, 'POST', '/api/admin/product-categories', { slug: `${p}-sama`, name: `Sama ${i}` }),
    ),
  );
  assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 422, 422, 422, 422, 422]);
  for (const r of results.filter((x) => x.statusCode === 422)) assertInvalid(r, ['slug']);
  const rows = await ta.db.selectFrom('product_categories').select('id').where('slug', '=', `${p}-sama`).execute();
  assert.equal(rows.length, 1);
  assert.equal((await auditRows(ta, rows[0]!.id)).length, 1);
});

test('null and booleans are not amounts; a renamed hospital shows at once to keys scoped to it', async (t) => {
  const ta = await build(t);
  const admin = await newAdmin(ta);
  const p = prefix();
  const category = await ok(ta, admin, 'POST', '/api/admin/product-categories', { slug: `${p}-cat`, name: 'Cat' });
  for (const price of [null, true, '12a', -1]) {
    const res = await call(ta, admin.token, 'POST', '/api/admin/products', {
      slug: `${p}-x`,
      name: 'X',
      price,
      stock: 1,
      category: category.slug,
    });
    assert.equal(res.statusCode, 422, `price ${JSON.stringify(price)}: ${res.body}`);
    assert.ok(envelope(res).errors?.price);
  }
  const rows = await ta.db.selectFrom('products').select('id').where('slug', '=', `${p}-x`).execute();
  assert.equal(rows.length, 0);

  await ok(ta, admin, 'POST', '/api/admin/hospitals', {
    slug: `${p}-rs`,
    name: `${p} RS`,
    city: 'Ambon',
    timezone: 'Asia/Jayapura',
  });
  const kiosk = await ta.app.services.apps.createApp('Kiosk', { hospitals: [`${p}-rs`] });
  const seen = (slug: string) =>
    ta.app.inject({ method: 'GET', url: `/api/hospital/${slug}`, headers: { 'x-api-key': kiosk.key } });
  assert.equal((await seen(`${p}-rs`)).statusCode, 200);
  await ok(ta, admin, 'PUT', `/api/admin/hospitals/${p}-rs`, { slug: `${p}-rs2` }, 200);
  assert.equal((await seen(`${p}-rs2`)).statusCode, 200, 'the key follows the rename at once');
});
