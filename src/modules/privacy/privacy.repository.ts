import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

type Q = Kysely<Database>;
export type AccessLogRow = Database['access_log'];

export const insertAccessRows = (db: Q, rows: AccessLogRow[]) => db.insertInto('access_log').values(rows).execute();

/** The patient of each order named, by transaction id. */
export const patientsOfOrders = async (db: Q, transactionIds: readonly string[]): Promise<Map<string, string>> => {
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
export const accessLogOf = (db: Q, patientId: string, page?: { limit: number; offset: number }) =>
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

export const countAccessLog = async (db: Q, patientId: string): Promise<number> => {
  const row = await db
    .selectFrom('access_log')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('patient_user_id', '=', patientId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
};

/** The addresses the patient logged in from (kept 90 days for the lockout's known addresses). */
export const knownAddressesOf = (db: Q, userId: string) =>
  db
    .selectFrom('known_addresses')
    .select(['ip', 'last_success_at'])
    .where('user_id', '=', userId)
    .orderBy('last_success_at', 'desc')
    .execute();

/** When the account's current address was confirmed, if it was. */
export const emailVerifiedAt = async (db: Q, userId: string, emailNormalized: string): Promise<number | undefined> =>
  (
    await db
      .selectFrom('verified_emails')
      .select('verified_at')
      .where('user_id', '=', userId)
      .where('email_normalized', '=', emailNormalized)
      .executeTakeFirst()
  )?.verified_at;
