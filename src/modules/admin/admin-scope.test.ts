// Hospital admins: only the hospitals assigned to them, enforced by the API on every admin
// route (lists filtered, other hospitals' doctors, practices, schedules and orders refused, an
// operator's routes refused); operators keep everything.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { andiVisit, insertCatalogue, insertRule, openAndiForVisits } from '../../../test/catalogue-fixture.js';
import { authHeaders, build, envelope, registerPatient, uniqueName, type TestApp } from '../../../test/helpers.js';
import { createAdmin } from './admin-accounts.js';

const T0 = Date.UTC(2026, 11, 1, 0, 0);
const PASSWORD = 'sangat-rahasia-2026';

async function adminToken(ta: TestApp, role: 'operator' | 'hospital_admin', hospitalIds: string[] = []) {
  const email = `${uniqueName('staf')}@cexup.test`;
  await createAdmin(ta.db, { name: `Staf ${role}`, email, password: PASSWORD, role, hospitalIds });
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(ta),
    payload: { email, password: PASSWORD },
  });
  assert.equal(res.statusCode, 200, res.body);
  return envelope(res).data.access_token as string;
}

async function setup(t: TestContext) {
  const ta = await build(t, { env: { DEMO_MODE: 'true' }, now: () => T0 });
  const fx = await insertCatalogue(ta.db, uniqueName('sc').toLowerCase());
  await openAndiForVisits(ta.db, fx);
  await insertRule(ta.db, fx.practiceIds['andi@makassar']!, {
    weekday: 3,
    start_time: '09:00',
    end_time: '10:00',
    slot_minutes: 30,
    appointment_type: 'reservasi',
  });
  const patient = await registerPatient(ta);
  const book = async (body: object) => {
    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/doctor/booking',
      headers: authHeaders(ta, patient),
      payload: body,
    });
    assert.equal(res.statusCode, 201, res.body);
    return envelope(res).data.transaction_id as string;
  };
  const atJakarta = await book(andiVisit(fx));
  const atMakassar = await book(andiVisit(fx, { id: fx.practiceIds['andi@makassar'], price: 200000 }));
  const jakartaAdmin = await adminToken(ta, 'hospital_admin', [fx.hospitals.jakarta]);
  const operator = await adminToken(ta, 'operator');
  const as = (token: string) => (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    ta.app.inject({
      method,
      url,
      headers: { ...authHeaders(ta), authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });
  return { ta, fx, atJakarta, atMakassar, hospitalAdmin: as(jakartaAdmin), operator: as(operator) };
}

const refused = (res: { statusCode: number; body: string }, where: string) => {
  assert.equal(res.statusCode, 403, `${where}: ${res.body}`);
  assert.equal(JSON.parse(res.body).code, 'ADMIN_ROLE_FORBIDDEN', where);
};

test("a hospital admin is refused another hospital's doctor, practice, schedule and order", async (t) => {
  const { ta, fx, atMakassar, hospitalAdmin } = await setup(t);
  const p = fx.prefix;
  // Budi practises only in Makassar; Citra only in Jayapura.
  refused(await hospitalAdmin('GET', `/api/admin/doctors/${p}-budi`), 'GET another hospital’s doctor');
  const before = await ta.db.selectFrom('doctors').select('about').where('slug', '=', `${p}-budi`).executeTakeFirst();
  refused(await hospitalAdmin('PUT', `/api/admin/doctors/${p}-budi`, { about: 'Diubah' }), 'PUT');
  const after = await ta.db.selectFrom('doctors').select('about').where('slug', '=', `${p}-budi`).executeTakeFirst();
  assert.deepEqual(after, before, 'nothing changed');
  const makassarPractice = fx.practiceIds['budi@makassar'];
  refused(await hospitalAdmin('GET', `/api/admin/practices/${makassarPractice}`), 'practice');
  refused(await hospitalAdmin('GET', `/api/admin/practices/${makassarPractice}/schedule`), 'schedule');
  refused(
    await hospitalAdmin('POST', `/api/admin/practices/${makassarPractice}/schedule/rules`, {
      weekday: 1,
      start_time: '08:00',
      end_time: '09:00',
      slot_minutes: 30,
      appointment_type: 'call',
    }),
    'a rule at another hospital',
  );
  refused(
    await hospitalAdmin('POST', '/api/admin/practices', { doctor: `${p}-citra`, hospital: `${p}-makassar` }),
    'a practice at another hospital',
  );
  refused(await hospitalAdmin('GET', `/api/admin/orders/${atMakassar}`), 'an order elsewhere');
  refused(await hospitalAdmin('POST', `/api/admin/orders/${atMakassar}/refund`, {}), 'a refund elsewhere');
  refused(await hospitalAdmin('GET', `/api/admin/hospitals/${p}-makassar`), 'another hospital');
  // A doctor who also practises elsewhere is readable, not theirs to change (their name shows everywhere).
  assert.equal((await hospitalAdmin('GET', `/api/admin/doctors/${p}-andi`)).statusCode, 200);
  refused(await hospitalAdmin('PUT', `/api/admin/doctors/${p}-andi`, { name: 'Diubah' }), 'a shared doctor');
  // Nor can a practice at their hospital make another hospital's doctor theirs.
  refused(
    await hospitalAdmin('POST', '/api/admin/practices', { doctor: `${p}-budi`, hospital: `${p}-jakarta` }),
    'claiming a doctor of another hospital',
  );
  // Another hospital's figures, however the slug is written; an unknown one too.
  for (const hospital of [`${p}-makassar`, `%20${p}-makassar`, `${p}-makassar%20`, `${p}-nowhere`]) {
    refused(await hospitalAdmin('GET', `/api/admin/dashboard?hospital=${hospital}`), `dashboard ${hospital}`);
  }
  // An operator's routes.
  refused(await hospitalAdmin('POST', '/api/admin/specialities', { slug: `${p}-baru`, name: 'Baru' }), 'speciality');
  refused(
    await hospitalAdmin('POST', '/api/admin/doctors', { slug: `${p}-x`, name: 'X', speciality: `${p}-anak` }),
    'new doctor',
  );
  refused(await hospitalAdmin('GET', '/api/admin/audit-log'), 'audit log');
  refused(await hospitalAdmin('GET', '/api/admin/webhook-deliveries'), 'webhooks');
  // Unknown things are still a 404.
  assert.equal((await hospitalAdmin('GET', `/api/admin/doctors/${p}-nobody`)).statusCode, 404);
});

test("a hospital admin works on their own hospital's doctors, schedules and orders; lists show only theirs", async (t) => {
  const { fx, atJakarta, atMakassar, hospitalAdmin, operator } = await setup(t);
  const p = fx.prefix;
  const slugs = (res: { body: string }) => (JSON.parse(res.body).data as { slug: string }[]).map((d) => d.slug).sort();

  // Andi practises in Jakarta (and Makassar): theirs. Dewi and Hidden: Jakarta only.
  const doctors = await hospitalAdmin('GET', `/api/admin/doctors?q=${p}`);
  assert.equal(doctors.statusCode, 200, doctors.body);
  assert.deepEqual(slugs(doctors), [`${p}-andi`, `${p}-dewi`, `${p}-hidden`]);
  assert.deepEqual(slugs(await hospitalAdmin('GET', `/api/admin/hospitals?q=${p}`)), [`${p}-jakarta`]);
  assert.equal(slugs(await operator('GET', `/api/admin/doctors?q=${p}`)).length, 6);

  const practices = JSON.parse((await hospitalAdmin('GET', `/api/admin/practices?data=100`)).body).data as {
    hospital: string;
  }[];
  assert.ok(practices.length > 0 && practices.every((x) => x.hospital === `${p}-jakarta`));

  const orders = JSON.parse((await hospitalAdmin('GET', '/api/admin/orders')).body);
  assert.deepEqual(
    orders.data.map((o: { transaction_id: string }) => o.transaction_id),
    [atJakarta],
  );
  const all = JSON.parse((await operator('GET', '/api/admin/orders?data=100')).body);
  const ids = all.data.map((o: { transaction_id: string }) => o.transaction_id);
  assert.ok(ids.includes(atJakarta) && ids.includes(atMakassar), 'an operator sees every hospital’s orders');

  const edited = await hospitalAdmin('PUT', `/api/admin/doctors/${p}-dewi`, { about: 'Dokter jantung RS Jakarta.' });
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal(JSON.parse(edited.body).data.about, 'Dokter jantung RS Jakarta.');
  const rule = await hospitalAdmin('POST', `/api/admin/practices/${fx.practiceIds['dewi@jakarta']}/schedule/rules`, {
    weekday: 1,
    start_time: '08:00',
    end_time: '09:00',
    slot_minutes: 30,
    appointment_type: 'call',
  });
  assert.equal(rule.statusCode, 201, rule.body);
  assert.equal((await hospitalAdmin('GET', `/api/admin/orders/${atJakarta}`)).statusCode, 200);
  assert.equal((await hospitalAdmin('GET', '/api/admin/specialities')).statusCode, 200, 'the forms’ reference data');

  // The dashboard: their hospital's figures (the first of theirs when none is named), no one else's.
  const mine = await hospitalAdmin('GET', '/api/admin/dashboard');
  assert.equal(mine.statusCode, 200, mine.body);
  assert.equal(JSON.parse(mine.body).data.totals.bookings, 1, 'the Jakarta booking only');
  for (const hospital of [`${p}-jakarta`, `%20${p}-jakarta`, '%20', '']) {
    const named = await hospitalAdmin('GET', `/api/admin/dashboard?hospital=${hospital}`);
    assert.equal(named.statusCode, 200, `${hospital}: ${named.body}`);
    assert.deepEqual(JSON.parse(named.body).data.totals, JSON.parse(mine.body).data.totals, hospital);
  }
  refused(await hospitalAdmin('GET', `/api/admin/dashboard?hospital=${p}-makassar`), 'another hospital’s figures');
  const everyone = JSON.parse((await operator('GET', '/api/admin/dashboard')).body).data.totals.bookings;
  assert.ok(everyone >= 2, `the operator sees every hospital's bookings (${everyone})`);
});

test('a hospital admin with no hospital sees nothing', async (t) => {
  const { ta, fx } = await setup(t);
  const token = await adminToken(ta, 'hospital_admin', []);
  const res = await ta.app.inject({
    method: 'GET',
    url: `/api/admin/doctors?q=${fx.prefix}`,
    headers: { ...authHeaders(ta), authorization: `Bearer ${token}` },
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(JSON.parse(res.body).data, []);
});
