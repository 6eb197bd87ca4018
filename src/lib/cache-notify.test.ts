// Catalogue-version changes pushed to processes (issue #17): on PostgreSQL a bump is announced with
// NOTIFY at its commit, and every app instance's listener hands it to its caches, so another
// instance shows a change without re-reading the version on the way of a request.
//
// Two app instances on one database stand for two API processes. Each has a cache TTL of a minute
// and a clock that does not move: a change can only reach the other instance by being pushed (or,
// where a test moves that clock, by the TTL running out). The PostgreSQL tests are skipped on
// SQLite, which has no notifications; the cache's own rules are tested on both.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { insertCatalogue, type Fixture } from '../../test/catalogue-fixture.js';
import { checkEveryAnswer } from '../../test/contract.js';
import { onPostgres, testConfig, testDatabase, uniqueName, type TestApp } from '../../test/helpers.js';
import { buildApp } from '../app.js';
import { systemClock } from '../clock.js';
import { createAdmin } from '../modules/admin/index.js';
import { CATALOGUE_VERSION } from '../modules/catalogue/catalogue.service.js';
import { CACHE_VERSION_CHANNEL, VersionedCache, type VersionFeed } from './cache.js';
import { CacheListener } from './cache-notify.js';

const PG_ONLY = onPostgres ? false : 'LISTEN/NOTIFY is PostgreSQL only: set TEST_DATABASE_URL to run this test';
const TTL_MS = 60_000;

interface Instance extends TestApp {
  clock: { now: number };
}

/**
 * An app instance on this file's database with a long cache TTL, a clock of its own that only the
 * test moves, and its listener on (`build()` gives none with a clock of the test's: see BuildOptions).
 */
async function instance(t: TestContext): Promise<Instance> {
  const { handle, url } = await testDatabase();
  const config = testConfig({ CACHE_TTL_MS: String(TTL_MS) }, url);
  const clock = { now: systemClock() };
  const app = await buildApp({ config, database: handle, now: () => clock.now, cacheNotifications: true });
  t.after(() => app.close());
  checkEveryAnswer(app);
  const created = await app.services.apps.createApp(`test app ${randomBytes(3).toString('hex')}`);
  await app.cacheListener!.whenListening();
  return { app, db: handle.db, config, logs: [], apiKey: created.key, appId: created.appId, clock };
}

const doctorName = async (ta: TestApp, fx: Fixture): Promise<string | number> => {
  const res = await ta.app.inject({
    method: 'GET',
    url: `/api/doctor/${fx.prefix}-andi`,
    headers: { 'x-api-key': ta.apiKey },
  });
  return res.statusCode === 200 ? (res.json().data.name as string) : res.statusCode;
};

/** What `read` answers once it answers `expected`, or what it still answered after about 10 s. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<T> {
  let seen = await read();
  for (let i = 0; i < 200 && seen !== expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = await read();
  }
  return seen;
}

/** A change of a catalogue row, as any process's would be: in a transaction that bumps the version. */
async function rename(ta: TestApp, fx: Fixture, name: string, rollBack = false): Promise<void> {
  const change = ta.db.transaction().execute(async (trx) => {
    await trx.updateTable('doctors').set({ name }).where('id', '=', fx.doctors.andi).execute();
    await VersionedCache.bump(trx, CATALOGUE_VERSION);
    if (rollBack) throw new Error('rolled back');
  });
  if (rollBack) await assert.rejects(change, /rolled back/);
  else await change;
}

const catalogue = async (ta: TestApp) => insertCatalogue(ta.db, uniqueName('cn').toLowerCase());

test(
  'a back-office change made through one instance shows in the other without waiting for its TTL',
  { skip: PG_ONLY },
  async (t) => {
    const [a, b] = [await instance(t), await instance(t)];
    const fx = await catalogue(a);
    const name = await doctorName(b, fx);
    assert.equal(typeof name, 'string');
    assert.equal(await doctorName(a, fx), name);

    const email = `${uniqueName('admin')}@cexup.test`;
    await createAdmin(a.db, { name: 'Admin Katalog', email, password: 'sangat-rahasia-2026' });
    const login = await a.app.inject({
      method: 'POST',
      url: '/api/login/admin',
      headers: { 'x-api-key': a.apiKey },
      payload: { email, password: 'sangat-rahasia-2026' },
    });
    assert.equal(login.statusCode, 200, login.body);
    const unpublish = await a.app.inject({
      method: 'POST',
      url: `/api/admin/doctors/${fx.prefix}-andi/unpublish`,
      headers: { 'x-api-key': a.apiKey, authorization: `Bearer ${login.json().data.access_token}` },
    });
    assert.equal(unpublish.statusCode, 200, unpublish.body);

    assert.equal(await doctorName(a, fx), 404, 'the instance that made the change shows it at once');
    // B's clock has not moved: only the notification can have told it.
    assert.equal(await eventually(() => doctorName(b, fx), 404), 404, 'the other instance shows it too');
  },
);

test('a rolled-back change notifies nothing; a committed one is announced once', { skip: PG_ONLY }, async (t) => {
  const [a, b] = [await instance(t), await instance(t)];
  const fx = await catalogue(a);
  const before = await doctorName(b, fx);

  // A listener of the test's own, to see exactly what is announced.
  const { url } = await testDatabase();
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  t.after(() => listener.end());
  const payloads: string[] = [];
  let sentinel: () => void = () => undefined;
  const sentinelSeen = new Promise<void>((resolve) => (sentinel = resolve));
  listener.on('notification', (message) => {
    if (message.payload === 'sentinel:0') sentinel();
    else payloads.push(message.payload ?? '');
  });
  await listener.query(`LISTEN ${CACHE_VERSION_CHANNEL}`);

  await rename(a, fx, 'dr. Tidak Jadi', true);
  // Notifications arrive in commit order: once this one is here, one of the rollback would be too.
  await sql`SELECT pg_notify(${CACHE_VERSION_CHANNEL}, 'sentinel:0')`.execute(a.db);
  await sentinelSeen;
  assert.deepEqual(payloads, [], 'nothing was announced for the rolled-back change');
  assert.equal(await doctorName(b, fx), before);

  await rename(a, fx, 'dr. Andi Baru');
  const { version } = await a.db
    .selectFrom('cache_versions')
    .select('version')
    .where('name', '=', CATALOGUE_VERSION)
    .executeTakeFirstOrThrow();
  assert.equal(await eventually(() => doctorName(b, fx), 'dr. Andi Baru'), 'dr. Andi Baru');
  await eventually(async () => payloads.length, 1);
  assert.deepEqual(payloads, [`${CATALOGUE_VERSION}:${version}`]);
});

test(
  'a listener whose connection is killed reconnects, and a change made while it was down then shows',
  { skip: PG_ONLY },
  async (t) => {
    const [a, b] = [await instance(t), await instance(t)];
    const fx = await catalogue(a);
    await doctorName(b, fx);
    const listener = b.app.cacheListener!;
    const pid = listener.backendPid!;
    assert.equal(listener.connections, 1);

    const admin = new pg.Client({ connectionString: (await testDatabase()).url });
    await admin.connect();
    t.after(() => admin.end());
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // Gone for certain before the change: it cannot be announced on that connection.
    for (let i = 0; i < 200; i++) {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
      if (rowCount === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await rename(a, fx, 'dr. Andi Selagi Putus');

    assert.equal(
      await eventually(() => doctorName(b, fx), 'dr. Andi Selagi Putus'),
      'dr. Andi Selagi Putus',
      'read once on reconnecting',
    );
    await listener.whenListening();
    assert.equal(listener.connections, 2, 'listening again on a new connection');
    assert.notEqual(listener.backendPid, pid);

    // And what comes after the reconnection is pushed as before.
    await rename(a, fx, 'dr. Andi Tersambung');
    assert.equal(await eventually(() => doctorName(b, fx), 'dr. Andi Tersambung'), 'dr. Andi Tersambung');
  },
);

test(
  'with its listener stopped, an instance still shows a change once CACHE_TTL_MS has passed',
  { skip: PG_ONLY },
  async (t) => {
    const [a, b] = [await instance(t), await instance(t)];
    const fx = await catalogue(a);
    const before = await doctorName(b, fx);
    await b.app.cacheListener!.close();

    await rename(a, fx, 'dr. Andi Tanpa Kabar');
    assert.equal(await doctorName(b, fx), before, 'nothing pushed: within the TTL, the cached answer');
    b.clock.now += TTL_MS;
    assert.equal(await doctorName(b, fx), 'dr. Andi Tanpa Kabar', 'the version re-read, as without notifications');
  },
);

/** A feed the test drives, for the cache's own rules (both databases). */
function fakeFeed(): VersionFeed & { epoch: number | undefined } {
  return {
    epoch: 1,
    register: () => undefined,
    listeningEpoch() {
      return this.epoch;
    },
  };
}

test('a cache trusts what its feed pushes while it listens, and reads for itself when it does not', async () => {
  const { handle } = await testDatabase();
  const name = `push-test-${randomBytes(3).toString('hex')}`;
  const feed = fakeFeed();
  const clock = { now: systemClock() };
  const cache = new VersionedCache(handle.db, name, TTL_MS, 100, () => clock.now, undefined, feed);
  const value = (answer: string) => cache.get('key', async () => answer);
  assert.equal(await value('first'), 'first');

  // Changed by another process and announced: shown at once, with no read and no time passing.
  await VersionedCache.bump(handle.db, name);
  cache.pushed(1, 1);
  assert.equal(await value('second'), 'second');

  // A push of the same version changes nothing.
  cache.pushed(1, 1);
  assert.equal(await value('third'), 'second');

  // Not listening: the version read at the last push is kept for the TTL, then read again.
  feed.epoch = undefined;
  await VersionedCache.bump(handle.db, name);
  assert.equal(await value('third'), 'second');
  clock.now += TTL_MS;
  assert.equal(await value('third'), 'third');
});

test('a local change shows at once, even if an older push arrives after it', async () => {
  const { handle } = await testDatabase();
  const name = `push-test-${randomBytes(3).toString('hex')}`;
  const feed = fakeFeed();
  const clock = { now: systemClock() };
  const cache = new VersionedCache(handle.db, name, TTL_MS, 100, () => clock.now, undefined, feed);
  const value = (answer: string) => cache.get('key', async () => answer);
  await VersionedCache.bump(handle.db, name);
  cache.pushed(1, 1);
  assert.equal(await value('first'), 'first');

  // This process changes the catalogue (version 2) and tells its cache; the announcement of
  // version 1, late, comes after.
  await VersionedCache.bump(handle.db, name);
  cache.invalidate();
  cache.pushed(1, 1);
  assert.equal(await value('second'), 'second');
  // Version 2 announced at last: nothing changes.
  cache.pushed(2, 1);
  assert.equal(await value('third'), 'second');
});

test('a listener closed while it is still connecting closes', { skip: PG_ONLY, timeout: 60_000 }, async () => {
  // pg's connect() may never settle once its client is ended mid-handshake: close() must not wait
  // for it (it did, and an app closed at start-up hung). Closing at once and after a millisecond
  // or two hits that window more often than not.
  const { url } = await testDatabase();
  const log = { info: () => undefined, warn: () => undefined };
  for (const delayMs of [0, 0, 0, 0, 1, 1, 2, 2]) {
    const listener = new CacheListener({ url, ttlMs: TTL_MS, log });
    listener.start();
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await listener.close();
    assert.equal(listener.listening, false);
  }
});
