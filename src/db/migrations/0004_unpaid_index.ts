import type { Kysely } from 'kysely';

/**
 * A patient's unpaid orders are counted on every booking. Without this index SQLite reads them
 * through the status index, i.e. every unpaid order of every patient.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('orders_patient_status_idx')
    .on('orders')
    .columns(['patient_user_id', 'status'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('orders_patient_status_idx').execute();
}
