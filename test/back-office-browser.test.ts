// The back office in a real browser (playwright-core driving Debian's chromium) at an operator's
// laptop size, on a really listening server in demo mode: sign in, create a doctor with a
// practice and a weekly rule and see the slot in get-time-list, find an order and complete its
// refund, rotate an app key and see the old one keep working inside its overlap, a hospital
// admin refused another hospital's doctor, and a refused form keeping what was typed. Each step
// checks what the page shows and what the API then answers. Screenshots go to docs/back-office/.
//
// Without chromium the test is skipped, unless REQUIRE_BROWSER_TEST=1 (CI): then it fails.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_ADMIN, DEMO_PATIENT } from '../src/demo.js';
import { systemClock } from '../src/clock.js';
import { PNG } from './access/world.js';
import { ROOT } from './multiprocess-helpers.js';
import { browserWorld, CHROMIUM, MISSING, skipWithoutBrowser } from './browser.js';

const DEMO_KEY = 'back-office-test-demo-key-01';
/** An operator's laptop. */
const VIEWPORT = { width: 1366, height: 768 };
export const SHOTS = join(ROOT, 'docs', 'back-office');

const world = browserWorld(
  {
    CEXUP_DEMO_API_KEY: DEMO_KEY,
    // The demo app's webhook is this test's own receiver on 127.0.0.1; deliveries go out each second.
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    NOTIFY_JOB_INTERVAL_SECONDS: '1',
  },
  () => {
    mkdirSync(SHOTS, { recursive: true });
  },
);

const skip = skipWithoutBrowser;

/** A call to the API as an app (the demo key unless told) and, when given, a Bearer token. */
async function api(
  method: string,
  path: string,
  options: { key?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${world.server.baseUrl}${path}`, {
    method,
    headers: {
      'x-api-key': options.key ?? DEMO_KEY,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The next `weekday` (ISO: 1 Monday) at least two days ahead, Y-m-d in WIB. */
function nextWeekday(weekday: number): string {
  const wib = new Date(systemClock() + 7 * 3_600_000);
  for (let add = 2; add < 10; add++) {
    const day = new Date(wib.getTime() + add * 86_400_000);
    if ((day.getUTCDay() || 7) === weekday) return day.toISOString().slice(0, 10);
  }
  throw new Error('unreachable');
}

/** Picks `text` in a react-admin AutocompleteInput labelled `label`. */
async function autocomplete(page: Page, label: string, text: string): Promise<void> {
  const input = page.getByRole('combobox', { name: label, exact: true });
  await input.click();
  await input.fill(text);
  await page.getByRole('option', { name: text }).first().click();
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${world.server.baseUrl}/admin/#/login`);
  await page.locator('input[name=username]').fill(email);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /profil|profile/i }).click();
  await page.getByRole('menuitem', { name: /keluar|logout/i }).click();
  await page.locator('input[name=username]').waitFor();
}

test('the back office in Chromium: catalogue, schedule, orders, keys, staff', { skip, timeout: 240_000 }, async () => {
  assert.ok(!MISSING, `REQUIRE_BROWSER_TEST=1 but there is no browser at ${CHROMIUM} (apt-get install -y chromium)`);
  const base = world.server.baseUrl;
  const context = await world.browser.newContext({ viewport: VIEWPORT, locale: 'id-ID' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  // Anything for another host is refused and recorded: the app must work with no internet.
  const elsewhere: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  const closers: (() => void)[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const tag = systemClock().toString(36).slice(-5);
  // The demo operator's Bearer token (a script's way in), to check what the pages did.
  let token: string | undefined;
  const adminToken = async () => {
    token ??= (
      await api('POST', '/api/login/admin', { body: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password } })
    ).body.data.access_token as string;
    return token!;
  };

  try {
    // 1. Sign in: email and password only, Bahasa Indonesia by default.
    await signIn(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
    await page.getByText('Perlu ditangani sekarang').waitFor();
    await page.getByText('Janji temu hari ini per rumah sakit').waitFor();
    await shot('dashboard');

    // 2. A doctor, their practice at a hospital, a weekly rule.
    const hospitals = (await api('GET', '/api/hospital')).body.data as { name: string; slug: string }[];
    const hospital = hospitals[0]!;
    const elsewhereHospital = hospitals[1]!;
    const doctorName = `dr. Uji Peramban ${tag}`;
    const doctorSlug = `dr-uji-peramban-${tag}`;
    await page.goto(`${base}/admin/#/doctors/create`);
    await page.locator('input[name=name]').fill(doctorName);
    await page.locator('input[name=slug]').fill(doctorSlug);
    await autocomplete(page, 'Spesialisasi', 'Anak');
    await page.locator('input[name=experience_years]').fill('7');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForURL(new RegExp(`#/doctors/${doctorSlug}$`));

    // Their picture, previewed, then saved with the form: the public catalogue shows it.
    await page.locator('input[type=file]').setInputFiles({
      name: 'dokter.png',
      mimeType: 'image/png',
      buffer: Buffer.from(PNG, 'base64'),
    });
    await page.locator('.previews img').first().waitFor();
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page
      .getByText(/diperbarui|updated/i)
      .first()
      .waitFor();
    const withPicture = await api('GET', `/api/admin/doctors/${doctorSlug}`, { token: await adminToken() });
    assert.match(String(withPicture.body.data.thumb), /\/files\/images\/[\w-]+\.(png|jpg|webp)$/);

    await page.goto(`${base}/admin/#/practices/create`);
    await autocomplete(page, 'Dokter', doctorName);
    await autocomplete(page, 'Rumah sakit', hospital.name);
    await page.locator('input[name=call_price]').fill('125000');
    await page.locator('input[name=reservasi_price]').fill('225000');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForURL(/#\/practices\/\d+\/schedule$/);
    const practiceId = Number(/practices\/(\d+)\/schedule/.exec(page.url())![1]);

    // The default rule is Monday 08:00-12:00, 30 minutes, video calls.
    await page.getByRole('button', { name: 'Tambah aturan' }).click();
    await page
      .getByTestId('rules')
      .getByText(/Senin 08:00–12:00 WIB · call · 30′/)
      .waitFor();
    const monday = nextWeekday(1);
    const timeList = await api('POST', '/api/doctor/get-time-list', {
      body: { doctor_has_hospital_id: practiceId, date: monday, appointment: 'call' },
    });
    assert.equal(timeList.status, 200, JSON.stringify(timeList.body));
    assert.deepEqual(timeList.body.data[0], { time: '08:00', end_time: '08:30', available: true });
    assert.equal(timeList.body.data.length, 8);

    // The same slots on the page, for that day.
    await page.locator('input[name=slots_date]').fill(monday);
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await page.getByTestId('slots').getByText('08:00–08:30 WIB').waitFor();

    // The same rule again overlaps: the API's message shows, and what was typed stays.
    await page.locator('input[name=slot_minutes]').fill('20');
    await page.getByRole('button', { name: 'Tambah aturan' }).click();
    await page
      .getByText(/bertabrakan|tumpang|overlap/i)
      .first()
      .waitFor();
    assert.equal(await page.locator('input[name=slot_minutes]').inputValue(), '20');
    await page.locator('input[name=slot_minutes]').fill('30');

    // Changed: the rule now ends at 11:00, and patients see six slots instead of eight.
    await page
      .getByTestId('rules')
      .getByRole('button', { name: /Senin 08:00–12:00/ })
      .click();
    await page.locator('input[name=end_time]').fill('11:00');
    await page.getByRole('button', { name: 'Simpan perubahan aturan' }).click();
    await page
      .getByTestId('rules')
      .getByText(/Senin 08:00–11:00 WIB/)
      .waitFor();
    const shorter = await api('POST', '/api/doctor/get-time-list', {
      body: { doctor_has_hospital_id: practiceId, date: monday, appointment: 'call' },
    });
    assert.equal(shorter.body.data.length, 6);
    await shot('schedule');

    // 3. An order paid then cancelled by the patient: the refund is the operator's. The demo app's
    // webhook (this test's receiver) hears of each move.
    const received: { id: string; type: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as { id: string; type: string });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    closers.push(() => receiver.close());
    const demoApp = (
      (await api('GET', '/api/admin/apps', { token: await adminToken() })).body.data as { id: string; name: string }[]
    ).find((a) => a.name === 'Demo app')!;
    const hook = await api('POST', `/api/admin/apps/${demoApp.id}/webhooks`, {
      token: await adminToken(),
      body: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` },
    });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    const patient = await api('POST', '/api/login/patient', {
      body: { email: DEMO_PATIENT.username, password: DEMO_PATIENT.password },
    });
    const patientToken = patient.body.data.access_token as string;
    const doctorUsername = (await api('GET', `/api/doctor/${doctorSlug}`)).body.data.username as string;
    const booked = await api('POST', '/api/doctor/booking', {
      token: patientToken,
      body: {
        id: practiceId,
        username_doctor: doctorUsername,
        time: `${monday} 08:00`,
        type: 'call',
        price: 125000,
        patient: DEMO_PATIENT.name,
      },
    });
    assert.equal(booked.status, 201, JSON.stringify(booked.body));
    const transactionId = booked.body.data.transaction_id as string;
    const paid = await fetch(`${booked.body.data.payment_url}/complete`, { method: 'POST' });
    assert.equal(paid.status, 200);
    const cancelled = await api('PUT', '/api/user/orders', {
      token: patientToken,
      body: { transaction_id: transactionId, type: 'reject_by_patient' },
    });
    assert.equal(cancelled.body.data.status, 'waiting_refund', JSON.stringify(cancelled.body));

    await page.goto(`${base}/admin/#/orders`);
    await page.locator('input[name=q]').fill(transactionId.toLowerCase());
    // The search applies after a pause: the page's address then carries it.
    await page.waitForURL(/filter=.*%22q%22/);
    const row = page.locator('tr', { hasText: transactionId });
    await row.waitFor();
    await row.getByText('Menunggu pengembalian dana').waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1, 'the search leaves one order');
    await shot('orders');
    await row.getByText(transactionId).click();
    await page.waitForURL(new RegExp(`#/orders/${transactionId}/show`));
    await page.getByRole('button', { name: 'Tandai dana dikembalikan' }).click();
    await page.locator('input[name=reference]').fill(`transfer BCA ${tag}`);
    await page.getByRole('button', { name: 'Konfirmasi' }).click();
    await page.getByText('Pengembalian dana dicatat').waitFor();
    await page.locator('[data-status=refunded]').waitFor();
    // The history, as a timeline, ends with the refund.
    await page
      .locator('ol[aria-label=Riwayat] li')
      .last()
      .getByText(/Dana dikembalikan/)
      .waitFor();

    const order = await api('GET', `/api/admin/orders/${transactionId}`, { token: await adminToken() });
    assert.equal(order.body.data.status, 'refunded');
    assert.match(order.body.data.refunded_at, /^\d{4}-/);

    // 4. Rotate the demo app's key with a 2-hour overlap: both keys work meanwhile.
    await page.goto(`${base}/admin/#/apps`);
    await page.getByText('Demo app').click();
    // The webhook's deliveries: one is sent again, with the same event id.
    await page.getByTestId('deliveries').getByText('delivered').first().waitFor({ timeout: 30_000 });
    const before = received.length;
    await page.getByTestId('deliveries').getByRole('button', { name: 'Kirim ulang' }).last().click();
    await page.getByText('Dijadwalkan untuk dikirim ulang').waitFor();
    // Other events may arrive meanwhile: wait for one received before, again.
    const seen = new Set(received.slice(0, before).map((e) => e.id));
    const repeated = () => received.slice(before).some((e) => seen.has(e.id));
    for (let i = 0; i < 100 && !repeated(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(repeated(), 'the delivery arrived again, with the same event id');

    await page.getByRole('button', { name: 'Rotasi kunci' }).click();
    await page.locator('input[name=overlap_hours]').fill('2');
    await page.getByRole('dialog').getByRole('button', { name: 'Rotasi kunci' }).click();
    const newKey = (await page.getByTestId('new-key').innerText()).trim();
    assert.match(newKey, /^cxk_/);
    await shot('app-key-once');
    await page.getByRole('button', { name: 'Tutup' }).click();
    await page.getByTestId('keys').locator('[data-state=expiring]').waitFor();
    assert.equal((await api('GET', '/api/speciality')).status, 200, 'the old key works inside its overlap');
    assert.equal((await api('GET', '/api/speciality', { key: newKey })).status, 200);
    const apps = await api('GET', '/api/admin/apps', { token: await adminToken() });
    const keys = apps.body.data.find((a: { name: string }) => a.name === 'Demo app').keys as {
      expires_at: string | null;
    }[];
    const expiring = keys.filter((k) => k.expires_at !== null);
    assert.equal(expiring.length, 1);
    const overlapMs = Date.parse(expiring[0]!.expires_at!) - systemClock();
    assert.ok(overlapMs > 1.9 * 3_600_000 && overlapMs <= 2 * 3_600_000, `overlap ${overlapMs} ms`);
    await shot('apps');

    // 5. A form the API refuses keeps what was typed, with the message on the field.
    await page.goto(`${base}/admin/#/specialities/create`);
    await page.locator('input[name=name]').fill(`Spesialis Kembar ${tag}`);
    await page.locator('input[name=slug]').fill('anak');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page
      .getByText(/sudah digunakan|already been taken/)
      .first()
      .waitFor();
    assert.equal(await page.locator('input[name=name]').inputValue(), `Spesialis Kembar ${tag}`);
    assert.match(page.url(), /#\/specialities\/create$/);

    // 5b. An article in rich text: bold stays, a script does not (the server sanitises).
    await page.goto(`${base}/admin/#/articles/create`);
    await page.locator('input[name=title]').fill(`Tips Sehat ${tag}`);
    await page.locator('input[name=slug]').fill(`tips-sehat-${tag}`);
    const editor = page.getByTestId('rich-body').locator('.ProseMirror');
    await editor.click();
    await page.getByRole('button', { name: 'B', exact: true }).click();
    await page.keyboard.type('Minum air putih');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForURL(/#\/articles$/);
    const article = await api('GET', `/api/admin/articles/tips-sehat-${tag}`, { token: await adminToken() });
    assert.match(article.body.data.body, /<strong>Minum air putih<\/strong>/);

    // 5c. The orders list as CSV: the whole filtered list, downloaded.
    await page.goto(`${base}/admin/#/orders`);
    await page.locator('input[name=q]').fill(transactionId);
    await page.waitForURL(/filter=.*%22q%22/);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Ekspor CSV' }).click();
    const csv = await (await download).createReadStream().then(async (stream) => {
      let text = '';
      for await (const chunk of stream) text += chunk.toString();
      return text;
    });
    assert.match(csv, /^transaction_id,status,/);
    assert.equal(csv.trim().split('\n').length, 2, csv);
    assert.match(csv, new RegExp(`${transactionId},refunded,`));

    // 5d. The audit log: the refund, with its before and after.
    await page.goto(`${base}/admin/#/audit-log`);
    const refundRow = page.locator('tr', { hasText: 'refund' }).first();
    await refundRow.click();
    await page.locator('ins', { hasText: '"refunded"' }).first().waitFor();
    await shot('audit-log');

    // 5e. A catalogue file: a dry run lists what would change and writes nothing; then applied.
    const specialitySlug = `impor-${tag}`;
    await page.goto(`${base}/admin/#/import`);
    await page.locator('input[type=file][name=catalogue]').setInputFiles({
      name: 'katalog.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ specialities: [{ slug: specialitySlug, name: `Impor ${tag}` }] })),
    });
    await page.getByRole('button', { name: 'Uji coba' }).click();
    await page.getByTestId('changes').getByText(specialitySlug).waitFor();
    const notYet = await api('GET', `/api/admin/specialities/${specialitySlug}`, { token: await adminToken() });
    assert.equal(notYet.status, 404, 'a dry run writes nothing');
    await shot('import');
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.getByText('Diterapkan: katalog sudah diperbarui.').waitFor();
    const imported = await api('GET', `/api/admin/specialities/${specialitySlug}`, { token: await adminToken() });
    assert.equal(imported.status, 200);

    // 6. A hospital admin of one hospital, made in the staff page.
    const staffEmail = `rs-${tag}@rs.test`;
    await page.goto(`${base}/admin/#/staff/create`);
    await page.locator('input[name=name]').fill(`Admin RS ${tag}`);
    await page.locator('input[name=email]').fill(staffEmail);
    await page.locator('input[name=password]').fill('sandi-admin-rs-2026');
    await page.getByRole('combobox', { name: 'Peran' }).click();
    await page.getByRole('option', { name: 'Admin rumah sakit' }).click();
    await autocomplete(page, 'Rumah sakit', hospital.name);
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('tr', { hasText: staffEmail }).getByText('Admin rumah sakit').waitFor();
    await shot('staff');

    await signOut(page);
    await signIn(page, staffEmail, 'sandi-admin-rs-2026');
    // Their dashboard: their hospital's figures.
    await page.getByText('Perlu ditangani sekarang').waitFor();
    assert.equal(await page.locator('input[name=hospital]').inputValue(), hospital.slug);
    // Their hospital's new doctor is theirs; a doctor practising only elsewhere is refused by the API.
    await page.goto(`${base}/admin/#/doctors/${doctorSlug}`);
    await page.locator('input[name=name]').waitFor();
    assert.equal(await page.locator('input[name=name]').inputValue(), doctorName);
    const others = (
      await api('GET', `/api/admin/doctors?hospital=${elsewhereHospital.slug}&data=100`, { token: await adminToken() })
    ).body.data as { slug: string; practices: { hospital: string }[] }[];
    const stranger = others.find((d) => d.practices.every((p) => p.hospital !== hospital.slug))!;
    assert.ok(stranger, 'a doctor who does not practise at the hospital admin’s hospital');
    const refused = page.waitForResponse((r) => r.url().endsWith(`/api/admin/doctors/${stranger.slug}`));
    await page.goto(`${base}/admin/#/doctors/${stranger.slug}`);
    assert.equal((await refused).status(), 403);
    await page.getByText('Peran Anda tidak mengizinkan ini', { exact: false }).first().waitFor();
    // The operator's pages are not in their menu.
    assert.equal(await page.getByRole('menuitem', { name: 'Staf' }).count(), 0);

    // 7. English, from the menu.
    await page.getByRole('button', { name: /bahasa/i }).click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await page.goto(`${base}/admin/#/`);
    await page.getByText('Needs a person now').waitFor();

    assert.deepEqual(elsewhere, [], 'the app asked other hosts for something');
    assert.deepEqual(problems, []);
  } catch (err) {
    // Where it stopped, for whoever reads the failure.
    await page.screenshot({ path: join(SHOTS, '..', '..', 'data', 'back-office-failure.png') }).catch(() => undefined);
    throw err;
  } finally {
    for (const close of closers) close();
    await context.close();
  }
});
