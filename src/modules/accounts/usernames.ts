import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../../db/index.js';

/**
 * One namespace for usernames, case aside: the accounts of patients, doctors and admins
 * (`users`) and the catalogue's doctors (`doctors.username`, held from the doctor's creation,
 * before any login). A doctor's login shares its doctor's username; nothing else may.
 */

/**
 * Serialises the writes that take a username, until the transaction ends, so a check and its
 * insert see every earlier one committed (two tables have no unique index in common). On
 * PostgreSQL a transaction-scoped advisory lock. On SQLite the database's one write lock, taken
 * now by a write that changes nothing: a transaction that read first and wrote later would,
 * with another process committing in between, fail at once with SQLITE_BUSY instead of waiting.
 * Must run inside a transaction, before its first read.
 */
export async function lockUsernames(trx: Db): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(4202, 0)`.execute(trx);
  } else {
    await sql`update users set id = id where 0`.execute(trx);
  }
}

/**
 * Whether an account or a catalogue doctor holds `username` (any case), other than the doctor
 * `except.doctorId` and the account `except.userId` (a doctor and its own login).
 */
export async function usernameTaken(
  db: Db,
  username: string,
  except: { doctorId?: string | undefined; userId?: string | null | undefined } = {},
): Promise<boolean> {
  const name = username.trim().toLowerCase();
  const account = await db
    .selectFrom('users')
    .select('id')
    .where('username_normalized', '=', name)
    .$if(typeof except.userId === 'string', (q) => q.where('id', '!=', except.userId!))
    .executeTakeFirst();
  if (account !== undefined) return true;
  const doctor = await db
    .selectFrom('doctors')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['username']), '=', name))
    .$if(except.doctorId !== undefined, (q) => q.where('id', '!=', except.doctorId!))
    .executeTakeFirst();
  return doctor !== undefined;
}

/** Runs `write` in a transaction, or in the one `db` already is. */
export function inTransaction<T>(db: Db, write: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? write(db) : db.transaction().execute(write);
}
