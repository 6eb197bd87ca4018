import type { Db } from '../../db/index.js';
import type { Database } from '../../db/schema.js';

/** The built-in app of back-office browser sessions (migration 0008): never listed, counted nor changed. */
export const BACKOFFICE_APP_ID = 'backoffice';
/** The built-in app of the doctor workspace's browser sessions (migration 0011), kept like the back office's. */
export const DOCTOR_WORKSPACE_APP_ID = 'doctorworkspace';
export const BUILT_IN_APP_IDS = [BACKOFFICE_APP_ID, DOCTOR_WORKSPACE_APP_ID];

export const insertApp = (db: Db, row: Database['client_apps']) => db.insertInto('client_apps').values(row).execute();

export const insertKey = (db: Db, row: Database['api_keys']) => db.insertInto('api_keys').values(row).execute();

export const countApps = async (db: Db): Promise<number> => {
  const row = await db
    .selectFrom('client_apps')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', 'not in', BUILT_IN_APP_IDS)
    .executeTakeFirstOrThrow();
  return Number(row.n);
};

export const findApp = (db: Db, id: string) =>
  db
    .selectFrom('client_apps')
    .selectAll()
    .where('id', '=', id)
    .where('id', 'not in', BUILT_IN_APP_IDS)
    .executeTakeFirst();

export const listApps = (db: Db) =>
  db.selectFrom('client_apps').selectAll().where('id', 'not in', BUILT_IN_APP_IDS).orderBy('created_at').execute();

export const listKeys = (db: Db) => db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();

/** The app of a usable key: neither the key nor its app revoked, the key not past its overlap. */
export const findAppByKeyHash = (db: Db, keyHash: string, now: number) =>
  db
    .selectFrom('api_keys')
    .innerJoin('client_apps', 'client_apps.id', 'api_keys.app_id')
    .select(['client_apps.id', 'client_apps.name', 'client_apps.hospital_scope'])
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.revoked_at', 'is', null)
    .where('client_apps.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('api_keys.expires_at', 'is', null), eb('api_keys.expires_at', '>', now)]))
    .executeTakeFirst();

/** Starts the overlap of every current key of an app: they stop working at `expiresAt`. */
export const expireCurrentKeys = (db: Db, appId: string, expiresAt: number) =>
  db
    .updateTable('api_keys')
    .set({ expires_at: expiresAt })
    .where('app_id', '=', appId)
    .where('revoked_at', 'is', null)
    // A key already due to expire sooner keeps its earlier end.
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', expiresAt)]))
    .execute();

export const revokeApp = (db: Db, id: string, now: number) =>
  db
    .updateTable('client_apps')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('id', 'not in', BUILT_IN_APP_IDS)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();

export const revokeKey = (db: Db, id: string, now: number) =>
  db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();

// The back office's view of the apps (admin-apps.routes.ts).

/** A page of apps (never the back office's), newest first. */
export const listAppsPage = (db: Db, limit: number, offset: number) =>
  db
    .selectFrom('client_apps')
    .selectAll()
    .where('id', 'not in', BUILT_IN_APP_IDS)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();

/** The keys of some apps, oldest first; never their hashes. */
export const keysOfApps = (db: Db, appIds: readonly string[]) =>
  appIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('api_keys')
        .select(['id', 'app_id', 'key_prefix', 'created_at', 'expires_at', 'revoked_at'])
        .where('app_id', 'in', appIds)
        .orderBy('created_at')
        .orderBy('id')
        .execute();

/** The hospitals of these slugs that exist (published or not). */
export const existingHospitalSlugs = async (db: Db, slugs: readonly string[]): Promise<Set<string>> => {
  if (slugs.length === 0) return new Set();
  const rows = await db.selectFrom('hospitals').select('slug').where('slug', 'in', slugs).execute();
  return new Set(rows.map((r) => r.slug));
};

export const updateApp = (db: Db, id: string, changes: { name?: string; hospital_scope?: string | null }) =>
  db.updateTable('client_apps').set(changes).where('id', '=', id).where('id', 'not in', BUILT_IN_APP_IDS).execute();

/** Revokes every key of an app that still works (one rotated out and past its end keeps its history). */
export const revokeWorkingKeys = (db: Db, appId: string, now: number) =>
  db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('app_id', '=', appId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
