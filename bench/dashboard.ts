// The dashboard benchmark: `npx tsx bench/dashboard.ts` (see docs/benchmarks.md, "Dashboard").
//
// Fills a database of its own (a SQLite file in a temporary directory; PostgreSQL when
// DATABASE_URL is set: a database `cexup_dashboard_bench` made anew on that server) with
// 100,000 orders over the past year across several hospitals and doctors, written straight to
// the tables with their history, starts the app in this process (buildApp) on a port, and
// measures GET /api/admin/dashboard over 30 and 365 days with autocannon (another process, on
// another core when taskset is there) next to GET /health measured in the same run. Prints
// p50 / p99 of each case, its ratio to the baseline, and whether p99 <= 50 ms.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { sql, type Insertable } from 'kysely';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDatabase, type Db } from '../src/db/index.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Database } from '../src/db/schema.js';
import { AdminDashboard } from '../src/modules/admin/admin-dashboard.js';
import { createAdmin } from '../src/modules/admin/index.js';
import { addDays, utcToLocal } from '../src/lib/time.js';
import { newId, newSortableId } from '../src/security/tokens.js';
import { dropDatabase, emptyDatabase, pin, ROOT } from '../scripts/kit.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    hospitals: { type: 'string', default: '12' },
    doctors: { type: 'string', default: '60' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '1,4' },
    port: { type: 'string', default: '4390' },
    keep: { type: 'boolean', default: false },
  },
});
const ORDERS = Number(values.orders);
const HOSPITALS = Number(values.hospitals);
const DOCTORS = Number(values.doctors);
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const CONNECTIONS = values.connections.split(',').map(Number);
const PORT = Number(values.port);
const TARGET_P99_MS = 50;
const DAY = 86_400_000;
const MINUTE = 60_000;

// The server (this process) on core 0, autocannon on core 1, as the other benchmarks do.
if (process.env.DASHBOARD_BENCH_PINNED !== '1' && existsSync('/usr/bin/taskset')) {
  const r = spawnSync(
    'taskset',
    ['-c', '0', process.execPath, '--import', 'tsx', join(ROOT, 'bench/dashboard.ts'), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, DASHBOARD_BENCH_PINNED: '1' } },
  );
  process.exit(r.status ?? 1);
}

/** A small deterministic generator, so every run fills the same orders (relative to its start). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Row<T extends keyof Database> = Insertable<Database[T]>;

async function insertAll<T extends keyof Database>(db: Db, table: T, rows: Row<T>[], chunk = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + chunk) as never)
      .execute();
  }
}

/** The catalogue, patients, orders with their history, and webhook deliveries, as of `now`. */
async function fill(db: Db, now: number, appId: string): Promise<{ hospitalSlug: string; events: number }> {
  const rnd = random(20261210);
  const ts = { created_at: now - 400 * DAY, updated_at: now - 400 * DAY };
  const specialityId = newId();
  await insertAll(db, 'specialities', [
    { id: specialityId, slug: 'bench-umum', name: 'Umum', description: null, unpublished_at: null, ...ts },
  ]);
  const zones = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'];
  const hospitals = Array.from({ length: HOSPITALS }, (_, i) => ({
    id: newId(),
    slug: `bench-rs-${i + 1}`,
    name: `RS Bench ${String(i + 1).padStart(2, '0')}`,
    address: null,
    city: 'Kota',
    province: null,
    timezone: zones[i % 3]!,
    phone: null,
    description: null,
    image_id: null,
    unpublished_at: null,
    ...ts,
  }));
  await insertAll(db, 'hospitals', hospitals);
  const doctors = Array.from({ length: DOCTORS }, (_, i) => ({
    id: newId(),
    slug: `bench-dr-${i + 1}`,
    username: `benchdr${i + 1}`,
    name: `dr. Bench ${i + 1}`,
    name_search: `dr. bench ${i + 1}`,
    speciality_id: specialityId,
    about: null,
    experience_years: 5,
    image_id: null,
    user_id: null,
    unpublished_at: null,
    ...ts,
  }));
  await insertAll(db, 'doctors', doctors);
  const practices = await db
    .insertInto('practices')
    .values(
      doctors.map((d, i) => ({
        doctor_id: d.id,
        hospital_id: hospitals[i % HOSPITALS]!.id,
        call_price: 100_000 + (i % 5) * 25_000,
        reservasi_price: 150_000 + (i % 4) * 50_000,
        unpublished_at: null,
        ...ts,
      })),
    )
    .returning(['id', 'doctor_id', 'hospital_id', 'call_price', 'reservasi_price'])
    .execute();
  const zoneOf = new Map(hospitals.map((h) => [h.id, h.timezone]));
  const patients = Array.from({ length: 2000 }, (_, i) => ({
    id: newId(),
    role: 'patient',
    name: `Pasien ${i}`,
    username: `benchpasien${i}`,
    username_normalized: `benchpasien${i}`,
    email: `benchpasien${i}@example.id`,
    email_normalized: `benchpasien${i}@example.id`,
    password_hash: 'x',
    address: null,
    gender: null,
    phone_number: null,
    date_of_birth: null,
    place_of_birth: null,
    id_type: null,
    id_number_enc: null,
    id_number_masked: null,
    id_number_hmac: null,
    avatar_image_id: null,
    erased_at: null,
    ...ts,
  }));
  await insertAll(db, 'users', patients, 200);

  const orders: Row<'orders'>[] = [];
  const events: Row<'order_events'>[] = [];
  const deliveries: Row<'notification_deliveries'>[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const practice = practices[Math.floor(rnd() * practices.length)]!;
    const type = rnd() < 0.5 ? 'call' : 'reservasi';
    const price = Number(type === 'call' ? practice.call_price : practice.reservasi_price);
    const created = now - Math.floor(rnd() * 365 * DAY);
    const start = Math.floor((created + (1 + Math.floor(rnd() * 14)) * DAY) / (30 * MINUTE)) * 30 * MINUTE;
    const id = newSortableId(created);
    const history: [number, string | null, string, string, string][] = [
      [created, null, 'waiting_payment', 'book', 'patient'],
    ];
    let status = 'waiting_payment';
    let paidAt: number | null = null;
    let refundedAt: number | null = null;
    let refundDue = 0;
    let proposedAt: number | null = null;
    const move = (at: number, to: string, action: string, actor: string): boolean => {
      if (at > now) return false;
      history.push([at, status, to, action, actor]);
      status = to;
      return true;
    };
    const refund = (at: number) => {
      refundDue = price;
      if (move(at, 'refunded', 'refund_completed', 'admin')) {
        refundedAt = at;
        refundDue = 0;
      }
    };
    const p = rnd();
    const q = rnd();
    if (p < 0.1) {
      if (move(created + 60 * MINUTE, 'order_failed', 'payment_failed', 'job') && q < 0.05) {
        // Paid after it had expired: the money goes back.
        if (move(created + 90 * MINUTE, 'waiting_refund', 'late_payment', 'gateway')) {
          paidAt = created + 90 * MINUTE;
          refund(created + 3 * DAY);
        }
      }
    } else if (p < 0.13) {
      move(created + 10 * MINUTE, 'order_cancel', 'reject_by_patient', 'patient');
    } else if (move(created + 5 * MINUTE, 'waiting_doctor_confirmation', 'pay', 'gateway')) {
      paidAt = created + 5 * MINUTE;
      if (q < 0.06) {
        if (move(paidAt + 60 * MINUTE, 'waiting_refund', 'decline', 'doctor')) refund(paidAt + 2 * DAY);
      } else if (q < 0.1) {
        if (move(paidAt + 3 * 60 * MINUTE, 'waiting_refund', 'reject_by_patient', 'patient')) refund(paidAt + 2 * DAY);
      } else if (q < 0.12 && start > now) {
        if (move(paidAt + 60 * MINUTE, 'reschedule_from_doctor', 'propose', 'doctor'))
          proposedAt = paidAt + 60 * MINUTE;
      } else if (move(paidAt + 2 * 60 * MINUTE, 'waiting_meeting', 'confirm', 'doctor')) {
        if (rnd() < 0.08) {
          move(start + 60 * MINUTE, 'missed_meeting', 'missed', 'job');
        } else if (
          move(start - 10 * MINUTE, 'join_now', 'open_room', 'job') &&
          move(start, 'on_air', 'start', 'doctor')
        ) {
          move(start + 30 * MINUTE, 'done', 'finish', 'doctor');
        }
      }
    }
    const last = history.at(-1)![0];
    orders.push({
      id,
      transaction_id: `CXB${String(i).padStart(9, '0')}`,
      patient_user_id: patients[i % patients.length]!.id,
      app_id: appId,
      practice_id: practice.id,
      doctor_id: practice.doctor_id,
      hospital_id: practice.hospital_id,
      type,
      patient_name: 'Pasien Bench',
      note: null,
      price,
      status,
      start_at: start,
      end_at: start + 30 * MINUTE,
      timezone: zoneOf.get(practice.hospital_id)!,
      proposed_start_at: proposedAt === null ? null : start + DAY,
      proposed_end_at: proposedAt === null ? null : start + DAY + 30 * MINUTE,
      proposed_at: proposedAt,
      status_before_proposal: proposedAt === null ? null : 'waiting_doctor_confirmation',
      payment_provider: 'sandbox',
      payment_ref: null,
      payment_url: null,
      expires_at: created + 60 * MINUTE,
      paid_at: paidAt,
      refund_due: refundDue,
      refunded_at: refundedAt,
      meeting_url: null,
      allow_access_data: 0,
      created_at: created,
      updated_at: last,
    });
    for (const [at, from, to, action, actor] of history) {
      events.push({
        id: newSortableId(at),
        order_id: id,
        from_status: from,
        to_status: to,
        action,
        actor,
        created_at: at,
      });
    }
    // Some webhook calls of a partner that answers 500, now and then.
    if (rnd() < 0.03) {
      const failedAt = last + 4 * 60 * MINUTE;
      const pending = failedAt > now;
      deliveries.push({
        id: newSortableId(last),
        event_key: newSortableId(last),
        channel: 'webhook',
        target: 'bench-webhook',
        app_id: appId,
        order_id: id,
        kind: 'order.updated',
        payload: '{}',
        state: pending ? 'pending' : 'failed',
        attempts: pending ? 3 : 8,
        next_attempt_at: pending ? last + 5 * 60 * MINUTE : failedAt,
        lease_until: null,
        lease_owner: null,
        last_status: 500,
        last_error: 'HTTP 500',
        created_at: last,
        updated_at: pending ? now : failedAt,
        delivered_at: null,
      });
    }
  }
  await insertAll(db, 'orders', orders);
  await insertAll(db, 'order_events', events, 1000);
  await insertAll(db, 'notification_deliveries', deliveries);
  return { hospitalSlug: hospitals[0]!.slug, events: events.length };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

function autocannon(url: string, headers: Record<string, string>, seconds: number, connections: number): Promise<Load> {
  const [cmd, args] = pin(1, process.execPath, [
    join(ROOT, 'node_modules/autocannon/autocannon.js'),
    '-j',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
    url,
  ]);
  // Asynchronous: the server answering these requests is this very process.
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      const r = JSON.parse(stdout);
      resolve({
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        max: r.latency.max,
        errors: r.non2xx + r.errors + r.timeouts,
      });
    });
  });
}

async function main(): Promise<void> {
  const pgAdmin = process.env.DATABASE_URL;
  const kind = pgAdmin !== undefined && pgAdmin !== '' ? 'postgres' : 'sqlite';
  const dir = mkdtempSync(join(tmpdir(), 'cexup-dashboard-bench-'));
  const pgName = 'cexup_dashboard_bench';
  const url = await emptyDatabase(kind, { sqliteFile: join(dir, 'bench.db'), pgName, pgAdmin: pgAdmin ?? '' });
  const config = loadConfig({
    DATABASE_URL: url,
    PUBLIC_URL: `http://127.0.0.1:${PORT}`,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    MAIL_TRANSPORT: 'log',
    JOB_INTERVAL_SECONDS: '0',
    NOTIFY_JOB_INTERVAL_SECONDS: '0',
    IDENTITY_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    IDENTITY_HMAC_KEY: randomBytes(32).toString('base64'),
  });
  const database = createDatabase(config.database);
  await migrateToLatest(database.db);
  // Production logging: one line a request, written to a sink.
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const app = await buildApp({ config, database, logStream: sink });
  try {
    const { key, appId } = await app.services.apps.createApp('dashboard bench');
    const now = Date.now();
    let started = Date.now();
    const { hospitalSlug, events } = await fill(database.db, now, appId);
    // What autovacuum would have done by now on a live database: the planner's statistics and
    // the visibility map (index-only scans). The app never runs ANALYZE on SQLite: nor does this.
    if (kind === 'postgres') await sql`VACUUM ANALYZE`.execute(database.db);
    process.stdout.write(
      `[${kind}] ${ORDERS} orders, ${events} history entries, ${HOSPITALS} hospitals, ${DOCTORS} doctors ` +
        `filled in ${Date.now() - started} ms\n`,
    );
    const email = `bench-admin-${randomBytes(3).toString('hex')}@cexup.test`;
    await createAdmin(database.db, { name: 'Bench Admin', email, password: 'bench-admin-sandi-2026' });
    await app.listen({ port: PORT, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${PORT}`;
    const login = await fetch(`${base}/api/login/admin`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'bench-admin-sandi-2026' }),
    });
    const token = ((await login.json()) as { data: { access_token: string } }).data.access_token;
    const headers = { 'x-api-key': key, authorization: `Bearer ${token}` };

    const today = utcToLocal(now, 'Asia/Jakarta').date;
    const year = `from=${addDays(today, -364)}&to=${today}`;
    const cases = [
      { name: 'GET /health (baseline)', path: '/health' },
      { name: 'dashboard, 30 days (default)', path: '/api/admin/dashboard' },
      { name: 'dashboard, 365 days', path: `/api/admin/dashboard?${year}` },
      { name: 'dashboard, 365 days, one hospital', path: `/api/admin/dashboard?${year}&hospital=${hospitalSlug}` },
    ];
    // One answer of each, to see it is right before timing it.
    for (const c of cases.slice(1)) {
      started = performance.now();
      const res = await fetch(`${base}${c.path}`, { headers });
      const body = (await res.json()) as { data: { totals: object; attention: object; today: unknown[] } };
      if (res.status !== 200) throw new Error(`${c.path}: ${res.status} ${JSON.stringify(body)}`);
      process.stdout.write(
        `  ${c.name}: first answer ${(performance.now() - started).toFixed(1)} ms; totals ${JSON.stringify(body.data.totals)}; ` +
          `attention ${JSON.stringify(body.data.attention)}; today ${body.data.today.length} hospitals\n`,
      );
    }

    // The cold cost: every day counted in SQL (a fresh instance keeps no settled day), one
    // request at a time, in this process, without HTTP.
    process.stdout.write('\ncold (nothing kept), SQL and assembly alone, 20 in a row:\n');
    for (const c of cases.slice(1)) {
      const query = Object.fromEntries(new URL(`${base}${c.path}`).searchParams);
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const fresh = new AdminDashboard(database.db, () => Date.now());
        const t = performance.now();
        await fresh.read(query);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      process.stdout.write(`  ${c.name}: median ${times[10]!.toFixed(1)} ms, slowest ${times[19]!.toFixed(1)} ms\n`);
    }

    process.stdout.write(
      `\nautocannon, ${DURATION} s a case after ${WARMUP} s warm-up; server on core 0, load on core 1\n\n` +
        '| database | connections | case | req/s | p50 ms | p99 ms | max ms | p99 / baseline p99 (1 ms at least) | errors | p99 <= 50 ms |\n' +
        '| -------- | ----------: | ---- | ----: | -----: | -----: | -----: | ---------------------------------: | -----: | ------------ |\n',
    );
    const verdicts: boolean[] = [];
    for (const connections of CONNECTIONS) {
      let baseline: Load | undefined;
      for (const c of cases) {
        await autocannon(`${base}${c.path}`, headers, WARMUP, connections);
        const r = await autocannon(`${base}${c.path}`, headers, DURATION, connections);
        baseline ??= r;
        const dashboard = c.path !== '/health';
        const ok = r.p99 <= TARGET_P99_MS;
        if (dashboard) verdicts.push(ok && r.errors === 0);
        process.stdout.write(
          `| ${kind} | ${connections} | ${c.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.max} | ` +
            `${dashboard ? (r.p99 / Math.max(baseline.p99, 1)).toFixed(1) : '-'} | ${r.errors} | ${dashboard ? (ok ? 'yes' : 'NO') : ''} |\n`,
        );
      }
    }
    process.stdout.write(
      `\n${verdicts.every(Boolean) ? 'every dashboard case met' : 'NOT every dashboard case met'} p99 <= ${TARGET_P99_MS} ms\n`,
    );
  } finally {
    await app.close();
    await database.destroy();
    if (!values.keep) {
      if (kind === 'postgres') await dropDatabase(pgAdmin!, pgName);
      rmSync(dir, { recursive: true, force: true });
    } else {
      process.stdout.write(`kept: ${url}\n`);
    }
  }
}

await main();
