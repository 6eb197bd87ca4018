import { LRUCache } from 'lru-cache';
import type { Db } from '../../db/index.js';
import { newId, newSecret, sha256 } from '../../security/tokens.js';
import * as repo from './apps.repository.js';
import { systemClock } from '../../clock.js';

/** A client app (tenant) as the request pipeline sees it. */
export interface ClientApp {
  id: string;
  name: string;
  /** Hospital slugs the app is limited to; null: all of them. */
  hospitalScope: string[] | null;
}

export interface AppListing {
  id: string;
  name: string;
  hospitalScope: string[] | null;
  createdAt: string;
  revokedAt: string | null;
  keys: { id: string; prefix: string; createdAt: string; expiresAt: string | null; revokedAt: string | null }[];
}

/** Key caches' bounds (README, Operations): about 300 bytes an entry, so some 3 MB and 0.6 MB at most. */
export const APP_KEYS_CACHED = 10_000;
export const UNKNOWN_KEYS_CACHED = 2_000;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class AppsService {
  /**
   * Key hash to app, each entry trusted for `cacheTtlMs`: a revocation elsewhere shows within that
   * time. Known keys and unknown ones are kept apart, each bounded (least recently used go
   * first), so a flood of made-up keys cannot grow memory nor push the real keys out.
   */
  private readonly cache = new LRUCache<string, { app: ClientApp; until: number }>({ max: APP_KEYS_CACHED });
  private readonly unknown = new LRUCache<string, { until: number }>({ max: UNKNOWN_KEYS_CACHED });

  constructor(
    private readonly db: Db,
    private readonly now: () => number = systemClock,
    private readonly cacheTtlMs = 0,
  ) {}

  /** Creates an app and its first key. The key's value is returned once and stored only hashed. */
  async createApp(name: string, options: { key?: string; hospitals?: string[] } = {}) {
    const key = options.key ?? newSecret('cxk');
    const appId = newId();
    const keyId = newId();
    const now = this.now();
    await this.db.transaction().execute(async (trx) => {
      await repo.insertApp(trx, {
        id: appId,
        name,
        hospital_scope: options.hospitals?.length ? JSON.stringify(options.hospitals) : null,
        created_at: now,
        revoked_at: null,
      });
      await repo.insertKey(trx, keyRow(keyId, appId, key, now));
    });
    return { appId, keyId, key };
  }

  /** Adds a key to an app and lets its current keys keep working for `overlapHours`. */
  async rotate(appId: string, overlapHours: number) {
    this.forget();
    const app = await repo.findApp(this.db, appId);
    if (app === undefined || app.revoked_at !== null) return undefined;
    const key = newSecret('cxk');
    const keyId = newId();
    const now = this.now();
    const oldKeysExpireAt = now + overlapHours * 3_600_000;
    await this.db.transaction().execute(async (trx) => {
      await repo.expireCurrentKeys(trx, appId, oldKeysExpireAt);
      await repo.insertKey(trx, keyRow(keyId, appId, key, now));
    });
    return { appId, keyId, key, oldKeysExpireAt: new Date(oldKeysExpireAt).toISOString() };
  }

  /** Forgets cached keys, so a change to an app's scope shows at once in this process. */
  clearCache(): void {
    this.forget();
  }

  private forget(): void {
    this.cache.clear();
    this.unknown.clear();
  }

  /** Adds a key of a chosen value (the configured demo key) to an app. */
  async addKey(appId: string, key: string): Promise<void> {
    await repo.insertKey(this.db, keyRow(newId(), appId, key, this.now()));
  }

  async revokeApp(appId: string): Promise<boolean> {
    this.forget();
    const result = await repo.revokeApp(this.db, appId, this.now());
    return Number(result.numUpdatedRows) > 0;
  }

  async revokeKey(keyId: string): Promise<boolean> {
    this.forget();
    const result = await repo.revokeKey(this.db, keyId, this.now());
    return Number(result.numUpdatedRows) > 0;
  }

  async hasAnyApp(): Promise<boolean> {
    return (await repo.countApps(this.db)) > 0;
  }

  async list(): Promise<AppListing[]> {
    const [apps, keys] = await Promise.all([repo.listApps(this.db), repo.listKeys(this.db)]);
    return apps.map((a) => ({
      id: a.id,
      name: a.name,
      hospitalScope: parseScope(a.hospital_scope),
      createdAt: iso(a.created_at)!,
      revokedAt: iso(a.revoked_at),
      keys: keys
        .filter((k) => k.app_id === a.id)
        .map((k) => ({
          id: k.id,
          prefix: k.key_prefix,
          createdAt: iso(k.created_at)!,
          expiresAt: iso(k.expires_at),
          revokedAt: iso(k.revoked_at),
        })),
    }));
  }

  async authenticate(rawKey: string): Promise<ClientApp | undefined> {
    const hash = sha256(rawKey);
    const now = this.now();
    const hit = this.cache.get(hash);
    if (hit !== undefined && hit.until > now) return hit.app;
    const miss = this.unknown.get(hash);
    if (miss !== undefined && miss.until > now) return undefined;
    const row = await repo.findAppByKeyHash(this.db, hash, now);
    const app =
      row === undefined ? undefined : { id: row.id, name: row.name, hospitalScope: parseScope(row.hospital_scope) };
    if (this.cacheTtlMs > 0) {
      const until = now + this.cacheTtlMs;
      if (app === undefined) this.unknown.set(hash, { until });
      else this.cache.set(hash, { app, until });
    }
    return app;
  }

  /** Entries in the key caches (known keys, unknown keys): each has a fixed-size key, so a count bounds bytes. */
  cacheSize(): { known: number; unknown: number } {
    return { known: this.cache.size, unknown: this.unknown.size };
  }
}

function keyRow(id: string, appId: string, key: string, now: number) {
  // The prefix lets an operator recognise a key in a listing without revealing it.
  return {
    id,
    app_id: appId,
    key_hash: sha256(key),
    key_prefix: key.slice(0, 8),
    created_at: now,
    expires_at: null,
    revoked_at: null,
  };
}

function parseScope(raw: string | null): string[] | null {
  return raw === null ? null : (JSON.parse(raw) as string[]);
}
