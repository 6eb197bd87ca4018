import { PostgresAdapter, sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Db } from '../db/index.js';
import { systemClock } from '../clock.js';
import { approxBytes, MiB } from '../sizes.js';

/** The PostgreSQL channel a version bump is announced on (payload `name:version`). */
export const CACHE_VERSION_CHANNEL = 'cexup_cache_versions';

/**
 * Where a cache hears of version changes pushed by the database (lib/cache-notify.ts). While
 * the feed listens, every change is announced to it, so a cache may trust its version.
 */
export interface VersionFeed {
  register(name: string, cache: VersionedCache): void;
  /** The number of the connection notifications arrive on now; undefined while none does. */
  listeningEpoch(): number | undefined;
}

/**
 * Catalogue answers cached in this process, valid while the catalogue's version (a row in the
 * database, bumped by every change) stays the same. The version is read at most once per
 * `ttlMs`, so a change made by any process shows everywhere within that time; under traffic it
 * is read ahead, so requests do not wait for it.
 *
 * With a feed (PostgreSQL), changes are pushed instead: while the feed listens, the version it
 * gave (or one read while it listened) is trusted with no read at all, and the feed re-reads every
 * `ttlMs` in the background in case a notification was missed. Without it listening, as above.
 *
 * Bounded twice: at most `maxEntries` entries and `maxBytes` bytes (as `approxBytes` counts
 * them); past either, the least recently used entries go. A value larger than the whole bound
 * is answered but not kept.
 */
export class VersionedCache {
  private readonly entries: LRUCache<string, { version: number; value: unknown }>;
  private version = -1;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<number> | undefined;
  /** Reads of the version begun (pushes count as reads), and the latest one whose answer was taken. */
  private reads = 0;
  private applied = 0;
  /** The feed's connection this version came while listening on; -1: not one to trust. */
  private trustedEpoch = -1;
  /** After a local change, until a read begun after it: pushes may be older than the change. */
  private awaitingRead = false;

  constructor(
    private readonly db: Db,
    private readonly name: string,
    private readonly ttlMs: number,
    maxEntries = 20_000,
    private readonly now: () => number = systemClock,
    maxBytes = 32 * MiB,
    private readonly feed?: VersionFeed,
  ) {
    this.entries = new LRUCache({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (entry, key) => approxBytes(key) + approxBytes(entry.value) + 64,
    });
    // With no TTL every request reads the version: nothing for a feed to spare.
    if (ttlMs > 0) feed?.register(name, this);
  }

  /** Entries kept and their bytes (as counted for the bound). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.entries.calculatedSize };
  }

  async currentVersion(): Promise<number> {
    // Every change since this version was read would have been pushed: no read needed.
    if (this.trustedEpoch >= 0 && this.trustedEpoch === this.feed?.listeningEpoch()) return this.version;
    const age = this.now() - this.checkedAt;
    if (this.ttlMs > 0 && age < this.ttlMs) {
      // Read ahead once half the time has gone, so that under traffic no request waits for the
      // read (on a busy database server, the wait was the slowest answers of every list).
      if (age >= this.ttlMs / 2) void this.refresh().catch(() => undefined);
      return this.version;
    }
    return this.refresh();
  }

  /** One read at a time, however many requests are waiting for it. */
  private refresh(): Promise<number> {
    if (this.pending === undefined) {
      const read = this.readVersion(++this.reads).finally(() => {
        if (this.pending === read) this.pending = undefined;
      });
      this.pending = read;
    }
    return this.pending;
  }

  private async readVersion(read: number): Promise<number> {
    // Listening from before the read began: any later change is pushed, so the answer can be trusted.
    const epoch = this.ttlMs > 0 ? this.feed?.listeningEpoch() : undefined;
    const row = await this.db
      .selectFrom('cache_versions')
      .select('version')
      .where('name', '=', this.name)
      .executeTakeFirst();
    // A read that began before a local change (see invalidate), or before a push, must not undo it.
    if (read < this.applied) return this.version;
    this.applied = read;
    this.awaitingRead = false;
    this.take(row?.version ?? 0, epoch ?? -1);
    return this.version;
  }

  private take(version: number, epoch: number): void {
    if (version !== this.version) this.entries.clear();
    this.version = version;
    this.checkedAt = this.now();
    this.trustedEpoch = epoch;
  }

  /**
   * The feed's news: the version now in the database (announced by a bump, or read by the feed
   * on connection `epoch`). Newer than any read of this cache begun before it.
   */
  pushed(version: number, epoch: number): void {
    if (this.awaitingRead) return;
    this.applied = ++this.reads;
    this.take(version, epoch);
  }

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const version = await this.currentVersion();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.version === version) return hit.value as T;
    const value = await load();
    this.set(key, version, value);
    return value;
  }

  /** Several keys at once: the missing ones are loaded together. */
  async getMany<T>(
    keys: readonly string[],
    load: (missing: string[]) => Promise<Map<string, T>>,
  ): Promise<Map<string, T>> {
    const version = await this.currentVersion();
    const found = new Map<string, T>();
    const missing: string[] = [];
    for (const key of keys) {
      const hit = this.entries.get(key);
      if (hit !== undefined && hit.version === version) found.set(key, hit.value as T);
      else missing.push(key);
    }
    if (missing.length > 0) {
      for (const [key, value] of await load(missing)) {
        this.set(key, version, value);
        found.set(key, value);
      }
    }
    return found;
  }

  private set(key: string, version: number, value: unknown): void {
    this.entries.set(key, { version, value });
  }

  /**
   * Marks the catalogue changed, for every process. Call it in the transaction of the change.
   * On PostgreSQL the new version is also announced to listening processes (lib/cache-notify.ts):
   * NOTIFY is delivered at commit, and never for a change rolled back.
   */
  static async bump(db: Db, name: string): Promise<void> {
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`
        WITH bumped AS (
          INSERT INTO cache_versions (name, version) VALUES (${name}, 1)
          ON CONFLICT (name) DO UPDATE SET version = cache_versions.version + 1
          RETURNING name, version
        )
        SELECT pg_notify(${CACHE_VERSION_CHANNEL}, name || ':' || version) FROM bumped`.execute(db);
      return;
    }
    await db
      .insertInto('cache_versions')
      .values({ name, version: 1 })
      .onConflict((oc) => oc.column('name').doUpdateSet({ version: sql<number>`cache_versions.version + 1` }))
      .execute();
  }

  /** Forgets this process's view, so its own change shows at once here. */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
    this.trustedEpoch = -1;
    // A read on its way may have begun before the change: the next request reads anew, and only
    // a read begun from now on is taken (a push on its way may be older than the change too).
    this.pending = undefined;
    this.applied = this.reads + 1;
    this.awaitingRead = true;
  }
}
