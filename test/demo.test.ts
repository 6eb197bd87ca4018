import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../src/app.js';
import { DEMO_ADMIN, DEMO_DOCTOR, DEMO_PATIENT, ensureDemoData } from '../src/demo.js';
import { createFreshDatabase, envelope, testConfig } from './helpers.js';

// Demo data needs an empty database: each test here gets one of its own.
async function freshApp(t: import('node:test').TestContext, env: Record<string, string>) {
  const { handle: database, url, cleanup } = await createFreshDatabase();
  const config = testConfig(env, url);
  const app = await buildApp({ config, database });
  t.after(async () => {
    await app.close();
    await database.destroy();
    await cleanup();
  });
  return { app, config };
}

test('demo mode on an empty database prints a working key and the demo patient login', async (t) => {
  const { app, config } = await freshApp(t, { DEMO_MODE: 'true' });
  const printed: string[] = [];
  await ensureDemoData(app, config, (l) => printed.push(l));
  const key = /Demo API key \(shown once, keep it\): (\S+)/.exec(printed.join('\n'))?.[1];
  assert.ok(key, printed.join('\n'));
  assert.match(printed.join('\n'), new RegExp(`Demo patient: ${DEMO_PATIENT.username}`));

  const res = await app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: { 'x-api-key': key },
    payload: { email: DEMO_PATIENT.email, password: DEMO_PATIENT.password },
  });
  assert.equal(res.statusCode, 200);
  assert.equal(envelope(res).data.user.username, DEMO_PATIENT.username);

  assert.match(printed.join('\n'), /Demo doctor: .*password demo-dokter-2026/);
  const doctor = await app.inject({
    method: 'POST',
    url: '/api/login/doctor',
    headers: { 'x-api-key': key },
    payload: { email: DEMO_DOCTOR.email, password: DEMO_DOCTOR.password },
  });
  assert.equal(doctor.statusCode, 200, doctor.body);

  // The back office's operator signs in with no key, as the page at /admin/ does.
  assert.match(printed.join('\n'), /Back office: \/admin\/, sign in as admin@cexup\.test, password demo-admin-2026/);
  const admin = await app.inject({
    method: 'POST',
    url: '/api/admin/session',
    payload: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password },
  });
  assert.equal(admin.statusCode, 200, admin.body);

  // A second start creates nothing more and prints no key.
  const again: string[] = [];
  await ensureDemoData(app, config, (l) => again.push(l));
  assert.deepEqual(again, []);
  assert.equal((await app.services.apps.list()).length, 1);
});

test('CEXUP_DEMO_API_KEY chooses the demo key', async (t) => {
  const demoKey = 'demo-key-for-the-readme-0001';
  const { app, config } = await freshApp(t, { DEMO_MODE: 'true', CEXUP_DEMO_API_KEY: demoKey });
  await ensureDemoData(app, config, () => undefined);
  const res = await app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: { 'x-api-key': demoKey },
    payload: { email: DEMO_PATIENT.username, password: DEMO_PATIENT.password },
  });
  assert.equal(res.statusCode, 200);
});

test('outside demo mode nothing is created', async (t) => {
  const { app, config } = await freshApp(t, { DEMO_MODE: 'false' });
  await ensureDemoData(app, config, () => assert.fail('printed something'));
  assert.equal(await app.services.apps.hasAnyApp(), false);
  assert.equal(await app.services.accounts.findByLogin(DEMO_PATIENT.username), undefined);
  assert.equal(await app.services.accounts.findByLogin(DEMO_ADMIN.email), undefined);
});
