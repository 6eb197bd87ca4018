import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, envelope } from '../../../test/helpers.js';
import { bearer, book, pay, privacySetup } from '../../../test/fixtures/privacy.js';

test('a booking records the consent: false by default, true when sent; shown to the patient, the doctor and admins', async (t) => {
  const s = await privacySetup(t);
  const without = await book(s, s.patient);
  assert.equal(without.allow_access_data, false);
  const withConsent = await book(s, s.patient, { allow_access_data: true }, '2026-12-02 09:30');
  assert.equal(withConsent.allow_access_data, true);
  const asString = await book(s, s.other, { allow_access_data: 'false' }, '2026-12-02 10:00');
  assert.equal(asString.allow_access_data, false);

  const stored = await s.ta.db
    .selectFrom('orders')
    .select(['transaction_id', 'allow_access_data'])
    .where('transaction_id', 'in', [without.transaction_id as string, withConsent.transaction_id as string])
    .execute();
  assert.deepEqual(Object.fromEntries(stored.map((r) => [r.transaction_id, Number(r.allow_access_data)])), {
    [without.transaction_id as string]: 0,
    [withConsent.transaction_id as string]: 1,
  });

  const shown = await s.ta.app.inject({
    method: 'POST',
    url: '/api/user/order/show',
    headers: authHeaders(s.ta, s.patient),
    payload: { transaction_id: withConsent.transaction_id },
  });
  assert.equal(envelope(shown).data.allow_access_data, true);

  await pay(s, withConsent);
  const doctorList = envelope(
    await s.ta.app.inject({ method: 'GET', url: '/api/doctor-app/orders', headers: bearer(s, s.doctor.token) }),
  ).data as { transaction_id: string; allow_access_data: boolean }[];
  assert.equal(doctorList.find((o) => o.transaction_id === withConsent.transaction_id)?.allow_access_data, true);
  const admin = await s.ta.app.inject({
    method: 'GET',
    url: `/api/admin/orders/${withConsent.transaction_id as string}`,
    headers: bearer(s, s.admin.token),
  });
  assert.equal(envelope(admin).data.allow_access_data, true);
});

test('a consent that is not true or false is a 422 naming the field, and nothing is booked', async (t) => {
  const s = await privacySetup(t);
  for (const value of ['yes', 2, { a: 1 }]) {
    const res = await s.ta.app.inject({
      method: 'POST',
      url: '/api/doctor/booking',
      headers: authHeaders(s.ta, s.patient),
      payload: {
        id: s.fx.practiceIds['andi@jakarta'],
        username_doctor: `${s.fx.prefix}andi`,
        time: '2026-12-02 09:00',
        type: 'call',
        patient: 'Siti',
        price: 150000,
        allow_access_data: value,
      },
    });
    assert.equal(res.statusCode, 422, res.body);
    const body = envelope(res);
    assert.equal(body.code, 'VALIDATION_FAILED');
    assert.ok(body.errors?.allow_access_data?.[0], res.body);
  }
  const count = await s.ta.db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('patient_user_id', '=', s.patient.userId)
    .executeTakeFirstOrThrow();
  assert.equal(Number(count.n), 0);
});
