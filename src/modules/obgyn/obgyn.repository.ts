import type { Db } from '../../db/index.js';
import type { Database } from '../../db/schema.js';

export type ObgynRow = Database['obgyn_profiles'];

export const findObgyn = (db: Db, userId: string) =>
  db.selectFrom('obgyn_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();

type OptionalField = 'faskes1' | 'faskes_rujukan' | 'pendidikan' | 'pekerjaan';

/** Creates the profile unless one exists; the row when it did, undefined when it existed. */
export const insertObgynIfAbsent = (db: Db, row: ObgynRow) =>
  db
    .insertInto('obgyn_profiles')
    .values(row)
    .onConflict((oc) => oc.column('user_id').doNothing())
    .returningAll()
    .executeTakeFirst();

/**
 * Updates only the fields a request carried, so two partial saves at the same moment do not
 * undo each other.
 */
export const updateObgyn = (db: Db, row: ObgynRow, sent: readonly OptionalField[]) =>
  db
    .updateTable('obgyn_profiles')
    .set({
      suami: row.suami,
      updated_at: row.updated_at,
      ...Object.fromEntries(sent.map((field) => [field, row[field]])),
    })
    .where('user_id', '=', row.user_id)
    .returningAll()
    .executeTakeFirstOrThrow();
