// Crash safety: `npm run crash [-- --db sqlite|postgres|both --rounds 10]` (see docs/benchmarks.md).
//
// For each database: a fresh database (SQLite under ./data/crash/, PostgreSQL `cexup_crash`),
// the demo catalogue, patients registered and free slots listed through the API. Then, each
// round: booking load against one server process (every request with its own Idempotency-Key,
// two patients racing for every slot), SIGKILL at a random moment, a restart (timed until
// /health answers), every unacknowledged request sent again with the same key and body, some
// acknowledged ones too (the same order must come back), and the checks:
//   - every acknowledged booking is in the database, with the transaction id it was answered
//     with and the Idempotency-Key it was sent with;
//   - every order in the database was acknowledged (after the retries), each with one `book`
//     event: nothing half-written, nothing booked twice for one key;
//   - no slot has two active orders; every active order holds its slot;
//   - the database's own check passes (SQLite `PRAGMA integrity_check` and
//     `foreign_key_check`; PostgreSQL amcheck on every index and table);
//   - /health answers within 5 s of the restart.
// A table a round, a summary, and exit code 1 on any violation.
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../src/db/index.js';
import { OPEN_STATUSES } from '../src/modules/privacy/privacy.repository.js';
import { send, startServer, type Reply, type ServerProcess } from '../test/multiprocess-helpers.js';
import { findSlots, freshDatabase, pool, registerPatients, sleep, type Slot } from './process-kit.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '10' },
    /** Slots booked at most in a round (two requests each). */
    slots: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '16' },
    /** The kill comes at a random moment between these (ms after the load starts). */
    'kill-min': { type: 'string', default: '100' },
    'kill-max': { type: 'string', default: '2500' },
    seed: { type: 'string', default: String(Date.now()) },
  },
});
const ROUNDS = Number(values.rounds);
const SLOTS_PER_ROUND = Number(values.slots);
const CONCURRENCY = Number(values.concurrency);
const KILL_MIN = Number(values['kill-min']);
const KILL_MAX = Number(values['kill-max']);
const HEALTH_LIMIT_MS = 5000;
/** This run's API key (set when the database is made). */
let API_KEY = '';
/** Orders a patient may hold unpaid (MAX_UNPAID_ORDERS, at most 100). */
const MAX_UNPAID = 100;
const SERVER_ENV = {
  DEMO_MODE: 'true', // the sandbox payment provider runs only in demo mode
  LOG_LEVEL: 'warn',
  MAIL_TRANSPORT: 'log',
  MAX_UNPAID_ORDERS: String(MAX_UNPAID),
  RATE_LIMIT_REGISTER_PER_HOUR: '100000',
  // Each patient books up to MAX_UNPAID orders within minutes.
  RATE_LIMIT_BOOKINGS_PER_HOUR: '100000',
};
/** Statuses in which an order holds its slot: the open ones but a refund due (its slot is freed). */
const ACTIVE = OPEN_STATUSES.filter((status) => status !== 'waiting_refund');

// A small seeded generator, so a failing run can be repeated with --seed.
let state = Number(values.seed) >>> 0 || 1;
function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
}

interface Outcome {
  /** 0: no answer (the connection died). */
  status: number;
  code?: string;
  tx?: string;
}

interface Request {
  round: number;
  key: string;
  token: string;
  body: Slot & { patient: string };
  first?: Outcome;
  retry?: Outcome;
  /** The transaction id the client was answered with (201, or 200 on a replay). */
  acked?: string;
}

interface RoundRow {
  round: number;
  killMs: number;
  drained: boolean;
  sent: number;
  created: number;
  taken: number;
  noAnswer: number;
  serverErrors: number;
  healthMs: number;
  /** The machine's 1-minute load average at the restart. */
  load: number;
  retried: number;
  retryReplayed: number;
  retryCreated: number;
  retryTaken: number;
  retryOther: number;
  resent: number;
  resentSame: number;
  orders: number;
  violations: string[];
}

function outcomeOf(reply: Reply): Outcome {
  const o: Outcome = { status: reply.status };
  if (typeof reply.body?.code === 'string') o.code = reply.body.code;
  if (typeof reply.body?.data?.transaction_id === 'string') o.tx = reply.body.data.transaction_id;
  return o;
}

async function book(server: ServerProcess, r: Request): Promise<Outcome> {
  try {
    const reply = await send(server.baseUrl, 'POST', '/api/doctor/booking', r.body, {
      'x-api-key': API_KEY,
      authorization: `Bearer ${r.token}`,
      'idempotency-key': r.key,
    });
    return outcomeOf(reply);
  } catch {
    return { status: 0 };
  }
}

/** The database's own checks: SQLite integrity and foreign keys, PostgreSQL amcheck. */
async function integrity(kind: 'sqlite' | 'postgres', handle: DatabaseHandle): Promise<string[]> {
  const problems: string[] = [];
  if (kind === 'sqlite') {
    const check = (await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(handle.db)).rows;
    const text = check.map((r) => r.integrity_check).join('; ');
    if (text !== 'ok') problems.push(`integrity_check: ${text}`);
    const fk = (await sql<Record<string, unknown>>`PRAGMA foreign_key_check`.execute(handle.db)).rows;
    if (fk.length > 0) problems.push(`foreign_key_check: ${fk.length} rows, e.g. ${JSON.stringify(fk[0])}`);
    return problems;
  }
  await sql`CREATE EXTENSION IF NOT EXISTS amcheck`.execute(handle.db);
  const indexes = (
    await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE a.amname = 'btree' AND n.nspname = 'public' AND i.indisready AND i.indisvalid`.execute(handle.db)
  ).rows;
  for (const { name } of indexes) {
    try {
      // heapallindexed: every row of the table is found in the index too.
      await sql`SELECT bt_index_check(${name}::regclass, true)`.execute(handle.db);
    } catch (err) {
      problems.push(`bt_index_check ${name}: ${(err as Error).message}`);
    }
  }
  const heap = (
    await sql<{ relname: string; msg: string }>`
      SELECT c.relname, v.msg FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
      LATERAL verify_heapam(c.oid) v WHERE c.relkind = 'r' AND n.nspname = 'public'`.execute(handle.db)
  ).rows;
  for (const h of heap) problems.push(`verify_heapam ${h.relname}: ${h.msg}`);
  return problems;
}

/** What must hold after every round. */
async function checkDatabase(
  kind: 'sqlite' | 'postgres',
  handle: DatabaseHandle,
  requests: Request[],
): Promise<{ orders: number; violations: string[] }> {
  const violations: string[] = [];
  const rows = (
    await sql<{
      transaction_id: string;
      practice_id: number;
      status: string;
      key: string | null;
      book_events: number;
      holds: number;
    }>`
      SELECT o.transaction_id, o.practice_id, o.status, k.key,
        (SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id AND e.action = 'book') AS book_events,
        (SELECT COUNT(*) FROM slot_holds h WHERE h.order_id = o.id) AS holds
      FROM orders o LEFT JOIN idempotency_keys k ON k.order_id = o.id`.execute(handle.db)
  ).rows;
  const byTx = new Map(rows.map((r) => [r.transaction_id, r]));
  const ackedKeys = new Map<string, Request>();
  for (const r of requests) {
    if (r.acked === undefined) continue;
    ackedKeys.set(r.key, r);
    const row = byTx.get(r.acked);
    if (row === undefined) violations.push(`acknowledged booking lost: ${r.acked} (key ${r.key}, round ${r.round})`);
    else if (row.key !== r.key) violations.push(`${r.acked}: stored under key ${row.key}, acknowledged for ${r.key}`);
    else if (Number(row.practice_id) !== r.body.id) violations.push(`${r.acked}: another practice than requested`);
  }
  for (const row of rows) {
    if (row.key === null || !ackedKeys.has(row.key)) {
      violations.push(`order ${row.transaction_id} (key ${row.key}) was never acknowledged, even on a retry`);
    } else if (ackedKeys.get(row.key)!.acked !== row.transaction_id) {
      violations.push(`key ${row.key}: order ${row.transaction_id} besides the acknowledged one`);
    }
    if (Number(row.book_events) !== 1) violations.push(`${row.transaction_id}: ${row.book_events} book events`);
    if (ACTIVE.includes(row.status) && Number(row.holds) !== 1) {
      violations.push(`${row.transaction_id}: ${row.status} with ${row.holds} slot holds`);
    }
  }
  const doubles = (
    await sql<{ doctor_id: number; start_at: number; n: number }>`
      SELECT doctor_id, start_at, COUNT(*) AS n FROM orders
      WHERE status IN (${sql.join(ACTIVE)}) GROUP BY doctor_id, start_at HAVING COUNT(*) > 1`.execute(handle.db)
  ).rows;
  for (const d of doubles) violations.push(`doctor ${d.doctor_id} at ${d.start_at}: ${d.n} active orders`);
  const doubleHolds = (
    await sql<{ n: number }>`
      SELECT COUNT(*) AS n FROM (SELECT doctor_id, start_at FROM slot_holds
      GROUP BY doctor_id, start_at HAVING COUNT(*) > 1) x`.execute(handle.db)
  ).rows;
  if (Number(doubleHolds[0]!.n) > 0) violations.push(`${doubleHolds[0]!.n} slots held twice`);
  violations.push(...(await integrity(kind, handle)));
  return { orders: rows.length, violations };
}

async function runDatabase(kind: 'sqlite' | 'postgres'): Promise<RoundRow[]> {
  const started = Date.now();
  const database = await freshDatabase(kind, 'crash');
  const { url, handle } = database;
  API_KEY = database.apiKey;
  const rows: RoundRow[] = [];
  let server = await startServer(url, SERVER_ENV);
  try {
    const slotsNeeded = ROUNDS * SLOTS_PER_ROUND;
    // Each patient races in two requests per `patients` slots and wins at most those: stay under MAX_UNPAID.
    const patientCount = Math.max(4, Math.ceil((2 * slotsNeeded) / (MAX_UNPAID - 10)));
    const tokens = await registerPatients(server, API_KEY, patientCount, { prefix: 'crash' });
    const slots = await findSlots(server, database, slotsNeeded);
    process.stdout.write(
      `[${kind}] ${patientCount} patients, ${slots.length} free slots ready in ${Date.now() - started} ms (startup ${server.healthMs} ms)\n`,
    );

    const all: Request[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const mine = slots.slice((round - 1) * SLOTS_PER_ROUND, round * SLOTS_PER_ROUND);
      // Two patients race for each slot, one right after the other in the queue.
      const queue: Request[] = mine.flatMap((slot, i) => {
        const n = (round - 1) * SLOTS_PER_ROUND + i;
        return [n, n + 1].map((p) => ({
          round,
          key: randomUUID(),
          token: tokens[p % patientCount]!,
          body: { ...slot, patient: `Crash Patient ${p % patientCount}` },
        }));
      });
      const sentList: Request[] = [];
      let killed = false;
      let next = 0;
      const loadStart = Date.now();
      const workers = Array.from({ length: CONCURRENCY }, async () => {
        while (!killed && next < queue.length) {
          const r = queue[next++]!;
          sentList.push(r);
          r.first = await book(server, r);
          if ((r.first.status === 201 || r.first.status === 200) && r.first.tx) r.acked = r.first.tx;
        }
      });
      const killMs = Math.round(KILL_MIN + random() * (KILL_MAX - KILL_MIN));
      await Promise.race([sleep(killMs), Promise.all(workers)]);
      const drained = next >= queue.length;
      killed = true;
      const killedAt = Date.now() - loadStart;
      await server.kill();
      await Promise.all(workers);
      all.push(...sentList);

      server = await startServer(url, SERVER_ENV);
      const healthMs = server.healthMs;
      const load = loadavg()[0]!;

      // Every request without a 2xx, again with its key and body.
      const unacked = sentList.filter((r) => r.acked === undefined);
      await pool(unacked, 8, async (r) => {
        for (let attempt = 0; attempt < 5; attempt++) {
          r.retry = await book(server, r);
          if (r.retry.status !== 0 && r.retry.status < 500) break;
          await sleep(200);
        }
        if ((r.retry!.status === 201 || r.retry!.status === 200) && r.retry!.tx) r.acked = r.retry!.tx;
      });
      const violations: string[] = [];
      for (const r of unacked) {
        if (r.retry!.status === 0 || r.retry!.status >= 500) {
          violations.push(`no answer on retry for key ${r.key}: ${r.retry!.status} ${r.retry!.code ?? ''}`);
        }
      }
      // Some acknowledged ones again, from this round and earlier ones: the same order comes back.
      const ackedHere = sentList.filter((r) => r.first?.tx !== undefined && r.acked === r.first.tx);
      const earlier = all.filter((r) => r.round < round && r.acked !== undefined);
      const resend = [
        ...ackedHere.slice(0, 20),
        ...Array.from({ length: Math.min(5, earlier.length) }, () => earlier[Math.floor(random() * earlier.length)]!),
      ];
      let resentSame = 0;
      await pool(resend, 8, async (r) => {
        const again = await book(server, r);
        if (again.status === 200 && again.tx === r.acked) resentSame++;
        else violations.push(`resent ${r.key}: ${again.status} ${again.code ?? ''} ${again.tx ?? ''}, not ${r.acked}`);
      });
      if (healthMs > HEALTH_LIMIT_MS) violations.push(`/health answered ${healthMs} ms after the restart`);

      const check = await checkDatabase(kind, handle, all);
      violations.push(...check.violations);
      const first = (f: (o: Outcome) => boolean) => sentList.filter((r) => f(r.first!)).length;
      const retried = (f: (o: Outcome) => boolean) => unacked.filter((r) => f(r.retry!)).length;
      const row: RoundRow = {
        round,
        killMs: killedAt,
        drained,
        sent: sentList.length,
        created: first((o) => o.status === 201),
        taken: first((o) => o.status === 409),
        noAnswer: first((o) => o.status === 0),
        serverErrors: first((o) => o.status >= 500),
        healthMs,
        load,
        retried: unacked.length,
        retryReplayed: retried((o) => o.status === 200),
        retryCreated: retried((o) => o.status === 201),
        retryTaken: retried((o) => o.status === 409),
        retryOther: retried((o) => ![200, 201, 409].includes(o.status)),
        resent: resend.length,
        resentSame,
        orders: check.orders,
        violations,
      };
      rows.push(row);
      printRow(kind, row);
      for (const v of violations.slice(0, 10)) process.stdout.write(`    VIOLATION ${v}\n`);
      if (violations.length > 10) process.stdout.write(`    ... and ${violations.length - 10} more\n`);
    }
  } finally {
    await server.stop();
    await database.dispose();
  }
  return rows;
}

const HEADER =
  'db       round  kill ms  sent   201  409  no-answer  5xx  health ms  load  retried (200 replay/201/409/other)  resent ok  orders  violations';

function printRow(kind: string, r: RoundRow): void {
  const retry = `${r.retried} (${r.retryReplayed}/${r.retryCreated}/${r.retryTaken}/${r.retryOther})`;
  process.stdout.write(
    `${kind.padEnd(8)} ${String(r.round).padStart(5)}  ${String(r.killMs).padStart(7)}${r.drained ? '*' : ' '}${String(r.sent).padStart(5)} ${String(r.created).padStart(5)} ${String(r.taken).padStart(4)} ${String(r.noAnswer).padStart(10)} ${String(r.serverErrors).padStart(4)} ${String(r.healthMs).padStart(10)} ${r.load.toFixed(1).padStart(5)}  ${retry.padEnd(35)} ${`${r.resentSame}/${r.resent}`.padStart(9)} ${String(r.orders).padStart(7)}  ${r.violations.length}\n`,
  );
}

async function main(): Promise<void> {
  const kinds: ('sqlite' | 'postgres')[] =
    values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as 'sqlite' | 'postgres'];
  if (!kinds.every((k) => k === 'sqlite' || k === 'postgres')) throw new Error('--db sqlite|postgres|both');
  process.stdout.write(
    `crash: ${ROUNDS} rounds a database, up to ${SLOTS_PER_ROUND} slots (2 requests each) a round, ${CONCURRENCY} clients, SIGKILL ${KILL_MIN}-${KILL_MAX} ms into the load (--seed ${values.seed})\n${HEADER}\n`,
  );
  const results: { kind: string; rows: RoundRow[] }[] = [];
  for (const kind of kinds) results.push({ kind, rows: await runDatabase(kind) });

  process.stdout.write('\nsummary\n');
  let failed = false;
  for (const { kind, rows } of results) {
    const sum = (f: (r: RoundRow) => number) => rows.reduce((a, r) => a + f(r), 0);
    const health = rows.map((r) => r.healthMs).sort((a, b) => a - b);
    const violations = sum((r) => r.violations.length);
    failed ||= violations > 0;
    process.stdout.write(
      `  ${kind}: ${rows.length} rounds, ${sum((r) => r.sent)} requests, ${sum((r) => r.created)} acknowledged at once (201), ` +
        `${sum((r) => r.noAnswer)} cut off by the kill, ${sum((r) => r.retried)} retried ` +
        `(${sum((r) => r.retryReplayed)} had been booked before the kill: 200 with the order, ${sum((r) => r.retryCreated)} booked on the retry), ` +
        `${sum((r) => r.resentSame)}/${sum((r) => r.resent)} acknowledged re-sent gave the same order, ${rows.at(-1)?.orders ?? 0} orders; ` +
        `restart to /health ${health[0]}-${health.at(-1)} ms (median ${health[Math.floor(health.length / 2)]}, load average ${Math.min(...rows.map((r) => r.load)).toFixed(1)}-${Math.max(...rows.map((r) => r.load)).toFixed(1)} on ${cpus().length} cores); violations ${violations}\n`,
    );
  }
  process.stdout.write(failed ? 'FAILED\n' : 'OK: no violation\n');
  process.exitCode = failed ? 1 : 0;
}

await main();
