// Staff: operators create admin accounts (operators or hospital admins of some hospitals), change
// their role and hospitals, disable and enable them, and set a new password; every change is
// audited without the password; a hospital admin can do none of it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertCatalogue } from '../../../test/catalogue-fixture.js';
import { authHeaders, build, envelope, uniqueName, type TestApp } from '../../../test/helpers.js';
import { createAdmin } from './admin-accounts.js';

const PASSWORD = 'sangat-rahasia-2026';

async function login(ta: TestApp, email: string, password = PASSWORD) {
  return ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password },
  });
}

async function setup(t: import('node:test').TestContext) {
  const ta = await build(t);
  const fx = await insertCatalogue(ta.db, uniqueName('st').toLowerCase());
  const email = `${uniqueName('op')}@cexup.test`;
  const { id } = await createAdmin(ta.db, { name: 'Operator Satu', email, password: PASSWORD });
  const token = envelope(await login(ta, email)).data.access_token as string;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object, bearer = token) =>
    ta.app.inject({
      method,
      url,
      headers: { ...authHeaders(ta), authorization: `Bearer ${bearer}` },
      ...(payload ? { payload } : {}),
    });
  return { ta, fx, operatorId: id, call };
}

test('an operator creates a hospital admin, who then works only at that hospital', async (t) => {
  const { ta, fx, call } = await setup(t);
  const email = `${uniqueName('rs')}@rs.test`;
  const created = await call('POST', '/api/admin/staff', {
    name: 'Rina Admin RS',
    email,
    password: 'rahasia-rs-jakarta-2026',
    role: 'hospital_admin',
    hospitals: [`${fx.prefix}-jakarta`],
  });
  assert.equal(created.statusCode, 201, created.body);
  const staff = envelope(created).data;
  assert.equal(staff.role, 'hospital_admin');
  assert.deepEqual(
    staff.hospitals.map((h: { slug: string }) => h.slug),
    [`${fx.prefix}-jakarta`],
  );
  assert.ok(!JSON.stringify(staff).includes('rahasia'), 'no password in the answer');

  const rina = envelope(await login(ta, email, 'rahasia-rs-jakarta-2026')).data.access_token as string;
  const own = await call('GET', `/api/admin/hospitals/${fx.prefix}-jakarta`, undefined, rina);
  assert.equal(own.statusCode, 200, own.body);
  const other = await call('GET', `/api/admin/doctors/${fx.prefix}-budi`, undefined, rina);
  assert.equal(other.statusCode, 403);
  assert.equal(envelope(other).code, 'ADMIN_ROLE_FORBIDDEN');
  assert.equal((await call('GET', '/api/admin/staff', undefined, rina)).statusCode, 403, 'staff is an operator’s');

  // Moved to Makassar: Budi is theirs now, Jakarta no longer.
  const moved = await call('PUT', `/api/admin/staff/${staff.id}`, { hospitals: [`${fx.prefix}-makassar`] });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.equal((await call('GET', `/api/admin/doctors/${fx.prefix}-budi`, undefined, rina)).statusCode, 200);
  assert.equal((await call('GET', `/api/admin/hospitals/${fx.prefix}-jakarta`, undefined, rina)).statusCode, 403);

  // Made an operator: everything.
  await call('PUT', `/api/admin/staff/${staff.id}`, { role: 'operator' });
  assert.equal((await call('GET', '/api/admin/staff', undefined, rina)).statusCode, 200);

  const audit = envelope(await call('GET', `/api/admin/audit-log?entity=admin_account&entity_id=${staff.id}`)).data;
  assert.deepEqual(
    audit.map((a: { action: string }) => a.action),
    ['update', 'update', 'create'],
  );
  assert.ok(!JSON.stringify(audit).includes('rahasia') && !JSON.stringify(audit).includes('argon2'));

  // A hospital deleted with a hospital admin on it: deleted, and no longer theirs.
  const slug = `${fx.prefix}-baru`;
  const made = await call('POST', '/api/admin/hospitals', {
    slug,
    name: 'RS Baru',
    city: 'Bogor',
    timezone: 'Asia/Jakarta',
  });
  assert.equal(made.statusCode, 201, made.body);
  await call('PUT', `/api/admin/staff/${staff.id}`, { role: 'hospital_admin', hospitals: [slug] });
  assert.equal((await call('DELETE', `/api/admin/hospitals/${slug}`)).statusCode, 200);
  const after = (envelope(await call('GET', '/api/admin/staff')).data as { id: string; hospitals: unknown[] }[]).find(
    (x) => x.id === staff.id,
  )!;
  assert.deepEqual(after.hospitals, []);
});

test('disabling ends the sessions and refuses sign-in; enabling lets them back; a new password ends sessions', async (t) => {
  const { ta, operatorId, call } = await setup(t);
  const email = `${uniqueName('dis')}@cexup.test`;
  const created = envelope(
    await call('POST', '/api/admin/staff', { name: 'Dedi Operator', email, password: 'rahasia-dedi-2026-x' }),
  ).data;
  assert.equal(created.role, 'operator');
  const token = envelope(await login(ta, email, 'rahasia-dedi-2026-x')).data.access_token as string;
  assert.equal((await call('GET', '/api/admin/me', undefined, token)).statusCode, 200);

  const disabled = await call('POST', `/api/admin/staff/${created.id}/disable`);
  assert.equal(disabled.statusCode, 200, disabled.body);
  assert.match(envelope(disabled).data.disabled_at, /^\d{4}-/);
  assert.equal((await call('GET', '/api/admin/me', undefined, token)).statusCode, 401, 'the session ended');
  const refused = await login(ta, email, 'rahasia-dedi-2026-x');
  assert.equal(refused.statusCode, 403);
  assert.equal(envelope(refused).code, 'ACCOUNT_DISABLED');
  const wrong = await login(ta, email, 'salah-sandi-2026-xx');
  assert.equal(envelope(wrong).code, 'INVALID_CREDENTIALS', 'a wrong password learns nothing more');

  assert.equal((await call('POST', `/api/admin/staff/${created.id}/enable`)).statusCode, 200);
  const again = envelope(await login(ta, email, 'rahasia-dedi-2026-x')).data.access_token as string;

  const reset = await call('POST', `/api/admin/staff/${created.id}/password`, { password: 'sandi-baru-dedi-2026' });
  assert.equal(reset.statusCode, 200, reset.body);
  assert.equal((await call('GET', '/api/admin/me', undefined, again)).statusCode, 401);
  assert.equal((await login(ta, email, 'rahasia-dedi-2026-x')).statusCode, 401);
  assert.equal((await login(ta, email, 'sandi-baru-dedi-2026')).statusCode, 200);

  // Not yourself.
  const self = await call('POST', `/api/admin/staff/${operatorId}/disable`);
  assert.equal(self.statusCode, 409);
  assert.equal(envelope(self).code, 'STAFF_SELF');
  assert.equal((await call('PUT', `/api/admin/staff/${operatorId}`, { role: 'hospital_admin' })).statusCode, 409);
});

test('bad staff input is refused on its field, and nothing is created', async (t) => {
  const { call } = await setup(t);
  const fields = async (payload: object) => {
    const res = await call('POST', '/api/admin/staff', payload);
    assert.equal(res.statusCode, 422, res.body);
    return Object.keys(envelope(res).errors ?? {});
  };
  const email = `${uniqueName('bad')}@cexup.test`;
  assert.deepEqual(await fields({ name: 'A', email, password: 'pendek' }), ['password']);
  assert.deepEqual(await fields({ name: '   ', email, password: 'cukup-panjang-2026' }), ['name']);
  assert.deepEqual(await fields({ name: 'A', email: 'bukan-email', password: 'cukup-panjang-2026' }), ['email']);
  assert.deepEqual(
    await fields({
      name: 'A',
      email,
      password: 'cukup-panjang-2026',
      role: 'hospital_admin',
      hospitals: ['tidak-ada'],
    }),
    ['hospitals'],
  );
  assert.deepEqual(await fields({ name: 'A', email, password: 'cukup-panjang-2026', role: 'direktur' }), ['role']);
  const list = envelope(await call('GET', '/api/admin/staff')).data as { email: string }[];
  assert.ok(!list.some((s) => s.email === email));
  const dup = await call('POST', '/api/admin/staff', { name: 'B', email, password: 'cukup-panjang-2026' });
  assert.equal(dup.statusCode, 201);
  assert.deepEqual(await fields({ name: 'C', email, password: 'cukup-panjang-2026' }), ['email']);
  assert.equal((await call('PUT', '/api/admin/staff/nobody', { name: 'X' })).statusCode, 404);
  const someone = (envelope(await call('GET', '/api/admin/staff')).data as { id: string; email: string }[]).find(
    (x) => x.email === email,
  )!;
  const blank = await call('PUT', `/api/admin/staff/${someone.id}`, { name: '  ' });
  assert.equal(blank.statusCode, 422);
  assert.deepEqual(Object.keys(envelope(blank).errors ?? {}), ['name']);
});
