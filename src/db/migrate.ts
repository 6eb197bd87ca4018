import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_catalogue.js';
import * as m0003 from './migrations/0003_booking.js';
import * as m0004 from './migrations/0004_unpaid_index.js';
import * as m0005 from './migrations/0005_recovery.js';
import * as m0006 from './migrations/0006_notifications.js';
import * as m0007 from './migrations/0007_privacy.js';
import * as m0008 from './migrations/0008_backoffice.js';
import * as m0009 from './migrations/0009_dashboard_indexes.js';
import * as m0010 from './migrations/0010_staff.js';
import * as m0011 from './migrations/0011_doctor_workspace.js';
import * as m0012 from './migrations/0012_leave_owner.js';
import * as m0013 from './migrations/0013_booking_function.js';

/** Every migration, in order. Shipped migrations are never edited: add a new one. */
const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_catalogue': m0002,
  '0003_booking': m0003,
  '0004_unpaid_index': m0004,
  '0005_recovery': m0005,
  '0006_notifications': m0006,
  '0007_privacy': m0007,
  '0008_backoffice': m0008,
  '0009_dashboard_indexes': m0009,
  '0010_staff': m0010,
  '0011_doctor_workspace': m0011,
  '0012_leave_owner': m0012,
  '0013_booking_function': m0013,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
