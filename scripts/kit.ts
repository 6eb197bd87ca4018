// Small pieces shared by the benchmarks (bench/) and the process scripts (scripts/): the CLI
// run as a child, an empty database of either kind, CPU pinning and a worker pool.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

export const ROOT = resolve(import.meta.dirname, '..');

/** Runs `npm run cli -- <args>` with `env` and returns what it printed. */
export function cli(env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), ...args], {
    env,
    cwd: ROOT,
    encoding: 'utf8',
  });
}

/**
 * An empty database and its DATABASE_URL: the SQLite file `sqliteFile` (removed with its WAL
 * first), or the PostgreSQL database `pgName` dropped and created again through `pgAdmin`.
 */
export async function emptyDatabase(
  kind: 'sqlite' | 'postgres',
  place: { sqliteFile: string; pgName: string; pgAdmin: string },
): Promise<string> {
  if (kind === 'sqlite') {
    const file = place.sqliteFile;
    mkdirSync(dirname(file), { recursive: true });
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    return `sqlite:${file}`;
  }
  await dropDatabase(place.pgAdmin, place.pgName);
  const admin = new pg.Client({ connectionString: place.pgAdmin });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${place.pgName}`);
  } finally {
    await admin.end();
  }
  const url = new URL(place.pgAdmin);
  url.pathname = `/${place.pgName}`;
  return url.toString();
}

export async function dropDatabase(pgAdmin: string, pgName: string): Promise<void> {
  const admin = new pg.Client({ connectionString: pgAdmin });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** `cmd args` on one core when taskset is there (the benchmarks keep server and load apart). */
export const pin = (core: number, cmd: string, args: string[]): [string, string[]] =>
  existsSync('/usr/bin/taskset') ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];

/** Runs `fn` over `items`, `width` at a time. */
export async function pool<T, R>(items: T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** `bytes` random bytes as lowercase letters (usernames take letters and digits, and a run tags its own). */
export function letterTag(bytes = 3): string {
  return randomBytes(bytes)
    .toString('hex')
    .replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!);
}
