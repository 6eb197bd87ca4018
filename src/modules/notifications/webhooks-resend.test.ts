import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authHeaders, envelope, registerPatient, uniqueName } from '../../../test/helpers.js';
import { createAdmin } from '../admin/index.js';
import {
  bearer,
  paidOrder,
  registerWebhook,
  setup,
  startReceiver,
  type Received,
  type Setup,
} from '../../../test/fixtures/notifications.js';

/** POST /api/admin/webhook-deliveries/:id/resend: an operator sends a delivery again. */

interface Delivery {
  id: string;
  webhook_id: string;
  event_id: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
}

const resend = (s: Setup, id: string, headers: Record<string, string> = bearer(s, s.adminToken)) =>
  s.ta.app.inject({ method: 'POST', url: `/api/admin/webhook-deliveries/${encodeURIComponent(id)}/resend`, headers });

async function log(s: Setup, webhookId: string, state?: string): Promise<Delivery[]> {
  const res = await s.ta.app.inject({
    method: 'GET',
    url: `/api/admin/webhook-deliveries?webhook_id=${webhookId}${state ? `&state=${state}` : ''}&data=100`,
    headers: bearer(s, s.adminToken),
  });
  assert.equal(res.statusCode, 200, res.body);
  return envelope(res).data as Delivery[];
}

const runJob = (s: Setup) => s.ta.app.services.notifications.runJob();

function signatureOk(secret: string, r: Received): boolean {
  const expected = `v1=${createHmac('sha256', secret)
    .update(`${String(r.headers['x-cexup-timestamp'])}.${r.body}`)
    .digest('hex')}`;
  return r.headers['x-cexup-signature'] === expected;
}

function assertError(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(envelope(res).code, code);
}

test('a delivery given up on is sent again once the receiver is fixed: same event, same body', async (t) => {
  const s = await setup(t, { WEBHOOK_MAX_ATTEMPTS: '2', WEBHOOK_RETRY_BASE_SECONDS: '10' });
  let up = false;
  const receiver = await startReceiver(t, () => (up ? 200 : 500));
  const hook = await registerWebhook(s, receiver.url);
  await paidOrder(s);
  await runJob(s); // booked and paid: 500, 500
  s.clock.now += 10_000;
  await runJob(s); // 500, 500: attempts used up
  assert.equal(receiver.received.length, 4);
  const failed = await log(s, hook.id, 'failed');
  assert.equal(failed.length, 2);
  const target = failed[0]!;
  assert.equal(target.attempts, 2);
  const before = receiver.received.filter((r) => r.headers['x-cexup-delivery'] === target.id);
  assert.equal(before.length, 2);

  // The partner is fixed; an operator sends it again.
  up = true;
  s.clock.now += 60_000;
  const res = await resend(s, target.id);
  assert.equal(res.statusCode, 200, res.body);
  const queued = envelope(res).data as Delivery;
  assert.equal(queued.id, target.id);
  assert.equal(queued.event_id, target.event_id);
  assert.equal(queued.webhook_id, hook.id);
  assert.equal(queued.state, 'pending');
  assert.equal(queued.attempts, 0, 'counted afresh');
  assert.equal(queued.next_attempt_at, new Date(s.clock.now).toISOString(), 'due at once');
  assert.equal(queued.last_status, 500, 'the previous answer until the next one');
  assert.equal(queued.delivered_at, null);
  // The same shape as in the log.
  const listed = (await log(s, hook.id)).find((d) => d.id === target.id)!;
  assert.deepEqual(listed, queued);

  // The job's next pass sends it, without waiting for any backoff.
  await runJob(s);
  assert.equal(receiver.received.length, 5, 'only the one re-sent');
  const again = receiver.received[4]!;
  assert.equal(again.headers['x-cexup-delivery'], target.id);
  assert.equal(again.headers['x-cexup-event-id'], target.event_id);
  assert.equal(JSON.parse(again.body).id, target.event_id, 'the same event id: the partner can drop a repeat');
  assert.equal(again.body, before[0]!.body, 'the same body');
  assert.ok(signatureOk(hook.secret, again), 'signed as every call');
  assert.equal(again.headers['x-cexup-timestamp'], String(Math.floor(s.clock.now / 1000)), 'a fresh timestamp');

  const after = await log(s, hook.id);
  const done = after.find((d) => d.id === target.id)!;
  assert.equal(done.state, 'delivered');
  assert.equal(done.attempts, 1);
  assert.equal(done.last_status, 200);
  assert.equal(done.last_error, null);
  assert.equal(done.delivered_at, new Date(s.clock.now).toISOString());
  assert.equal(after.find((d) => d.id !== target.id)!.state, 'failed', 'the other one is left alone');
});

test('a delivered one can be sent again; a queued one is 409; unknown ids 404', async (t) => {
  const s = await setup(t);
  const receiver = await startReceiver(t);
  const hook = await registerWebhook(s, receiver.url);
  await paidOrder(s);
  await runJob(s);
  const [first] = await log(s, hook.id, 'delivered');
  assert.ok(first);
  const firstCall = receiver.received.find((r) => r.headers['x-cexup-delivery'] === first.id)!;

  // Two operators at once: it is queued once.
  s.clock.now += 5_000;
  const both = await Promise.all([resend(s, first.id), resend(s, first.id)]);
  assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 409]);
  assertError(
    both.find((r) => r.statusCode === 409)!,
    409,
    'WEBHOOK_DELIVERY_PENDING',
  );
  const queued = envelope(both.find((r) => r.statusCode === 200)!).data as Delivery;
  assert.equal(queued.state, 'pending');
  assert.equal(queued.delivered_at, null);
  assert.equal(queued.last_status, 200);
  // Still queued: 409 again.
  assertError(await resend(s, first.id), 409, 'WEBHOOK_DELIVERY_PENDING');

  await runJob(s);
  const calls = receiver.received.filter((r) => r.headers['x-cexup-delivery'] === first.id);
  assert.equal(calls.length, 2, 'sent once more');
  assert.equal(calls[1]!.body, firstCall.body);
  assert.equal(JSON.parse(calls[1]!.body).id, first.event_id);
  const done = (await log(s, hook.id)).find((d) => d.id === first.id)!;
  assert.equal(done.state, 'delivered');
  assert.equal(done.attempts, 1);

  assertError(await resend(s, 'no-such-delivery'), 404, 'WEBHOOK_DELIVERY_NOT_FOUND');
  assertError(await resend(s, '0'.repeat(64)), 404, 'WEBHOOK_DELIVERY_NOT_FOUND');
});

test('nothing to send to: a deleted webhook or a revoked app is 409', async (t) => {
  const s = await setup(t);
  const receiver = await startReceiver(t);
  const hook = await registerWebhook(s, receiver.url);

  // A second partner app with a webhook of its own, and an order booked through it.
  const other = await s.ta.app.services.apps.createApp(`partner ${uniqueName('b')}`);
  const otherTa = { ...s.ta, apiKey: other.key, appId: other.appId };
  const created = await s.ta.app.inject({
    method: 'POST',
    url: `/api/admin/apps/${other.appId}/webhooks`,
    headers: bearer(s, s.adminToken),
    payload: { url: `${receiver.url}/other` },
  });
  assert.equal(created.statusCode, 201, created.body);
  const otherHook = envelope(created).data.id as string;
  await paidOrder({ ...s, patient: await registerPatient(otherTa) }, '09:30', otherTa);

  await paidOrder(s);
  await runJob(s);
  const [mine] = await log(s, hook.id, 'delivered');
  const [theirs] = await log(s, otherHook, 'delivered');
  assert.ok(mine && theirs);

  const del = await s.ta.app.inject({
    method: 'DELETE',
    url: `/api/admin/webhooks/${hook.id}`,
    headers: bearer(s, s.adminToken),
  });
  assert.equal(del.statusCode, 200);
  assertError(await resend(s, mine.id), 409, 'WEBHOOK_DELIVERY_TARGET_GONE');

  assert.equal(await s.ta.app.services.apps.revokeApp(other.appId), true);
  assertError(await resend(s, theirs.id), 409, 'WEBHOOK_DELIVERY_TARGET_GONE');

  // Neither was queued again.
  assert.equal((await log(s, hook.id)).find((d) => d.id === mine.id)!.state, 'delivered');
  assert.equal((await log(s, otherHook)).find((d) => d.id === theirs.id)!.state, 'delivered');
});

test('operators only: a patient token is 401, a hospital admin 403', async (t) => {
  const s = await setup(t);
  const receiver = await startReceiver(t, () => 500);
  const hook = await registerWebhook(s, receiver.url);
  await paidOrder(s);
  await runJob(s);
  const [delivery] = await log(s, hook.id);
  assert.ok(delivery);

  assertError(await resend(s, delivery.id, authHeaders(s.ta, s.patient)), 401, 'UNAUTHENTICATED');
  assertError(await resend(s, delivery.id, authHeaders(s.ta)), 401, 'UNAUTHENTICATED');

  const email = `${uniqueName('rs')}@cexup.test`;
  await createAdmin(s.ta.db, {
    name: 'Admin Rumah Sakit',
    email,
    password: 'admin-rs-sandi-2026',
    role: 'hospital_admin',
    hospitalIds: [],
  });
  const login = await s.ta.app.inject({
    method: 'POST',
    url: '/api/login/admin',
    headers: authHeaders(s.ta),
    payload: { email, password: 'admin-rs-sandi-2026' },
  });
  assert.equal(login.statusCode, 200, login.body);
  const hospitalAdmin = envelope(login).data.access_token as string;
  assertError(await resend(s, delivery.id, bearer(s, hospitalAdmin)), 403, 'ADMIN_ROLE_FORBIDDEN');
  assertError(await resend(s, 'no-such-delivery', bearer(s, hospitalAdmin)), 403, 'ADMIN_ROLE_FORBIDDEN');
});

test('webhooks made, deleted and re-sent are in the audit log, by whom, never with their secret', async (t) => {
  const s = await setup(t);
  const receiver = await startReceiver(t);
  const hook = await registerWebhook(s, receiver.url);
  await paidOrder(s);
  await runJob(s);
  const [delivered] = await log(s, hook.id, 'delivered');
  assert.ok(delivered);
  assert.equal((await resend(s, delivered.id)).statusCode, 200);
  const del = await s.ta.app.inject({
    method: 'DELETE',
    url: `/api/admin/webhooks/${hook.id}`,
    headers: bearer(s, s.adminToken),
  });
  assert.equal(del.statusCode, 200);
  // A second delete changes nothing, and writes nothing.
  assert.equal(
    (
      await s.ta.app.inject({
        method: 'DELETE',
        url: `/api/admin/webhooks/${hook.id}`,
        headers: bearer(s, s.adminToken),
      })
    ).statusCode,
    200,
  );

  const audit = async (query: string) => {
    const res = await s.ta.app.inject({
      method: 'GET',
      url: `/api/admin/audit-log?${query}`,
      headers: bearer(s, s.adminToken),
    });
    assert.equal(res.statusCode, 200, res.body);
    return envelope(res).data as { action: string; actor_user_id: string; before: any; after: any }[];
  };
  const onHook = await audit(`entity=webhook&entity_id=${hook.id}`);
  assert.deepEqual(
    onHook.map((a) => a.action),
    ['delete', 'create'],
  );
  assert.equal(onHook[0]!.after.active, false);
  assert.equal(onHook[1]!.after.url, receiver.url);
  const resent = await audit(`entity=webhook_delivery&entity_id=${delivered.id}`);
  assert.deepEqual(
    resent.map((a) => a.action),
    ['resend'],
  );
  assert.equal(resent[0]!.after.state, 'pending');
  const admin = onHook[0]!.actor_user_id;
  assert.ok(admin && resent[0]!.actor_user_id === admin);
  assert.ok(!JSON.stringify([onHook, resent]).includes(hook.secret), 'no webhook secret in the audit');
});
