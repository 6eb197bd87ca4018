// Issue 13, item 9: every in-process cache has a bound and evicts at it (docs/operations.md, Memory bounds).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VersionedCache } from '../src/lib/cache.js';
import { AppsService, UNKNOWN_KEYS_CACHED } from '../src/modules/apps/apps.service.js';
import { addDays, datesFrom, dateRangesCached } from '../src/lib/time.js';
import { approxBytes } from '../src/sizes.js';
import { testDatabase } from './helpers.js';

test('the versioned cache (catalogue, shop, schedules) keeps within its bytes, least recently used out', async () => {
  const { handle } = await testDatabase();
  const maxBytes = 64 * 1024;
  const cache = new VersionedCache(handle.db, 'bounds-test', 60_000, 10_000, () => 0, maxBytes);
  const value = (i: number) => `${i}:`.padEnd(2_000, 'x'); // about 4 KB as counted
  let loads = 0;
  const get = (i: number) =>
    cache.get(`k${i}`, async () => {
      loads += 1;
      return value(i);
    });
  for (let i = 0; i < 100; i++) {
    assert.equal(await get(i), value(i));
    if (i === 5) await get(0); // recently used: kept while 1-4 go
  }
  assert.equal(loads, 100);
  const { entries, bytes } = cache.size;
  assert.ok(bytes <= maxBytes, `${bytes} bytes kept`);
  assert.ok(entries >= 10 && entries < 20, `${entries} entries kept`);
  loads = 0;
  await get(99);
  assert.equal(loads, 0, 'the newest is still there');
  await get(1);
  assert.equal(loads, 1, 'the oldest was evicted and is loaded again');

  // A value larger than the whole bound is answered, not kept.
  const huge = 'y'.repeat(maxBytes);
  assert.equal(await cache.get('huge', async () => huge), huge);
  assert.ok(cache.size.bytes <= maxBytes);
});

test('the versioned cache also keeps at most its entry count', async () => {
  const { handle } = await testDatabase();
  const cache = new VersionedCache(handle.db, 'bounds-test-2', 60_000, 10, () => 0);
  for (let i = 0; i < 50; i++) await cache.get(`k${i}`, async () => i);
  assert.equal(cache.size.entries, 10);
});

test('app keys: made-up keys fill a bounded cache of their own and never push a real key out', async () => {
  const { handle } = await testDatabase();
  const apps = new AppsService(handle.db, () => 1_000, 60_000);
  const { key, appId } = await apps.createApp('bounds app');
  assert.equal((await apps.authenticate(key))?.id, appId);
  for (let i = 0; i < UNKNOWN_KEYS_CACHED + 300; i++) {
    assert.equal(await apps.authenticate(`cxk_made_up_${i}`), undefined);
  }
  assert.deepEqual(apps.cacheSize(), { known: 1, unknown: UNKNOWN_KEYS_CACHED });
  assert.equal((await apps.authenticate(key))?.id, appId);
});

test('date ranges: at most 1,000 kept', () => {
  for (let i = 0; i < 1_500; i++) datesFrom(addDays('2026-01-01', i), 7);
  assert.equal(dateRangesCached(), 1_000);
  assert.deepEqual(datesFrom('2026-12-30', 3), ['2026-12-30', '2026-12-31', '2027-01-01']);
});

test('approxBytes counts what Maps and Sets hold, not only plain objects', () => {
  const text = 'x'.repeat(1_000);
  assert.ok(approxBytes(new Map([['k', text]])) > 2_000);
  assert.ok(approxBytes(new Set([text])) > 2_000);
  assert.ok(approxBytes({ list: [text, text] }) > 4_000);
});
