import { createHash } from 'node:crypto';
import type { Db } from '../../src/db/index.js';

/**
 * Every row that belongs to (or is about) one patient, read straight from the database, in a
 * form that compares equal across SQLite and PostgreSQL: rows sorted, numbers as numbers,
 * bytes as their SHA-256. Tables named here are the ones that hold a person's data
 * (src/db/schema.ts); the test checks that each table of the schema is either here or listed as
 * holding no patient rows.
 */
export const SNAPSHOT_TABLES = [
  'users',
  'access_tokens',
  'known_addresses',
  'images',
  'obgyn_profiles',
  'orders',
  'slot_holds',
  'order_events',
  'idempotency_keys',
  'payment_notifications',
  'recovery_secrets',
  'verified_emails',
  'notification_outbox',
  'notifications',
  'notification_deliveries',
  'order_reminders',
  'access_log',
  'audit_log',
  'login_failures',
  'recovery_requests',
] as const;

/** Tables with no row about a patient: apps, the catalogue, schedules, caches, webhooks. */
export const NO_PATIENT_ROWS = [
  'client_apps',
  'api_keys',
  'specialities',
  'hospitals',
  'doctors',
  'practices',
  'articles',
  'product_categories',
  'products',
  'cache_versions',
  'schedule_rules',
  'schedule_exceptions',
  'webhooks',
  // Which hospitals a hospital admin runs: staff, never patients.
  'admin_hospitals',
] as const;

type Row = Record<string, unknown>;

function normalise(row: Row): Row {
  const out: Row = {};
  for (const key of Object.keys(row).sort()) {
    const v = row[key];
    if (Buffer.isBuffer(v) || v instanceof Uint8Array)
      out[key] = `sha256:${createHash('sha256').update(v).digest('hex')}`;
    else if (typeof v === 'bigint') out[key] = Number(v);
    else if (typeof v === 'string' && /^-?\d+$/.test(v) && key.endsWith('_at')) out[key] = Number(v);
    else out[key] = v;
  }
  return out;
}

const sorted = (rows: Row[]) =>
  rows
    .map(normalise)
    .sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : JSON.stringify(x) > JSON.stringify(y) ? 1 : 0));

export interface Person {
  userId: string;
  /** Login names whose failures and recovery requests are counted (subjects as stored). */
  subjects: string[];
}

/** The rows of one patient (and of their orders), table by table. */
export async function snapshot(db: Db, person: Person): Promise<Record<string, Row[]>> {
  const { userId } = person;
  const own = await db
    .selectFrom('orders')
    .select(['id', 'transaction_id'])
    .where('patient_user_id', '=', userId)
    .execute();
  const ids = own.length > 0 ? own.map((r) => r.id) : ['-'];
  const transactionIds = own.map((r) => r.transaction_id);
  const subjects = person.subjects.length > 0 ? person.subjects : ['-'];
  const byUser = <T extends 'users' | 'access_tokens' | 'known_addresses' | 'obgyn_profiles'>(
    table: T,
    column: string,
  ) =>
    db
      .selectFrom(table as 'users')
      .selectAll()
      .where(column as 'id', '=', userId)
      .execute();
  const out: Record<string, Row[]> = {
    users: await byUser('users', 'id'),
    access_tokens: await byUser('access_tokens', 'user_id'),
    known_addresses: await byUser('known_addresses', 'user_id'),
    images: await db.selectFrom('images').selectAll().where('owner_user_id', '=', userId).execute(),
    obgyn_profiles: await byUser('obgyn_profiles', 'user_id'),
    orders: await db.selectFrom('orders').selectAll().where('patient_user_id', '=', userId).execute(),
    slot_holds: await db.selectFrom('slot_holds').selectAll().where('order_id', 'in', ids).execute(),
    order_events: await db.selectFrom('order_events').selectAll().where('order_id', 'in', ids).execute(),
    idempotency_keys: await db.selectFrom('idempotency_keys').selectAll().where('user_id', '=', userId).execute(),
    payment_notifications: await db
      .selectFrom('payment_notifications')
      .selectAll()
      .where('order_id', 'in', ids)
      .execute(),
    recovery_secrets: await db.selectFrom('recovery_secrets').selectAll().where('user_id', '=', userId).execute(),
    verified_emails: await db.selectFrom('verified_emails').selectAll().where('user_id', '=', userId).execute(),
    notification_outbox: await db.selectFrom('notification_outbox').selectAll().where('order_id', 'in', ids).execute(),
    // A's inbox, and every other inbox's rows about A's orders (the doctor's).
    notifications: await db
      .selectFrom('notifications')
      .selectAll()
      .where((eb) => eb.or([eb('user_id', '=', userId), eb('order_id', 'in', ids)]))
      .execute(),
    notification_deliveries: await db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('order_id', 'in', ids)
      .execute(),
    order_reminders: await db.selectFrom('order_reminders').selectAll().where('order_id', 'in', ids).execute(),
    access_log: await db.selectFrom('access_log').selectAll().where('patient_user_id', '=', userId).execute(),
    audit_log: await db
      .selectFrom('audit_log')
      .selectAll()
      .where((eb) =>
        eb.or([eb('entity_id', 'in', [...ids, ...transactionIds, userId]), eb('actor_user_id', '=', userId)]),
      )
      .execute(),
    login_failures: await db.selectFrom('login_failures').selectAll().where('subject', 'in', subjects).execute(),
    recovery_requests: await db.selectFrom('recovery_requests').selectAll().where('subject', 'in', subjects).execute(),
  };
  return Object.fromEntries(Object.entries(out).map(([table, rows]) => [table, sorted(rows as Row[])]));
}
