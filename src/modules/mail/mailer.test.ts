import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startSmtpServer, type TestSmtpServer } from '../../../test/smtp.js';
import { loadConfig } from '../../config.js';
import { createMailer, FileMailer, LogMailer, maskAddress, SmtpMailer } from './mailer.js';
import { emailVerificationMail, passwordChangedMail, passwordResetMail } from './templates.js';

let smtp: TestSmtpServer;
before(async () => {
  smtp = await startSmtpServer();
});
after(() => smtp.close());

const captured = () => {
  const lines: { level: string; obj: object; msg: string }[] = [];
  return {
    lines,
    log: {
      info: (obj: object, msg: string) => lines.push({ level: 'info', obj, msg }),
      warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj, msg }),
    },
  };
};

test('SmtpMailer delivers through a real SMTP server: from, to, subject, text and HTML, with the URL credentials', async () => {
  const url = smtp.url.replace('smtp://', 'smtp://mailer:s3cret@');
  const mailer = new SmtpMailer(url, 'Cexup <no-reply@cexup.test>');
  try {
    await mailer.send({ to: 'siti@example.id', subject: 'Halo – uji', text: 'Teks biasa: ñ é', html: '<p>HTML</p>' });
  } finally {
    await mailer.close();
  }
  const mail = await smtp.waitFor((m) => m.to.includes('siti@example.id'));
  assert.equal(mail.from, 'no-reply@cexup.test');
  assert.equal(mail.user, 'mailer');
  assert.equal(mail.subject, 'Halo – uji');
  assert.equal(mail.text.trim(), 'Teks biasa: ñ é');
  assert.equal(mail.html.trim(), '<p>HTML</p>');
});

test('a mailer that cannot reach its server rejects (the caller decides), it does not hang', async () => {
  const probe = await startSmtpServer();
  const deadUrl = probe.url;
  await probe.close();
  const mailer = new SmtpMailer(deadUrl, 'no-reply@cexup.test');
  await assert.rejects(mailer.send({ to: 'a@example.id', subject: 's', text: 't' }));
  await mailer.close();
});

test('the templates: English and Indonesian, the code always, the link when configured, names escaped in HTML', () => {
  const params = {
    name: 'Siti <b>',
    code: 'cxr_CODE',
    link: 'https://app.example.id/reset?token=cxr_CODE',
    minutes: 30,
  };
  const en = passwordResetMail('en', 'siti@example.id', params);
  const id = passwordResetMail('id', 'siti@example.id', params);
  assert.equal(en.subject, 'Reset your Cexup password');
  assert.equal(id.subject, 'Atur ulang kata sandi Cexup Anda');
  assert.match(en.text, /Hello Siti <b>,/);
  assert.match(id.text, /Halo Siti <b>,/);
  assert.match(id.text, /berlaku 30 menit/);
  for (const mail of [en, id]) {
    assert.ok(mail.text.includes('cxr_CODE') && mail.text.includes(params.link));
    assert.ok(mail.html!.includes('Siti &lt;b&gt;') && !mail.html!.includes('<b>'));
    assert.ok(mail.html!.includes('href="https://app.example.id/reset?token=cxr_CODE"'));
  }
  const noLink = emailVerificationMail('id', 'siti@example.id', {
    name: 'Siti',
    code: 'cxv_X',
    link: undefined,
    hours: 48,
  });
  assert.equal(noLink.subject, 'Konfirmasi alamat email Cexup Anda');
  assert.match(noLink.text, /Masukkan kode ini di aplikasi:\n\ncxv_X/);
  assert.ok(!noLink.html!.includes('href'));
  assert.equal(passwordChangedMail('en', 'a@example.id', { name: 'A' }).subject, 'Your Cexup password was changed');
});

test('FileMailer writes an .eml only its owner can read and logs where, never the body', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cexup-mail-'));
  try {
    const { lines, log } = captured();
    const mailer = new FileMailer(join(dir, 'mail'), 'Cexup <no-reply@cexup.test>', log);
    await mailer.send({ to: 'siti@example.id', subject: 'Reset', text: 'the code: cxr_SECRET' });
    const files = readdirSync(join(dir, 'mail'));
    assert.equal(files.length, 1);
    assert.match(files[0]!, /\.eml$/);
    const file = join(dir, 'mail', files[0]!);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const eml = readFileSync(file, 'utf8');
    assert.match(eml, /^To: siti@example\.id$/m);
    assert.ok(eml.includes('cxr_SECRET'));
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0]!.obj, { to: 's***@example.id', subject: 'Reset', path: file });
    assert.ok(!JSON.stringify(lines).includes('cxr_SECRET'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LogMailer drops the mail with a warning that names neither the address nor the body', async () => {
  const { lines, log } = captured();
  await new LogMailer(log).send({ to: 'siti@example.id', subject: 'Reset', text: 'cxr_SECRET' });
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.level, 'warn');
  assert.ok(!JSON.stringify(lines).includes('cxr_SECRET') && !JSON.stringify(lines).includes('siti@'));
  assert.equal(maskAddress('x'), '***');
});

/** A config as the environment gives it (not the test helper's, which turns mail off). */
const testConfig = (env: Record<string, string> = {}) =>
  loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    IDENTITY_ENCRYPTION_KEYS: `t1:${Buffer.alloc(32, 7).toString('base64')}`,
    IDENTITY_HMAC_KEY: Buffer.alloc(32, 9).toString('base64'),
    PUBLIC_URL: 'https://api.cexup.test',
    ...env,
  });

test('createMailer follows the config: SMTP_URL → smtp; demo mode without it → file; otherwise log', () => {
  const { log } = captured();
  assert.ok(createMailer(testConfig({ SMTP_URL: smtp.url }).mail, log) instanceof SmtpMailer);
  assert.ok(createMailer(testConfig({ DEMO_MODE: 'true' }).mail, log) instanceof FileMailer);
  assert.ok(createMailer(testConfig().mail, log) instanceof LogMailer);
  assert.ok(createMailer(testConfig({ MAIL_TRANSPORT: 'file' }).mail, log) instanceof FileMailer);
  assert.throws(() => testConfig({ MAIL_TRANSPORT: 'smtp' }), /SMTP_URL is required/);
  assert.throws(() => testConfig({ SMTP_URL: 'http://x' }), /SMTP_URL must be/);
  assert.throws(() => testConfig({ MAIL_TRANSPORT: 'pigeon' }), /MAIL_TRANSPORT must be/);
  assert.throws(() => testConfig({ MAIL_FROM: 'not an address' }), /MAIL_FROM must be/);
  assert.throws(() => testConfig({ PASSWORD_RESET_URL: 'javascript:alert(1)' }), /PASSWORD_RESET_URL must be/);
});
