import type { Db } from '../../db/index.js';
import type { RecoveryRequestsTable, RecoverySecretsTable } from '../../db/schema.js';

export type SecretRow = RecoverySecretsTable;
export type Purpose = RecoverySecretsTable['purpose'];

export const insertSecret = (db: Db, row: SecretRow) => db.insertInto('recovery_secrets').values(row).execute();

export const findSecret = (db: Db, purpose: Purpose, secretHash: string) =>
  db
    .selectFrom('recovery_secrets')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .where('purpose', '=', purpose)
    .executeTakeFirst();

/** Uses one secret, only if nobody used it first; true when this call did. */
export const useSecret = async (db: Db, id: string, now: number): Promise<boolean> => {
  const result = await db
    .updateTable('recovery_secrets')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
};

/** Every other unused secret of the account for this purpose stops working too. */
export const useAllSecrets = (db: Db, userId: string, purpose: Purpose, now: number) =>
  db
    .updateTable('recovery_secrets')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();

/** Secrets past their life are kept a day (a late click gets the clear "expired" answer), then swept. */
export const deleteSecretsExpiredBefore = (db: Db, before: number) =>
  db.deleteFrom('recovery_secrets').where('expires_at', '<', before).execute();

export const findVerifiedEmail = (db: Db, userId: string) =>
  db.selectFrom('verified_emails').selectAll().where('user_id', '=', userId).executeTakeFirst();

/** True when the account has proved it owns this (normalised) address. Booking asks, when the setting says so. */
export const isEmailVerified = async (db: Db, userId: string, emailNormalized: string): Promise<boolean> =>
  (await db
    .selectFrom('verified_emails')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('email_normalized', '=', emailNormalized)
    .executeTakeFirst()) !== undefined;

export const markEmailVerified = (db: Db, userId: string, emailNormalized: string, now: number) =>
  db
    .insertInto('verified_emails')
    .values({ user_id: userId, email_normalized: emailNormalized, verified_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ email_normalized: emailNormalized, verified_at: now }))
    .execute();

export const insertRequest = (db: Db, row: RecoveryRequestsTable) =>
  db.insertInto('recovery_requests').values(row).execute();

/** Times of the requests since `since`, oldest first. */
export const requestTimes = async (
  db: Db,
  kind: RecoveryRequestsTable['kind'],
  subject: string,
  since: number,
): Promise<number[]> =>
  (
    await db
      .selectFrom('recovery_requests')
      .select('created_at')
      .where('kind', '=', kind)
      .where('subject', '=', subject)
      .where('created_at', '>', since)
      .orderBy('created_at')
      .execute()
  ).map((r) => r.created_at);

export const deleteRequestsBefore = (db: Db, before: number) =>
  db.deleteFrom('recovery_requests').where('created_at', '<', before).execute();

/** A reset ends every session of the account, whatever app it was issued in. */
export const revokeAllTokens = (db: Db, userId: string, now: number) =>
  db
    .updateTable('access_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();

/** The new password, and the account's failed logins forgotten: whoever reset it owns the mailbox. */
export const setPassword = async (db: Db, userId: string, passwordHash: string, now: number) => {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: now })
    .where('id', '=', userId)
    .execute();
  await db.deleteFrom('login_failures').where('subject', '=', userId).execute();
};
