import type { Kysely } from 'kysely';

/**
 * The patient's rights over their data (UU PDP 27/2022): the consent a booking records, the
 * log of every read of a patient's data by a doctor or an admin, and the mark of an erased
 * account (its row stays, anonymised, because orders are kept for accounting).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // 1/0: whether the patient lets the doctor read their records. Old orders never asked: 0.
  await db.schema
    .alterTable('orders')
    .addColumn('allow_access_data', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('access_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Whose data was read. No foreign key: an erased account keeps its (anonymised) row anyway.
    .addColumn('patient_user_id', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text', (c) => c.notNull())
    // 'doctor' or 'admin', as the actor was when reading.
    .addColumn('actor_role', 'text', (c) => c.notNull())
    // What was read: 'order', 'orders_list', 'profile'.
    .addColumn('what', 'text', (c) => c.notNull())
    // The order's transaction id, when one order was read.
    .addColumn('subject', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('access_log_patient_idx')
    .on('access_log')
    .columns(['patient_user_id', 'created_at'])
    .execute();

  await db.schema.alterTable('users').addColumn('erased_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('erased_at').execute();
  await db.schema.dropTable('access_log').execute();
  await db.schema.alterTable('orders').dropColumn('allow_access_data').execute();
}
