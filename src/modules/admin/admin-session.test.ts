// The back office's browser session: a cookie no script reads and no other site sends, a CSRF
// value on every change, expiry, sign-out, and no use of it outside the back office.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authHeaders, build, envelope, registerPatient, uniqueName, type TestApp } from '../../../test/helpers.js';
import { createAdmin } from './admin-accounts.js';
import { systemClock } from '../../clock.js';

const PASSWORD = 'sangat-rahasia-2026';

async function newAdmin(ta: TestApp) {
  const email = `${uniqueName('admin')}@cexup.test`;
  await createAdmin(ta.db, { name: 'Admin Sesi', email, password: PASSWORD });
  return email;
}

function signIn(ta: TestApp, email: string, password = PASSWORD) {
  return ta.app.inject({ method: 'POST', url: '/api/admin/session', payload: { email, password } });
}

/** The Set-Cookie header of an answer, as one string. */
const setCookie = (res: LightMyRequestResponse) => String(res.headers['set-cookie'] ?? '');
const cookieValue = (res: LightMyRequestResponse) => /cexup_admin=([^;]*)/.exec(setCookie(res))?.[1] ?? '';

test('sign-in sets an HttpOnly, SameSite=Strict cookie scoped to /api/admin, and no token in the body', async (t) => {
  const ta = await build(t, { env: { PUBLIC_URL: 'https://api.cexup.test' } });
  const email = await newAdmin(ta);
  const res = await signIn(ta, email);
  assert.equal(res.statusCode, 200, res.body);
  const body = envelope(res);
  assert.equal(body.data.user.email, email);
  assert.equal(body.data.role, 'operator');
  assert.match(body.data.csrf_token, /^[\w-]{43}$/);
  assert.ok(!('access_token' in body.data), 'the token stays in the cookie');
  const cookie = setCookie(res);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\/api\/admin/);
  assert.match(cookie, /Secure/, 'served over HTTPS: the cookie travels only over HTTPS');
  assert.ok(!body.data.csrf_token.includes(cookieValue(res)));
  // Expires after BROWSER_SESSION_HOURS (12 by default), not after TOKEN_TTL_DAYS.
  const expires = Date.parse(body.data.expires_at);
  assert.ok(Math.abs(expires - (systemClock() + 12 * 3_600_000)) < 60_000, body.data.expires_at);
});

test('the cookie reads without a key; a change needs the CSRF value; sign-out ends it', async (t) => {
  const ta = await build(t);
  const email = await newAdmin(ta);
  const res = await signIn(ta, email);
  const cookies = { cexup_admin: cookieValue(res) };
  const csrf = envelope(res).data.csrf_token as string;

  const me = await ta.app.inject({ method: 'GET', url: '/api/admin/session', cookies });
  assert.equal(me.statusCode, 200, me.body);
  assert.equal(envelope(me).data.csrf_token, csrf, 'a reloaded page gets the same value back');
  const list = await ta.app.inject({ method: 'GET', url: '/api/admin/specialities', cookies });
  assert.equal(list.statusCode, 200, list.body);

  const payload = { slug: 'uji-sesi', name: 'Spesialis Uji Sesi' };
  const forged = await ta.app.inject({ method: 'POST', url: '/api/admin/specialities', cookies, payload });
  assert.equal(forged.statusCode, 403);
  assert.equal(envelope(forged).code, 'CSRF_TOKEN_INVALID');
  const wrong = await ta.app.inject({
    method: 'POST',
    url: '/api/admin/specialities',
    cookies,
    headers: { 'x-csrf-token': csrf.slice(1) + 'x' },
    payload,
  });
  assert.equal(wrong.statusCode, 403);
  const none = await ta.app.inject({
    method: 'GET',
    url: '/api/admin/specialities',
    query: { q: 'Uji Sesi' },
    cookies,
  });
  assert.equal(envelope(none).data.length, 0, 'nothing was created by the refused requests');

  const made = await ta.app.inject({
    method: 'POST',
    url: '/api/admin/specialities',
    cookies,
    headers: { 'x-csrf-token': csrf },
    payload,
  });
  assert.equal(made.statusCode, 201, made.body);

  const out = await ta.app.inject({
    method: 'DELETE',
    url: '/api/admin/session',
    cookies,
    headers: { 'x-csrf-token': csrf },
  });
  assert.equal(out.statusCode, 200, out.body);
  assert.match(setCookie(out), /cexup_admin=;/);
  const after = await ta.app.inject({ method: 'GET', url: '/api/admin/session', cookies });
  assert.equal(after.statusCode, 401, 'the token itself is revoked, not only the cookie cleared');
});

test('a session cookie is no credential elsewhere, and a partner token is no session cookie', async (t) => {
  const ta = await build(t);
  const email = await newAdmin(ta);
  const cookie = cookieValue(await signIn(ta, email));

  // As a Bearer token with a partner app's key: refused (bound to the back office).
  const asBearer = await ta.app.inject({
    method: 'GET',
    url: '/api/admin/me',
    headers: { ...authHeaders(ta), authorization: `Bearer ${cookie}` },
  });
  assert.equal(asBearer.statusCode, 401);
  // Outside /api/admin the cookie is no key.
  const patientRoute = await ta.app.inject({ method: 'GET', url: '/api/me', cookies: { cexup_admin: cookie } });
  assert.equal(patientRoute.statusCode, 401);
  assert.equal(envelope(patientRoute).code, 'API_KEY_INVALID');

  // An admin's Bearer token from a partner app put in the cookie: refused.
  const login = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password: PASSWORD },
  });
  const bearer = envelope(login).data.access_token as string;
  const asCookie = await ta.app.inject({ method: 'GET', url: '/api/admin/session', cookies: { cexup_admin: bearer } });
  assert.equal(asCookie.statusCode, 401);

  // A patient's password never opens the back office.
  const patient = await registerPatient(ta);
  const asPatient = await signIn(ta, patient.email, patient.password);
  assert.equal(asPatient.statusCode, 401);
  assert.equal(envelope(asPatient).code, 'INVALID_CREDENTIALS');
  assert.equal(setCookie(asPatient), '');
});

test('sign-in takes JSON only: a form another site posts signs no one in', async (t) => {
  const ta = await build(t);
  const email = await newAdmin(ta);
  const form = await ta.app.inject({
    method: 'POST',
    url: '/api/admin/session',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `email=${encodeURIComponent(email)}&password=${PASSWORD}`,
  });
  assert.equal(form.statusCode, 415);
  assert.equal(envelope(form).code, 'UNSUPPORTED_MEDIA_TYPE');
  assert.equal(setCookie(form), '');
  // A script with a key and a Bearer token reads the session too, with no CSRF value to send.
  const login = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password: PASSWORD },
  });
  const read = await ta.app.inject({
    method: 'GET',
    url: '/api/admin/session',
    headers: { ...authHeaders(ta), authorization: `Bearer ${envelope(login).data.access_token}` },
  });
  assert.equal(read.statusCode, 200, read.body);
  assert.equal(envelope(read).data.csrf_token, null);
});

test('the session expires with its clock; a wrong password sets no cookie', async (t) => {
  let now = Date.parse('2026-12-01T01:00:00Z');
  const ta = await build(t, { now: () => now, env: { BROWSER_SESSION_HOURS: '2' } });
  const email = await newAdmin(ta);
  const bad = await signIn(ta, email, 'salah-sandi-2026');
  assert.equal(bad.statusCode, 401);
  assert.equal(setCookie(bad), '');
  const res = await signIn(ta, email);
  const cookies = { cexup_admin: cookieValue(res) };
  now += 2 * 3_600_000 - 1000;
  assert.equal((await ta.app.inject({ method: 'GET', url: '/api/admin/session', cookies })).statusCode, 200);
  now += 2000;
  assert.equal((await ta.app.inject({ method: 'GET', url: '/api/admin/session', cookies })).statusCode, 401);
});

test('the back office app is never listed nor revocable, and takes no webhooks', async (t) => {
  const ta = await build(t);
  const apps = await ta.app.services.apps.list();
  assert.ok(apps.every((a) => a.id !== 'backoffice'));
  assert.equal(await ta.app.services.apps.revokeApp('backoffice'), false);
});
