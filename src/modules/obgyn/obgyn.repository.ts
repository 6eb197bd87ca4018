import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

type Q = Kysely<Database>;
export type ObgynRow = Database['obgyn_profiles'];

export const findObgyn = (db: Q, userId: string) =>
  db.selectFrom('obgyn_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();

/** One profile per patient: a second save updates it, whichever process gets there first. */
export const upsertObgyn = (db: Q, row: ObgynRow) =>
  db
    .insertInto('obgyn_profiles')
    .values(row)
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        suami: row.suami,
        faskes1: row.faskes1,
        faskes_rujukan: row.faskes_rujukan,
        pendidikan: row.pendidikan,
        pekerjaan: row.pekerjaan,
        updated_at: row.updated_at,
      }),
    )
    .execute();
