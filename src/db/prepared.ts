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

/** Stands for an argument while a query is compiled the first time. */
class Placeholder {
  constructor(readonly index: number) {}
}

/**
 * A query whose SQL is compiled once per dialect: the first call builds it with placeholders
 * for its arguments, every call sends that SQL with its own values. `build` must use each
 * argument as one plain value (no lists, no branching on it).
 */
export function compiledOnce<A extends unknown[], R>(
  build: (db: Db, ...args: A) => { compile(): CompiledQuery<R> },
): (db: Db, ...args: A) => Promise<R[]> {
  const byDialect = new Map<unknown, CompiledQuery<R>>();
  return async (db, ...args) => {
    const dialect = db.getExecutor().adapter.constructor;
    let compiled = byDialect.get(dialect);
    if (compiled === undefined) {
      compiled = build(db, ...(args.map((_, i) => new Placeholder(i)) as A)).compile();
      byDialect.set(dialect, compiled);
    }
    const parameters = compiled.parameters.map((p) => (p instanceof Placeholder ? args[p.index] : p));
    const result = await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters));
    return result.rows;
  };
}
