import { sql, type Kysely } from 'kysely';

/**
 * Back-office staff: an admin account is an operator (everything) or a hospital admin (only the
 * hospitals assigned to it: their doctors, schedules and orders, enforced by the API). Accounts
 * can be disabled (no sign-in, every token refused) without losing their audit trail.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('admin_role', 'text').execute();
  await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
  // Every admin so far could do everything.
  await sql`UPDATE users SET admin_role = 'operator' WHERE role = 'admin'`.execute(db);
  await db.schema
    .createTable('admin_hospitals')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('hospital_id', 'text', (c) => c.notNull().references('hospitals.id'))
    .addPrimaryKeyConstraint('admin_hospitals_pk', ['user_id', 'hospital_id'])
    .execute();
  await db.schema.createIndex('admin_hospitals_hospital_idx').on('admin_hospitals').column('hospital_id').execute();
}
