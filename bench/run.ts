// The catalogue benchmark: `npm run bench` (see docs/benchmarks.md).
//
// For each database it seeds the demo catalogue with 10,000 doctors, then measures each case
// on a fresh server process pinned to core 0, with the load generator pinned to core 1:
// a warm-up, then several timed runs; the best run of each case is reported with its ratio to
// a bare node:http server answering the same bytes as page 1 (measured in the same run).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cli, emptyDatabase, letterTag, pin, pool } from '../scripts/kit.js';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    doctors: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    runs: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    'booking-duration': { type: 'string', default: '5' },
    /** Runs of the slot lists and the bookings, each figure the median of them. */
    'tail-runs': { type: 'string', default: '5' },
    bookings: { type: 'string', default: '70000' },
    out: { type: 'string', default: join(root, 'bench', 'results', 'latest.json') },
  },
});
const DOCTORS = Number(values.doctors);
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const RUNS = Number(values.runs);
const CONNECTIONS = Number(values.connections);
const BOOKING_DURATION = Number(values['booking-duration']);
const TAIL_RUNS = Number(values['tail-runs']);
/** Free slots set aside for the sustained booking case (warm-up and runs use each once). */
const BOOKING_SLOTS = Number(values.bookings);
/** Orders a patient may hold unpaid (MAX_UNPAID_ORDERS, at most 100). */
const PER_PATIENT = 100;
const RACE_TRIALS = 5;
const RACE_SLOTS = 50;
const RACE_CLIENTS_PER_SLOT = 4;
const RACE_PATIENTS = 20;
const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const API_KEY = `cxk_bench_${randomBytes(12).toString('hex')}`;
const work = join(root, 'data', 'bench');
mkdirSync(work, { recursive: true });

const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk prints its version and exits 1.
    return (err as { status?: number }).status === 1;
  }
})();

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: object;
  /** Booking case: each request one line of `file`, from line `next` on (advanced after each run). */
  bookings?: { file: string; next: number; total: number };
}

interface Result {
  case: string;
  db: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  runs: number[];
}

function envFor(databaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'production',
    DEMO_MODE: 'false',
    LOG_LEVEL: 'info',
    // The bench registers hundreds of patients: their confirmation mails would only add noise.
    MAIL_TRANSPORT: 'log',
    IDENTITY_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    IDENTITY_HMAC_KEY: randomBytes(32).toString('base64'),
  };
}

/**
 * The booking cases' server: sandbox payments (demo mode), room for many patients and orders
 * (each patient books up to PER_PATIENT orders within minutes).
 */
function bookingEnvFor(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    DEMO_MODE: 'true',
    RATE_LIMIT_REGISTER_PER_HOUR: '100000',
    RATE_LIMIT_BOOKINGS_PER_HOUR: '100000',
    MAX_UNPAID_ORDERS: String(PER_PATIENT),
  };
}

async function prepare(db: 'sqlite' | 'postgres'): Promise<NodeJS.ProcessEnv> {
  const url = await emptyDatabase(db, { sqliteFile: join(work, 'bench.db'), pgName: 'cexup_bench', pgAdmin: PG_ADMIN });
  const env = envFor(url);
  const started = Date.now();
  process.stdout.write(
    `[${db}] ${cli(env, 'seed', '--doctors', String(DOCTORS)).trim()} (${Date.now() - started} ms)\n`,
  );
  cli(env, 'keys', 'create', '--name', 'bench', '--key', API_KEY);
  return env;
}

async function waitForHealth(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

async function startApi(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of every server process there (for looking, not for figures).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const [cmd, args] = pin(0, process.execPath, [...prof, '--import', 'tsx', join(root, 'src/server.ts')]);
  // Logs on, as in production, written where a deployment would ship them from.
  const child = spawn(cmd, args, {
    // PUBLIC_URL: required outside demo mode (links are never built on the Host header).
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}` },
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForHealth(port, child);
  return child;
}

async function startBaseline(port: number, bodyFile: string): Promise<ChildProcess> {
  const [cmd, args] = pin(0, process.execPath, [join(root, 'bench/baseline.mjs'), String(port), bodyFile]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolveReady) => child.stdout!.once('data', () => resolveReady()));
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

/** Milliseconds from wrk's "1.23ms", "850.00us", "1.01s". */
function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

function load(port: number, c: Case, seconds: number): { rps: number; p50: number; p99: number; errors: number } {
  const url = `http://127.0.0.1:${port}${c.path}`;
  if (c.bookings && !hasWrk) throw new Error('the booking case needs wrk');
  if (hasWrk) {
    const [cmd, args] = pin(1, 'wrk', [
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      join(root, c.bookings ? 'bench/booking.lua' : 'bench/request.lua'),
      url,
    ]);
    const out = execFileSync(cmd, args, {
      encoding: 'utf8',
      env: {
        ...process.env,
        BENCH_METHOD: c.method,
        BENCH_BODY: c.body ? JSON.stringify(c.body) : '',
        BENCH_KEY: API_KEY,
        ...(c.bookings ? { BENCH_BOOKINGS: c.bookings.file, BENCH_START: String(c.bookings.next) } : {}),
      },
    });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const p50 = toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
    const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
    let non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
    if (c.bookings) {
      // Every answer but 201 is an error here (a 200 would be a replay, a 409 a slot used twice).
      non2xx = Number(/Non-201: (\d+)/.exec(out)?.[1] ?? NaN);
      const split = /Non-201: \d+ \(([^)]*)\)/.exec(out)?.[1];
      if (split && non2xx > 0) process.stdout.write(`  (non-201 answers: ${split})\n`);
      const last = Number(/Last index: (\d+)/.exec(out)?.[1] ?? NaN);
      if (last > c.bookings.total) process.stdout.write(`  (booking list exhausted: ${last} > ${c.bookings.total})\n`);
      c.bookings.next = last;
    }
    const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
    return { rps, p50, p99, errors };
  }
  const [cmd, args] = pin(1, process.execPath, [
    join(root, 'node_modules/autocannon/autocannon.js'),
    '-j',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
    '-m',
    c.method,
    '-H',
    `x-api-key=${API_KEY}`,
    ...(c.body ? ['-H', 'content-type=application/json', '-b', JSON.stringify(c.body)] : []),
    url,
  ]);
  const r = JSON.parse(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts };
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One case on one server, for measureTogether. */
interface Participant {
  name: string;
  db: string;
  start: () => Promise<ChildProcess>;
  port: number;
  c: Case;
}

type MeasureOptions = { warmup?: number; runs?: number; duration?: number; median?: boolean };

/**
 * Measures cases that are to be compared, each on its own server, in turns: run 1 of each, then
 * run 2 of each, and so on, so that every comparison is made in the same minutes of a shared
 * machine (issue 17). One participant is the plain measurement of one case.
 */
async function measureTogether(participants: readonly Participant[], opts: MeasureOptions = {}): Promise<Result[]> {
  const servers: ChildProcess[] = [];
  try {
    for (const p of participants) servers.push(await p.start());
    for (const p of participants) load(p.port, p.c, opts.warmup ?? WARMUP);
    const runs = participants.map(() => [] as ReturnType<typeof load>[]);
    for (let i = 0; i < (opts.runs ?? RUNS); i++) {
      participants.forEach((p, k) => runs[k]!.push(load(p.port, p.c, opts.duration ?? DURATION)));
    }
    return participants.map((p, k) => {
      const own = runs[k]!;
      // Tails vary from run to run far more than throughput: where they are compared, each figure
      // is the median of the runs (issue 17), elsewhere the best run's.
      const best = opts.median
        ? {
            rps: median(own.map((r) => r.rps)),
            p50: median(own.map((r) => r.p50)),
            p99: median(own.map((r) => r.p99)),
            errors: own.reduce((n, r) => n + r.errors, 0),
          }
        : own.reduce((a, b) => (b.rps > a.rps ? b : a));
      process.stdout.write(
        `  ${p.db.padEnd(8)} ${p.name.padEnd(26)} ${best.rps.toFixed(0).padStart(7)} req/s  p50 ${best.p50.toFixed(2)} ms  p99 ${best.p99.toFixed(2)} ms  errors ${best.errors}\n`,
      );
      return {
        case: p.name,
        db: p.db,
        rps: best.rps,
        p50: best.p50,
        p99: best.p99,
        errors: best.errors,
        runs: own.map((r) => r.rps),
      };
    });
  } finally {
    await Promise.all(servers.map(stop));
  }
}

async function measure(
  name: string,
  db: string,
  start: () => Promise<ChildProcess>,
  port: number,
  c: Case,
  opts: MeasureOptions = {},
): Promise<Result> {
  return (await measureTogether([{ name, db, start, port, c }], opts))[0]!;
}

interface Practice {
  id: number;
  username: string;
  call_price: number | null;
  reservasi_price: number | null;
}

/** Published practices with their doctor's username and prices, read straight from the database. */
async function practicesOf(env: NodeJS.ProcessEnv, limit: number): Promise<Practice[]> {
  const sql = `SELECT p.id, d.username, p.call_price, p.reservasi_price FROM practices p
    JOIN doctors d ON d.id = p.doctor_id JOIN hospitals h ON h.id = p.hospital_id
    WHERE p.unpublished_at IS NULL AND d.unpublished_at IS NULL AND h.unpublished_at IS NULL
    ORDER BY p.id LIMIT ${limit}`;
  return (await dbQuery(env, sql)) as unknown as Practice[];
}

async function dbQuery(env: NodeJS.ProcessEnv, sql: string): Promise<Record<string, unknown>[]> {
  const url = env.DATABASE_URL!;
  if (url.startsWith('sqlite:')) {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          typeof v === 'string' && /^\d+$/.test(v) && k !== 'username' ? Number(v) : v,
        ]),
      ),
    );
  } finally {
    await client.end();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON answer, read loosely
async function api(port: number, path: string, body: object, token?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: {
      'x-api-key': API_KEY,
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

const ymdOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface Slot {
  id: number;
  username_doctor: string;
  time: string;
  type: 'call' | 'reservasi';
  price: number;
}

interface BookingSetup {
  timeList: Case;
  dateList: Case;
  booking: Case;
  raceSlots: Slot[];
  raceTokens: string[];
}

/**
 * Registers the patients and lists free slots through the API itself (get-date-list, then
 * get-time-list for each scheduled day from two days ahead), so every body the booking case
 * sends is a slot the server offers. Writes one "token<TAB>body" line a slot.
 */
async function prepareBookings(db: string, env: NodeJS.ProcessEnv, port: number): Promise<BookingSetup> {
  const started = Date.now();
  const need = BOOKING_SLOTS + RACE_TRIALS * RACE_SLOTS;
  const patients = Math.ceil(BOOKING_SLOTS / PER_PATIENT) + RACE_PATIENTS;
  const tag = letterTag();
  const tokens = await pool(
    Array.from({ length: patients }, (_, i) => i),
    4,
    async (i) => {
      const r = await api(port, '/api/register/patient', {
        name: `Bench Patient ${i}`,
        address: 'Jl. Benchmark 1, Jakarta',
        username: `bench${tag}${i}`,
        email: `bench${tag}${i}@example.com`,
        password: 'bench-password-1',
      });
      if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json.data.access_token as string;
    },
  );
  const registered = Date.now();

  const from = ymdOf(Date.now() + 2 * 86_400_000);
  const practices = await practicesOf(env, Math.ceil(need / 60) + 50);
  const slots: Slot[] = [];
  let timeList: Case | undefined;
  let dateList: Case | undefined;
  const pairs = practices.flatMap((p) =>
    (['reservasi', 'call'] as const)
      .filter((type) => (type === 'call' ? p.call_price : p.reservasi_price) !== null)
      .map((type) => ({ p, type })),
  );
  for (let start = 0; start < pairs.length && slots.length < need; start += 16) {
    const found = await pool(pairs.slice(start, start + 16), 8, async ({ p, type }) => {
      const days = await api(port, '/api/doctor/get-date-list', {
        doctor_has_hospital_id: p.id,
        appointment: type,
        from,
        days: 26,
      });
      if (days.status !== 200) throw new Error(`get-date-list: ${days.status} ${JSON.stringify(days.json)}`);
      const dates = (days.json.data as { date: string; available_slots: number }[]).filter(
        (d) => d.available_slots > 0,
      );
      const mine: Slot[] = [];
      for (const d of dates) {
        const list = await api(port, '/api/doctor/get-time-list', {
          doctor_has_hospital_id: p.id,
          date: d.date,
          appointment: type,
        });
        if (list.status !== 200) throw new Error(`get-time-list: ${list.status} ${JSON.stringify(list.json)}`);
        for (const t of list.json.data as { time: string; available: boolean }[]) {
          if (t.available)
            mine.push({
              id: p.id,
              username_doctor: p.username,
              time: `${d.date} ${t.time}`,
              type,
              price: (type === 'call' ? p.call_price : p.reservasi_price)!,
            });
        }
      }
      if (!timeList && dates.length > 1) {
        timeList = {
          name: 'get-time-list',
          method: 'POST',
          path: '/api/doctor/get-time-list',
          body: { doctor_has_hospital_id: p.id, date: dates[1]!.date, appointment: type },
        };
        dateList = {
          name: 'get-date-list 31 days',
          method: 'POST',
          path: '/api/doctor/get-date-list',
          body: { doctor_has_hospital_id: p.id, appointment: type, from: ymdOf(Date.now()), days: 31 },
        };
      }
      return mine;
    });
    for (const f of found) slots.push(...f);
  }
  if (slots.length < need || !timeList || !dateList) throw new Error(`only ${slots.length} free slots found`);
  // Interleave practices so consecutive requests go to different doctors, as real traffic would.
  const byPractice = new Map<string, Slot[]>();
  for (const s of slots.slice(0, need)) {
    const k = `${s.id}/${s.type}`;
    byPractice.set(k, [...(byPractice.get(k) ?? []), s]);
  }
  const queues = [...byPractice.values()];
  const mixed: Slot[] = [];
  for (let round = 0; mixed.length < need; round++) for (const q of queues) if (q[round]) mixed.push(q[round]!);
  const raceSlots = mixed.slice(BOOKING_SLOTS);
  const file = join(work, `bookings-${db}.tsv`);
  writeFileSync(
    file,
    mixed
      .slice(0, BOOKING_SLOTS)
      .map(
        (s, i) => `${tokens[Math.floor(i / PER_PATIENT)]}\t${JSON.stringify({ ...s, patient: `Bench Patient ${i}` })}`,
      )
      .join('\n') + '\n',
  );
  process.stdout.write(
    `[${db}] booking setup: ${patients} patients registered in ${registered - started} ms, ${need} free slots over ${byPractice.size} practice/type pairs listed in ${Date.now() - registered} ms\n`,
  );
  return {
    timeList,
    dateList,
    booking: {
      name: 'POST /api/doctor/booking',
      method: 'POST',
      path: '/api/doctor/booking',
      bookings: { file, next: 0, total: BOOKING_SLOTS },
    },
    raceSlots,
    raceTokens: tokens.slice(tokens.length - RACE_PATIENTS),
  };
}

interface RaceTrial {
  trial: number;
  created: number;
  taken: number;
  other: number;
  orders: number;
  ms: number;
}

/**
 * RACE_SLOTS slots, RACE_CLIENTS_PER_SLOT clients on each (different patients), all sent at
 * once; a fresh set of slots each trial. Exactly one 201 a slot is the only right answer.
 */
async function race(env: NodeJS.ProcessEnv, port: number, setup: BookingSetup): Promise<RaceTrial[]> {
  const trials: RaceTrial[] = [];
  const countOrders = async () => Number((await dbQuery(env, 'SELECT COUNT(*) AS n FROM orders'))[0]!.n);
  for (let trial = 0; trial < RACE_TRIALS; trial++) {
    const slots = setup.raceSlots.slice(trial * RACE_SLOTS, (trial + 1) * RACE_SLOTS);
    const before = await countOrders();
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: RACE_SLOTS * RACE_CLIENTS_PER_SLOT }, (_, c) => {
        const slot = slots[Math.floor(c / RACE_CLIENTS_PER_SLOT)]!;
        return api(
          port,
          '/api/doctor/booking',
          { ...slot, patient: `Race ${trial}/${c}` },
          setup.raceTokens[c % RACE_PATIENTS],
        ).then(
          (r) => ({ status: r.status, code: r.json?.code ?? r.json?.error?.code }),
          () => ({ status: 0, code: 'fetch failed' }),
        );
      }),
    );
    const ms = Date.now() - started;
    const created = answers.filter((a) => a.status === 201).length;
    const taken = answers.filter((a) => a.status === 409).length;
    const others = answers.filter((a) => a.status !== 201 && a.status !== 409);
    if (others.length > 0)
      process.stdout.write(`  race trial ${trial + 1}: other answers ${JSON.stringify(others.slice(0, 3))}\n`);
    trials.push({ trial: trial + 1, created, taken, other: others.length, orders: (await countOrders()) - before, ms });
  }
  return trials;
}

/** What SQLite alone needs for a booking (bench/booking-floor.ts), measured on the server's core. */
interface Floor {
  bookings: number;
  batch: number;
  cpuUsPerBooking: number;
  wallUsPerBooking: number;
  bookingsPerSecond: number;
}

/** The best of three runs of bench/booking-floor.ts on a copy of the database the bookings went to. */
function bookingFloor(file: string): Floor {
  const runs = [1, 2, 3].map(() => {
    const [cmd, args] = pin(0, process.execPath, ['--import', 'tsx', join(root, 'bench/booking-floor.ts'), file]);
    return JSON.parse(execFileSync(cmd, args, { cwd: root, encoding: 'utf8' })) as Floor;
  });
  const best = runs.reduce((a, b) => (b.cpuUsPerBooking < a.cpuUsPerBooking ? b : a));
  process.stdout.write(
    `  sqlite   booking SQL alone           ${best.bookingsPerSecond} bookings/s of one core (${best.cpuUsPerBooking} us CPU each; runs ${runs.map((r) => r.cpuUsPerBooking).join(', ')} us)\n`,
  );
  return best;
}

async function main(): Promise<void> {
  const dbs: ('sqlite' | 'postgres')[] =
    values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as 'sqlite' | 'postgres'];
  process.stdout.write(
    `load: ${hasWrk ? 'wrk' : 'autocannon'}, ${CONNECTIONS} connections, ${RUNS} x ${DURATION}s after ${WARMUP}s warm-up; server on core 0, load on core 1\n`,
  );
  const results: Result[] = [];
  const races: { db: string; trials: RaceTrial[] }[] = [];
  const floors: Floor[] = [];
  const prepared: {
    db: 'sqlite' | 'postgres';
    env: NodeJS.ProcessEnv;
    bookingEnv: NodeJS.ProcessEnv;
    setup: BookingSetup;
    bodyFile: string;
  }[] = [];
  let port = 4100;
  for (const db of dbs) {
    const env = await prepare(db);
    const probeServer = await startApi(env, ++port);
    const speciality = (await (
      await fetch(`http://127.0.0.1:${port}/api/speciality`, { headers: { 'x-api-key': API_KEY } })
    ).json()) as {
      data: { slug: string }[];
    };
    const page1 = await fetch(`http://127.0.0.1:${port}/api/doctor`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ data: 10, page: 1 }),
    });
    const bodyFile = join(work, `page1-${db}.json`);
    writeFileSync(bodyFile, await page1.text());
    await stop(probeServer);

    const cases: Case[] = [
      { name: 'POST /api/doctor page 1', method: 'POST', path: '/api/doctor', body: { data: 10, page: 1 } },
      { name: 'POST /api/doctor page 900', method: 'POST', path: '/api/doctor', body: { data: 10, page: 900 } },
      {
        name: 'POST /api/doctor search',
        method: 'POST',
        path: '/api/doctor',
        body: { name: 'sari', speciality: speciality.data[0]?.slug ?? '', data: 10 },
      },
      { name: 'GET /api/ecommerce/product', method: 'GET', path: '/api/ecommerce/product?page=1&data=10' },
    ];
    if (db === dbs[0]) {
      const p = ++port;
      results.push(
        await measure('baseline node:http', 'none', () => startBaseline(p, bodyFile), p, {
          name: 'baseline',
          method: 'POST',
          path: '/',
          body: { data: 10, page: 1 },
        }),
      );
    }
    for (const c of cases) {
      const p = ++port;
      results.push(await measure(c.name, db, () => startApi(env, p), p, c));
    }

    // Booking: the setup now; slot lists and bookings are measured below, both databases in turns.
    const bookingEnv = bookingEnvFor(env);
    const setupServer = await startApi(bookingEnv, ++port);
    const setup = await prepareBookings(db, bookingEnv, port);
    await stop(setupServer);
    prepared.push({ db, env, bookingEnv, setup, bodyFile });
  }

  // Slot lists and sustained bookings (each request a fresh slot): the databases' runs in turns,
  // with the baseline in the bookings' turns, so 17.1, 17.2 and 17.4 compare the same minutes.
  const tails = { warmup: 2, runs: TAIL_RUNS, duration: BOOKING_DURATION, median: true };
  for (const pick of [(s: BookingSetup) => s.timeList, (s: BookingSetup) => s.dateList]) {
    results.push(
      ...(await measureTogether(
        prepared.map((x) => {
          const p = ++port;
          const c = pick(x.setup);
          return { name: c.name, db: x.db, start: () => startApi(x.env, p), port: p, c };
        }),
        tails,
      )),
    );
  }
  {
    const baselinePort = ++port;
    const together: Participant[] = [
      {
        name: 'baseline node:http',
        db: 'none (bookings)',
        start: () => startBaseline(baselinePort, prepared[0]!.bodyFile),
        port: baselinePort,
        c: { name: 'baseline', method: 'POST', path: '/', body: { data: 10, page: 1 } },
      },
      ...prepared.map((x) => {
        const p = ++port;
        return {
          name: x.setup.booking.name,
          db: x.db,
          start: () => startApi(x.bookingEnv, p),
          port: p,
          c: x.setup.booking,
        };
      }),
    ];
    results.push(...(await measureTogether(together, tails)));
  }

  // Then, for each database, the SQL floor (SQLite) and the race.
  for (const { db, bookingEnv, setup } of prepared) {
    if (db === 'sqlite') floors.push(bookingFloor(join(work, 'bench.db')));
    const p = ++port;
    const server = await startApi(bookingEnv, p);
    try {
      const trials = await race(bookingEnv, p, setup);
      races.push({ db, trials });
      for (const t of trials)
        process.stdout.write(
          `  ${db.padEnd(8)} race trial ${t.trial}: ${t.created} x 201, ${t.taken} x 409, ${t.other} other, ${t.orders} orders made (${t.ms} ms)\n`,
        );
    } finally {
      await stop(server);
    }
  }

  const baseline = results.find((r) => r.db === 'none')!;
  const find = (db: string, name: string) => results.find((r) => r.db === db && r.case === name);
  const lines = [
    '| database | case | req/s | p50 ms | p99 ms | ratio to baseline | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.db} | ${r.case} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.rps / baseline.rps).toFixed(2)} | ${r.errors} |`,
    ),
  ];
  const checks: string[] = [];
  /** A target's line: the figure, the target, met or missed. */
  const target = (what: string, figure: number, unit: string, op: '>=' | '<=', goal: number) =>
    checks.push(
      `${what} = ${figure.toFixed(2)}${unit} (target ${op} ${goal}${unit}): ${(op === '>=' ? figure >= goal : figure <= goal) ? 'met' : 'MISSED'}`,
    );
  const sqlitePage1 = find('sqlite', 'POST /api/doctor page 1');
  const sqlitePage900 = find('sqlite', 'POST /api/doctor page 900');
  const pgPage1 = find('postgres', 'POST /api/doctor page 1');
  if (sqlitePage1)
    checks.push(`SQLite page 1 / baseline = ${(sqlitePage1.rps / baseline.rps).toFixed(2)} (target >= 0.60)`);
  if (sqlitePage1 && sqlitePage900)
    checks.push(`SQLite page 900 / page 1 = ${(sqlitePage900.rps / sqlitePage1.rps).toFixed(2)} (target >= 0.80)`);
  const catalogueCases = [
    'POST /api/doctor page 1',
    'POST /api/doctor page 900',
    'POST /api/doctor search',
    'GET /api/ecommerce/product',
  ];
  for (const r of results.filter((x) => x.db === 'sqlite' && catalogueCases.includes(x.case)))
    checks.push(`SQLite ${r.case} p99 = ${r.p99.toFixed(2)} ms (target < 15)`);
  if (sqlitePage1 && pgPage1)
    checks.push(`PostgreSQL page 1 / SQLite page 1 = ${(pgPage1.rps / sqlitePage1.rps).toFixed(2)} (target >= 0.25)`);
  // Issue 17's targets, each a ratio or a tail in this run.
  const sqliteBooking = find('sqlite', 'POST /api/doctor/booking');
  const pgBooking = find('postgres', 'POST /api/doctor/booking');
  if (sqliteBooking && pgBooking)
    target('17.1 PostgreSQL bookings / SQLite bookings', pgBooking.rps / sqliteBooking.rps, '', '>=', 0.5);
  // The baseline measured in the bookings' turns, so both figures come from the same minutes.
  const pairedBaseline = find('none (bookings)', 'baseline node:http') ?? baseline;
  if (sqliteBooking)
    target('17.2 SQLite bookings / baseline node:http', sqliteBooking.rps / pairedBaseline.rps, '', '>=', 0.25);
  for (const r of results.filter((x) => x.db === 'postgres' && catalogueCases.includes(x.case)))
    target(`17.3 PostgreSQL ${r.case} p99 at ${CONNECTIONS} connections`, r.p99, ' ms', '<=', 15);
  for (const db of dbs) {
    const dateList = find(db, 'get-date-list 31 days');
    if (dateList)
      target(
        `17.4 ${db === 'sqlite' ? 'SQLite' : 'PostgreSQL'} get-date-list 31 days p99 (median of ${TAIL_RUNS} runs)`,
        dateList.p99,
        ' ms',
        '<=',
        20,
      );
  }
  for (const db of dbs) {
    const page1 = find(db, 'POST /api/doctor page 1');
    const booking = find(db, 'POST /api/doctor/booking');
    const timeList = find(db, 'get-time-list');
    const label = db === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    if (timeList)
      checks.push(`${label} get-time-list p50 = ${timeList.p50.toFixed(2)} ms, p99 = ${timeList.p99.toFixed(2)} ms`);
    if (booking && page1)
      checks.push(
        `${label} bookings/s / page 1 = ${(booking.rps / page1.rps).toFixed(2)} (a retired target: see 17.1 and 17.2); ${booking.rps.toFixed(0)} bookings/s, p99 ${booking.p99.toFixed(2)} ms, ${booking.errors} non-201`,
      );
    const floor = db === 'sqlite' ? floors[0] : undefined;
    if (floor && page1) {
      // A booking does at least what page 1 does besides its SQL, so one costs at least
      // 1/page1 + 1/floor seconds of the core.
      const ceiling = floor.bookingsPerSecond / (floor.bookingsPerSecond + page1.rps);
      checks.push(
        `${label} a booking's SQL alone (no HTTP, no query builder; ${floor.bookings} bookings in transactions of ${floor.batch}): ${floor.cpuUsPerBooking} us of CPU, ${floor.bookingsPerSecond} bookings/s of one core = ${(floor.bookingsPerSecond / page1.rps).toFixed(2)} x page 1; so bookings/page 1 cannot pass about ${ceiling.toFixed(2)}`,
      );
    }
    const r = races.find((x) => x.db === db);
    if (r)
      checks.push(
        `${label} race: 201s per trial ${r.trials.map((t) => t.created).join(', ')}; orders made ${r.trials.map((t) => t.orders).join(', ')} (target exactly ${RACE_SLOTS} each)`,
      );
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n${checks.map((c) => `- ${c}`).join('\n')}\n`);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(
    values.out!,
    JSON.stringify(
      { date: new Date().toISOString(), node: process.version, doctors: DOCTORS, results, races, floors, checks },
      null,
      2,
    ) + '\n',
  );
}

await main();
