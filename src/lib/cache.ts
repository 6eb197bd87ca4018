import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Db } from '../db/index.js';
import { systemClock } from '../clock.js';
import { approxBytes, MiB } from '../sizes.js';

/**
 * Catalogue answers cached in this process, valid while the catalogue's version (a row in the
 * database, bumped by every change) stays the same. The version is read at most once per
 * `ttlMs`, so a change made by any process shows everywhere within that time; under traffic it
 * is read ahead, so requests do not wait for it.
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
  /** Reads of the version begun, and the latest one whose answer was taken. */
  private reads = 0;
  private applied = 0;

  constructor(
    private readonly db: Db,
    private readonly name: string,
    private readonly ttlMs: number,
    maxEntries = 20_000,
    private readonly now: () => number = systemClock,
    maxBytes = 32 * MiB,
  ) {
    this.entries = new LRUCache({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (entry, key) => approxBytes(key) + approxBytes(entry.value) + 64,
    });
  }

  /** Entries kept and their bytes (as counted for the bound). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.entries.calculatedSize };
  }

  async currentVersion(): Promise<number> {
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
    const row = await this.db
      .selectFrom('cache_versions')
      .select('version')
      .where('name', '=', this.name)
      .executeTakeFirst();
    const version = row?.version ?? 0;
    // A read that began before a local change (see invalidate) must not undo a later one.
    if (read < this.applied) return this.version;
    this.applied = read;
    if (version !== this.version) this.entries.clear();
    this.version = version;
    this.checkedAt = this.now();
    return version;
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

  /** Marks the catalogue changed, for every process. Call it in the transaction of the change. */
  static async bump(db: Db, name: string): Promise<void> {
    await db
      .insertInto('cache_versions')
      .values({ name, version: 1 })
      .onConflict((oc) => oc.column('name').doUpdateSet({ version: sql<number>`cache_versions.version + 1` }))
      .execute();
  }

  /** Forgets this process's view, so its own change shows at once here. */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
    // A read on its way may have begun before the change: the next request reads anew.
    this.pending = undefined;
  }
}
