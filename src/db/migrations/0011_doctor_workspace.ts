import { sql, type Kysely } from 'kysely';

/**
 * The doctor's workspace (docs/doctor-workspace.md):
 * - a built-in keyless app for doctors' browser sessions, like the back office's (0008);
 * - what a doctor writes on an order: the reason of a decline, the consultation note and the
 *   ICD-10 codes of a finished one (a JSON array in text: one portable type);
 * - per hospital, whether its doctors may mark their own leave (off: the hospital plans it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`INSERT INTO client_apps (id, name, hospital_scope, created_at, revoked_at)
    VALUES ('doctorworkspace', 'Doctor workspace (browser sessions)', NULL, 0, NULL)`.execute(db);
  await db.schema.alterTable('orders').addColumn('decline_reason', 'text').execute();
  await db.schema.alterTable('orders').addColumn('consultation_note', 'text').execute();
  await db.schema.alterTable('orders').addColumn('diagnosis_codes', 'text').execute();
  await db.schema
    .alterTable('hospitals')
    .addColumn('doctor_leave_allowed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
