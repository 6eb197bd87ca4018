import { PostgresAdapter } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import { newId, newSecret, sha256 } from '../../security/tokens.js';
import type { Database } from '../../db/schema.js';
import * as repo from './apps.repository.js';
import { systemClock } from '../../clock.js';
import { approxBytes, MiB } from '../../sizes.js';

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

/** What a key does now: works, works until its overlap ends, no longer works (rotated out), revoked. */
export type KeyState = 'active' | 'expiring' | 'expired' | 'revoked';

/** An app as the back office shows it: its keys by prefix, never their values nor hashes. */
export interface AppResource {
  id: string;
  name: string;
  /** Hospital slugs the app is limited to; null: all of them. */
  hospital_scope: string[] | null;
  created_at: string;
  revoked_at: string | null;
  keys: {
    id: string;
    prefix: string;
    created_at: string;
    expires_at: string | null;
    revoked_at: string | null;
    state: KeyState;
  }[];
}

/** One audit row of a change to an app, as the admin module's `writeAudit` (admin-audit.ts) takes it. */
export interface AppAuditChange {
  action: 'create' | 'update' | 'rotate' | 'revoke';
  entity: 'app' | 'app_key';
  entityId: string;
  before: object | null;
  after: object | null;
}

/** Writes a change's audit rows in the change's own transaction, at the change's time. */
export type AppAudit = (trx: Db, changes: AppAuditChange[], at: number) => Promise<void>;

/** Key caches' bounds (docs/operations.md, Memory bounds): about 300 bytes an entry, so some 3 MB and 0.6 MB at most. */
export const APP_KEYS_CACHED = 10_000;
export const UNKNOWN_KEYS_CACHED = 2_000;
/** And in bytes (as src/sizes.ts counts them): an app with a long name or scope list counts for more. */
export const APP_KEYS_BYTES = 8 * MiB;
export const UNKNOWN_KEYS_BYTES = 1 * MiB;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class AppsService {
  /**
   * Key hash to app, each entry trusted for `cacheTtlMs`: a revocation elsewhere shows within that
   * time. Known keys and unknown ones are kept apart, each bounded (least recently used go
   * first), so a flood of made-up keys cannot grow memory nor push the real keys out.
   */
  private readonly cache = new LRUCache<string, { app: ClientApp; until: number }>({
    max: APP_KEYS_CACHED,
    maxSize: APP_KEYS_BYTES,
    sizeCalculation: (entry, key) => approxBytes(key) + approxBytes(entry) + 64,
  });
  private readonly unknown = new LRUCache<string, { until: number }>({
    max: UNKNOWN_KEYS_CACHED,
    maxSize: UNKNOWN_KEYS_BYTES,
    sizeCalculation: (entry, key) => approxBytes(key) + approxBytes(entry) + 64,
  });

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

  // -------------------------------------------------------------------------------------------
  // The back office (admin-apps.routes.ts): each change in one transaction with its audit rows,
  // the key caches of this process forgotten once it is committed. The back office's own app is
  // never found. Keys appear only in the answers of create and rotate, never in audit rows.

  /** A page of apps, newest first, and how many there are. */
  async page(limit: number, offset: number): Promise<{ rows: AppResource[]; total: number }> {
    const [apps, total] = await Promise.all([repo.listAppsPage(this.db, limit, offset), repo.countApps(this.db)]);
    return { rows: await this.resources(this.db, apps, this.now()), total };
  }

  /** One app, or undefined (the back office's included). */
  async find(appId: string): Promise<AppResource | undefined> {
    const app = await repo.findApp(this.db, appId);
    return app === undefined ? undefined : (await this.resources(this.db, [app], this.now()))[0];
  }

  /** Creates an app and its first key; the key's value is in this answer only. */
  async createAudited(
    input: { name: string; hospitals: string[] | null },
    audit: AppAudit,
  ): Promise<{ app: AppResource; keyId: string; key: string }> {
    const scope = await this.checkedScope(input.hospitals);
    const key = newSecret('cxk');
    const appId = newId();
    const keyId = newId();
    const now = this.now();
    const app = await this.db.transaction().execute(async (trx) => {
      await repo.insertApp(trx, {
        id: appId,
        name: input.name,
        hospital_scope: scope,
        created_at: now,
        revoked_at: null,
      });
      await repo.insertKey(trx, keyRow(keyId, appId, key, now));
      const after = await this.current(trx, appId, now);
      await audit(
        trx,
        [{ action: 'create', entity: 'app', entityId: appId, before: null, after: snapshotOf(after) }],
        now,
      );
      return after;
    });
    this.forget();
    return { app, keyId, key };
  }

  /** Changes an app's name or scope (null: every hospital); the scope applies at once here. */
  async updateAudited(
    appId: string,
    changes: { name?: string; hospitals?: string[] | null },
    audit: AppAudit,
  ): Promise<AppResource> {
    const set: { name?: string; hospital_scope?: string | null } = {};
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.hospitals !== undefined) set.hospital_scope = await this.checkedScope(changes.hospitals);
    const now = this.now();
    const app = await this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, appId, now, { lock: true, active: true });
      const scopeBefore = before.hospital_scope === null ? null : JSON.stringify(before.hospital_scope);
      const same =
        (set.name === undefined || set.name === before.name) &&
        (set.hospital_scope === undefined || set.hospital_scope === scopeBefore);
      if (same) return before;
      await repo.updateApp(trx, appId, set);
      const after = await this.current(trx, appId, now);
      await audit(
        trx,
        [{ action: 'update', entity: 'app', entityId: appId, before: snapshotOf(before), after: snapshotOf(after) }],
        now,
      );
      return after;
    });
    this.forget();
    return app;
  }

  /** A new key; the app's working keys keep working `overlapHours` more (0: they stop now). */
  async rotateAudited(
    appId: string,
    overlapHours: number,
    audit: AppAudit,
  ): Promise<{ app: AppResource; keyId: string; key: string; oldKeysExpireAt: string }> {
    const key = newSecret('cxk');
    const keyId = newId();
    const now = this.now();
    const oldKeysExpireAt = now + overlapHours * 3_600_000;
    const app = await this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, appId, now, { lock: true, active: true });
      await repo.expireCurrentKeys(trx, appId, oldKeysExpireAt);
      await repo.insertKey(trx, keyRow(keyId, appId, key, now));
      const after = await this.current(trx, appId, now);
      await audit(
        trx,
        [{ action: 'rotate', entity: 'app', entityId: appId, before: snapshotOf(before), after: snapshotOf(after) }],
        now,
      );
      return after;
    });
    this.forget();
    return { app, keyId, key, oldKeysExpireAt: new Date(oldKeysExpireAt).toISOString() };
  }

  /** Revokes an app and its working keys: they stop at once. Revoking it again changes nothing. */
  async revokeAudited(appId: string, audit: AppAudit): Promise<AppResource> {
    const now = this.now();
    const app = await this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, appId, now, { lock: true });
      if (before.revoked_at !== null) return before;
      await repo.revokeApp(trx, appId, now);
      await repo.revokeWorkingKeys(trx, appId, now);
      const after = await this.current(trx, appId, now);
      await audit(
        trx,
        [{ action: 'revoke', entity: 'app', entityId: appId, before: snapshotOf(before), after: snapshotOf(after) }],
        now,
      );
      return after;
    });
    this.forget();
    return app;
  }

  /** Revokes one key of an app: it stops at once. Revoking it again changes nothing. */
  async revokeKeyAudited(appId: string, keyId: string, audit: AppAudit): Promise<AppResource> {
    const now = this.now();
    const app = await this.db.transaction().execute(async (trx) => {
      const before = await this.current(trx, appId, now, { lock: true });
      const key = before.keys.find((k) => k.id === keyId);
      if (key === undefined) throw new AppError('API_KEY_NOT_FOUND');
      if (key.revoked_at !== null) return before;
      await repo.revokeKey(trx, keyId, now);
      const after = await this.current(trx, appId, now);
      const keyAfter = after.keys.find((k) => k.id === keyId)!;
      await audit(
        trx,
        [
          {
            action: 'revoke',
            entity: 'app_key',
            entityId: keyId,
            before: { app_id: appId, ...keySnapshot(key) },
            after: { app_id: appId, ...keySnapshot(keyAfter) },
          },
        ],
        now,
      );
      return after;
    });
    this.forget();
    return app;
  }

  /** The stored scope of a list of hospital slugs; a slug of no hospital is a 422 on `hospitals`. */
  private async checkedScope(hospitals: string[] | null): Promise<string | null> {
    if (hospitals === null) return null;
    const slugs = [...new Set(hospitals)];
    const found = await repo.existingHospitalSlugs(this.db, slugs);
    const unknown = slugs.find((s) => !found.has(s));
    if (unknown !== undefined) {
      throw AppError.field('hospitals', 'unknownReference', { field: `hospital ${unknown}` });
    }
    return JSON.stringify(slugs);
  }

  /** An app as it is in this transaction (locked on PostgreSQL); 404 if none, 409 if revoked and `active`. */
  private async current(
    trx: Db,
    appId: string,
    now: number,
    options: { lock?: boolean; active?: boolean } = {},
  ): Promise<AppResource> {
    let query = trx
      .selectFrom('client_apps')
      .selectAll()
      .where('id', '=', appId)
      .where('id', 'not in', repo.BUILT_IN_APP_IDS);
    if (options.lock && trx.getExecutor().adapter instanceof PostgresAdapter) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (row === undefined) throw new AppError('APP_NOT_FOUND');
    if (options.active && row.revoked_at !== null) throw new AppError('APP_REVOKED');
    return (await this.resources(trx, [row], now))[0]!;
  }

  private async resources(db: Db, apps: Database['client_apps'][], now: number): Promise<AppResource[]> {
    const keys = await repo.keysOfApps(
      db,
      apps.map((a) => a.id),
    );
    return apps.map((a) => ({
      id: a.id,
      name: a.name,
      hospital_scope: parseScope(a.hospital_scope),
      created_at: iso(a.created_at)!,
      revoked_at: iso(a.revoked_at),
      keys: keys
        .filter((k) => k.app_id === a.id)
        .map((k) => ({
          id: k.id,
          prefix: k.key_prefix,
          created_at: iso(k.created_at)!,
          expires_at: iso(k.expires_at),
          revoked_at: iso(k.revoked_at),
          state: keyState(k, a.revoked_at !== null, now),
        })),
    }));
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

function keyState(
  key: { expires_at: number | null; revoked_at: number | null },
  appRevoked: boolean,
  now: number,
): KeyState {
  // As `authenticate` decides: a key of a revoked app works no more than a revoked key.
  if (key.revoked_at !== null || appRevoked) return 'revoked';
  if (key.expires_at === null) return 'active';
  return key.expires_at > now ? 'expiring' : 'expired';
}

/** A key in an audit row: its id and prefix (shown in every listing), never its value nor hash. */
function keySnapshot(key: AppResource['keys'][number]) {
  return {
    id: key.id,
    prefix: key.prefix,
    created_at: key.created_at,
    expires_at: key.expires_at,
    revoked_at: key.revoked_at,
  };
}

/** An app in an audit row: what the back office shows, without the keys' states (they change with time). */
function snapshotOf(app: AppResource) {
  return { ...app, keys: app.keys.map(keySnapshot) };
}
