import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { andiVisit, insertCatalogue, openAndiForVisits } from '../../../test/catalogue-fixture.js';
import {
  authHeaders,
  build,
  envelope,
  registerPatient,
  uniqueName,
  type Patient,
  type TestApp,
} from '../../../test/helpers.js';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../../../test/smtp.js';
import { sha256 } from '../../security/tokens.js';
import { systemClock } from '../../clock.js';

let smtp: TestSmtpServer;
before(async () => {
  smtp = await startSmtpServer();
});
after(() => smtp.close());

const MIN = 60_000;
const RESET_PAGE = 'https://app.example.id/reset-password';

async function setup(t: TestContext, env: Record<string, string> = {}) {
  const clock = { now: systemClock() };
  const ta = await build(t, {
    env: { SMTP_URL: smtp.url, PASSWORD_RESET_URL: RESET_PAGE, ...env },
    now: () => clock.now,
  });
  return { ta, clock };
}

const post = (ta: TestApp, url: string, payload: object, headers: Record<string, string> = {}) =>
  ta.app.inject({ method: 'POST', url, headers: { ...authHeaders(ta), ...headers }, payload });

/** The secret a mail carries: the code (also the `token` of its link). */
function secretOf(mail: ReceivedMail, prefix: 'cxr' | 'cxv'): string {
  const match = new RegExp(`${prefix}_[A-Za-z0-9_-]{43}`).exec(mail.text);
  assert.ok(match, `no ${prefix} code in: ${mail.text}`);
  return match[0];
}

const mailTo = (address: string, subject: string | RegExp) =>
  smtp.waitFor(
    (m) => m.to.includes(address) && (typeof subject === 'string' ? m.subject === subject : subject.test(m.subject)),
  );

const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));

const me = (ta: TestApp, token: string) =>
  ta.app.inject({ method: 'GET', url: '/api/me', headers: { ...authHeaders(ta), authorization: `Bearer ${token}` } });

const login = (ta: TestApp, name: string, password: string) =>
  post(ta, '/api/login/patient', { email: name, password });

async function forgotAndReceive(ta: TestApp, patient: Patient, headers: Record<string, string> = {}) {
  const res = await post(ta, '/api/password/forgot', { email: patient.email }, headers);
  assert.equal(res.statusCode, 200, res.body);
  const mail = await mailTo(patient.email, /password|kata sandi/i);
  return secretOf(mail, 'cxr');
}

test('forgot: the same answer for an account and for nobody; the account gets a 30-minute link, stored only as a hash', async (t) => {
  const { ta } = await setup(t);
  const patient = await registerPatient(ta);
  const known = await post(ta, '/api/password/forgot', { email: patient.email });
  const unknown = await post(ta, '/api/password/forgot', { email: `nobody-${uniqueName()}@example.id` });
  assert.equal(known.statusCode, 200);
  assert.equal(unknown.statusCode, 200);
  assert.equal(known.body, unknown.body);
  assert.deepEqual(envelope(known), {
    success: true,
    message: 'If an account has this email or username, a link to reset its password is on its way.',
    data: null,
  });

  const mail = await mailTo(patient.email, 'Reset your Cexup password');
  assert.equal(mail.from, 'no-reply@cexup.test');
  const code = secretOf(mail, 'cxr');
  assert.ok(mail.text.includes(`${RESET_PAGE}?token=${code}`));
  assert.ok(mail.html.includes(`href="${RESET_PAGE}?token=${code}"`));
  assert.match(mail.text, /work once, for 30 minutes/);

  await ta.app.services.recovery.drain();
  const rows = await ta.db
    .selectFrom('recovery_secrets')
    .selectAll()
    .where('user_id', '=', patient.userId)
    .where('purpose', '=', 'password_reset')
    .execute();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.secret_hash, sha256(code));
  assert.equal(rows[0]!.expires_at - rows[0]!.created_at, 30 * MIN);
  assert.equal(rows[0]!.used_at, null);
  // Nothing in the database holds the code itself.
  const dump = JSON.stringify(await ta.db.selectFrom('recovery_secrets').selectAll().execute());
  assert.ok(!dump.includes(code));
});

test('forgot in Indonesian, by username: the mail goes to the account address, in Indonesian', async (t) => {
  const { ta } = await setup(t);
  const patient = await registerPatient(ta);
  const res = await post(
    ta,
    '/api/password/forgot',
    { email: patient.username.toUpperCase() },
    { 'accept-language': 'id' },
  );
  assert.equal(res.statusCode, 200);
  assert.equal(
    envelope(res).message,
    'Jika ada akun dengan email atau username ini, tautan untuk mengatur ulang kata sandinya sedang dikirim.',
  );
  const mail = await mailTo(patient.email, 'Atur ulang kata sandi Cexup Anda');
  assert.match(mail.text, /Halo Siti Rahayu,/);
  assert.match(mail.text, /berlaku 30 menit/);
});

test('reset: the new password works, the old one and every session end, the link works once, the address counts as verified', async (t) => {
  const { ta } = await setup(t);
  const patient = await registerPatient(ta);
  const second = envelope(await login(ta, patient.username, patient.password)).data.access_token as string;
  const code = await forgotAndReceive(ta, patient);

  const res = await post(ta, '/api/password/reset', {
    token: code,
    password: 'sandi-baru-2026',
    password_confirmation: 'sandi-baru-2026',
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(envelope(res), {
    success: true,
    message: 'Password reset. Log in with the new password.',
    data: null,
  });

  for (const token of [patient.token, second]) assert.equal((await me(ta, token)).statusCode, 401);
  assert.equal(envelope(await login(ta, patient.email, patient.password)).code, 'INVALID_CREDENTIALS');
  assert.equal((await login(ta, patient.email, 'sandi-baru-2026')).statusCode, 200);

  const again = await post(ta, '/api/password/reset', { token: code, password: 'lagi-lagi-123' });
  assert.equal(again.statusCode, 422);
  assert.equal(envelope(again).code, 'RESET_TOKEN_INVALID');
  assert.equal(envelope(again).data, null);
  assert.equal((await login(ta, patient.email, 'sandi-baru-2026')).statusCode, 200);

  const live = await ta.db
    .selectFrom('access_tokens')
    .select('id')
    .where('user_id', '=', patient.userId)
    .where('revoked_at', 'is', null)
    .execute();
  assert.equal(live.length, 2, 'only the two logins after the reset');
  const secret = await ta.db
    .selectFrom('recovery_secrets')
    .select('used_at')
    .where('secret_hash', '=', sha256(code))
    .executeTakeFirstOrThrow();
  assert.notEqual(secret.used_at, null);
  const status = await ta.app.inject({
    method: 'GET',
    url: '/api/email/verification',
    headers: authHeaders(ta, {
      ...patient,
      token: envelope(await login(ta, patient.email, 'sandi-baru-2026')).data.access_token,
    }),
  });
  assert.equal(envelope(status).data.email_verified, true);

  const notice = await mailTo(patient.email, 'Your Cexup password was changed');
  assert.ok(!/cx[rv]_/.test(notice.text));
});

test('reset: a second link of the account stops working once one is used; an expired link is refused', async (t) => {
  const { ta, clock } = await setup(t);
  const patient = await registerPatient(ta);
  const first = await forgotAndReceive(ta, patient);
  await post(ta, '/api/password/forgot', { email: patient.email });
  await ta.app.services.recovery.drain();
  const codes = mailsTo(patient.email)
    .filter((m) => m.subject === 'Reset your Cexup password')
    .map((m) => secretOf(m, 'cxr'));
  const second = codes.find((c) => c !== first)!;
  assert.ok(second);

  assert.equal((await post(ta, '/api/password/reset', { token: second, password: 'pertama-baru-1' })).statusCode, 200);
  const old = await post(ta, '/api/password/reset', { token: first, password: 'kedua-baru-22' });
  assert.equal(envelope(old).code, 'RESET_TOKEN_INVALID');

  const third = await forgotAndReceive(ta, patient);
  clock.now += 31 * MIN;
  const late = await post(
    ta,
    '/api/password/reset',
    { token: third, password: 'terlambat-123' },
    { 'accept-language': 'id' },
  );
  assert.equal(late.statusCode, 422);
  assert.deepEqual(envelope(late), {
    success: false,
    message: 'Tautan atur ulang kata sandi ini tidak valid, sudah dipakai, atau kedaluwarsa. Minta tautan baru.',
    code: 'RESET_TOKEN_INVALID',
    data: null,
  });
  assert.equal((await login(ta, patient.email, 'pertama-baru-1')).statusCode, 200);
});

test('reset: bad input is a 422 per field and changes nothing', async (t) => {
  const { ta } = await setup(t);
  const patient = await registerPatient(ta);
  const code = await forgotAndReceive(ta, patient);
  const before = await ta.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', patient.userId)
    .executeTakeFirstOrThrow();

  const short = await post(ta, '/api/password/reset', { token: code, password: 'pendek' });
  assert.equal(short.statusCode, 422);
  assert.deepEqual(envelope(short).errors, { password: ['The password must be at least 8 characters.'] });
  const mismatch = await post(ta, '/api/password/reset', {
    token: code,
    password: 'sandi-baru-2026',
    password_confirmation: 'sandi-lain-2026',
  });
  assert.deepEqual(envelope(mismatch).errors, { password: ['The password confirmation does not match.'] });
  const missing = await post(ta, '/api/password/reset', {});
  assert.deepEqual(Object.keys(envelope(missing).errors!).sort(), ['password', 'token']);
  for (const token of ['nonsense', 'cxr_' + 'A'.repeat(43), ' ']) {
    const res = await post(ta, '/api/password/reset', { token, password: 'sandi-baru-2026' });
    assert.equal(res.statusCode, 422);
    assert.equal(envelope(res).code, 'RESET_TOKEN_INVALID');
  }
  const wrongType = await post(ta, '/api/password/reset', { token: 12345, password: 'sandi-baru-2026' });
  assert.equal(wrongType.statusCode, 422);
  assert.equal(envelope(wrongType).code, 'VALIDATION_FAILED');
  const forgotEmpty = await post(ta, '/api/password/forgot', { email: '   ' });
  assert.equal(forgotEmpty.statusCode, 422);
  assert.deepEqual(envelope(forgotEmpty).errors, { email: ['The email field is required.'] });

  const afterwards = await ta.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', patient.userId)
    .executeTakeFirstOrThrow();
  assert.equal(afterwards.password_hash, before.password_hash);
  assert.equal((await me(ta, patient.token)).statusCode, 200);
  // The code still works after all that.
  assert.equal((await post(ta, '/api/password/reset', { token: code, password: 'sandi-baru-2026' })).statusCode, 200);
});

test('forgot is limited per name (known or not: a 429 reveals nothing) and per address', async (t) => {
  const { ta, clock } = await setup(t);
  const patient = await registerPatient(ta);
  const nobody = `nobody-${uniqueName()}@example.id`;
  for (const name of [patient.email, nobody]) {
    for (let i = 0; i < 3; i += 1)
      assert.equal((await post(ta, '/api/password/forgot', { email: name })).statusCode, 200);
    const limited = await post(ta, '/api/password/forgot', { email: name.toUpperCase() });
    assert.equal(limited.statusCode, 429);
    assert.equal(envelope(limited).code, 'TOO_MANY_REQUESTS');
    assert.ok(Number(limited.headers['retry-after']) > 3500);
  }
  await ta.app.services.recovery.drain();
  assert.equal(mailsTo(patient.email).filter((m) => m.subject === 'Reset your Cexup password').length, 3);
  clock.now += 61 * MIN;
  assert.equal((await post(ta, '/api/password/forgot', { email: patient.email })).statusCode, 200);

  const { ta: strict } = await setup(t, { RATE_LIMIT_PASSWORD_FORGOT_PER_HOUR: '2' });
  for (let i = 0; i < 2; i += 1) {
    assert.equal(
      (await post(strict, '/api/password/forgot', { email: `x${i}-${uniqueName()}@example.id` })).statusCode,
      200,
    );
  }
  const perAddress = await post(strict, '/api/password/forgot', { email: `y-${uniqueName()}@example.id` });
  assert.equal(perAddress.statusCode, 429);
  assert.equal(envelope(perAddress).code, 'TOO_MANY_REQUESTS');
});

test('registration mails a confirmation link in the request language; verify, verify again, status, resend refused once verified', async (t) => {
  const { ta } = await setup(t, { EMAIL_VERIFY_URL: 'cexup://verify?from=mail' });
  const patient = await registerPatient(ta);
  const statusBefore = await ta.app.inject({
    method: 'GET',
    url: '/api/email/verification',
    headers: authHeaders(ta, patient),
  });
  assert.deepEqual(envelope(statusBefore).data, { email: patient.email, email_verified: false, verified_at: null });

  const mail = await mailTo(patient.email, 'Confirm your Cexup email address');
  const code = secretOf(mail, 'cxv');
  assert.ok(mail.text.includes(`cexup://verify?from=mail&token=${code}`));
  assert.match(mail.text, /work for 48 hours/);

  const res = await post(ta, '/api/email/verify', { token: code }, { 'accept-language': 'id' });
  assert.equal(res.statusCode, 200, res.body);
  const body = envelope(res);
  assert.equal(body.message, 'Alamat email berhasil dikonfirmasi.');
  assert.equal(body.data.email, patient.email);
  assert.equal(body.data.email_verified, true);
  assert.match(body.data.verified_at, /^\d{4}-\d\d-\d\dT/);

  // A second click on the same link answers the same.
  const twice = await post(ta, '/api/email/verify', { token: code });
  assert.deepEqual(envelope(twice).data, body.data);
  const row = await ta.db
    .selectFrom('verified_emails')
    .selectAll()
    .where('user_id', '=', patient.userId)
    .executeTakeFirstOrThrow();
  assert.equal(row.email_normalized, patient.email.toLowerCase());

  const status = await ta.app.inject({
    method: 'GET',
    url: '/api/email/verification',
    headers: authHeaders(ta, patient),
  });
  assert.deepEqual(envelope(status).data, body.data);
  const resend = await post(ta, '/api/email/resend', {}, authHeaders(ta, patient));
  assert.equal(resend.statusCode, 409);
  assert.equal(envelope(resend).code, 'EMAIL_ALREADY_VERIFIED');

  const bad = await post(ta, '/api/email/verify', { token: 'cxv_' + 'B'.repeat(43) });
  assert.equal(bad.statusCode, 422);
  assert.equal(envelope(bad).code, 'VERIFICATION_TOKEN_INVALID');
});

test('resend: a new Indonesian link, limited per account; expired links refused; the route needs a login', async (t) => {
  const { ta, clock } = await setup(t);
  const patient = await registerPatient(ta, { email: `${uniqueName()}@example.id` });
  const first = secretOf(await mailTo(patient.email, 'Confirm your Cexup email address'), 'cxv');

  assert.equal((await post(ta, '/api/email/resend', {})).statusCode, 401);
  for (let i = 0; i < 3; i += 1) {
    const res = await post(ta, '/api/email/resend', {}, { ...authHeaders(ta, patient), 'accept-language': 'id' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(envelope(res).message, 'Tautan konfirmasi baru sedang dikirim.');
  }
  const limited = await post(ta, '/api/email/resend', {}, authHeaders(ta, patient));
  assert.equal(limited.statusCode, 429);
  assert.ok(Number(limited.headers['retry-after']) > 0);
  await ta.app.services.recovery.drain();
  const indonesian = mailsTo(patient.email).filter((m) => m.subject === 'Konfirmasi alamat email Cexup Anda');
  assert.equal(indonesian.length, 3);

  clock.now += 49 * 60 * MIN;
  const late = await post(ta, '/api/email/verify', { token: first });
  assert.equal(late.statusCode, 422);
  assert.equal(envelope(late).code, 'VERIFICATION_TOKEN_INVALID');
  assert.equal(
    (await ta.db.selectFrom('verified_emails').select('user_id').where('user_id', '=', patient.userId).execute())
      .length,
    0,
  );
});

test('resend with a body naming another patient is a 403: no mail, nothing counted', async (t) => {
  const { ta } = await setup(t);
  const patient = await registerPatient(ta, { email: `${uniqueName()}@example.id` });
  const other = await registerPatient(ta, { email: `${uniqueName()}@example.id` });
  await mailTo(patient.email, 'Confirm your Cexup email address');
  for (const naming of [{ user_id: other.userId }, { username: other.username }]) {
    const res = await post(ta, '/api/email/resend', naming, authHeaders(ta, patient));
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(envelope(res).code, 'FORBIDDEN_OTHER_USER');
  }
  await ta.app.services.recovery.drain();
  assert.equal(mailsTo(patient.email).length, 1);
  assert.equal(mailsTo(other.email).length, 1);
  const counted = await ta.db
    .selectFrom('recovery_requests')
    .select('id')
    .where('kind', '=', 'resend')
    .where('subject', 'in', [patient.userId, other.userId])
    .execute();
  assert.equal(counted.length, 0);
  const own = await post(ta, '/api/email/resend', { user_id: patient.userId }, authHeaders(ta, patient));
  assert.equal(own.statusCode, 200, own.body);
});

test('REQUIRE_VERIFIED_EMAIL_TO_BOOK: an unverified patient gets 403 EMAIL_NOT_VERIFIED and no order; once verified the booking goes through', async (t) => {
  // Tuesday 1 December 2026, 07:00 in Jakarta.
  const clock = { now: Date.UTC(2026, 11, 1, 0, 0) };
  const ta = await build(t, {
    env: { SMTP_URL: smtp.url, DEMO_MODE: 'true', REQUIRE_VERIFIED_EMAIL_TO_BOOK: 'true' },
    now: () => clock.now,
  });
  const fx = await insertCatalogue(ta.db, uniqueName('v').toLowerCase());
  await openAndiForVisits(ta.db, fx, '12:00');
  const patient = await registerPatient(ta);
  const body = andiVisit(fx);
  const refused = await post(ta, '/api/doctor/booking', body, { ...authHeaders(ta, patient), 'accept-language': 'id' });
  assert.equal(refused.statusCode, 403);
  assert.deepEqual(envelope(refused), {
    success: false,
    message: 'Konfirmasi alamat email Anda sebelum memesan: buka tautan yang kami kirim, atau minta tautan baru.',
    code: 'EMAIL_NOT_VERIFIED',
    data: null,
  });
  const orders = () => ta.db.selectFrom('orders').select('id').where('patient_user_id', '=', patient.userId).execute();
  assert.equal((await orders()).length, 0);

  const code = secretOf(await mailTo(patient.email, 'Confirm your Cexup email address'), 'cxv');
  assert.equal((await post(ta, '/api/email/verify', { token: code })).statusCode, 200);
  const booked = await post(ta, '/api/doctor/booking', body, authHeaders(ta, patient));
  assert.equal(booked.statusCode, 201, booked.body);
  assert.equal((await orders()).length, 1);
});

test('no secret reaches the logs: codes, links and passwords of forgot, reset and verify', async (t) => {
  const ta = await build(t, { env: { SMTP_URL: smtp.url }, captureLogs: true });
  const patient = await registerPatient(ta);
  const verifyCode = secretOf(await mailTo(patient.email, 'Confirm your Cexup email address'), 'cxv');
  await post(ta, '/api/email/verify', { token: verifyCode });
  const resetCode = await forgotAndReceive(ta, patient);
  await post(ta, '/api/password/reset', {
    token: resetCode,
    password: 'sandi-rahasia-baru',
    password_confirmation: 'sandi-rahasia-baru',
  });
  await post(ta, '/api/password/reset', { token: resetCode, password: 'sandi-rahasia-lagi' });
  await ta.app.services.recovery.drain();
  const logs = ta.logs.join('');
  assert.ok(logs.includes('/api/password/reset'), 'the requests were logged');
  for (const secret of [verifyCode, resetCode, 'sandi-rahasia-baru', 'sandi-rahasia-lagi', patient.password]) {
    assert.ok(!logs.includes(secret), `a secret in the logs: ${secret.slice(0, 6)}...`);
  }
});

test('without SMTP (MAIL_TRANSPORT=file, the demo default): the mail is an .eml under DATA_DIR/mail and the log names only the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cexup-maildir-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ta = await build(t, { env: { MAIL_TRANSPORT: 'file', DATA_DIR: dir }, captureLogs: true });
  const patient = await registerPatient(ta);
  await ta.app.services.recovery.drain();
  assert.equal((await post(ta, '/api/password/forgot', { email: patient.email })).statusCode, 200);
  await ta.app.services.recovery.drain();

  const files = readdirSync(join(dir, 'mail')).sort();
  assert.equal(files.length, 2, 'the confirmation and the reset');
  const emls = files.map((f) => readFileSync(join(dir, 'mail', f), 'utf8'));
  const reset = emls.find((e) => e.includes('Subject: Reset your Cexup password'))!;
  const code = /cxr_[A-Za-z0-9_-]{43}/.exec(reset.replace(/=\r?\n/g, ''))![0];
  assert.equal((await post(ta, '/api/password/reset', { token: code, password: 'dari-berkas-123' })).statusCode, 200);
  const logs = ta.logs.join('');
  assert.match(logs, /mail written to a file/);
  assert.ok(!logs.includes(code) && !logs.includes(patient.email));
});
