import { CompiledQuery } from 'kysely';
import type { Db } from './index.js';
import type { Database } from './schema.js';

const texts = new Map<string, string>();

/**
 * Inserts one row with SQL compiled once per dialect, table and set of columns. Kysely builds
 * and compiles a query tree on every call; for the rows a booking writes that costs more than
 * SQLite's insert itself.
 */
export function insertRow<T extends keyof Database & string>(db: Db, table: T, row: Database[T]) {
  const values = row as unknown as Record<string, unknown>;
  const columns = Object.keys(values).filter((c) => values[c] !== undefined);
  const key = `${db.getExecutor().adapter.constructor.name}:${table}:${columns.join(',')}`;
  let text = texts.get(key);
  if (text === undefined) {
    text = db
      .insertInto(table)
      .values(values as never)
      .compile().sql;
    texts.set(key, text);
  }
  return db.executeQuery(
    CompiledQuery.raw(
      text,
      columns.map((c) => values[c]),
    ),
  );
}
