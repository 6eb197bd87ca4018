import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, envelope } from '../../../test/helpers.js';
import { bearer, book, fullProfile, pay, privacySetup } from '../../../test/fixtures/privacy.js';

// Issue 13, finding 12: the consent given at booking decides what the doctor sees, and the
// export (the identity number in clear) asks for the password again.

type Order = {
  transaction_id: string;
  allow_access_data: boolean;
  patient_account: { name: string; thumb: string | null; date_of_birth: string | null; gender: string | null } | null;
};

test('a doctor sees the patient’s date of birth and gender only on orders booked with consent', async (t) => {
  const s = await privacySetup(t);
  await fullProfile(s, s.patient, '3273015203940001');
  const without = await book(s, s.patient);
  const withConsent = await book(s, s.patient, { allow_access_data: true }, '2026-12-02 09:30');
  await pay(s, without);
  await pay(s, withConsent);

  const list = await s.ta.app.inject({
    method: 'GET',
    url: '/api/doctor-app/orders',
    headers: bearer(s, s.doctor.token),
  });
  assert.equal(list.statusCode, 200, list.body);
  const orders = envelope(list).data as Order[];
  const byId = (id: unknown) => orders.find((o) => o.transaction_id === id)!;
  assert.equal(byId(without.transaction_id).allow_access_data, false);
  assert.deepEqual(byId(without.transaction_id).patient_account, {
    name: byId(without.transaction_id).patient_account!.name,
    thumb: byId(without.transaction_id).patient_account!.thumb,
    date_of_birth: null,
    gender: null,
  });
  assert.ok(byId(without.transaction_id).patient_account!.name.length > 0, 'the name is always shown');
  assert.equal(byId(withConsent.transaction_id).patient_account!.date_of_birth, '1994-03-12');
  assert.equal(byId(withConsent.transaction_id).patient_account!.gender, 'perempuan');

  // The answer of a move on the order keeps to the same consent.
  const confirm = async (order: Record<string, unknown>) => {
    const res = await s.ta.app.inject({
      method: 'POST',
      url: `/api/doctor-app/orders/${order.transaction_id as string}/confirm`,
      headers: bearer(s, s.doctor.token),
    });
    assert.equal(res.statusCode, 200, res.body);
    return envelope(res).data as Order;
  };
  const moved = await confirm(without);
  assert.equal(moved.patient_account!.date_of_birth, null);
  assert.equal(moved.patient_account!.gender, null);
  assert.ok(!JSON.stringify(envelope(list).data.filter((o: Order) => !o.allow_access_data)).includes('1994-03-12'));
  const movedWith = await confirm(withConsent);
  assert.equal(movedWith.patient_account!.date_of_birth, '1994-03-12');
  assert.equal(movedWith.patient_account!.gender, 'perempuan');

  // The patient's own view is not narrowed: the consent is about the doctor.
  const own = await s.ta.app.inject({
    method: 'POST',
    url: '/api/user/order/show',
    headers: authHeaders(s.ta, s.patient),
    payload: { transaction_id: without.transaction_id },
  });
  assert.equal(envelope(own).data.patient_account.date_of_birth, '1994-03-12');
});

test('the export: a login under 5 minutes old or the password again; an older token alone is a 403', async (t) => {
  const s = await privacySetup(t);
  await fullProfile(s, s.patient, '3273015203940002');
  const exportWith = (headers: Record<string, string>) =>
    s.ta.app.inject({ method: 'GET', url: '/api/me/export', headers });

  // Just registered (a login): the GET works as it did.
  s.clock.now += 4 * 60_000;
  const fresh = await exportWith(authHeaders(s.ta, s.patient));
  assert.equal(fresh.statusCode, 200, fresh.body);
  assert.equal(envelope(fresh).data.identity.number, '3273015203940002');

  // Five minutes after the login, the token alone no longer exports.
  s.clock.now += 60_000;
  const stale = await exportWith(authHeaders(s.ta, s.patient));
  assert.equal(stale.statusCode, 403, stale.body);
  const body = envelope(stale);
  assert.equal(body.success, false);
  assert.equal(body.code, 'REAUTHENTICATION_REQUIRED');
  assert.equal(body.data, null);
  assert.match(body.message, /password again/);
  assert.ok(!stale.body.includes('3273015203940002'));

  // With the password, any session exports; a wrong one is a 422 and exports nothing.
  const post = (password: string) =>
    s.ta.app.inject({
      method: 'POST',
      url: '/api/me/export',
      headers: authHeaders(s.ta, s.patient),
      payload: { password },
    });
  const wrong = await post('not-the-password');
  assert.equal(wrong.statusCode, 422, wrong.body);
  assert.ok(envelope(wrong).errors?.password, wrong.body);
  assert.ok(!wrong.body.includes('3273015203940002'));
  const withPassword = await post(s.patient.password);
  assert.equal(withPassword.statusCode, 200, withPassword.body);
  assert.equal(envelope(withPassword).data.identity.number, '3273015203940002');
  assert.equal(withPassword.headers['cache-control'], 'no-store');

  // A new login makes the GET work again, for 5 minutes.
  const login = await s.ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: authHeaders(s.ta),
    payload: { email: s.patient.email, password: s.patient.password },
  });
  assert.equal(login.statusCode, 200, login.body);
  const token = envelope(login).data.access_token as string;
  const again = await exportWith({ ...authHeaders(s.ta), authorization: `Bearer ${token}` });
  assert.equal(again.statusCode, 200, again.body);
  assert.equal(envelope(again).data.identity.number, '3273015203940002');
});
