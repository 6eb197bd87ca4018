// Shared by scripts/crash.ts and scripts/scale-out.ts: a fresh database with the demo catalogue
// and an API key, free slots listed through the API, and a small worker pool.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase, type DatabaseHandle } from '../src/db/index.js';
import { PROCESS_KEYS, ROOT, send, type ServerProcess } from '../test/multiprocess-helpers.js';
import { cli, dropDatabase, emptyDatabase, pool } from './kit.js';

/** Where the scripts make their PostgreSQL databases. */
export const PG_ADMIN = process.env.CRASH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Slot {
  id: number;
  username_doctor: string;
  time: string;
  type: 'call' | 'reservasi';
  price: number;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { pool };

/** The CLI on `databaseUrl`, with the processes' keys and without this shell's Redis or Node options. */
function cliOn(databaseUrl: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, ...PROCESS_KEYS, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
  delete env.REDIS_URL;
  delete env.NODE_OPTIONS;
  return cli(env, ...args);
}

export interface ScriptDatabase {
  url: string;
  /** The script's own connection, for its checks. */
  handle: DatabaseHandle;
  apiKey: string;
  /** Closes the connection and drops a PostgreSQL database (a SQLite file is kept to look at). */
  dispose(): Promise<void>;
}

/**
 * A fresh database named `name` (SQLite: ./data/<name>/<name>.db; PostgreSQL: cexup_<name>),
 * with the demo catalogue (`npm run db:seed`) and an API key of its own.
 */
export async function freshDatabase(kind: 'sqlite' | 'postgres', name: string, doctors = 300): Promise<ScriptDatabase> {
  const pgName = `cexup_${name}`;
  const url = await emptyDatabase(kind, {
    sqliteFile: join(ROOT, 'data', name, `${name}.db`),
    pgName,
    pgAdmin: PG_ADMIN,
  });
  const apiKey = `cxk_${name}_${randomUUID().replaceAll('-', '')}`;
  cliOn(url, 'seed', '--doctors', String(doctors));
  cliOn(url, 'keys', 'create', '--name', name, '--key', apiKey);
  const handle =
    kind === 'sqlite'
      ? createDatabase({ kind: 'sqlite', file: url.slice('sqlite:'.length) })
      : createDatabase({ kind: 'postgres', url, poolSize: 2 });
  return {
    url,
    handle,
    apiKey,
    async dispose() {
      await handle.destroy();
      if (kind === 'postgres') await dropDatabase(PG_ADMIN, pgName);
    },
  };
}

/** A JSON POST under the key (and a token); anything but 200/201 throws. */
export async function api(server: ServerProcess, apiKey: string, path: string, body: object, headers = {}) {
  const reply = await send(server.baseUrl, 'POST', path, body, { 'x-api-key': apiKey, ...headers });
  if (reply.status !== 200 && reply.status !== 201) throw new Error(`${path}: ${reply.status} ${reply.text}`);
  return reply.body.data;
}

/**
 * `need` free slots, listed as a client would (get-date-list from two days ahead, then
 * get-time-list for each day with free slots), interleaved across practices so that requests
 * in flight together go to different doctors.
 */
export async function findSlots(server: ServerProcess, db: ScriptDatabase, need: number): Promise<Slot[]> {
  const practices = (
    await sql<{ id: number; username: string; call_price: number | null; reservasi_price: number | null }>`
      SELECT p.id, d.username, p.call_price, p.reservasi_price FROM practices p
      JOIN doctors d ON d.id = p.doctor_id JOIN hospitals h ON h.id = p.hospital_id
      WHERE p.unpublished_at IS NULL AND d.unpublished_at IS NULL AND h.unpublished_at IS NULL
      ORDER BY p.id`.execute(db.handle.db)
  ).rows;
  const pairs = practices.flatMap((p) =>
    (['reservasi', 'call'] as const)
      .filter((type) => (type === 'call' ? p.call_price : p.reservasi_price) !== null)
      .map((type) => ({ p, type })),
  );
  const from = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const byPair: Slot[][] = [];
  let found = 0;
  for (let start = 0; start < pairs.length && found < need; start += 8) {
    const lists = await pool(pairs.slice(start, start + 8), 4, async ({ p, type }) => {
      const days = (await api(server, db.apiKey, '/api/doctor/get-date-list', {
        doctor_has_hospital_id: p.id,
        appointment: type,
        from,
        days: 20,
      })) as { date: string; available_slots: number }[];
      const mine: Slot[] = [];
      for (const d of days.filter((x) => x.available_slots > 0)) {
        const times = (await api(server, db.apiKey, '/api/doctor/get-time-list', {
          doctor_has_hospital_id: p.id,
          date: d.date,
          appointment: type,
        })) as { time: string; available: boolean }[];
        for (const t of times.filter((x) => x.available)) {
          mine.push({
            id: Number(p.id),
            username_doctor: p.username,
            time: `${d.date} ${t.time}`,
            type,
            price: Number(type === 'call' ? p.call_price : p.reservasi_price),
          });
        }
      }
      return mine;
    });
    for (const l of lists) {
      byPair.push(l);
      found += l.length;
    }
  }
  const mixed: Slot[] = [];
  for (let i = 0; mixed.length < found; i++) for (const l of byPair) if (l[i]) mixed.push(l[i]!);
  if (mixed.length < need) throw new Error(`only ${mixed.length} free slots found, ${need} needed`);
  return mixed.slice(0, need);
}

/** Registers `count` patients (each from an address of its own when `addresses` is set); their tokens. */
export async function registerPatients(
  server: ServerProcess,
  apiKey: string,
  count: number,
  options: { prefix: string; addresses?: boolean },
): Promise<string[]> {
  const tag = randomUUID()
    .slice(0, 6)
    .replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!);
  return pool(
    Array.from({ length: count }, (_, i) => i),
    4,
    async (i) => {
      const username = `${options.prefix}${tag}${i}`;
      const data = await api(
        server,
        apiKey,
        '/api/register/patient',
        {
          name: `Pasien ${options.prefix} ${i}`,
          address: 'Jl. Gatot Subroto 1, Jakarta',
          username,
          email: `${username}@example.id`,
          password: 'rahasia-pasien-1',
        },
        options.addresses ? { 'x-forwarded-for': randomAddress() } : {},
      );
      return data.access_token as string;
    },
  );
}

/** A made-up client address (10.x.y.z), so that counts keyed by address start from nothing. */
export function randomAddress(): string {
  const b = randomUUID().replaceAll('-', '');
  return `10.${parseInt(b.slice(0, 2), 16)}.${parseInt(b.slice(2, 4), 16)}.${parseInt(b.slice(4, 6), 16) || 1}`;
}
