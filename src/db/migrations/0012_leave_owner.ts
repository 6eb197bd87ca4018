import type { Kysely } from 'kysely';

/**
 * Who made a schedule exception: a doctor may remove the leave they marked themselves in the
 * doctor workspace, never one their hospital planned (null: made by the back office or before
 * this column existed).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('schedule_exceptions').addColumn('created_by', 'text').execute();
}
