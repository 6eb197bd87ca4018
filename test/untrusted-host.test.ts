// Issue 13, item 9: the Host header is the client's, so nothing is built or cached on it.
// Links use PUBLIC_URL (required outside demo mode) or, in a demo without it, the listening
// address; the catalogue and shop caches do not grow with made-up host names.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { insertCatalogue } from './catalogue-fixture.js';
import { authHeaders, build, envelope, TEST_PUBLIC_URL, uniqueName } from './helpers.js';
import { callBody, setup, type Setup } from './fixtures/notifications.js';

const FORGED = 'pay-cexup.evil.example';

/** Books a call on 2 December at `time` with the given Host header; returns the order. */
async function book(s: Setup, time: string, host: string) {
  const res = await s.ta.app.inject({
    method: 'POST',
    url: '/api/doctor/booking',
    headers: { ...authHeaders(s.ta, s.patient), host },
    payload: callBody(s, time),
  });
  assert.equal(res.statusCode, 201, res.body);
  return envelope(res).data as { transaction_id: string; payment_url: string };
}

test('a booking made with a forged Host header gets its payment link on PUBLIC_URL', async (t) => {
  const s = await setup(t, { PUBLIC_URL: 'https://api.cexup.test' });
  const order = await book(s, '09:00', FORGED);
  assert.match(order.payment_url, /^https:\/\/api\.cexup\.test\/pay\/[\w-]{20,}$/);
  const stored = await s.ta.db
    .selectFrom('orders')
    .select('payment_url')
    .where('transaction_id', '=', order.transaction_id)
    .executeTakeFirstOrThrow();
  assert.equal(stored.payment_url, order.payment_url, 'the stored link is the configured one');
  const read = await s.ta.app.inject({
    method: 'POST',
    url: '/api/user/order/show',
    headers: { ...authHeaders(s.ta, s.patient), host: 'other.evil.example' },
    payload: { transaction_id: order.transaction_id },
  });
  assert.equal(read.statusCode, 200, read.body);
  assert.equal(envelope(read).data.payment_url, order.payment_url);
  assert.ok(!read.body.includes('evil.example'), read.body);
});

test('demo mode without PUBLIC_URL: links are on the listening address, not on the Host header', async (t) => {
  const s = await setup(t);
  assert.equal(s.ta.config.publicUrl, undefined);
  await s.ta.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = s.ta.app.server.address() as AddressInfo;
  const order = await book(s, '09:30', FORGED);
  assert.ok(order.payment_url.startsWith(`http://127.0.0.1:${port}/pay/`), order.payment_url);
  assert.ok(!order.payment_url.includes('evil'));
});

test('2,000 distinct Host headers leave the catalogue and shop caches the size they were', async (t) => {
  const ta = await build(t, { env: { CACHE_TTL_MS: '60000' } });
  await insertCatalogue(ta.db, uniqueName('h').toLowerCase());
  const urls = ['/api/doctor', '/api/article', '/api/ecommerce/product'];
  const ask = async (host: string) => {
    for (const res of await Promise.all(
      urls.map((url) => ta.app.inject({ method: 'GET', url, headers: { ...authHeaders(ta), host } })),
    )) {
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(!res.body.includes('evil.example'), 'no answer names the forged host');
    }
  };
  await ask('api.cexup.test');
  const sizes = () => ({ catalogue: ta.app.services.catalogue.cacheSize(), shop: ta.app.services.shop.cacheSize() });
  const before = sizes();
  assert.ok(before.catalogue.entries > 0 && before.shop.entries > 0, 'the answers are cached');
  for (let i = 0; i < 2_000; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => ask(`h${i + j}.evil.example`)));
  }
  assert.deepEqual(sizes(), before);
  // The thumbs are on the configured origin.
  const doctors = envelope(await ta.app.inject({ method: 'GET', url: '/api/doctor', headers: authHeaders(ta) })).data;
  const thumbs = doctors.map((d: { thumb: string | null }) => d.thumb).filter((x: string | null) => x !== null);
  assert.ok(thumbs.every((u: string) => u.startsWith(`${TEST_PUBLIC_URL}/files/images/`)));
});
