import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { LookupOptions } from 'node:dns';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { buildApp } from '../../app.js';
import { checkEveryAnswer } from '../../../test/contract.js';
import { authHeaders, envelope, testDatabase } from '../../../test/helpers.js';
import {
  bearer,
  doctorAct,
  MIN,
  paidOrder,
  registerWebhook,
  setup,
  startReceiver,
  type Setup,
} from '../../../test/fixtures/notifications.js';
import { guardedLookup, isPrivateAddress, type ResolvedAddress } from './webhooks.js';

/** What a receiving app does: recompute the signature over "<timestamp>.<raw body>", compare in constant time. */
function verify(secret: string, headers: Record<string, unknown>, body: string): boolean {
  const timestamp = String(headers['x-cexup-timestamp']);
  const given = String(headers['x-cexup-signature']);
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

const deliveries = (s: Setup, query = '') =>
  s.ta.app.inject({ method: 'GET', url: `/api/admin/webhook-deliveries${query}`, headers: bearer(s, s.adminToken) });

test('registering a webhook: the secret once, stored encrypted; bad URLs and unknown apps refused', async (t) => {
  const s = await setup(t);
  const { id, secret } = await registerWebhook(s, 'https://partner.example.id/cexup/events');
  assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  const row = await s.ta.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.app_id, s.ta.appId);
  assert.ok(!row.secret_enc.includes(secret) && row.secret_enc.startsWith('v1.'), 'encrypted at rest');

  const list = await s.ta.app.inject({
    method: 'GET',
    url: `/api/admin/apps/${s.ta.appId}/webhooks`,
    headers: bearer(s, s.adminToken),
  });
  assert.equal(list.statusCode, 200);
  assert.deepEqual(
    envelope(list).data.map((w: { id: string; url: string; active: boolean }) => [w.id, w.url, w.active]),
    [[id, 'https://partner.example.id/cexup/events', true]],
  );
  assert.ok(!list.body.includes(secret), 'never shown again');

  const post = (url: unknown, appId = s.ta.appId, headers: Record<string, string> = bearer(s, s.adminToken)) =>
    s.ta.app.inject({ method: 'POST', url: `/api/admin/apps/${appId}/webhooks`, headers, payload: { url } });
  for (const bad of ['ftp://example.id/x', 'javascript:alert(1)', 'not a url', 'https://user:pw@example.id/']) {
    const res = await post(bad);
    assert.equal(res.statusCode, 422, bad);
    assert.equal(envelope(res).code, 'WEBHOOK_URL_INVALID');
    assert.ok(envelope(res).errors?.url);
  }
  assert.equal((await post('')).statusCode, 422);
  assert.equal((await post(42)).statusCode, 422);
  const unknown = await post('https://partner.example.id/x', '00000000-0000-4000-8000-000000000000');
  assert.equal(unknown.statusCode, 404);
  assert.equal(envelope(unknown).code, 'APP_NOT_FOUND');
  // Admins only: a patient's token is refused.
  assert.equal((await post('https://partner.example.id/x', s.ta.appId, authHeaders(s.ta, s.patient))).statusCode, 401);

  const del = await s.ta.app.inject({
    method: 'DELETE',
    url: `/api/admin/webhooks/${id}`,
    headers: bearer(s, s.adminToken),
  });
  assert.equal(del.statusCode, 200);
  assert.equal(envelope(del).data.active, false);
  const gone = await s.ta.app.inject({
    method: 'DELETE',
    url: '/api/admin/webhooks/no-such-webhook',
    headers: bearer(s, s.adminToken),
  });
  assert.equal(gone.statusCode, 404);
  assert.equal(envelope(gone).code, 'WEBHOOK_NOT_FOUND');
});

test('private and loopback addresses are refused unless WEBHOOK_ALLOW_PRIVATE_URLS', async (t) => {
  const s = await setup(t, { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' });
  for (const url of [
    'http://127.0.0.1:8080/x',
    'http://10.1.2.3/x',
    'http://[::1]/x',
    'http://169.254.169.254/latest',
    'http://localhost/x',
  ]) {
    const res = await s.ta.app.inject({
      method: 'POST',
      url: `/api/admin/apps/${s.ta.appId}/webhooks`,
      headers: bearer(s, s.adminToken),
      payload: { url },
    });
    assert.equal(res.statusCode, 422, url);
    assert.equal(envelope(res).code, 'WEBHOOK_URL_NOT_ALLOWED');
  }
  assert.equal(
    (await s.ta.db.selectFrom('webhooks').select('id').where('app_id', '=', s.ta.appId).execute()).length,
    0,
  );
});

test('order events are POSTed signed; a failing receiver is retried with backoff, then marked failed', async (t) => {
  const s = await setup(t, { WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_RETRY_BASE_SECONDS: '10' });
  // The first two calls fail (500), the rest succeed.
  const receiver = await startReceiver(t, (n) => (n <= 2 ? 500 : 200));
  const hook = await registerWebhook(s, receiver.url);
  const id = await paidOrder(s);
  await s.ta.app.services.notifications.runJob(); // fan-out: 2 deliveries, both called (500, 500)
  assert.equal(receiver.received.length, 2);
  for (const r of receiver.received) {
    assert.ok(verify(hook.secret, r.headers, r.body), 'signature verifies');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-cexup-timestamp'], String(Math.floor(s.clock.now / 1000)));
    assert.ok(!JSON.stringify(r.headers).includes(hook.secret) && !r.body.includes(hook.secret));
  }
  const first = JSON.parse(receiver.received[0]!.body);
  assert.deepEqual(Object.keys(first).sort(), ['created_at', 'data', 'id', 'type']);
  assert.equal(first.data.transaction_id, id);
  assert.ok(['order.booked', 'order.paid'].includes(first.type));
  assert.equal(receiver.received[0]!.headers['x-cexup-event'], first.type);
  assert.ok(!('patient_name' in first.data) && !('note' in first.data), 'no personal data');

  let log = envelope(await deliveries(s, `?webhook_id=${hook.id}`));
  assert.equal(log.meta.total, 2);
  for (const d of log.data) {
    assert.equal(d.state, 'pending');
    assert.equal(d.attempts, 1);
    assert.equal(d.last_status, 500);
    assert.equal(d.last_error, 'HTTP 500');
    assert.equal(d.next_attempt_at, new Date(s.clock.now + 10_000).toISOString());
  }
  // Not due yet: nothing is called.
  s.clock.now += 5_000;
  await s.ta.app.services.notifications.runJob();
  assert.equal(receiver.received.length, 2);
  s.clock.now += 5_000;
  await s.ta.app.services.notifications.runJob();
  assert.equal(receiver.received.length, 4);
  log = envelope(await deliveries(s, `?webhook_id=${hook.id}&state=delivered`));
  assert.equal(log.meta.total, 2);
  assert.ok(
    log.data.every((d: { attempts: number; last_status: number }) => d.attempts === 2 && d.last_status === 200),
  );
  // Each event's id is the same in every retry, so a receiver can drop repeats.
  const ids = receiver.received.map((r) => JSON.parse(r.body).id as string);
  assert.equal(new Set(ids).size, 2);

  // A receiver that keeps failing: 3 attempts (10 s, then 20 s apart), then failed.
  const down = await startReceiver(t, () => 503);
  await registerWebhook(s, down.url);
  await doctorAct(s, id, 'confirm');
  await s.ta.app.services.notifications.runJob();
  s.clock.now += 10_000;
  await s.ta.app.services.notifications.runJob();
  s.clock.now += 19_000;
  await s.ta.app.services.notifications.runJob();
  assert.equal(down.received.length, 2, 'the third attempt waits 20 s');
  s.clock.now += 1_000;
  await s.ta.app.services.notifications.runJob();
  s.clock.now += 60 * MIN;
  await s.ta.app.services.notifications.runJob();
  assert.equal(down.received.length, 3);
  const failed = envelope(await deliveries(s, '?state=failed'));
  assert.equal(failed.data.length, 1);
  assert.equal(failed.data[0].attempts, 3);
  assert.equal(failed.data[0].last_error, 'HTTP 503');
  assert.equal(failed.data[0].type, 'order.confirmed');
  assert.equal(failed.data[0].next_attempt_at, null);
  // The log is the admins': a patient is refused.
  assert.equal(
    (
      await s.ta.app.inject({
        method: 'GET',
        url: '/api/admin/webhook-deliveries',
        headers: authHeaders(s.ta, s.patient),
      })
    ).statusCode,
    401,
  );
});

test('two job runners on one database: each event once in each inbox and once at the receiver', async (t) => {
  const s = await setup(t);
  const receiver = await startReceiver(t);
  await registerWebhook(s, receiver.url);
  // A second API process: another app instance on the same database.
  const { handle } = await testDatabase();
  const other = await buildApp({ config: s.ta.config, database: handle, now: () => s.clock.now });
  t.after(() => other.close());
  checkEveryAnswer(other);

  const ids = [await paidOrder(s, '09:00'), await paidOrder(s, '09:30'), await paidOrder(s, '10:00')];
  for (const id of ids) await doctorAct(s, id, 'confirm');
  const runners = [s.ta.app.services.notifications, other.services.notifications];
  // Several passes of both at once: the fan-out, then the calls.
  for (let pass = 0; pass < 3; pass++) await Promise.all([...runners, ...runners].map((r) => r.runJob()));

  const orders = await s.ta.db.selectFrom('orders').select('id').where('transaction_id', 'in', ids).execute();
  const events = await s.ta.db
    .selectFrom('notification_outbox')
    .select(['event_key', 'processed_at'])
    .where(
      'order_id',
      'in',
      orders.map((o) => o.id),
    )
    .execute();
  assert.equal(events.length, 9, 'booked, paid, confirmed of three orders');
  assert.ok(events.every((e) => e.processed_at !== null));
  const inboxRows = await s.ta.db
    .selectFrom('notifications')
    .select(['event_key', 'user_id'])
    .where(
      'order_id',
      'in',
      orders.map((o) => o.id),
    )
    .execute();
  const patientRows = inboxRows.filter((r) => r.user_id === s.patient.userId);
  assert.equal(patientRows.length, 9);
  assert.equal(new Set(patientRows.map((r) => r.event_key)).size, 9);
  assert.equal(inboxRows.filter((r) => r.user_id === s.doctorUserId).length, 3, 'the doctor: three payments');

  const received = receiver.received.map((r) => JSON.parse(r.body).id as string);
  assert.equal(received.length, 9);
  assert.deepEqual(new Set(received), new Set(events.map((e) => e.event_key)));
  const res = await s.ta.app.inject({
    method: 'GET',
    url: '/api/notifications?data=100',
    headers: authHeaders(s.ta, s.patient),
  });
  assert.equal(envelope(res).meta.total, 9);
});

/** IPv6 translation forms and IPv4 spellings of 127.0.0.1 (and 10.0.0.1), on the receiver's port. */
const disguisedLoopback = (port: number) => [
  `http://2130706433:${port}/hook`, // decimal IPv4
  `http://0x7f.1:${port}/hook`, // hex and short IPv4
  `http://0177.0.0.1:${port}/hook`, // octal IPv4
  `http://[::7f00:1]:${port}/hook`, // IPv4-compatible ::/96
  `http://[::ffff:127.0.0.1]:${port}/hook`, // IPv4-mapped ::ffff:0:0/96
  `http://[::ffff:0:7f00:1]:${port}/hook`, // IPv4-translated ::ffff:0:0:0/96
  `http://[64:ff9b::7f00:1]:${port}/hook`, // NAT64 64:ff9b::/96
  `http://[64:ff9b::a00:1]:${port}/hook`,
  `http://[2002:7f00:1::1]:${port}/hook`, // 6to4 2002::/16
  `http://[2001:0:7f00:1::1]:${port}/hook`, // Teredo 2001::/32
];

test('IPv6 translation prefixes and other spellings of private addresses are refused at registration', async (t) => {
  const s = await setup(t, { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' });
  for (const url of disguisedLoopback(8080)) {
    const res = await s.ta.app.inject({
      method: 'POST',
      url: `/api/admin/apps/${s.ta.appId}/webhooks`,
      headers: bearer(s, s.adminToken),
      payload: { url },
    });
    assert.equal(res.statusCode, 422, url);
    const body = envelope(res);
    assert.equal(body.success, false);
    assert.equal(body.code, 'WEBHOOK_URL_NOT_ALLOWED', url);
    assert.ok(body.errors?.url, url);
  }
  assert.equal(
    (await s.ta.db.selectFrom('webhooks').select('id').where('app_id', '=', s.ta.appId).execute()).length,
    0,
  );
});

test('the same addresses are refused at delivery: nothing reaches the receiver', async (t) => {
  // Registered while private addresses were allowed; then the setting is turned off.
  const s = await setup(t);
  const receiver = await startReceiver(t);
  const hooks = [];
  for (const url of disguisedLoopback(Number(new URL(receiver.url).port))) hooks.push(await registerWebhook(s, url));
  const { handle } = await testDatabase();
  const strict = await buildApp({
    config: {
      ...s.ta.config,
      notifications: { ...s.ta.config.notifications, webhookAllowPrivate: false },
    },
    database: handle,
    now: () => s.clock.now,
  });
  t.after(() => strict.close());
  await paidOrder(s);
  await strict.services.notifications.runJob();

  assert.equal(receiver.received.length, 0, 'no call reached 127.0.0.1');
  for (const hook of hooks) {
    const log = envelope(await deliveries(s, `?webhook_id=${hook.id}`));
    assert.equal(log.meta.total, 2, 'booked and paid');
    for (const d of log.data) {
      assert.equal(d.attempts, 1);
      assert.equal(d.last_error, 'address not allowed');
      assert.equal(d.last_status, null);
      assert.equal(d.state, 'pending');
    }
  }
});

test('DNS rebinding: a name public at registration and private later never reaches the private address', async (t) => {
  const calls: string[] = [];
  // The name answers a public address once (the registration's check), then 127.0.0.1.
  const resolveHost = async (hostname: string) => {
    calls.push(hostname);
    return [{ address: calls.length === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
  };
  const s = await setup(t, { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }, { resolveHost });
  const receiver = await startReceiver(t);
  // "localhost": were the call to resolve the name again by itself, it would reach the receiver.
  const hook = await registerWebhook(s, `http://localhost:${new URL(receiver.url).port}/hook`);
  assert.deepEqual(calls, ['localhost']);
  await paidOrder(s);
  await s.ta.app.services.notifications.runJob();

  assert.equal(receiver.received.length, 0);
  assert.deepEqual(calls, ['localhost', 'localhost', 'localhost'], 'one resolution per call, none other');
  const log = envelope(await deliveries(s, `?webhook_id=${hook.id}`));
  assert.equal(log.meta.total, 2);
  assert.ok(log.data.every((d: { last_error: string }) => d.last_error === 'address not allowed'));
});

test('with WEBHOOK_ALLOW_PRIVATE_URLS=true a name is resolved once and called with its own Host header', async (t) => {
  const calls: string[] = [];
  const resolveHost = async (hostname: string) => {
    calls.push(hostname);
    return [{ address: '127.0.0.1', family: 4 }];
  };
  const s = await setup(t, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }, { resolveHost });
  const receiver = await startReceiver(t);
  const port = new URL(receiver.url).port;
  const hook = await registerWebhook(s, `http://receiver.cexup.test:${port}/hook`);
  await paidOrder(s);
  await s.ta.app.services.notifications.runJob();

  assert.equal(receiver.received.length, 2);
  for (const r of receiver.received) {
    assert.equal(r.headers.host, `receiver.cexup.test:${port}`);
    assert.ok(verify(hook.secret, r.headers, r.body));
  }
  assert.deepEqual(calls, ['receiver.cexup.test', 'receiver.cexup.test'], 'one resolution per call');
  const log = envelope(await deliveries(s, `?webhook_id=${hook.id}&state=delivered`));
  assert.equal(log.meta.total, 2);
});

test('the address guard: only public unicast passes; lookups hand over checked addresses only', async () => {
  for (const a of [
    '127.0.0.1',
    '10.0.0.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '::',
    '::1',
    '::7f00:1',
    '::808:808',
    '::ffff:127.0.0.1',
    '::ffff:8.8.8.8',
    '::ffff:0:7f00:1',
    '64:ff9b::808:808',
    '64:ff9b:1::1',
    '2002:808:808::1',
    '2001:0:808:808::1',
    'fc00::1',
    'fe80::1',
    'ff02::1',
    'not-an-address',
  ]) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111']) assert.equal(isPrivateAddress(a), false, a);

  const lookupOf = (answer: ResolvedAddress[], allowPrivate = false) =>
    promisify<string, LookupOptions, unknown>(
      guardedLookup(async () => answer, allowPrivate) as (
        h: string,
        o: LookupOptions,
        cb: (err: Error | null, r: unknown) => void,
      ) => void,
    );
  const mixed = [
    { address: '93.184.216.34', family: 4 },
    { address: '10.0.0.7', family: 4 },
  ];
  // One private address among public ones: the whole name is refused.
  await assert.rejects(lookupOf(mixed)('partner.example', { all: true }), /address not allowed/);
  await assert.rejects(lookupOf([])('partner.example', { all: true }), /address not allowed/);
  assert.deepEqual(await lookupOf(mixed, true)('partner.example', { all: true }), mixed);
});
