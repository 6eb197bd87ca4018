// The typed client end to end: log in, list doctors, find a free slot, book it, read the order
// back, and cancel it (so the slot is free again and the example can run again).
//
//   CEXUP_API_KEY=cxk_... npm run client:example
//
// CEXUP_API_URL (default http://127.0.0.1:3000), CEXUP_PATIENT and CEXUP_PASSWORD (default: the
// demo patient) say where and who. Exits non-zero when any step does not answer as documented.
import { randomUUID } from 'node:crypto';
import { createCexupClient } from './client.js';

const baseUrl = process.env.CEXUP_API_URL ?? 'http://127.0.0.1:3000';
const apiKey = process.env.CEXUP_API_KEY;
const login = process.env.CEXUP_PATIENT ?? 'demo';
const password = process.env.CEXUP_PASSWORD ?? 'demo-pasien-2026';

/** The answer's data, or an error naming the step, the status and the error envelope. */
function ok<T>(step: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${step}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

/** Today's date (Y-m-d) in a practice's time zone: slots are in the hospital's wall-clock time. */
function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format();
}

async function main(): Promise<void> {
  if (!apiKey) throw new Error('set CEXUP_API_KEY to the API key (the demo key printed at the first start)');
  const api = createCexupClient({ baseUrl, apiKey });

  const session = ok('login', await api.POST('/api/login/patient', { body: { email: login, password } })).data;
  api.setToken(session.access_token);
  console.log(`logged in as ${session.user.username}`);

  const doctors = ok('doctors', await api.GET('/api/doctor')).data;
  console.log(`${doctors.length} doctors on the first page`);

  // The first video-call practice with a free slot in the next two weeks.
  for (const doctor of doctors) {
    for (const practice of doctor.hospital) {
      const price = practice.prices.call;
      if (!practice.appointment_types.includes('call') || price === null) continue;
      const dates = ok(
        'date list',
        await api.POST('/api/doctor/get-date-list', {
          body: {
            doctor_has_hospital_id: practice.doctor_has_hospital_id,
            appointment: 'call',
            from: todayIn(practice.timezone),
            days: 14,
          },
        }),
      ).data;
      const day = dates.find((d) => d.available_slots > 0);
      if (day === undefined) continue;

      const times = ok(
        'time list',
        await api.POST('/api/doctor/get-time-list', {
          body: { doctor_has_hospital_id: practice.doctor_has_hospital_id, date: day.date, appointment: 'call' },
        }),
      ).data;
      const slot = times.find((t) => t.available);
      if (slot === undefined) continue;
      console.log(`${doctor.name} at ${practice.name}: ${day.date} ${slot.time} is free (Rp ${price})`);

      const order = ok(
        'booking',
        await api.POST('/api/doctor/booking', {
          // The same key again would return this order instead of booking twice.
          params: { header: { 'idempotency-key': randomUUID() } },
          body: {
            id: practice.doctor_has_hospital_id,
            username_doctor: doctor.username,
            time: `${day.date} ${slot.time}`,
            type: 'call',
            patient: session.user.name,
            price,
          },
        }),
      ).data;
      console.log(`booked ${order.transaction_id}: ${order.status}, pay at ${order.payment_url ?? '(no link)'}`);

      const shown = ok(
        'order',
        await api.POST('/api/user/order/show', { body: { transaction_id: order.transaction_id } }),
      ).data;
      if (shown.transaction_id !== order.transaction_id) throw new Error('order: another order came back');

      const cancelled = ok(
        'cancel',
        await api.PUT('/api/user/orders', {
          body: { transaction_id: order.transaction_id, type: 'reject_by_patient' },
        }),
      ).data;
      console.log(`cancelled ${cancelled.transaction_id}: ${cancelled.status}`);
      return;
    }
  }
  throw new Error('no doctor on the first page has a free video-call slot in the next 14 days');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
