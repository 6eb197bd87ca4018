import { PostgresAdapter, type Kysely } from 'kysely';

/** Column types that differ between the two databases (apart from the migrator: no cycle). */
export function columnTypes(db: Kysely<unknown>) {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return { isPostgres, blob: isPostgres ? ('bytea' as const) : ('blob' as const) };
}
