import type { Db } from '../../db/index.js';
import type { Updateable } from 'kysely';
import type { Database, UsersTable } from '../../db/schema.js';

export type UserRow = Database['users'];

export const insertUser = (db: Db, row: UserRow) => db.insertInto('users').values(row).execute();

/**
 * A new account row of any role: login names normalised, every profile and identity field
 * empty unless given. The one place that knows what a fresh account holds.
 */
export function newUserRow(
  fields: Pick<UserRow, 'id' | 'role' | 'name' | 'username' | 'email' | 'password_hash'> & Partial<UserRow>,
  now: number,
): UserRow {
  return {
    address: null,
    gender: null,
    phone_number: null,
    date_of_birth: null,
    place_of_birth: null,
    id_type: null,
    id_number_enc: null,
    id_number_masked: null,
    id_number_hmac: null,
    avatar_image_id: null,
    erased_at: null,
    // Admins get theirs from createAdmin; every other role has none.
    admin_role: fields.role === 'admin' ? 'operator' : null,
    disabled_at: null,
    created_at: now,
    updated_at: now,
    ...fields,
    username_normalized: fields.username.trim().toLowerCase(),
    email_normalized: fields.email.trim().toLowerCase(),
  };
}

export const findUserById = (db: Db, id: string) =>
  db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();

/** `login` is a normalised email or username: one account has both, and they never collide. */
export const findUserByLogin = (db: Db, login: string) =>
  db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('email_normalized', '=', login), eb('username_normalized', '=', login)]))
    .executeTakeFirst();

export const usernameExists = async (db: Db, normalized: string): Promise<boolean> =>
  (await db.selectFrom('users').select('id').where('username_normalized', '=', normalized).executeTakeFirst()) !==
  undefined;

export const emailExists = async (db: Db, normalized: string): Promise<boolean> =>
  (await db.selectFrom('users').select('id').where('email_normalized', '=', normalized).executeTakeFirst()) !==
  undefined;

/** The account holding an identity number (by its uniqueness HMAC), if any. */
export const idNumberHolder = async (db: Db, hmac: string): Promise<string | undefined> =>
  (await db.selectFrom('users').select('id').where('id_number_hmac', '=', hmac).executeTakeFirst())?.id;

export const updateUser = (db: Db, id: string, patch: Updateable<UsersTable>) =>
  db.updateTable('users').set(patch).where('id', '=', id).execute();

/** Accounts whose identity number is encrypted under another key than `keyId`. */
export const usersWithIdNumberNotUnderKey = async (db: Db, keyId: string) => {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'id_number_enc'])
    .where('id_number_enc', 'is not', null)
    .where('id_number_enc', 'not like', `v1.${keyId}.%`)
    .execute();
  return rows as { id: string; id_number_enc: string }[];
};

/** Sets a new password hash only if the current one is still `expected`; true when it did. */
export const replacePasswordHash = async (db: Db, id: string, expected: string, next: string, now: number) => {
  const result = await db
    .updateTable('users')
    .set({ password_hash: next, updated_at: now })
    .where('id', '=', id)
    .where('password_hash', '=', expected)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
};

export const insertImage = (db: Db, row: Database['images']) => db.insertInto('images').values(row).execute();

export const findImage = (db: Db, id: string) =>
  db.selectFrom('images').select(['content_type', 'bytes']).where('id', '=', id).executeTakeFirst();

export const deleteImagesOfOwnerExcept = (db: Db, ownerId: string, keepId: string) =>
  db.deleteFrom('images').where('owner_user_id', '=', ownerId).where('id', '!=', keepId).execute();
