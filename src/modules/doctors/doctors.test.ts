import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
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
import { createDoctorLogin, DoctorLoginError } from './doctors.service.js';

const T0 = Date.UTC(2026, 11, 1, 0, 0); // Tuesday 07:00 in Jakarta

interface Setup {
  ta: TestApp;
  fx: Fixture;
  clock: { now: number };
  patient: Patient;
  doctorToken: string;
  otherDoctorToken: string;
}

async function setup(t: TestContext): Promise<Setup> {
  const clock = { now: T0 };
  const ta = await build(t, { env: { DEMO_MODE: 'true' }, now: () => clock.now });
  const fx = await insertCatalogue(ta.db, uniqueName('d').toLowerCase());
  const rules = [];
  for (const key of ['andi@jakarta', 'dewi@jakarta']) {
    for (let weekday = 1; weekday <= 7; weekday++) {
      rules.push({
        id: newId(),
        practice_id: fx.practiceIds[key]!,
        weekday,
        start_time: key.startsWith('andi') ? '09:00' : '13:00',
        end_time: key.startsWith('andi') ? '12:00' : '15:00',
        slot_minutes: 30,
        appointment_type: 'call' as const,
        created_at: T0,
        updated_at: T0,
      });
    }
  }
  await ta.db.insertInto('schedule_rules').values(rules).execute();
  const login = async (slug: string) => {
    const email = `${uniqueName('dok')}@rs.example.id`;
    await createDoctorLogin(ta.db, { slug, email, password: 'dokter-sandi-2026' });
    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/login/doctor',
      headers: authHeaders(ta),
      payload: { email, password: 'dokter-sandi-2026' },
    });
    assert.equal(res.statusCode, 200, res.body);
    return envelope(res).data.access_token as string;
  };
  return {
    ta,
    fx,
    clock,
    patient: await registerPatient(ta),
    doctorToken: await login(`${fx.prefix}-andi`),
    otherDoctorToken: await login(`${fx.prefix}-dewi`),
  };
}

async function paidOrder(s: Setup, time = '2026-12-02 09:00') {
  const res = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/booking',
    headers: authHeaders(s.ta, s.patient),
    payload: {
      id: s.fx.practiceIds['andi@jakarta'],
      username_doctor: `${s.fx.prefix}andi`,
      time,
      type: 'call',
      patient: 'Siti',
      price: 150000,
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  const order = envelope(res).data;
  await s.ta.app.inject({ method: 'POST', url: `${new URL(order.payment_url).pathname}/complete` });
  return order.transaction_id as string;
}

const act = (s: Setup, token: string, transactionId: string, action: string, payload?: object) =>
  s.ta.app.inject({
    method: 'POST',
    url: `/api/doctor-app/orders/${transactionId}/${action}`,
    headers: { ...authHeaders(s.ta), authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

test('a doctor confirms, opens the room (call orders get a meeting link), starts and finishes', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s);
  const list = await s.ta.app.inject({
    method: 'GET',
    url: '/api/doctor-app/orders?status=waiting_doctor_confirmation',
    headers: { ...authHeaders(s.ta), authorization: `Bearer ${s.doctorToken}` },
  });
  assert.equal(list.statusCode, 200);
  assert.deepEqual(
    envelope(list).data.map((o: { transaction_id: string }) => o.transaction_id),
    [id],
  );
  assert.equal(envelope(await act(s, s.doctorToken, id, 'confirm')).data.status, 'waiting_meeting');
  const open = envelope(await act(s, s.doctorToken, id, 'open-room')).data;
  assert.equal(open.status, 'join_now');
  assert.match(open.meeting_url, /^https:\/\/meet\.jit\.si\/cexup-[0-9a-f]{32}$/);
  const patientView = envelope(
    await s.ta.app.inject({
      method: 'POST',
      url: '/api/user/order/show',
      headers: authHeaders(s.ta, s.patient),
      payload: { transaction_id: id },
    }),
  ).data;
  assert.equal(patientView.meeting_url, open.meeting_url);
  assert.equal(envelope(await act(s, s.doctorToken, id, 'start')).data.status, 'on_air');
  const done = envelope(await act(s, s.doctorToken, id, 'finish')).data;
  assert.equal(done.status, 'done');
  assert.equal(done.meeting_url, null, 'the room link is shown only while the meeting is on');
  const again = await act(s, s.doctorToken, id, 'finish');
  assert.equal(again.statusCode, 409);
  assert.match(envelope(again).message, /done/);
});

test('the doctor proposes a new time and the patient accepts it: the old slot is freed, the new one held', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s);
  const proposed = await act(s, s.doctorToken, id, 'propose', { date: '2026-12-03', time: '10:00' });
  assert.equal(proposed.statusCode, 200, proposed.body);
  assert.equal(envelope(proposed).data.status, 'reschedule_from_doctor');
  const accepted = await s.ta.app.inject({
    method: 'PUT',
    url: '/api/user/orders',
    headers: authHeaders(s.ta, s.patient),
    payload: { transaction_id: id, type: 'accept' },
  });
  assert.equal(accepted.statusCode, 200, accepted.body);
  const order = envelope(accepted).data;
  assert.equal(order.status, 'waiting_meeting');
  assert.equal(order.date, '2026-12-03');
  assert.equal(order.time, '10:00');
  assert.equal(order.proposed_date, null);
  const holds = await s.ta.db
    .selectFrom('slot_holds')
    .innerJoin('orders', 'orders.id', 'slot_holds.order_id')
    .select(['slot_holds.start_at', 'slot_holds.kind'])
    .where('orders.transaction_id', '=', id)
    .execute();
  assert.deepEqual(holds, [{ start_at: Date.UTC(2026, 11, 3, 3, 0), kind: 'booking' }]);
});

test('a decline refunds; other doctors and patients cannot act on the order', async (t) => {
  const s = await setup(t);
  const id = await paidOrder(s);
  const foreign = await act(s, s.otherDoctorToken, id, 'confirm');
  assert.equal(foreign.statusCode, 404);
  const patientToken = await act(s, s.patient.token, id, 'confirm');
  assert.equal(patientToken.statusCode, 401);
  const unknown = await act(s, s.doctorToken, id, 'teleport');
  assert.equal(unknown.statusCode, 404);
  const declined = envelope(await act(s, s.doctorToken, id, 'decline')).data;
  assert.equal(declined.status, 'waiting_refund');
  assert.equal(declined.refund_due, 150000);
});

test('doctor logins are made from the CLI function, once per doctor', async (t) => {
  const s = await setup(t);
  await assert.rejects(
    createDoctorLogin(s.ta.db, { slug: `${s.fx.prefix}-andi`, email: 'x@rs.example.id', password: 'long-enough-pass' }),
    DoctorLoginError,
  );
  await assert.rejects(
    createDoctorLogin(s.ta.db, { slug: 'nobody', email: 'y@rs.example.id', password: 'long-enough-pass' }),
    /no doctor/,
  );
  const patientLogin = await s.ta.app.inject({
    method: 'POST',
    url: '/api/login/doctor',
    headers: authHeaders(s.ta),
    payload: { email: s.patient.email, password: s.patient.password },
  });
  assert.equal(patientLogin.statusCode, 401, 'a patient account is not a doctor login');
});
