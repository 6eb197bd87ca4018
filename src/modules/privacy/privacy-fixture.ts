import assert from 'node:assert/strict';
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

/** Tuesday 1 December 2026, 07:00 in Jakarta. */
export const T0 = Date.UTC(2026, 11, 1, 0, 0);

/** An app with a small catalogue, a doctor (andi, with a login), an admin and two patients. */
export interface PrivacySetup {
  ta: TestApp;
  fx: Fixture;
  clock: { now: number };
  patient: Patient;
  other: Patient;
  doctor: { token: string; userId: string };
  admin: { token: string; userId: string };
}

export async function privacySetup(t: TestContext): Promise<PrivacySetup> {
  const clock = { now: T0 };
  const ta = await build(t, { env: { DEMO_MODE: 'true' }, now: () => clock.now });
  const fx = await insertCatalogue(ta.db, uniqueName('p').toLowerCase());
  const rules = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    rules.push({
      id: newId(),
      practice_id: fx.practiceIds['andi@jakarta']!,
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

  const login = async (url: string, email: string, password: string) => {
    const res = await ta.app.inject({ method: 'POST', url, headers: authHeaders(ta), payload: { email, password } });
    assert.equal(res.statusCode, 200, res.body);
    const data = envelope(res).data;
    return { token: data.access_token as string, userId: data.user.user_id as string };
  };
  const doctorEmail = `${uniqueName('dok')}@rs.example.id`;
  await createDoctorLogin(ta.db, { slug: `${fx.prefix}-andi`, email: doctorEmail, password: 'dokter-sandi-2026' });
  const adminEmail = `${uniqueName('admin')}@cexup.test`;
  await createAdmin(ta.db, { name: 'Admin Privasi', email: adminEmail, password: 'admin-sandi-2026' });
  return {
    ta,
    fx,
    clock,
    patient: await registerPatient(ta),
    other: await registerPatient(ta, { name: 'Budi Lain' }),
    doctor: await login('/api/login/doctor', doctorEmail, 'dokter-sandi-2026'),
    admin: await login('/api/login/admin', adminEmail, 'admin-sandi-2026'),
  };
}

/** Books a call with doctor andi for `patient` and returns the 201's order resource. */
export async function book(
  s: PrivacySetup,
  patient: Patient,
  extra: Record<string, unknown> = {},
  time = '2026-12-02 09:00',
): Promise<Record<string, unknown>> {
  const res = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/booking',
    headers: authHeaders(s.ta, patient),
    payload: {
      id: s.fx.practiceIds['andi@jakarta'],
      username_doctor: `${s.fx.prefix}andi`,
      time,
      type: 'call',
      patient: 'Siti Rahayu',
      price: 150000,
      note: 'Sakit kepala sejak kemarin.',
      ...extra,
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  return envelope(res).data;
}

/** An order taken to its end: booked, paid, declined by the doctor, refunded by an admin; its transaction id. */
export async function refundedOrder(
  s: PrivacySetup,
  patient: Patient,
  extra: Record<string, unknown> = {},
  time?: string,
): Promise<string> {
  const order = await book(s, patient, extra, time);
  await pay(s, order);
  const id = order.transaction_id as string;
  const declined = await s.ta.app.inject({
    method: 'POST',
    url: `/api/doctor-app/orders/${id}/decline`,
    headers: bearer(s, s.doctor.token),
  });
  assert.equal(declined.statusCode, 200, declined.body);
  const refunded = await s.ta.app.inject({
    method: 'POST',
    url: `/api/admin/orders/${id}/refund`,
    headers: bearer(s, s.admin.token),
    payload: { reference: 'TRF-1' },
  });
  assert.equal(refunded.statusCode, 200, refunded.body);
  return id;
}

/** Pays an order through the sandbox page. */
export async function pay(s: PrivacySetup, order: Record<string, unknown>): Promise<void> {
  const res = await s.ta.app.inject({
    method: 'POST',
    url: `${new URL(order.payment_url as string).pathname}/complete`,
  });
  assert.ok(res.statusCode < 400, res.body);
}

export const bearer = (s: PrivacySetup, token: string) => ({ ...authHeaders(s.ta), authorization: `Bearer ${token}` });

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** A patient with everything filled in: profile and identity, obgyn profile, avatar. */
export async function fullProfile(s: PrivacySetup, patient: Patient, idNumber: string): Promise<void> {
  const call = async (method: 'POST', url: string, payload: object) => {
    const res = await s.ta.app.inject({ method, url, headers: authHeaders(s.ta, patient), payload });
    assert.ok(res.statusCode < 300, res.body);
  };
  await call('POST', '/api/update/patient', {
    gender: 'perempuan',
    phone_number: '081234567890',
    date_of_birth: '1994-03-12',
    place_of_birth: 'Bandung',
    type: 'ktp',
    no_type: idNumber,
  });
  await call('POST', '/api/obgyn', { suami: 'Budi Santoso', faskes1: 'Puskesmas Coblong' });
  await call('POST', '/api/avatar', { file: PNG, type: 'png' });
}
