import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { authHeaders, build, registerPatient } from './helpers.js';

test('one structured line per request, and no secret or personal number in any log line', async (t) => {
  const ta = await build(t, { captureLogs: true });
  const password = 'planted-Password-7731';
  const patient = await registerPatient(ta, { password });
  const idNumber = '3201015505850002';
  const image = (
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0a0' } })
      .png()
      .toBuffer()
  ).toString('base64');

  const requests = [
    { method: 'POST', url: '/api/login/patient', payload: { email: patient.email, password } },
    { method: 'POST', url: '/api/login/patient', payload: { email: patient.email, password: `${password}-wrong` } },
    { method: 'POST', url: '/api/update/patient', payload: { type: 'ktp', no_type: idNumber }, auth: true },
    { method: 'POST', url: '/api/update/patient', payload: { type: 'ktp', no_type: `${idNumber}9` }, auth: true },
    { method: 'POST', url: '/api/avatar', payload: { file: image, type: 'png' }, auth: true },
    { method: 'POST', url: '/api/avatar', payload: { file: image, type: 'jpeg' }, auth: true },
    {
      method: 'POST',
      url: '/api/change-password',
      payload: { current_password: password, new_password: `${password}-new` },
      auth: true,
    },
    { method: 'GET', url: `/api/me?token=${patient.token}`, auth: true },
    { method: 'POST', url: '/api/login/patient', payload: `{"password":"${password}"`, raw: true },
  ] as const;
  for (const r of requests) {
    const headers: Record<string, string> = 'auth' in r ? authHeaders(ta, patient) : authHeaders(ta);
    if ('raw' in r) headers['content-type'] = 'application/json';
    await ta.app.inject({
      method: r.method,
      url: r.url,
      headers,
      payload: ('payload' in r ? r.payload : undefined) as never,
    });
  }
  const log = ta.logs.join('');
  const lines = ta.logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const requestLines = lines.filter((l) => l.msg === 'request');
  assert.equal(requestLines.length, requests.length + 1, 'the registration and each request');
  const updateLine = requestLines.find((l) => l.route === '/api/update/:role');
  assert.ok(updateLine);
  assert.equal(typeof updateLine.reqId, 'string');
  assert.equal(updateLine.app, ta.appId);
  assert.equal(updateLine.method, 'POST');
  assert.equal(updateLine.status, 200);
  assert.equal(typeof updateLine.ms, 'number');

  for (const secret of [password, patient.token, ta.apiKey, idNumber, image.slice(0, 40), image.slice(-40)]) {
    assert.equal(log.includes(secret), false, `a log line contains ${secret.slice(0, 12)}...`);
  }
});
