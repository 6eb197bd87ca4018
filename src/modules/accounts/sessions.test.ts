import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { insertCatalogue } from '../../../test/catalogue-fixture.js';
import { authHeaders, build, envelope, registerPatient, uniqueName, type TestApp } from '../../../test/helpers.js';
import { sha256 } from '../../security/tokens.js';
import { createAdmin } from '../admin/index.js';
import { createDoctorLogin } from '../doctors/doctors.service.js';

/**
 * Issue 13: every role ends its own sessions. /api/logout and /api/change-password take a
 * patient's, a doctor's and an admin's token; a password change ends every other session.
 */

type Role = 'patient' | 'doctor' | 'admin';

interface Account {
  role: Role;
  email: string;
  username: string;
  password: string;
  /** A route of the role's own, to tell whether a token still works. */
  probe: string;
  loginRoute: string;
}

const PROBES: Record<Role, string> = {
  patient: '/api/me',
  doctor: '/api/doctor-app/orders',
  admin: '/api/admin/me',
};

async function account(ta: TestApp, role: Role): Promise<Account> {
  const password = `sandi-${role}-2026`;
  const base = { role, password, probe: PROBES[role], loginRoute: `/api/login/${role}` };
  if (role === 'patient') {
    const p = await registerPatient(ta, { password });
    return { ...base, email: p.email, username: p.username };
  }
  const email = `${uniqueName(role)}@rs.example.id`;
  if (role === 'doctor') {
    const fx = await insertCatalogue(ta.db, uniqueName('se').toLowerCase());
    const { username } = await createDoctorLogin(ta.db, { slug: `${fx.prefix}-andi`, email, password });
    return { ...base, email, username };
  }
  const { username } = await createAdmin(ta.db, { name: 'Admin Sesi', email, password });
  return { ...base, email, username };
}

async function login(ta: TestApp, a: Account, password = a.password) {
  return ta.app.inject({
    method: 'POST',
    url: a.loginRoute,
    headers: authHeaders(ta),
    payload: { email: a.email, password },
  });
}

async function token(ta: TestApp, a: Account): Promise<string> {
  const res = await login(ta, a);
  assert.equal(res.statusCode, 200, res.body);
  return envelope(res).data.access_token as string;
}

const bearer = (ta: TestApp, t: string) => ({ ...authHeaders(ta), authorization: `Bearer ${t}` });

async function probe(ta: TestApp, a: Account, t: string): Promise<number> {
  return (await ta.app.inject({ method: 'GET', url: a.probe, headers: bearer(ta, t) })).statusCode;
}

const post = (ta: TestApp, url: string, t: string, payload: object = {}) =>
  ta.app.inject({ method: 'POST', url, headers: bearer(ta, t), payload });

async function revokedAt(ta: TestApp, t: string): Promise<number | null> {
  const row = await ta.db
    .selectFrom('access_tokens')
    .select('revoked_at')
    .where('token_hash', '=', sha256(t))
    .executeTakeFirstOrThrow();
  return row.revoked_at === null ? null : Number(row.revoked_at);
}

async function setup(t: TestContext, role: Role) {
  const ta = await build(t);
  return { ta, a: await account(ta, role) };
}

for (const role of ['doctor', 'admin', 'patient'] as const) {
  test(`${role}: logout revokes the token it was sent with, and only that one`, async (t) => {
    const { ta, a } = await setup(t, role);
    const [current, other] = [await token(ta, a), await token(ta, a)];
    assert.equal(await probe(ta, a, current), 200);

    const res = await post(ta, '/api/logout', current);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(envelope(res), { success: true, message: 'Logged out.', data: null });
    const refused = await ta.app.inject({ method: 'GET', url: a.probe, headers: bearer(ta, current) });
    assert.equal(refused.statusCode, 401);
    assert.equal(envelope(refused).code, 'UNAUTHENTICATED');
    assert.notEqual(await revokedAt(ta, current), null);
    assert.equal(await probe(ta, a, other), 200, 'another session stays');
    assert.equal(await revokedAt(ta, other), null);
    // A revoked token logs out nothing more.
    assert.equal((await post(ta, '/api/logout', current)).statusCode, 401);
  });

  test(`${role}: change-password ends every other session, keeps this one, and the new password logs in`, async (t) => {
    const { ta, a } = await setup(t, role);
    const [current, other] = [await token(ta, a), await token(ta, a)];
    const next = `baru-${role}-sandi-99`;

    const res = await post(ta, '/api/change-password', current, {
      current_password: a.password,
      new_password: next,
      new_password_confirmation: next,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(envelope(res), { success: true, message: 'Password changed.', data: null });

    assert.equal(await probe(ta, a, current), 200, 'the session that changed it stays');
    assert.equal(await probe(ta, a, other), 401, 'every other session ends');
    assert.notEqual(await revokedAt(ta, other), null);
    assert.equal(await revokedAt(ta, current), null);
    const old = await login(ta, a);
    assert.equal(old.statusCode, 401);
    assert.equal(envelope(old).code, 'INVALID_CREDENTIALS');
    assert.equal((await login(ta, a, next)).statusCode, 200);
  });

  test(`${role}: a body naming another user is a 403 and ends nothing; a wrong current password a 422`, async (t) => {
    const { ta, a } = await setup(t, role);
    const someoneElse = await registerPatient(ta);
    const current = await token(ta, a);
    for (const naming of [{ username: someoneElse.username }, { user_id: someoneElse.userId }]) {
      for (const [url, body] of [
        ['/api/logout', {}],
        ['/api/change-password', { current_password: a.password, new_password: 'lain-sekali-sandi-1' }],
      ] as const) {
        const res = await post(ta, url, current, { ...body, ...naming });
        assert.equal(res.statusCode, 403, `${url} ${res.body}`);
        assert.equal(envelope(res).code, 'FORBIDDEN_OTHER_USER');
      }
    }
    const wrong = await post(ta, '/api/change-password', current, {
      current_password: 'bukan-sandinya-1',
      new_password: 'lain-sekali-sandi-1',
    });
    assert.equal(wrong.statusCode, 422, wrong.body);
    assert.deepEqual(envelope(wrong).errors, { current_password: ['The current password is incorrect.'] });
    assert.equal(await probe(ta, a, current), 200);
    assert.equal((await login(ta, a)).statusCode, 200, 'the password is unchanged');
    // Naming oneself, as the published bodies do, is fine.
    const own = await post(ta, '/api/logout', current, { username: a.username });
    assert.equal(own.statusCode, 200, own.body);
  });
}

test("doctors' and admins' new passwords follow the rules of their creation: 12 characters at least", async (t) => {
  for (const role of ['doctor', 'admin'] as const) {
    const { ta, a } = await setup(t, role);
    const [current, other] = [await token(ta, a), await token(ta, a)];
    const short = await post(ta, '/api/change-password', current, {
      current_password: a.password,
      new_password: 'sebelas-123',
    });
    assert.equal(short.statusCode, 422, short.body);
    assert.deepEqual(envelope(short).errors, { new_password: ['The new_password must be at least 12 characters.'] });
    assert.equal(await probe(ta, a, other), 200, 'nothing changed: the other session stays');
    assert.equal((await login(ta, a)).statusCode, 200, 'nothing changed: the old password still logs in');
  }
  // A patient's rule stays 8 characters.
  const { ta, a } = await setup(t, 'patient');
  const res = await post(ta, '/api/change-password', await token(ta, a), {
    current_password: a.password,
    new_password: 'delapan8',
  });
  assert.equal(res.statusCode, 200, res.body);
});

test("a doctor's token with another app's key is still refused on the session routes", async (t) => {
  const { ta, a } = await setup(t, 'doctor');
  const current = await token(ta, a);
  const elsewhere = await ta.app.services.apps.createApp('another app');
  for (const url of ['/api/logout', '/api/change-password']) {
    const res = await ta.app.inject({
      method: 'POST',
      url,
      headers: { 'x-api-key': elsewhere.key, authorization: `Bearer ${current}` },
      payload: { current_password: a.password, new_password: 'lain-sekali-sandi-1' },
    });
    assert.equal(res.statusCode, 401, res.body);
    assert.equal(envelope(res).code, 'UNAUTHENTICATED');
  }
  assert.equal(await probe(ta, a, current), 200);
  assert.equal(await revokedAt(ta, current), null);
});

test('the document says which tokens the session routes take', async (t) => {
  const { ta } = await setup(t, 'patient');
  const doc = (await ta.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const path of ['/api/logout', '/api/change-password']) {
    assert.deepEqual(doc.paths[path].post['x-token-roles'], ['patient', 'doctor', 'admin'], path);
  }
  assert.equal(doc.paths['/api/me'].get['x-token-roles'], undefined);
});
