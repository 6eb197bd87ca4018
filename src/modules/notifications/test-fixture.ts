import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { insertCatalogue, type Fixture } from '../../../test/catalogue-fixture.js';
import {
  authHeaders,
  build,
  envelope,
  registerPatient,
  uniqueName,
  type Patient,
  type TestApp,
} from '../../../test/helpers.js';
import { newId } from '../../security/tokens.js';
import { createAdmin } from '../admin/admin.service.js';
import { createDoctorLogin } from '../doctors/doctors.service.js';
import type { Resolver } from './webhooks.js';

/** Tests of notifications and webhooks: a practice with call slots, a patient, its doctor, an admin. */

// Tuesday 1 December 2026, 07:00 in Jakarta (00:00 UTC).
export const T0 = Date.UTC(2026, 11, 1, 0, 0);
export const MIN = 60_000;

export interface Setup {
  ta: TestApp;
  fx: Fixture;
  clock: { now: number };
  patient: Patient;
  doctorToken: string;
  doctorUserId: string;
  adminToken: string;
}

export async function setup(
  t: TestContext,
  env: Record<string, string> = {},
  options: { resolveHost?: Resolver } = {},
): Promise<Setup> {
  const clock = { now: T0 };
  const ta = await build(t, {
    // Receivers listen on 127.0.0.1: private addresses are allowed unless a test says otherwise.
    env: { DEMO_MODE: 'true', NOTIFY_JOB_INTERVAL_SECONDS: '0', WEBHOOK_ALLOW_PRIVATE_URLS: 'true', ...env },
    now: () => clock.now,
    ...options,
  });
  const fx = await insertCatalogue(ta.db, uniqueName('n').toLowerCase());
  const practice = fx.practiceIds['andi@jakarta']!;
  const rules = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    rules.push({
      id: newId(),
      practice_id: practice,
      weekday,
      start_time: '09:00',
      end_time: '12:00',
      slot_minutes: 30,
      appointment_type: 'call' as const,
      created_at: T0,
      updated_at: T0,
    });
  }
  await ta.db.insertInto('schedule_rules').values(rules).execute();
  const patient = await registerPatient(ta);

  const doctorEmail = `${uniqueName('dok')}@rs.example.id`;
  await createDoctorLogin(ta.db, { slug: `${fx.prefix}-andi`, email: doctorEmail, password: 'dokter-sandi-2026' });
  const doc = await ta.app.inject({
    method: 'POST',
    url: '/api/login/doctor',
    headers: authHeaders(ta),
    payload: { email: doctorEmail, password: 'dokter-sandi-2026' },
  });
  assert.equal(doc.statusCode, 200, doc.body);

  const adminEmail = `${uniqueName('admin')}@cexup.test`;
  await createAdmin(ta.db, { name: 'Admin Satu', email: adminEmail, password: 'admin-sandi-rahasia-2026' });
  const adm = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email: adminEmail, password: 'admin-sandi-rahasia-2026' },
  });
  assert.equal(adm.statusCode, 200, adm.body);
  return {
    ta,
    fx,
    clock,
    patient,
    doctorToken: envelope(doc).data.access_token,
    doctorUserId: envelope(doc).data.user.user_id,
    adminToken: envelope(adm).data.access_token,
  };
}

export const bearer = (s: Setup, token: string) => ({ ...authHeaders(s.ta), authorization: `Bearer ${token}` });

/** The body of a booking of Dr Andi's call in Jakarta on 2 December at `time`. */
export const callBody = (s: Setup, time = '09:00', extra: Record<string, unknown> = {}) => ({
  id: s.fx.practiceIds['andi@jakarta'],
  username_doctor: `${s.fx.prefix}andi`,
  time: `2026-12-02 ${time}`,
  type: 'call',
  patient: 'Siti',
  price: 150000,
  ...extra,
});

/** A paid call order on 2 December at `time`; returns its transaction id. */
export async function paidOrder(s: Setup, time = '09:00', ta: TestApp = s.ta): Promise<string> {
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/doctor/booking',
    headers: authHeaders(ta, s.patient),
    payload: callBody(s, time),
  });
  assert.equal(res.statusCode, 201, res.body);
  const order = envelope(res).data;
  const paid = await ta.app.inject({ method: 'POST', url: `${new URL(order.payment_url).pathname}/complete` });
  assert.ok(paid.statusCode < 400, paid.body);
  return order.transaction_id as string;
}

export const doctorAct = (s: Setup, transactionId: string, action: string, payload?: object) =>
  s.ta.app.inject({
    method: 'POST',
    url: `/api/doctor-app/orders/${transactionId}/${action}`,
    headers: bearer(s, s.doctorToken),
    ...(payload ? { payload } : {}),
  });

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1: records each request; `answer` picks the status. */
export async function startReceiver(t: TestContext, answer: (n: number) => number = () => 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = answer(received.length);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/cexup`, received };
}

/** Registers a webhook for the test app through the admin route; returns its id and secret. */
export async function registerWebhook(s: Setup, url: string): Promise<{ id: string; secret: string }> {
  const res = await s.ta.app.inject({
    method: 'POST',
    url: `/api/admin/apps/${s.ta.appId}/webhooks`,
    headers: bearer(s, s.adminToken),
    payload: { url },
  });
  assert.equal(res.statusCode, 201, res.body);
  const data = envelope(res).data;
  return { id: data.id, secret: data.secret };
}
