import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { authHeaders, build, envelope, registerPatient, uniqueName, type TestApp } from '../../../test/helpers.js';
import { importCatalogue } from '../../cli/import-catalogue/index.js';
import { createAdmin } from '../admin/index.js';
import { createDoctorLogin } from '../doctors/doctors.service.js';

// Issue 13, finding 11: one namespace for the usernames of patients, doctors and admins.

const PASSWORD = 'admin-sandi-2026';
const TAKEN = 'The username has already been taken.';

async function adminToken(ta: TestApp): Promise<{ token: string; username: string }> {
  const email = `${uniqueName('admin')}@cexup.test`;
  const { username } = await createAdmin(ta.db, { name: 'Admin Nama', email, password: PASSWORD });
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password: PASSWORD },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { token: envelope(res).data.access_token as string, username };
}

const asAdmin = (ta: TestApp, token: string, method: 'POST' | 'PUT', url: string, payload: object) =>
  ta.app.inject({ method, url, headers: { ...authHeaders(ta), authorization: `Bearer ${token}` }, payload });

async function speciality(ta: TestApp, token: string): Promise<string> {
  const slug = `sp-${uniqueName('x').toLowerCase()}`;
  const res = await asAdmin(ta, token, 'POST', '/api/admin/specialities', { slug, name: `Anak ${slug}` });
  assert.equal(res.statusCode, 201, res.body);
  return slug;
}

const register = (ta: TestApp, username: string) =>
  ta.app.inject({
    method: 'POST',
    url: '/api/register/patient',
    headers: authHeaders(ta),
    payload: {
      name: 'Siti Rahayu',
      address: 'Jl. Sudirman 5, Bandung',
      username,
      email: `${uniqueName('surel')}@example.id`,
      password: 'rahasia-123',
    },
  });

test('a patient cannot register a catalogue doctor’s username; the doctor’s login can then be made', async (t) => {
  const ta = await build(t);
  const admin = await adminToken(ta);
  const username = uniqueName('dokter');
  const slug = `dr-${username.toLowerCase()}`;
  const created = await asAdmin(ta, admin.token, 'POST', '/api/admin/doctors', {
    slug,
    username,
    name: 'dr. Rina Wijaya',
    speciality: await speciality(ta, admin.token),
  });
  assert.equal(created.statusCode, 201, created.body);

  for (const attempt of [username, username.toUpperCase()]) {
    const res = await register(ta, attempt);
    assert.equal(res.statusCode, 422, res.body);
    assert.deepEqual(envelope(res).errors, { username: [TAKEN] });
  }
  const check = await ta.app.inject({
    method: 'POST',
    url: '/api/register/check-id/username',
    headers: authHeaders(ta),
    payload: { username },
  });
  assert.equal(envelope(check).data.available, false);
  const accounts = await ta.db
    .selectFrom('users')
    .select('id')
    .where('username_normalized', '=', username.toLowerCase());
  assert.equal((await accounts.execute()).length, 0, 'no account took it');

  const login = await createDoctorLogin(ta.db, {
    slug,
    email: `${uniqueName('dok')}@rs.example.id`,
    password: 'dokter-sandi-2026',
  });
  assert.equal(login.username, username);
  // An admin's username is refused as well.
  const asAdminName = await register(ta, admin.username);
  assert.equal(asAdminName.statusCode, 422, asAdminName.body);
  assert.deepEqual(envelope(asAdminName).errors, { username: [TAKEN] });
});

test('an admin cannot give a catalogue doctor a patient’s or an admin’s username, on create or rename', async (t) => {
  const ta = await build(t);
  const admin = await adminToken(ta);
  const patient = await registerPatient(ta);
  const spec = await speciality(ta, admin.token);
  const doctor = (slug: string, username: string) =>
    asAdmin(ta, admin.token, 'POST', '/api/admin/doctors', { slug, username, name: 'dr. Andi', speciality: spec });

  for (const username of [patient.username, patient.username.toUpperCase(), admin.username]) {
    const res = await doctor(`dr-${uniqueName('a').toLowerCase()}`, username);
    assert.equal(res.statusCode, 422, res.body);
    assert.deepEqual(envelope(res).errors, { username: [TAKEN] });
  }
  const none = await ta.db
    .selectFrom('doctors')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['username']), '=', patient.username.toLowerCase()))
    .execute();
  assert.equal(none.length, 0, 'nothing written');

  // A doctor created with a free username may not be renamed to the patient's.
  const slug = `dr-${uniqueName('b').toLowerCase()}`;
  assert.equal((await doctor(slug, uniqueName('bebas'))).statusCode, 201);
  const renamed = await asAdmin(ta, admin.token, 'PUT', `/api/admin/doctors/${slug}`, { username: patient.username });
  assert.equal(renamed.statusCode, 422, renamed.body);
  assert.deepEqual(envelope(renamed).errors, { username: [TAKEN] });

  // The patient still logs in with it, and may log in as before.
  const login = await ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: authHeaders(ta),
    payload: { email: patient.username, password: patient.password },
  });
  assert.equal(login.statusCode, 200, login.body);
});

test('admins made by the CLI skip names catalogue doctors hold; a doctor may recase its own name', async (t) => {
  const ta = await build(t);
  const admin = await adminToken(ta);
  const spec = await speciality(ta, admin.token);
  const username = uniqueName('dokter');
  const slug = `dr-${username.toLowerCase()}`;
  const created = await asAdmin(ta, admin.token, 'POST', '/api/admin/doctors', {
    slug,
    username,
    name: 'dr. Rina',
    speciality: spec,
  });
  assert.equal(created.statusCode, 201, created.body);
  // An admin made from an email whose local part is a doctor's username (no login yet) gets another one.
  const made = await createAdmin(ta.db, {
    name: 'Admin Dua',
    email: `${username.toLowerCase()}@cexup.test`,
    password: PASSWORD,
  });
  assert.notEqual(made.username.toLowerCase(), username.toLowerCase());
  await createDoctorLogin(ta.db, { slug, email: `${uniqueName('d')}@rs.example.id`, password: 'dokter-sandi-2026' });
  // Its own login shares the name: changing only the case is not a clash with itself.
  const sameName = await asAdmin(ta, admin.token, 'PUT', `/api/admin/doctors/${slug}`, {
    username: username.toUpperCase(),
  });
  assert.equal(sameName.statusCode, 200, sameName.body);
});

test('the catalogue import refuses a doctor username a patient holds, and writes nothing', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const p = uniqueName('imp').toLowerCase();
  const dir = mkdtempSync(join(tmpdir(), 'cexup-usernames-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'catalogue.json');
  const catalogue = (username: string) => ({
    specialities: [{ slug: `${p}-umum`, name: `Umum ${p}` }],
    hospitals: [{ slug: `${p}-rs`, name: `RS ${p}`, city: 'Medan', timezone: 'Asia/Jakarta' }],
    doctors: [
      {
        slug: `${p}-dr`,
        username,
        name: 'dr. Impor',
        speciality: `${p}-umum`,
        practices: [{ hospital: `${p}-rs`, call_price: 1 }],
      },
    ],
  });
  writeFileSync(file, JSON.stringify(catalogue(patient.username.toUpperCase())));
  const refused = await importCatalogue(ta.db, file);
  assert.equal(refused.ok, false);
  assert.match(JSON.stringify(refused), /belongs to an account/);
  const written = await ta.db.selectFrom('doctors').select('id').where('slug', '=', `${p}-dr`).execute();
  assert.equal(written.length, 0, 'nothing imported');

  writeFileSync(file, JSON.stringify(catalogue(`${p}.dokter`)));
  assert.equal((await importCatalogue(ta.db, file)).ok, true);
});
