import type { Db } from '../../db/index.js';
import type { Database } from '../../db/schema.js';
import { newUserRow } from '../accounts/index.js';

export type AccessLogRow = Database['access_log'];

export const insertAccessRows = (db: Db, rows: AccessLogRow[]) => db.insertInto('access_log').values(rows).execute();

/** The patient of each order named, by transaction id. */
export const patientsOfOrders = async (db: Db, transactionIds: readonly string[]): Promise<Map<string, string>> => {
  if (transactionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('orders')
    .select(['transaction_id', 'patient_user_id'])
    .where('transaction_id', 'in', [...transactionIds])
    .execute();
  return new Map(rows.map((r) => [r.transaction_id, r.patient_user_id]));
};

/**
 * Reads of one patient's data, newest first, with who read: a doctor by the name patients know
 * (the catalogue's), anyone else by the account's name. Never the reader's email.
 */
export const accessLogOf = (db: Db, patientId: string, page?: { limit: number; offset: number }) =>
  db
    .selectFrom('access_log')
    .leftJoin('users', 'users.id', 'access_log.actor_user_id')
    .leftJoin('doctors', 'doctors.user_id', 'access_log.actor_user_id')
    .select([
      'access_log.id',
      'access_log.actor_role',
      'access_log.what',
      'access_log.subject',
      'access_log.created_at',
      'users.name as user_name',
      'doctors.name as doctor_name',
    ])
    .where('access_log.patient_user_id', '=', patientId)
    .orderBy('access_log.created_at', 'desc')
    .orderBy('access_log.id', 'desc')
    .$if(page !== undefined, (q) => q.limit(page!.limit).offset(page!.offset))
    .execute();

export const countAccessLog = async (db: Db, patientId: string): Promise<number> => {
  const row = await db
    .selectFrom('access_log')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('patient_user_id', '=', patientId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
};

/** The addresses the patient logged in from (kept 90 days for the lockout's known addresses). */
export const knownAddressesOf = (db: Db, userId: string) =>
  db
    .selectFrom('known_addresses')
    .select(['ip', 'last_success_at'])
    .where('user_id', '=', userId)
    .orderBy('last_success_at', 'desc')
    .execute();

/** When the account's current address was confirmed, if it was. */
export const emailVerifiedAt = async (db: Db, userId: string, emailNormalized: string): Promise<number | undefined> =>
  (
    await db
      .selectFrom('verified_emails')
      .select('verified_at')
      .where('user_id', '=', userId)
      .where('email_normalized', '=', emailNormalized)
      .executeTakeFirst()
  )?.verified_at;

/** Statuses in which an order still binds someone: a payment, a meeting, or a refund due. */
export const OPEN_STATUSES = [
  'waiting_payment',
  'waiting_doctor_confirmation',
  'waiting_meeting',
  'reschedule_from_doctor',
  'reschedule_from_patient',
  'join_now',
  'on_air',
  'waiting_refund',
];

export const hasOpenOrders = async (db: Db, userId: string): Promise<boolean> =>
  (await db
    .selectFrom('orders')
    .select('id')
    .where('patient_user_id', '=', userId)
    .where('status', 'in', OPEN_STATUSES)
    .executeTakeFirst()) !== undefined;

/**
 * The account row made anonymous, only if its password is still the one checked (a password
 * changed meanwhile means someone else may be acting): true when it was.
 */
export const anonymiseUser = async (db: Db, userId: string, checkedHash: string, now: number): Promise<boolean> => {
  // Values no registration can take (a hyphen is not allowed in usernames; .invalid never
  // resolves), unique per account, so the real email and username are free again at once.
  const username = `erased-${userId}`;
  const email = `erased-${userId}@erased.invalid`;
  // What a fresh account holds, so a personal column added to accounts is erased here too; the
  // row keeps only its id, role and creation time.
  const {
    id: _id,
    role: _role,
    created_at: _created,
    ...erased
  } = newUserRow(
    // '!erased' matches no password: verification fails on it.
    { id: userId, role: 'patient', name: '', username, email, password_hash: '!erased', erased_at: now },
    now,
  );
  const result = await db
    .updateTable('users')
    .set(erased)
    .where('id', '=', userId)
    .where('password_hash', '=', checkedHash)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
};

/** Everything else personal of the account, inside the erasure's transaction. */
export async function erasePersonalRows(db: Db, userId: string, loginSubjects: string[], now: number): Promise<void> {
  await db.deleteFrom('images').where('owner_user_id', '=', userId).execute();
  await db.deleteFrom('obgyn_profiles').where('user_id', '=', userId).execute();
  await db
    .updateTable('access_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  await db.deleteFrom('login_failures').where('subject', '=', userId).execute();
  await db.deleteFrom('known_addresses').where('user_id', '=', userId).execute();
  await db.deleteFrom('recovery_secrets').where('user_id', '=', userId).execute();
  await db.deleteFrom('verified_emails').where('user_id', '=', userId).execute();
  await db
    .deleteFrom('recovery_requests')
    .where('subject', 'in', [userId, ...loginSubjects])
    .execute();
  await db.deleteFrom('idempotency_keys').where('user_id', '=', userId).execute();
  await db.updateTable('orders').set({ patient_name: '', note: null }).where('patient_user_id', '=', userId).execute();
}

export const deleteInbox = (db: Db, userId: string) =>
  db.deleteFrom('notifications').where('user_id', '=', userId).execute();

/** The patient's orders' entries in the audit log (a refund keeps the order as it was). */
export const orderAuditEntries = (db: Db, userId: string) =>
  db
    .selectFrom('audit_log')
    .innerJoin('orders', 'orders.transaction_id', 'audit_log.entity_id')
    .select(['audit_log.id', 'audit_log.before_json', 'audit_log.after_json'])
    .where('audit_log.entity', '=', 'order')
    .where('orders.patient_user_id', '=', userId)
    .execute();

export const setAuditJson = (db: Db, id: string, before: string | null, after: string | null) =>
  db.updateTable('audit_log').set({ before_json: before, after_json: after }).where('id', '=', id).execute();
