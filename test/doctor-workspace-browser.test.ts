// The doctor's workspace in a real browser (playwright-core driving Debian's chromium) at a phone's
// size, on a really listening server in demo mode: the demo doctor signs in; a patient books and
// pays through the patient API and the order waits in "needs you now"; the doctor confirms it
// and proposes another time from the free slots, which the patient's order then shows; an order
// starting within minutes is confirmed, its room opened, started and finished with a note and a
// diagnosis the patient then reads; a day of leave lists the order in it, which gets a new time
// in the same flow; a new paid order arrives in the inbox and the agenda without a reload. Each
// step checks what the page shows and what the API then answers. Screenshots go to
// docs/doctor-workspace/.
//
// Without chromium the test is skipped, unless REQUIRE_BROWSER_TEST=1 (CI): then it fails.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_ADMIN, DEMO_DOCTOR, DEMO_PATIENT } from '../src/demo.js';
import { systemClock } from '../src/clock.js';
import Fastify from 'fastify';
import { DOCTOR_WORKSPACE_CSP, DOCTOR_WORKSPACE_DIST, doctorWorkspaceRoutes } from '../src/http/back-office.js';
import { build } from './helpers.js';
import { ROOT } from './multiprocess-helpers.js';
import { browserWorld, CHROMIUM, MISSING, skipWithoutBrowser } from './browser.js';

const DEMO_KEY = 'doctor-workspace-test-demo-key-01';
/** Where call rooms are: answered by the test itself, the app must need no other host. */
const MEETING_HOST = 'https://meet.example.test';
/** A phone. */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
export const SHOTS = join(ROOT, 'docs', 'doctor-workspace');

const world = browserWorld(
  {
    CEXUP_DEMO_API_KEY: DEMO_KEY,
    MEETING_BASE_URL: MEETING_HOST,
    // No deadline job: an order booked minutes before its start would see its payment expire
    // (30 minutes before the start) before the test pays it. Notifications go out each second.
    JOB_INTERVAL_SECONDS: '0',
    NOTIFY_JOB_INTERVAL_SECONDS: '1',
  },
  () => {
    mkdirSync(SHOTS, { recursive: true });
  },
);

const skip = skipWithoutBrowser;

/** A call to the API as an app (the demo key) and, when given, a Bearer token. */
async function api(
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${world.server.baseUrl}${path}`, {
    method,
    headers: {
      'x-api-key': DEMO_KEY,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function tokenOf(path: string, email: string, password: string): Promise<string> {
  const res = await api('POST', path, { body: { email, password } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.access_token as string;
}

/** Now in a zone: its date (Y-m-d), and minutes since its midnight. */
function localNow(timezone: string, at = systemClock()): { date: string; minutes: number; seconds: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    seconds: Number(parts.second),
  };
}

const hm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const addDays = (ymd: string, days: number) => {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

async function waitUntil(what: string, check: () => Promise<boolean>, ms = 25_000): Promise<void> {
  const end = systemClock() + ms;
  while (systemClock() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`${what}: not within ${ms} ms`);
}

test(
  'the doctor workspace on a phone: confirm, propose, finish, leave, live updates',
  { skip, timeout: 600_000 },
  async () => {
    assert.ok(!MISSING, `REQUIRE_BROWSER_TEST=1 but there is no browser at ${CHROMIUM} (apt-get install -y chromium)`);
    const base = world.server.baseUrl;

    // The scene, through the APIs: the demo doctor's practice, a clean timeline, extra hours.
    const admin = await tokenOf('/api/login/admin', DEMO_ADMIN.email, DEMO_ADMIN.password);
    const doctorLogin = await api('POST', '/api/login/doctor', {
      body: { email: DEMO_DOCTOR.email, password: DEMO_DOCTOR.password },
    });
    assert.equal(doctorLogin.status, 200, JSON.stringify(doctorLogin.body));
    const doctor = doctorLogin.body.data.access_token as string;
    const doctorUsername = doctorLogin.body.data.user.username as string;
    const doctorName = doctorLogin.body.data.user.name as string;
    const patient = await tokenOf('/api/login/patient', DEMO_PATIENT.username, DEMO_PATIENT.password);

    const practices = await api('GET', '/api/doctor-app/practices', { token: doctor });
    assert.equal(practices.status, 200, JSON.stringify(practices.body));
    const practice = (practices.body.data as { id: number; timezone: string; call: boolean }[]).find((p) => p.call)!;
    assert.ok(practice, 'the demo doctor has a practice with video calls');
    const zone = practice.timezone;
    const adminPractice = (await api('GET', `/api/admin/practices/${practice.id}`, { token: admin })).body.data as {
      hospital: string;
      call_price: number;
    };

    // The hospital lets its doctors mark their own leave (off by default).
    const allowed = await api('PUT', `/api/admin/hospitals/${adminPractice.hospital}`, {
      token: admin,
      body: { doctor_leave_allowed: true },
    });
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    assert.equal(allowed.body.data.doctor_leave_allowed, true);

    // No weekly rule at any of the doctor's practices: only this test's extra hours give slots.
    for (const p of practices.body.data as { id: number }[]) {
      const schedule = await api('GET', `/api/admin/practices/${p.id}/schedule`, { token: admin });
      for (const rule of schedule.body.data.rules as { id: string }[]) {
        const gone = await api('DELETE', `/api/admin/practices/${p.id}/schedule/rules/${rule.id}`, { token: admin });
        assert.equal(gone.status, 200, JSON.stringify(gone.body));
      }
    }
    const extra = async (date: string, start: string, end: string, slotMinutes: number) => {
      const res = await api('POST', `/api/admin/practices/${practice.id}/schedule/exceptions`, {
        token: admin,
        body: {
          date,
          kind: 'extra',
          start_time: start,
          end_time: end,
          slot_minutes: slotMinutes,
          appointment_type: 'call',
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    };
    const today = localNow(zone).date;
    const dayA = addDays(today, 2); // the order confirmed then moved
    const dayC = addDays(today, 3); // the order in the leave
    await extra(dayA, '09:00', '12:00', 30);
    await extra(dayC, '09:00', '12:00', 30);

    /** A patient's booking of `date time`, paid in the sandbox: waiting for the doctor. */
    const bookAndPay = async (date: string, time: string, note: string, consent: boolean) => {
      const booked = await api('POST', '/api/doctor/booking', {
        token: patient,
        body: {
          id: practice.id,
          username_doctor: doctorUsername,
          time: `${date} ${time}`,
          type: 'call',
          price: adminPractice.call_price,
          patient: DEMO_PATIENT.name,
          note,
          allow_access_data: consent,
        },
      });
      assert.equal(booked.status, 201, JSON.stringify(booked.body));
      const paid = await fetch(`${booked.body.data.payment_url}/complete`, { method: 'POST' });
      assert.equal(paid.status, 200);
      return booked.body.data.transaction_id as string;
    };
    const patientOrder = async (id: string) =>
      (await api('POST', '/api/user/order/show', { token: patient, body: { transaction_id: id } })).body.data;
    const doctorOrder = async (id: string) =>
      (await api('GET', `/api/doctor-app/orders/${id}`, { token: doctor })).body.data;

    const context = await world.browser.newContext({ ...PHONE, locale: 'id-ID', timezoneId: zone });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    // Anything for another host is refused and recorded (the app must work with no internet);
    // the meeting room is answered here.
    const elsewhere: string[] = [];
    const rooms: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${base}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      if (url.startsWith(`${MEETING_HOST}/`)) {
        rooms.push(url);
        return route.fulfill({ contentType: 'text/html', body: '<title>Ruang</title><p>Ruang konsultasi</p>' });
      }
      elsewhere.push(url);
      return route.abort();
    });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
    const snackbar = page.getByTestId('snackbar');
    const orderStatus = (status: string) => page.locator(`[data-testid=order][data-status=${status}]`).waitFor();

    try {
      // 1. Sign in. A wrong password: the API's message, and what was typed stays.
      const first = await page.goto(`${base}/doctor/`);
      assert.equal(first!.headers()['content-security-policy'], DOCTOR_WORKSPACE_CSP);
      assert.equal(first!.headers()['cache-control'], 'no-cache');
      await page.locator('input[name=login]').fill(DEMO_DOCTOR.email);
      await page.locator('input[name=password]').fill('bukan-sandinya');
      await page.getByRole('button', { name: 'Masuk' }).click();
      await page.getByRole('alert').waitFor();
      assert.match(await page.getByRole('alert').innerText(), /salah|tidak cocok|invalid|incorrect/i);
      assert.equal(await page.locator('input[name=login]').inputValue(), DEMO_DOCTOR.email);
      await shot('signin');
      await page.locator('input[name=password]').fill(DEMO_DOCTOR.password);
      await page.getByRole('button', { name: 'Masuk' }).click();
      await page.getByText('Perlu Anda sekarang').waitFor();

      // 2. A paid order waits for the doctor: at the top, with the time left to confirm it.
      const orderA = await bookAndPay(dayA, '09:00', 'Batuk kering sejak seminggu.', true);
      await page.reload();
      const rowA = page.getByTestId('to-confirm').locator(`[data-order=${orderA}]`);
      await rowA.waitFor();
      await rowA.getByText(/^sisa /).waitFor();
      await rowA.getByText(/09:00–09:30 (WIB|WITA|WIT)/).waitFor();
      await page.goto(`${base}/doctor/#/week`);
      await page.getByRole('tab', { name: 'Minggu ini', selected: true }).waitFor();
      await page
        .getByTestId('agenda')
        .locator(`[data-order=${orderA}] [data-status=waiting_doctor_confirmation]`)
        .waitFor();
      await shot('agenda');

      // 3. Confirm it on its page: only the moves allowed now are offered.
      await rowA.click();
      await page.getByTestId('patient-note').getByText('Batuk kering sejak seminggu.').waitFor();
      await page.getByTestId('profile').waitFor();
      const offered = await page
        .getByTestId('actions')
        .locator('[data-action]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
      assert.deepEqual(offered.sort(), ['confirm', 'decline', 'propose']);
      await page.locator('[data-action=confirm]').click();
      await orderStatus('waiting_meeting');
      assert.equal((await doctorOrder(orderA)).status, 'waiting_meeting');
      await shot('order');

      // 4. Propose another time from the free slots: the patient's order shows it.
      await page.locator('[data-action=propose]').click();
      const slots = page.getByTestId('free-slots');
      await slots.getByRole('button', { name: '10:00–10:30' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Kirim' }).click();
      await orderStatus('reschedule_from_doctor');
      await page.getByTestId('proposed').getByText(/10:00/).waitFor();
      const proposedA = await patientOrder(orderA);
      assert.equal(proposedA.status, 'reschedule_from_doctor');
      assert.equal(proposedA.proposed_date, dayA);
      assert.equal(proposedA.proposed_time, '10:00');

      // 4b. The patient answers with another time: a proposal for the doctor, accepted from the top.
      const counter = await api('PUT', '/api/user/orders', {
        token: patient,
        body: { transaction_id: orderA, type: 'reschedulle_patient', time: `${dayA} 10:30` },
      });
      assert.equal(counter.body.data.status, 'reschedule_from_patient', JSON.stringify(counter.body));
      await page.goto(`${base}/doctor/#/`);
      const proposalA = page.getByTestId('proposals').locator(`[data-order=${orderA}]`);
      await proposalA.getByText(/^sisa /).waitFor();
      await proposalA.click();
      await page.getByTestId('proposed').getByText(/10:30/).waitFor();
      const answers = await page
        .getByTestId('actions')
        .locator('[data-action]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
      assert.deepEqual(answers.sort(), ['accept-proposal', 'reject-proposal']);
      await page.locator('[data-action=accept-proposal]').click();
      await orderStatus('waiting_meeting');
      await page
        .getByTestId('when')
        .getByText(/10:30–11:00/)
        .waitFor();
      const acceptedA = await patientOrder(orderA);
      assert.equal(acceptedA.status, 'waiting_meeting');
      assert.equal(acceptedA.time, '10:30');

      // 5. An order confirmed (which must be an hour before its start at the latest), then moved by
      // the doctor to extra hours starting a minute or two from now, which the patient accepts.
      const orderB = await bookAndPay(dayC, '10:00', 'Kontrol tekanan darah.', false);
      await page.goto(`${base}/doctor/#/`);
      await page.getByTestId('to-confirm').locator(`[data-order=${orderB}]`).click();
      // No consent: the name only.
      await page.getByTestId('not-shared').waitFor();
      await page.locator('[data-action=confirm]').click();
      await orderStatus('waiting_meeting');
      const now = localNow(zone);
      // The next whole minute, or the one after when it is too close to act in time; in the last
      // minutes of the day, tomorrow's first slot (the page's "today" includes what starts then).
      let dayB = now.date;
      let startMinute = now.minutes + (now.seconds > 20 ? 2 : 1);
      if (startMinute + 5 > 24 * 60 - 1) {
        dayB = addDays(now.date, 1);
        startMinute = now.minutes === 24 * 60 - 1 && now.seconds > 20 ? 1 : 0;
      }
      await extra(dayB, hm(startMinute), hm(Math.min(startMinute + 10, 24 * 60 - 1)), 5);
      await page.locator('[data-action=propose]').click();
      await page.locator('input[name=propose_date]').fill(dayB);
      await page
        .getByTestId('free-slots')
        .getByRole('button', { name: `${hm(startMinute)}–${hm(startMinute + 5)}` })
        .click();
      await page.getByRole('dialog').getByRole('button', { name: 'Kirim' }).click();
      await orderStatus('reschedule_from_doctor');
      const acceptedB = await api('PUT', '/api/user/orders', {
        token: patient,
        body: { transaction_id: orderB, type: 'accept' },
      });
      assert.equal(acceptedB.body.data.status, 'waiting_meeting', JSON.stringify(acceptedB.body));
      assert.equal(acceptedB.body.data.date, dayB);
      const startsAt = Date.parse(acceptedB.body.data.start_at as string);
      // Back on the agenda, it is among those starting within the hour.
      await page.goto(`${base}/doctor/#/`);
      await page.getByTestId('starting-soon').locator(`[data-order=${orderB}]`).click();

      // 6. Open the room (the link opens in a new tab), start, finish with a note and a diagnosis.
      const popup = context.waitForEvent('page');
      await page.locator('[data-action=open-room]').click();
      const room = await popup;
      await room.waitForLoadState();
      assert.ok(room.url().startsWith(`${MEETING_HOST}/`), room.url());
      await room.close();
      await orderStatus('join_now');
      assert.equal((await doctorOrder(orderB)).meeting_url, rooms[0]);
      await page.locator('[data-action=start]').click();
      await orderStatus('on_air');
      // Finishing is possible from the start on.
      const wait = startsAt - systemClock() + 1500;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await page.reload();
      await page.locator('[data-action=finish]').click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('textarea[name=note]').fill('Tekanan darah 150/95. Kurangi garam, kontrol dua minggu lagi.');
      const code = dialog.locator('input[name=diagnosis_code]');
      // A code that is not ICD-10 is refused on the spot, and stays to be corrected.
      await code.fill('tensi');
      await code.press('Enter');
      await dialog.getByText('Kode ICD-10 tidak valid: TENSI').waitFor();
      await code.fill('i10');
      await code.press('Enter');
      await dialog.getByTestId('codes').getByText('I10').waitFor();
      await shot('finish');
      await dialog.getByRole('button', { name: 'Selesai' }).click();
      await orderStatus('done');
      await page
        .getByTestId('consultation-note')
        .getByText(/Kurangi garam/)
        .waitFor();
      // Done: nothing is offered, and a move forced through the API is the 409 naming the status.
      await page.getByTestId('actions').getByText('Tidak ada tindakan untuk status ini.').waitFor();
      assert.equal(await page.locator('[data-action]').count(), 0);
      const forced = await api('POST', `/api/doctor-app/orders/${orderB}/confirm`, { token: doctor });
      assert.equal(forced.status, 409);
      assert.equal(forced.body.code, 'ORDER_TRANSITION_NOT_ALLOWED');
      assert.match(forced.body.message, /done|selesai/i);
      const finished = await patientOrder(orderB);
      assert.equal(finished.status, 'done');
      assert.equal(finished.consultation_note, 'Tekanan darah 150/95. Kurangi garam, kontrol dua minggu lagi.');
      assert.deepEqual(finished.diagnosis_codes, ['I10']);

      // 7. Leave on a day with an order: the order is listed, and gets a new time in the same flow.
      const orderC = await bookAndPay(dayC, '09:00', 'Sakit kepala.', true);
      assert.equal((await api('POST', `/api/doctor-app/orders/${orderC}/confirm`, { token: doctor })).status, 200);
      await page.goto(`${base}/doctor/#/leave`);
      await page.locator('input[name=leave_date]').fill(dayC);
      await page.getByRole('button', { name: 'Tambah cuti' }).click();
      const affected = page.getByTestId('affected');
      const rowC = affected.locator(`[data-order=${orderC}]`);
      await rowC.waitFor();
      const leaves = await api('GET', `/api/doctor-app/leave?from=${dayC}&to=${dayC}`, { token: doctor });
      assert.equal(leaves.body.data.length, 1, JSON.stringify(leaves.body));
      assert.equal(leaves.body.data[0].start_time, null, 'the whole day');
      await shot('leave');
      await rowC.locator('[data-action=propose]').click();
      // That day is leave now: no slot. Another day has some.
      await page.getByRole('dialog').getByText('Tidak ada slot kosong pada tanggal ini.').waitFor();
      await page.locator('input[name=propose_date]').fill(dayA);
      await page.getByTestId('free-slots').getByRole('button', { name: '11:00–11:30' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Kirim' }).click();
      await affected.locator(`[data-order=${orderC}] [data-status=reschedule_from_doctor]`).waitFor();
      const movedC = await patientOrder(orderC);
      assert.equal(movedC.status, 'reschedule_from_doctor');
      assert.equal(movedC.proposed_date, dayA);
      assert.equal(movedC.proposed_time, '11:00');
      // The doctor's own leave is theirs to remove.
      await page
        .getByTestId('leaves')
        .locator(`[data-leave="${leaves.body.data[0].id}"]`)
        .getByRole('button', { name: 'Hapus' })
        .click();
      await snackbar.getByText('Dihapus').waitFor();
      await page.getByText('Belum ada cuti.').waitFor();
      const noLeave = await api('GET', `/api/doctor-app/leave?from=${dayC}&to=${dayC}`, { token: doctor });
      assert.deepEqual(noLeave.body.data, []);

      // 8. A live update: the agenda stays open, a patient books and pays, the page shows it.
      await page.goto(`${base}/doctor/#/`);
      await page.getByTestId('needs-you').waitFor();
      const unread = async () => Number(await page.getByTestId('unread').getAttribute('data-unread'));
      // The inbox has had its first answer (everything so far is already counted).
      await waitUntil('the inbox counted what happened so far', async () => (await unread()) > 0);
      const before = await unread();
      await page.evaluate(() => ((globalThis as unknown as { stillHere: boolean }).stillHere = true));
      const orderE = await bookAndPay(dayA, '11:30', 'Demam tiga hari.', false);
      await page.getByTestId('to-confirm').locator(`[data-order=${orderE}]`).waitFor({ timeout: 25_000 });
      await waitUntil('the unread badge counts the new order', async () => (await unread()) > before);
      await snackbar.getByText(/^Baru: /).waitFor();
      assert.equal(
        await page.evaluate(() => (globalThis as unknown as { stillHere?: boolean }).stillHere),
        true,
        'no reload',
      );

      // The inbox: the new order's notification, read by tapping it (it opens the order).
      await page.getByTestId('inbox-button').click();
      const note = page.getByTestId('notifications').locator('[data-read=false]', { hasText: orderE }).first();
      await note.waitFor();
      await shot('inbox');
      await note.click();
      await page.getByTestId('order').waitFor();
      assert.match(page.url(), new RegExp(`#/order/${orderE}$`));
      const inbox = await api('GET', '/api/doctor-app/notifications?data=50', { token: doctor });
      const readOne = (inbox.body.data as { transaction_id: string; read: boolean; type: string }[]).filter(
        (n) => n.transaction_id === orderE,
      );
      assert.ok(readOne.length > 0 && readOne.some((n) => n.read), JSON.stringify(readOne));

      // 9. Declined with a reason, which is required and which the patient reads.
      await page.locator('[data-action=decline]').click();
      const declining = page.getByRole('dialog');
      await declining.getByRole('button', { name: 'Tolak' }).click();
      await declining.getByText('Alasan wajib diisi (pasien akan membacanya).').waitFor();
      await declining.locator('textarea[name=reason]').fill('Saya sedang bertugas di luar kota.');
      await declining.getByRole('button', { name: 'Tolak' }).click();
      await orderStatus('waiting_refund');
      const declined = await patientOrder(orderE);
      assert.equal(declined.status, 'waiting_refund');
      assert.equal(declined.decline_reason, 'Saya sedang bertugas di luar kota.');

      // A refusal keeps what was typed: the patient cancels while the doctor writes a reason.
      const orderF = await bookAndPay(dayA, '09:30', 'Nyeri lutut.', false);
      await page.goto(`${base}/doctor/#/order/${orderF}`);
      await page.locator('[data-action=decline]').click();
      await declining.locator('textarea[name=reason]').fill('Jadwal saya penuh.');
      const cancelled = await api('PUT', '/api/user/orders', {
        token: patient,
        body: { transaction_id: orderF, type: 'reject_by_patient' },
      });
      assert.equal(cancelled.body.data.status, 'waiting_refund', JSON.stringify(cancelled.body));
      await declining.getByRole('button', { name: 'Tolak' }).click();
      await snackbar.getByText(/waiting_refund|Menunggu pengembalian dana/i).waitFor();
      assert.equal(await declining.locator('textarea[name=reason]').inputValue(), 'Jadwal saya penuh.');
      await declining.getByRole('button', { name: 'Batal' }).click();
      // The page shows the order as it now is, with nothing left to do.
      await orderStatus('waiting_refund');
      assert.equal(await page.locator('[data-action]').count(), 0);

      // 10. English from the menu; the account: a new password, signed out everywhere, back in.
      await page.getByRole('button', { name: 'Bahasa' }).click();
      await page.getByRole('menuitem', { name: 'English' }).click();
      await page.goto(`${base}/doctor/#/account`);
      await page.getByText(`Signed in as ${doctorName}`).waitFor();
      // A wrong current password: refused on its field, and the form keeps the rest.
      const newPassword = 'sandi-baru-dokter-2026';
      await page.locator('input[name=current_password]').fill('not-the-password');
      await page.locator('input[name=new_password]').fill(newPassword);
      await page.locator('input[name=new_password_confirmation]').fill(newPassword);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('input[name=current_password][aria-invalid=true]').waitFor();
      assert.equal(await page.locator('input[name=new_password]').inputValue(), newPassword);
      await page.locator('input[name=current_password]').fill(DEMO_DOCTOR.password);
      await page.getByRole('button', { name: 'Save' }).click();
      await snackbar.getByText('Password changed').waitFor();
      // Every other session of the doctor ended (the script's Bearer token); this one goes on.
      assert.equal((await api('GET', '/api/doctor-app/practices', { token: doctor })).status, 401);
      assert.equal((await page.request.get(`${base}/api/doctor-app/session`)).status(), 200);
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.locator('input[name=login]').waitFor();
      assert.equal((await page.request.get(`${base}/api/doctor-app/session`)).status(), 401);
      // The new password signs in, with the username this time.
      await page.locator('input[name=login]').fill(doctorUsername);
      await page.locator('input[name=password]').fill(newPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Needs you now').waitFor();

      assert.deepEqual(elsewhere, [], 'the app asked other hosts for something');
      assert.deepEqual(problems, []);
    } catch (err) {
      // Where it stopped, for whoever reads the failure.
      await page.screenshot({ path: join(ROOT, 'data', 'doctor-workspace-failure.png') }).catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  },
);

test('/doctor/ is the workspace page: never cached, its own policy, assets for a year, 503 unbuilt', async (t) => {
  const ta = await build(t);
  for (const url of ['/doctor/', '/doctor', '/doctor/order/CX123']) {
    const res = await ta.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /src="\/doctor\/assets\/index-[\w-]+\.js"/);
    assert.equal(res.headers['content-security-policy'], DOCTOR_WORKSPACE_CSP);
    assert.equal(res.headers['cache-control'], 'no-cache');
  }
  const script = readdirSync(join(DOCTOR_WORKSPACE_DIST, 'assets')).find((f) => f.endsWith('.js'));
  assert.ok(script, 'npm install builds web/dist-doctor (scripts/build-web.mjs)');
  const asset = await ta.app.inject({ method: 'GET', url: `/doctor/assets/${script}` });
  assert.equal(asset.statusCode, 200);
  assert.match(String(asset.headers['cache-control']), /max-age=31536000.*immutable/);
  // No react-admin in the phone's bundle.
  assert.doesNotMatch(asset.body, /react-admin|ra-core/);
  const missing = await ta.app.inject({ method: 'GET', url: '/doctor/assets/index-gone.js' });
  assert.equal(missing.statusCode, 404);

  // Not built: a page saying how, not a blank screen.
  const bare = Fastify();
  t.after(() => bare.close());
  await bare.register(doctorWorkspaceRoutes, { dist: join(ROOT, 'data', 'no-such-build') });
  const unbuilt = await bare.inject({ method: 'GET', url: '/doctor/' });
  assert.equal(unbuilt.statusCode, 503);
  assert.match(unbuilt.body, /build-web/);
  assert.equal(unbuilt.headers['cache-control'], 'no-cache');
});
