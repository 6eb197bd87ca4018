import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

type Q = Kysely<Database>;
export type ObgynRow = Database['obgyn_profiles'];

export const findObgyn = (db: Q, userId: string) =>
  db.selectFrom('obgyn_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();

type OptionalField = 'faskes1' | 'faskes_rujukan' | 'pendidikan' | 'pekerjaan';

/**
 * One profile per patient: a second save updates it, whichever process gets there first.
 * The update writes only the fields the request carried, so two partial saves at the same
 * moment do not undo each other.
 */
export const upsertObgyn = (db: Q, row: ObgynRow, sent: readonly OptionalField[]) =>
  db
    .insertInto('obgyn_profiles')
    .values(row)
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        suami: row.suami,
        updated_at: row.updated_at,
        ...Object.fromEntries(sent.map((field) => [field, row[field]])),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
