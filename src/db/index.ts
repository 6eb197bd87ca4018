import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { DatabaseConfig } from '../config.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Db;
  dialect: DialectName;
  /** Closes every connection; safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * Kysely's stock SQLite dialect prepares every statement anew (tens of microseconds each);
 * the query shapes of an API are few, so keep their prepared statements.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (stmt === undefined) {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt as unknown as SqliteStatement;
    },
  };
}

export function openSqlite(file: string): SQLite.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL survives a killed process without losing committed transactions; NORMAL sync keeps
  // commits fast and only risks the last ones on power loss, not on a crash.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

const int8AsNumber = {
  // Epoch-millisecond timestamps are bigint columns; they fit a JS number exactly.
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

export function createDatabase(config: DatabaseConfig): DatabaseHandle {
  let destroyed = false;
  if (config.kind === 'sqlite') {
    const sqlite = openSqlite(config.file);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return {
      db,
      dialect: 'sqlite',
      async destroy() {
        if (destroyed) return;
        destroyed = true;
        await db.destroy();
        // Kysely closes only a driver it has used; the file is open from the start.
        if (sqlite.open) sqlite.close();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize, types: int8AsNumber });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await db.destroy();
      if (!pool.ended) await pool.end();
    },
  };
}
