import type { Db } from '../../db/index.js';
import { compiledOnce } from '../../db/prepared.js';
import type { Database } from '../../db/schema.js';

export const insertToken = (db: Db, row: Database['access_tokens']) =>
  db.insertInto('access_tokens').values(row).execute();

const sessionQuery = compiledOnce((db: Db, tokenHash: string, now: number) =>
  db
    .selectFrom('access_tokens')
    .innerJoin('users', 'users.id', 'access_tokens.user_id')
    .selectAll('users')
    .select(['access_tokens.id as token_id', 'access_tokens.app_id as token_app_id'])
    .where('access_tokens.token_hash', '=', tokenHash)
    .where('access_tokens.revoked_at', 'is', null)
    // A disabled account's tokens stop working at once.
    .where('users.disabled_at', 'is', null)
    .where('access_tokens.expires_at', '>', now),
);

/** A live token with its user: not revoked, not expired. Every authenticated request asks. */
export const findSession = async (db: Db, tokenHash: string, now: number) =>
  (await sessionQuery(db, tokenHash, now))[0];

/** When a token was issued (its login), for acts that ask for a recent one. */
export const tokenIssuedAt = async (db: Db, tokenId: string): Promise<number | undefined> => {
  const row = await db.selectFrom('access_tokens').select('created_at').where('id', '=', tokenId).executeTakeFirst();
  return row === undefined ? undefined : Number(row.created_at);
};

export const revokeToken = (db: Db, id: string, now: number) =>
  db
    .updateTable('access_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();

export const revokeOtherTokens = (db: Db, userId: string, keepId: string, now: number) =>
  db
    .updateTable('access_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('id', '!=', keepId)
    .where('revoked_at', 'is', null)
    .execute();

export const insertLoginFailure = (db: Db, row: Database['login_failures']) =>
  db.insertInto('login_failures').values(row).execute();

/**
 * Times of the failures since `since`, oldest first; from one address when `ip` is given;
 * without the row `exceptId` (the attempt asking).
 */
export const loginFailureTimes = async (
  db: Db,
  subject: string,
  since: number,
  ip?: string,
  exceptId?: string,
): Promise<number[]> => {
  let q = db
    .selectFrom('login_failures')
    .select('created_at')
    .where('subject', '=', subject)
    .where('created_at', '>', since);
  if (ip !== undefined) q = q.where('ip', '=', ip);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  const rows = await q.orderBy('created_at').execute();
  return rows.map((r) => r.created_at);
};

export const deleteLoginFailure = (db: Db, id: string) =>
  db.deleteFrom('login_failures').where('id', '=', id).execute();

export const deleteLoginFailuresBefore = (db: Db, before: number) =>
  db.deleteFrom('login_failures').where('created_at', '<', before).execute();

export const rememberAddress = (db: Db, userId: string, ip: string, now: number) =>
  db
    .insertInto('known_addresses')
    .values({ user_id: userId, ip, last_success_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'ip']).doUpdateSet({ last_success_at: now }))
    .execute();

export const isKnownAddress = async (db: Db, userId: string, ip: string, since: number): Promise<boolean> =>
  (await db
    .selectFrom('known_addresses')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('ip', '=', ip)
    .where('last_success_at', '>', since)
    .executeTakeFirst()) !== undefined;
