import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { andiVisit, insertCatalogue, openAndiForVisits } from './catalogue-fixture.js';
import { authHeaders, build, envelope, registerPatient, uniqueName, type TestApp } from './helpers.js';

const TOKEN = 'metrics-token-for-the-tests-0123456789';
// Tuesday 1 December 2026, 07:00 in Jakarta (00:00 UTC): the slots below are all ahead.
const T0 = Date.UTC(2026, 11, 1, 0, 0);

const scrape = (ta: TestApp, token: string | undefined = TOKEN) =>
  ta.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

/** The value of one sample line, e.g. `cexup_bookings_total{outcome="created"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('/metrics is off without METRICS_TOKEN: 404 like an unknown path, whatever the token', async (t) => {
  const ta = await build(t);
  for (const token of [undefined, TOKEN, '']) {
    const res = await scrape(ta, token);
    assert.equal(res.statusCode, 404);
    assert.equal(envelope(res).code, 'ROUTE_NOT_FOUND');
  }
});

test('/metrics needs the configured Bearer token; the app key or another token is a 401', async (t) => {
  const ta = await build(t, { env: { METRICS_TOKEN: TOKEN } });
  for (const headers of [
    {},
    { authorization: `Bearer ${TOKEN}x` },
    { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
    { authorization: TOKEN },
    { 'x-api-key': ta.apiKey },
    { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
  ]) {
    const res = await ta.app.inject({ method: 'GET', url: '/metrics', headers });
    assert.equal(res.statusCode, 401, JSON.stringify(headers));
    assert.equal(envelope(res).code, 'UNAUTHENTICATED');
    assert.match(String(res.headers['www-authenticate']), /^Bearer/);
    assert.doesNotMatch(res.body, /cexup_http_requests_total/);
  }

  const res = await scrape(ta);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(res.body, /^# TYPE cexup_http_requests_total counter$/m);
  assert.match(res.body, /^# TYPE cexup_http_request_duration_seconds histogram$/m);
  assert.match(res.body, /^# TYPE cexup_bookings_total counter$/m);
  // Process metrics, where /metrics is served.
  assert.match(res.body, /^process_resident_memory_bytes \d+/m);
  assert.match(res.body, /^nodejs_eventloop_lag_seconds /m);
  // The refused scrapes above are counted too.
  assert.equal(sample(res.body, 'cexup_http_requests_total{method="GET",route="/metrics",status="401"}'), 6);
});

test('requests and latency are labelled by route pattern, never by URL, ids or tokens', async (t) => {
  const ta = await build(t, { env: { METRICS_TOKEN: TOKEN } });
  const patient = await registerPatient(ta);
  const slugs = [uniqueName('secretslug'), uniqueName('secretslug')];
  for (const slug of slugs) {
    const res = await ta.app.inject({ method: 'GET', url: `/api/doctor/${slug}?q=${slug}`, headers: authHeaders(ta) });
    assert.equal(res.statusCode, 404);
  }
  await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, patient) });
  await ta.app.inject({ method: 'GET', url: `/no-such-path/${slugs[0]}` });
  await ta.app.inject({ method: 'GET', url: '/health' });

  const text = (await scrape(ta)).body;
  assert.equal(sample(text, 'cexup_http_requests_total{method="GET",route="/api/doctor/:slug",status="404"}'), 2);
  assert.equal(sample(text, 'cexup_http_requests_total{method="GET",route="/api/me",status="200"}'), 1);
  assert.equal(sample(text, 'cexup_http_requests_total{method="POST",route="/api/register/patient",status="201"}'), 1);
  assert.equal(sample(text, 'cexup_http_requests_total{method="GET",route="unmatched",status="404"}'), 1);
  assert.equal(sample(text, 'cexup_http_requests_total{method="GET",route="/health",status="200"}'), 1);
  assert.equal(
    sample(text, 'cexup_http_request_duration_seconds_count{method="GET",route="/api/doctor/:slug",status="404"}'),
    2,
  );
  assert.equal(
    sample(text, 'cexup_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/health",status="200"}'),
    1,
  );
  for (const secret of [...slugs, patient.token, ta.apiKey, patient.userId, patient.username]) {
    assert.ok(!text.includes(secret), `${secret} must not be in the metrics`);
  }
});

test('booking outcomes: created, idempotent_replay, slot_taken, price_mismatch, invalid, unauthenticated', async (t) => {
  const ta = await build(t, { env: { METRICS_TOKEN: TOKEN, DEMO_MODE: 'true' }, now: () => T0 });
  const fx = await insertCatalogue(ta.db, uniqueName('m').toLowerCase());
  await openAndiForVisits(ta.db, fx, '12:00', [1, 2, 3, 4, 5, 6, 7]);
  const [first, second] = [await registerPatient(ta), await registerPatient(ta)];
  const body = andiVisit(fx);
  const book = (patient: typeof first | undefined, payload: object, headers: Record<string, string> = {}) =>
    ta.app.inject({
      method: 'POST',
      url: '/api/doctor/booking',
      headers: { ...authHeaders(ta, patient), ...headers },
      payload,
    });

  const before = (await scrape(ta)).body;
  for (const outcome of ['created', 'idempotent_replay', 'slot_taken', 'price_mismatch', 'invalid']) {
    assert.equal(sample(before, `cexup_bookings_total{outcome="${outcome}"}`), 0, `${outcome} starts at 0`);
  }

  assert.equal((await book(first, body, { 'idempotency-key': 'k1' })).statusCode, 201);
  assert.equal((await book(first, body, { 'idempotency-key': 'k1' })).statusCode, 200);
  const taken = await book(second, body);
  assert.equal(envelope(taken).code, 'SLOT_TAKEN');
  const mismatch = await book(second, { ...body, time: '2026-12-02 10:00', price: 1 });
  assert.equal(envelope(mismatch).code, 'PRICE_MISMATCH');
  assert.equal((await book(second, { ...body, time: 'tomorrow' })).statusCode, 422);
  assert.equal((await book(undefined, body)).statusCode, 401);

  const text = (await scrape(ta)).body;
  assert.equal(sample(text, 'cexup_bookings_total{outcome="created"}'), 1);
  assert.equal(sample(text, 'cexup_bookings_total{outcome="idempotent_replay"}'), 1);
  assert.equal(sample(text, 'cexup_bookings_total{outcome="slot_taken"}'), 1);
  assert.equal(sample(text, 'cexup_bookings_total{outcome="price_mismatch"}'), 1);
  assert.equal(sample(text, 'cexup_bookings_total{outcome="invalid"}'), 1);
  assert.equal(sample(text, 'cexup_bookings_total{outcome="unauthenticated"}'), 1);
  assert.equal(sample(text, 'cexup_bookings_total{outcome="error"}'), 0);
});

test('each app counts alone: two apps in one process share no registry', async (t: TestContext) => {
  const a = await build(t, { env: { METRICS_TOKEN: TOKEN } });
  const b = await build(t, { env: { METRICS_TOKEN: TOKEN } });
  await a.app.inject({ method: 'GET', url: '/health' });
  await a.app.inject({ method: 'GET', url: '/health' });
  assert.equal(
    sample((await scrape(a)).body, 'cexup_http_requests_total{method="GET",route="/health",status="200"}'),
    2,
  );
  assert.equal(
    sample((await scrape(b)).body, 'cexup_http_requests_total{method="GET",route="/health",status="200"}'),
    undefined,
  );
});
