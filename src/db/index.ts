import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { DatabaseConfig } from '../config.js';
import { lazyRequire } from '../lazy.js';
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

/**
 * Checkpoints the WAL from a thread of its own. SQLite's automatic checkpoint runs inside the
 * commit that crosses its threshold, and syncs the database file there: under a steady write
 * load that one request waits for the disk while every other one waits for it. A passive
 * checkpoint on another connection blocks neither readers nor the writer.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy now: next time */ }
}, workerData.intervalMs);
parentPort.once('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

function startCheckpointer(file: string, intervalMs = 250): { stop(): Promise<void> } {
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { file, intervalMs, module: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  worker.unref();
  // Should it die, the writer's own automatic checkpoint (kept as a backstop) still runs.
  worker.on('error', () => {});
  return {
    async stop() {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // Until it has closed its connection, the process waits for it.
      worker.ref();
      worker.postMessage('stop');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      await worker.terminate();
    },
  };
}

const loadPg = lazyRequire<typeof import('pg')>('pg');

const int8AsNumber = {
  // Epoch-millisecond timestamps are bigint columns; they fit a JS number exactly.
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : loadPg().types.getTypeParser(oid, format as 'text'),
};

export function createDatabase(
  config: DatabaseConfig,
  options: { backgroundCheckpoints?: boolean } = {},
): DatabaseHandle {
  let destroyed = false;
  if (config.kind === 'sqlite') {
    const sqlite = openSqlite(config.file);
    const background = options.backgroundCheckpoints === true && config.file !== ':memory:';
    // The backstop: about 40 MB of WAL before the writer checkpoints by itself.
    if (background) sqlite.pragma('wal_autocheckpoint = 10000');
    const checkpointer = background ? startCheckpointer(config.file) : undefined;
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return {
      db,
      dialect: 'sqlite',
      async destroy() {
        if (destroyed) return;
        destroyed = true;
        await checkpointer?.stop();
        await db.destroy();
        // Kysely closes only a driver it has used; the file is open from the start.
        if (sqlite.open) sqlite.close();
      },
    };
  }
  const pool = new (loadPg().Pool)({ connectionString: config.url, max: config.poolSize, types: int8AsNumber });
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
