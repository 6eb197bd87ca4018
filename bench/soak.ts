// The soak: `npm run soak` (see docs/benchmarks.md, "Soak").
//
// Seeds a database like the benchmark, registers patients and lists free slots through the API,
// then starts one production-configured server pinned to core 0 (this process moves itself to
// core 1). It measures the capacity of a mixed load (catalogue reads, slot lists, accounts,
// bookings that are cancelled a moment later) with a closed loop, then holds `fraction` of it
// with an open loop (requests sent on a fixed schedule, latency counted from the moment each
// was due) for `minutes`, and every `sample-seconds` records the rate, p50/p99, errors, the
// server's RSS and open file descriptors (from /proc) and the notification outbox backlog.
// Verdict at the end: memory flat, descriptors flat, zero errors; exit 1 if not.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cli, emptyDatabase, letterTag, pin, pool } from '../scripts/kit.js';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    minutes: { type: 'string', default: '10' },
    fraction: { type: 'string', default: '0.5' },
    'sample-seconds': { type: 'string', default: '10' },
    capacity: { type: 'string' },
    'capacity-seconds': { type: 'string', default: '10' },
    doctors: { type: 'string', default: '10000' },
    patients: { type: 'string', default: '300' },
    slots: { type: 'string', default: '4000' },
    connections: { type: 'string', default: '64' },
    port: { type: 'string', default: '3950' },
    out: { type: 'string' },
  },
});
const DB = values.db as 'sqlite' | 'postgres';
if (DB !== 'sqlite' && DB !== 'postgres') throw new Error('--db is sqlite or postgres');
const MINUTES = Number(values.minutes);
const FRACTION = Number(values.fraction);
const SAMPLE_MS = Number(values['sample-seconds']) * 1000;
const CAPACITY_SECONDS = Number(values['capacity-seconds']);
const DOCTORS = Number(values.doctors);
const PATIENTS = Number(values.patients);
const SLOTS = Number(values.slots);
const CONNECTIONS = Number(values.connections);
const PORT = Number(values.port);
const OUT = values.out ?? join(root, 'bench', 'results', `soak-${DB}.json`);
/** A request with no answer after this long counts as a timeout (an error). */
const TIMEOUT_MS = 10_000;
/** MAX_UNPAID_ORDERS as shipped: the generator never lets a patient hold more. */
const MAX_UNPAID = 3;
/** A booking is cancelled this long after its 201 (the slot then goes back to the pool). */
const CANCEL_AFTER_MS = [1000, 4000] as const;
/** A login's session is ended this long after it began. */
const LOGOUT_AFTER_MS = 2000;
const PASSWORD = 'soak-password-1';
const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PG_DB = 'cexup_soak';
const API_KEY = `cxk_soak_${randomBytes(12).toString('hex')}`;
/** GET /metrics is scraped every sample, as Prometheus would, for the V8 heap. */
const METRICS_TOKEN = `soak-metrics-${randomBytes(12).toString('hex')}`;
const work = join(root, 'data', 'soak');
mkdirSync(work, { recursive: true });

/*
 * Verdict thresholds, applied to the samples after the warm-up (the first quarter of the run,
 * at most 60 s: caches fill, V8 sizes its heap, every connection opens).
 * - Memory: the mean of the second half at most 10% above the first half's, and the least
 *   squares slope over the window, times the window, below 10% of the mean (a fall is no leak:
 *   V8 gives memory back after the capacity run). Applied to the V8 heap in use and to RSS
 *   outside the V8 heap when GET /metrics gives the heap, else to RSS itself: V8 reserving a
 *   larger heap after a peak moves RSS up in one step (seen: +19 MB at minute 8, heap in use
 *   unchanged), which is not a leak. A leak
 *   of 100 bytes a request at 1,000 req/s is 6 MB a minute, 54 MB over 9 minutes: about a
 *   quarter of this server's RSS, well past both limits; GC's saw-tooth is a few MB.
 * - Descriptors: max - min at most 8 (one descriptor leaked per 1,000 requests would add
 *   hundreds); the generator keeps its connections warm (FIFO reuse), so sockets stay put.
 * - Errors: none at all (wrong status, 5xx, timeout, socket error, or an error in the log).
 */
const MEMORY_HALVES_LIMIT = 0.1;
const MEMORY_SLOPE_LIMIT = 0.1;
const FD_SPREAD_LIMIT = 8;
/** On PostgreSQL the pool opens and closes connections with demand (idle ones time out). */
const PG_POOL_SIZE = 10;

// ---------------------------------------------------------------------------------------------
// Setup: database, key, server, patients, slots (with the pieces of scripts/kit.ts).

function soakEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: String(PG_POOL_SIZE),
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    // Production, except what would refuse a load generator coming from one address: the
    // sandbox payment provider (demo mode), registrations and logins from 127.0.0.1.
    DEMO_MODE: 'true',
    RATE_LIMIT_REGISTER_PER_HOUR: '100000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
    // Its patients book and cancel again and again, far more often than any patient would.
    RATE_LIMIT_BOOKINGS_PER_HOUR: '100000',
    RATE_LIMIT_CANCELS_PER_HOUR: '100000',
    MAX_UNPAID_ORDERS: String(MAX_UNPAID),
    MAIL_TRANSPORT: 'log',
    METRICS_TOKEN,
    IDENTITY_ENCRYPTION_KEYS: `soak:${randomBytes(32).toString('base64')}`,
    IDENTITY_HMAC_KEY: randomBytes(32).toString('base64'),
  };
}

async function prepareDatabase(): Promise<NodeJS.ProcessEnv> {
  const url = await emptyDatabase(DB, { sqliteFile: join(work, 'soak.db'), pgName: PG_DB, pgAdmin: PG_ADMIN });
  const env = soakEnv(url);
  log(cli(env, 'seed', '--doctors', String(DOCTORS)).trim());
  cli(env, 'keys', 'create', '--name', 'soak', '--key', API_KEY);
  return env;
}

interface Server {
  child: ChildProcess;
  /** Log lines at level error or fatal, and the first few of them. */
  errorLines: number;
  warnLines: number;
  firstErrors: string[];
}

async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const [cmd, args] = pin(0, process.execPath, ['--import', 'tsx', join(root, 'src/server.ts')]);
  const child = spawn(cmd, args, {
    env: { ...env, PORT: String(PORT), HOST: '127.0.0.1' },
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const server: Server = { child, errorLines: 0, warnLines: 0, firstErrors: [] };
  // The log (one JSON line a request) is read and dropped; errors and warnings are counted.
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const text = partial + chunk;
    const end = text.lastIndexOf('\n');
    partial = text.slice(end + 1);
    if (end < 0 || !/"level":[456]0/.test(text)) return;
    for (const line of text.slice(0, end).split('\n')) {
      if (/"level":[56]0/.test(line)) {
        server.errorLines++;
        if (server.firstErrors.length < 5) server.firstErrors.push(line.slice(0, 600));
      } else if (line.includes('"level":40')) server.warnLines++;
    }
  });
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/health`)).ok) return server;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('server did not start');
}

function stopServer(server: Server): Promise<void> {
  return new Promise((r) => {
    if (server.child.exitCode !== null) return r();
    server.child.once('exit', () => r());
    server.child.kill('SIGTERM');
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON answer, read loosely
async function api(path: string, body?: object, token?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: {
      'x-api-key': API_KEY,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

async function dbConnection(env: NodeJS.ProcessEnv): Promise<{
  query: (sql: string) => Promise<Record<string, unknown>[]>;
  close: () => Promise<void>;
}> {
  const url = env.DATABASE_URL!;
  if (url.startsWith('sqlite:')) {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    return {
      query: async (sql) => db.prepare(sql).all() as Record<string, unknown>[],
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    query: async (sql) => (await client.query(sql)).rows as Record<string, unknown>[],
    close: () => client.end(),
  };
}

interface Patient {
  email: string;
  token: string;
  /** Bookings sent and not yet cancelled (never above MAX_UNPAID). */
  open: number;
}

interface Slot {
  id: number;
  username_doctor: string;
  time: string;
  type: 'call' | 'reservasi';
  price: number;
}

interface Fixture {
  patients: Patient[];
  slots: Slot[];
  /** Practice/type/date triples with slots, for the slot-list reads. */
  days: { id: number; type: string; date: string }[];
  doctorSlugs: string[];
  doctorPages: number;
  hospitalSlugs: string[];
  articleSlugs: string[];
  productSlugs: string[];
  specialitySlugs: string[];
  searchNames: string[];
}

const ymdOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function prepareFixture(env: NodeJS.ProcessEnv): Promise<Fixture> {
  const started = Date.now();
  const tag = letterTag();
  const patients = await pool(
    Array.from({ length: PATIENTS }, (_, i) => i),
    4,
    async (i) => {
      const email = `soak${tag}${i}@example.com`;
      const r = await api('/api/register/patient', {
        name: `Soak Patient ${i}`,
        address: 'Jl. Soak 1, Jakarta',
        username: `soak${tag}${i}`,
        email,
        password: PASSWORD,
      });
      if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.json)}`);
      return { email, token: r.json.data.access_token as string, open: 0 };
    },
  );
  const registered = Date.now();

  const db = await dbConnection(env);
  const practices = (await db.query(`SELECT p.id, d.username, p.call_price, p.reservasi_price FROM practices p
    JOIN doctors d ON d.id = p.doctor_id JOIN hospitals h ON h.id = p.hospital_id
    WHERE p.unpublished_at IS NULL AND d.unpublished_at IS NULL AND h.unpublished_at IS NULL
    ORDER BY p.id LIMIT ${Math.ceil(SLOTS / 40) + 40}`)) as {
    id: number | string;
    username: string;
    call_price: number | string | null;
    reservasi_price: number | string | null;
  }[];
  await db.close();
  const from = ymdOf(Date.now() + 2 * 86_400_000);
  const pairs = practices.flatMap((p) =>
    (['reservasi', 'call'] as const)
      .filter((type) => (type === 'call' ? p.call_price : p.reservasi_price) !== null)
      .map((type) => ({
        id: Number(p.id),
        username: p.username,
        type,
        price: Number(type === 'call' ? p.call_price : p.reservasi_price),
      })),
  );
  const byPair: Slot[][] = [];
  const days: Fixture['days'] = [];
  let found = 0;
  for (let start = 0; start < pairs.length && found < SLOTS; start += 8) {
    const lists = await pool(pairs.slice(start, start + 8), 8, async (p) => {
      const dates = await api('/api/doctor/get-date-list', {
        doctor_has_hospital_id: p.id,
        appointment: p.type,
        from,
        days: 20,
      });
      if (dates.status !== 200) throw new Error(`get-date-list: ${dates.status} ${JSON.stringify(dates.json)}`);
      const mine: Slot[] = [];
      for (const d of (dates.json.data as { date: string; available_slots: number }[]).filter(
        (x) => x.available_slots > 0,
      )) {
        days.push({ id: p.id, type: p.type, date: d.date });
        const list = await api('/api/doctor/get-time-list', {
          doctor_has_hospital_id: p.id,
          date: d.date,
          appointment: p.type,
        });
        if (list.status !== 200) throw new Error(`get-time-list: ${list.status} ${JSON.stringify(list.json)}`);
        for (const t of list.json.data as { time: string; available: boolean }[])
          if (t.available)
            mine.push({
              id: p.id,
              username_doctor: p.username,
              time: `${d.date} ${t.time}`,
              type: p.type,
              price: p.price,
            });
      }
      return mine;
    });
    for (const l of lists) {
      byPair.push(l);
      found += l.length;
    }
  }
  if (found < SLOTS) throw new Error(`only ${found} free slots found`);
  // Interleaved across practices, as real traffic would be.
  const slots: Slot[] = [];
  for (let round = 0; slots.length < SLOTS; round++) for (const q of byPair) if (q[round]) slots.push(q[round]!);
  slots.length = SLOTS;

  const slugsOf = async (path: string, body?: object) => {
    const r = await api(path, body);
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    return (r.json.data as { slug: string }[]).map((x) => x.slug);
  };
  // Ten pages of 100 spread over the whole list, however many doctors were seeded.
  const lastPage = Number((await api('/api/doctor', { data: 100, page: 1 })).json.meta.last_page);
  const spread = new Set<string>();
  for (let k = 1; k <= 10; k++) {
    const page = Math.max(1, Math.round((k * lastPage) / 10));
    for (const slug of await slugsOf('/api/doctor', { data: 100, page })) spread.add(slug);
  }
  const doctorSlugs = [...spread];
  const first = await api('/api/doctor', { data: 10, page: 1 });
  const names = new Set<string>();
  for (const d of (await api('/api/doctor', { data: 100, page: 3 })).json.data as { name: string }[])
    for (const w of d.name.replace(/^dr\.?\s*/i, '').split(/[\s,.]+/))
      if (w.length >= 4 && names.size < 20) names.add(w.slice(0, 4).toLowerCase());
  const fixture: Fixture = {
    patients,
    slots,
    days,
    doctorSlugs,
    doctorPages: Number(first.json.meta.last_page),
    hospitalSlugs: await slugsOf('/api/hospital', { data: 100 }),
    articleSlugs: await slugsOf('/api/article', { data: 100 }),
    productSlugs: await slugsOf('/api/ecommerce/product?data=100&page=1'),
    specialitySlugs: await slugsOf('/api/speciality'),
    searchNames: [...names],
  };
  log(
    `setup: ${PATIENTS} patients registered in ${registered - started} ms; ${SLOTS} free slots over ${byPair.length} practice/type pairs, ${doctorSlugs.length} doctors, ${fixture.hospitalSlugs.length} hospitals, ${fixture.articleSlugs.length} articles, ${fixture.productSlugs.length} products listed in ${Date.now() - registered} ms`,
  );
  return fixture;
}

// ---------------------------------------------------------------------------------------------
// The mix.

interface Request {
  op: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: string;
  token?: string;
  expect: number;
  /** Called with the answer when it had the expected status. */
  then?: (body: string) => void;
  /** Called when it did not (or never came). */
  failed?: () => void;
}

/** Weights of the first-hand requests (per 1,000); cancels and logouts follow their booking/login. */
const MIX: [string, number][] = [
  ['doctor list', 170],
  ['doctor search', 90],
  ['doctor show', 110],
  ['speciality list', 20],
  ['hospital list', 30],
  ['hospital show', 30],
  ['article list', 40],
  ['article show', 50],
  ['product list', 40],
  ['product show', 40],
  ['category list', 10],
  ['get-date-list', 90],
  ['get-time-list', 130],
  ['me', 40],
  ['order list', 50],
  ['login', 5],
  ['booking', 15],
];
const MIX_TOTAL = MIX.reduce((a, [, w]) => a + w, 0);
/** Doctor list pages asked for (of 1,000): the mix draws from a finite set of keys, all warmed first. */
const DEEP_PAGES = 100;

/**
 * Every catalogue and slot-list request the mix can make, once: sent before the capacity run
 * so that the server's caches are full when the soak starts (a cache filling is not a leak).
 */
function everyKey(f: Fixture): Request[] {
  const post = (op: string, path: string, body: object): Request => ({
    op,
    method: 'POST',
    path,
    body: JSON.stringify(body),
    expect: 200,
  });
  const get = (op: string, path: string): Request => ({ op, method: 'GET', path, expect: 200 });
  return [
    ...Array.from({ length: DEEP_PAGES }, (_, i) => post('doctor list', '/api/doctor', { data: 10, page: i + 1 })),
    ...f.searchNames.flatMap((name) => [
      post('doctor search', '/api/doctor', { name, data: 10 }),
      ...f.specialitySlugs.map((speciality) => post('doctor search', '/api/doctor', { name, speciality, data: 10 })),
    ]),
    ...f.doctorSlugs.map((slug) => get('doctor show', `/api/doctor/${slug}`)),
    get('speciality list', '/api/speciality'),
    post('hospital list', '/api/hospital', { data: 10, page: 1 }),
    post('hospital list', '/api/hospital', { data: 10, page: 2 }),
    ...f.hospitalSlugs.map((slug) => get('hospital show', `/api/hospital/${slug}`)),
    ...Array.from({ length: 5 }, (_, i) => post('article list', '/api/article', { data: 10, page: i + 1 })),
    ...f.articleSlugs.map((slug) => get('article show', `/api/article/${slug}`)),
    ...Array.from({ length: 15 }, (_, i) => get('product list', `/api/ecommerce/product?page=${i + 1}&data=10`)),
    ...f.productSlugs.map((slug) => get('product show', `/api/ecommerce/product/${slug}`)),
    get('category list', '/api/ecommerce/category'),
    ...f.days.map((d) =>
      post('get-time-list', '/api/doctor/get-time-list', {
        doctor_has_hospital_id: d.id,
        date: d.date,
        appointment: d.type,
      }),
    ),
    ...[...new Set(f.days.map((d) => `${d.id}/${d.type}`))].map((k) => {
      const [id, type] = k.split('/');
      return post('get-date-list', '/api/doctor/get-date-list', {
        doctor_has_hospital_id: Number(id),
        appointment: type,
        from: ymdOf(Date.now()),
        days: 31,
      });
    }),
  ];
}

class Mix {
  private readonly freeSlots: Slot[];
  private patientCursor = 0;
  /** Follow-ups (cancel, logout) by the time they are due, oldest first. */
  private readonly followUps: { due: number; request: Request }[] = [];
  bookingsSkipped = 0;

  constructor(private readonly f: Fixture) {
    this.freeSlots = [...f.slots];
  }

  next(now: number): Request {
    const head = this.followUps[0];
    if (head && head.due <= now) return this.followUps.shift()!.request;
    let pick = Math.random() * MIX_TOTAL;
    let op = MIX[0]![0];
    for (const [name, w] of MIX) {
      if (pick < w) {
        op = name;
        break;
      }
      pick -= w;
    }
    return this.make(op);
  }

  private later(due: number, request: Request): void {
    // Due times only grow by small amounts: insert from the end.
    let i = this.followUps.length;
    while (i > 0 && this.followUps[i - 1]!.due > due) i--;
    this.followUps.splice(i, 0, { due, request });
  }

  private make(op: string): Request {
    const f = this.f;
    const any = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
    const json = (path: string, body: object, extra: Partial<Request> = {}): Request => ({
      op,
      method: 'POST',
      path,
      body: JSON.stringify(body),
      expect: 200,
      ...extra,
    });
    const get = (path: string, extra: Partial<Request> = {}): Request => ({
      op,
      method: 'GET',
      path,
      expect: 200,
      ...extra,
    });
    switch (op) {
      case 'doctor list':
        // Most people look at the first pages, a few go deep.
        return json('/api/doctor', {
          data: 10,
          page: 1 + Math.floor(Math.random() * (Math.random() < 0.7 ? 5 : DEEP_PAGES)),
        });
      case 'doctor search':
        return json('/api/doctor', {
          name: any(f.searchNames),
          ...(Math.random() < 0.5 ? { speciality: any(f.specialitySlugs) } : {}),
          data: 10,
        });
      case 'doctor show':
        return get(`/api/doctor/${any(f.doctorSlugs)}`);
      case 'speciality list':
        return get('/api/speciality');
      case 'hospital list':
        return json('/api/hospital', { data: 10, page: 1 + Math.floor(Math.random() * 2) });
      case 'hospital show':
        return get(`/api/hospital/${any(f.hospitalSlugs)}`);
      case 'article list':
        return json('/api/article', { data: 10, page: 1 + Math.floor(Math.random() * 5) });
      case 'article show':
        return get(`/api/article/${any(f.articleSlugs)}`);
      case 'product list':
        return get(`/api/ecommerce/product?page=${1 + Math.floor(Math.random() * 15)}&data=10`);
      case 'product show':
        return get(`/api/ecommerce/product/${any(f.productSlugs)}`);
      case 'category list':
        return get('/api/ecommerce/category');
      case 'get-date-list': {
        const d = any(f.days);
        return json('/api/doctor/get-date-list', {
          doctor_has_hospital_id: d.id,
          appointment: d.type,
          from: ymdOf(Date.now()),
          days: 31,
        });
      }
      case 'get-time-list': {
        const d = any(f.days);
        return json('/api/doctor/get-time-list', { doctor_has_hospital_id: d.id, date: d.date, appointment: d.type });
      }
      case 'me':
        return get('/api/me', { token: any(f.patients).token });
      case 'order list':
        return json(
          '/api/user/orders',
          Math.random() < 0.5 ? { data: 10, page: 1 } : { type: 'pending', data: 10, page: 1 },
          { token: any(f.patients).token },
        );
      case 'login':
        return json(
          '/api/login/patient',
          { email: any(f.patients).email, password: PASSWORD },
          {
            then: (body) => {
              const token = (JSON.parse(body) as { data: { access_token: string } }).data.access_token;
              this.later(Date.now() + LOGOUT_AFTER_MS, {
                op: 'logout',
                method: 'POST',
                path: '/api/logout',
                token,
                expect: 200,
              });
            },
          },
        );
      case 'booking':
        return this.booking() ?? this.make('get-time-list');
      default:
        throw new Error(op);
    }
  }

  private booking(): Request | undefined {
    const f = this.f;
    let patient: Patient | undefined;
    for (let i = 0; i < f.patients.length && !patient; i++) {
      const p = f.patients[this.patientCursor++ % f.patients.length]!;
      if (p.open < MAX_UNPAID) patient = p;
    }
    const slot = this.freeSlots.shift();
    if (!patient || !slot) {
      if (slot) this.freeSlots.push(slot);
      this.bookingsSkipped++;
      return undefined;
    }
    const owner = patient;
    owner.open++;
    const done = () => owner.open--;
    return {
      op: 'booking',
      method: 'POST',
      path: '/api/doctor/booking',
      body: JSON.stringify({ ...slot, patient: 'Soak Patient' }),
      token: owner.token,
      expect: 201,
      failed: done,
      then: (body) => {
        const transactionId = (JSON.parse(body) as { data: { transaction_id: string } }).data.transaction_id;
        const [lo, hi] = CANCEL_AFTER_MS;
        this.later(Date.now() + lo + Math.random() * (hi - lo), {
          op: 'cancel',
          method: 'PUT',
          path: '/api/user/orders',
          body: JSON.stringify({ transaction_id: transactionId, type: 'reject_by_patient' }),
          token: owner.token,
          expect: 200,
          // The slot is free again: it goes to the back of the queue.
          then: () => {
            done();
            this.freeSlots.push(slot);
          },
          failed: done,
        });
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The load generator: node:http over a fixed set of keep-alive connections.

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS, scheduling: 'fifo' });

interface Outcome {
  ok: boolean;
  /** 'status 500', 'timeout', 'socket ECONNRESET', ... when not ok. */
  error?: string;
}

function send(r: Request): Promise<Outcome> {
  return new Promise((done) => {
    const headers: http.OutgoingHttpHeaders = { 'x-api-key': API_KEY };
    if (r.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(r.body);
    }
    if (r.token) headers.authorization = `Bearer ${r.token}`;
    let settled = false;
    const finish = (o: Outcome, body = '') => {
      if (settled) return;
      settled = true;
      try {
        if (o.ok) r.then?.(body);
        else r.failed?.();
      } catch (err) {
        o = { ok: false, error: `bad answer: ${(err as Error).message}` };
        r.failed?.();
      }
      done(o);
    };
    const req = http.request(
      { agent, host: '127.0.0.1', port: PORT, method: r.method, path: r.path, headers, timeout: TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        const keep = r.then !== undefined || res.statusCode !== r.expect;
        res.on('data', (c: Buffer) => keep && chunks.push(c));
        res.on('end', () => {
          const body = keep ? Buffer.concat(chunks).toString('utf8') : '';
          if (res.statusCode === r.expect) finish({ ok: true }, body);
          else finish({ ok: false, error: `${r.op}: status ${res.statusCode} ${body.slice(0, 160)}` });
        });
        res.on('error', (err) =>
          finish({ ok: false, error: `${r.op}: socket ${(err as NodeJS.ErrnoException).code ?? err.message}` }),
        );
      },
    );
    req.on('timeout', () => {
      finish({ ok: false, error: `${r.op}: timeout` });
      req.destroy();
    });
    req.on('error', (err) =>
      finish({ ok: false, error: `${r.op}: socket ${(err as NodeJS.ErrnoException).code ?? err.message}` }),
    );
    req.end(r.body);
  });
}

/** Latencies and errors of one interval. */
class Window {
  latencies: number[] = [];
  errors = 0;
  errorKinds = new Map<string, number>();
  ops = new Map<string, number[]>();

  record(op: string, ms: number, o: Outcome): void {
    this.latencies.push(ms);
    const mine = this.ops.get(op);
    if (mine) mine.push(ms);
    else this.ops.set(op, [ms]);
    if (!o.ok) {
      this.errors++;
      const kind = o.error!.replace(/ \{.*$/, '');
      this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
      if (this.errorKinds.get(kind) === 1) log(`  error: ${o.error}`);
    }
  }

  percentile(p: number, latencies = this.latencies): number {
    if (latencies.length === 0) return Number.NaN;
    const sorted = Float64Array.from(latencies).sort();
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  }

  /** Count, p50 and p99 of each kind of request. */
  byOp(): Record<string, { n: number; p50_ms: number; p99_ms: number }> {
    return Object.fromEntries(
      [...this.ops]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([op, ms]) => [
          op,
          {
            n: ms.length,
            p50_ms: Number(this.percentile(50, ms).toFixed(2)),
            p99_ms: Number(this.percentile(99, ms).toFixed(2)),
          },
        ]),
    );
  }
}

/** Closed loop: CONNECTIONS clients, each sending its next request as soon as it has an answer. */
async function closedLoop(mix: Mix, seconds: number): Promise<{ rps: number; window: Window }> {
  const window = new Window();
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const r = mix.next(Date.now());
        const t0 = performance.now();
        const o = await send(r);
        window.record(r.op, performance.now() - t0, o);
      }
    }),
  );
  return { rps: window.latencies.length / ((performance.now() - started) / 1000), window };
}

// ---------------------------------------------------------------------------------------------
// Samples from /proc.

interface Proc {
  rssMb: number;
  rssAnonMb: number;
  hwmMb: number;
  threads: number;
  fds: number;
  socketFds: number;
  cpuTicks: number;
}

function readProc(pid: number): Proc {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  const fdNames = readdirSync(`/proc/${pid}/fd`);
  let socketFds = 0;
  for (const fd of fdNames) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) socketFds++;
    } catch {
      // closed meanwhile
    }
  }
  // utime and stime: fields 14 and 15 of /proc/pid/stat (after the command name in brackets).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    rssMb: kb('VmRSS'),
    rssAnonMb: kb('RssAnon'),
    hwmMb: kb('VmHWM'),
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? NaN),
    fds: fdNames.length,
    socketFds,
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

interface Sample {
  elapsed_s: number;
  target_rps: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
  rss_mb: number;
  rss_anon_mb: number;
  /** V8 heap in use and reserved, from GET /metrics (null when the server has no such route). */
  heap_used_mb: number | null;
  heap_total_mb: number | null;
  fds: number;
  socket_fds: number;
  threads: number;
  server_cpu_pct: number;
  generator_cpu_pct: number;
  in_flight: number;
  outbox_backlog: number;
  orders: number;
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trimEnd();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stdout.write(`${line}\n`);

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The V8 heap from the server's Prometheus metrics, in MB; nulls if there are none. */
async function heapOf(): Promise<{ used: number | null; total: number | null }> {
  try {
    const res = await fetch(`http://127.0.0.1:${PORT}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await res.text();
    const read = (name: string) => {
      const m = new RegExp(`^${name} ([\\d.e+]+)`, 'm').exec(text);
      return m ? Number((Number(m[1]) / 1048576).toFixed(1)) : null;
    };
    return { used: read('nodejs_heap_size_used_bytes'), total: read('nodejs_heap_size_total_bytes') };
  } catch {
    return { used: null, total: null };
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  // The generator (this process, all its threads) on core 1; the server on core 0.
  if (existsSync('/usr/bin/taskset'))
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const startedAt = new Date();
  log(
    `soak on ${DB}: ${MINUTES} min at ${FRACTION} of capacity, a sample every ${SAMPLE_MS / 1000} s, ${CONNECTIONS} connections; port ${PORT}`,
  );
  const env = await prepareDatabase();

  let server = await startServer(env);
  const fixture = await prepareFixture(env);
  await stopServer(server);

  server = await startServer(env);
  const pid = server.child.pid!;
  const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const db = await dbConnection(env);
  const counts = async () => {
    const [backlog] = await db.query('SELECT COUNT(*) AS n FROM notification_outbox WHERE processed_at IS NULL');
    const [orders] = await db.query('SELECT COUNT(*) AS n FROM orders');
    return { backlog: Number(backlog!.n), orders: Number(orders!.n) };
  };
  const mix = new Mix(fixture);
  let exitCode = 0;
  try {
    log(
      `server pid ${pid} (${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}), RSS at start ${readProc(pid).rssMb.toFixed(1)} MB`,
    );

    // Warm-up: every key of the mix once, a few seconds of the mix; then the capacity run.
    const keys = everyKey(fixture);
    const warmStarted = Date.now();
    const warm = new Window();
    // Eight at a time: this is not a measurement, and cold answers cost more.
    await pool(keys, 8, async (r) => {
      const at = performance.now();
      const o = await send(r);
      warm.record(r.op, performance.now() - at, o);
    });
    log(
      `warm-up: ${keys.length} distinct requests in ${Date.now() - warmStarted} ms, ${warm.errors} errors; RSS ${readProc(pid).rssMb.toFixed(1)} MB`,
    );
    let capacity = values.capacity !== undefined ? Number(values.capacity) : Number.NaN;
    let capacityWindow: Window | undefined;
    await closedLoop(mix, 3);
    if (Number.isNaN(capacity)) {
      const measured = await closedLoop(mix, CAPACITY_SECONDS);
      capacity = measured.rps;
      capacityWindow = measured.window;
      for (const [op, x] of Object.entries(measured.window.byOp()))
        log(
          `  ${op.padEnd(16)} ${String(x.n).padStart(6)}  p50 ${x.p50_ms.toFixed(2).padStart(7)}  p99 ${x.p99_ms.toFixed(2).padStart(8)} ms`,
        );
      log(
        `capacity (closed loop, ${CONNECTIONS} connections, ${CAPACITY_SECONDS} s): ${capacity.toFixed(0)} req/s, p50 ${measured.window.percentile(50).toFixed(2)} ms, p99 ${measured.window.percentile(99).toFixed(2)} ms, errors ${measured.window.errors}`,
      );
    }
    const target = capacity * FRACTION;
    log(`target: ${target.toFixed(0)} req/s for ${MINUTES} min`);
    await sleep(2000);

    // Open loop: request k is due at start + k / target; its latency counts from then.
    const samples: Sample[] = [];
    const totals = { sent: 0, done: 0, errors: 0, errorKinds: new Map<string, number>() };
    let window = new Window();
    const whole = new Window();
    let inFlight = 0;
    const durationMs = MINUTES * 60_000;
    const t0 = performance.now();
    let prevProc = readProc(pid);
    let prevCpu = process.cpuUsage();
    let prevAt = t0;
    let maxInFlight = 0;
    const fire = (due: number) => {
      const r = mix.next(Date.now());
      inFlight++;
      totals.sent++;
      void send(r).then((o) => {
        inFlight--;
        totals.done++;
        const ms = performance.now() - due;
        window.record(r.op, ms, o);
        whole.record(r.op, ms, o);
      });
    };
    const sampler = async (final: boolean) => {
      const now = performance.now();
      const w = window;
      window = new Window();
      const proc = readProc(pid);
      const cpu = process.cpuUsage();
      const [{ backlog, orders }, heap] = await Promise.all([counts(), heapOf()]);
      const seconds = (now - prevAt) / 1000;
      const s: Sample = {
        elapsed_s: Math.round((now - t0) / 1000),
        target_rps: Math.round(target),
        rps: Math.round(w.latencies.length / seconds),
        p50_ms: Number(w.percentile(50).toFixed(2)),
        p99_ms: Number(w.percentile(99).toFixed(2)),
        max_ms: Number(w.percentile(100).toFixed(2)),
        errors: w.errors,
        rss_mb: Number(proc.rssMb.toFixed(1)),
        rss_anon_mb: Number(proc.rssAnonMb.toFixed(1)),
        heap_used_mb: heap.used,
        heap_total_mb: heap.total,
        fds: proc.fds,
        socket_fds: proc.socketFds,
        threads: proc.threads,
        server_cpu_pct: Math.round(((proc.cpuTicks - prevProc.cpuTicks) / clockTicks / seconds) * 100),
        generator_cpu_pct: Math.round(((cpu.user - prevCpu.user + cpu.system - prevCpu.system) / 1e6 / seconds) * 100),
        in_flight: inFlight,
        outbox_backlog: backlog,
        orders,
      };
      prevProc = proc;
      prevCpu = cpu;
      prevAt = now;
      totals.errors += w.errors;
      for (const [k, v] of w.errorKinds) totals.errorKinds.set(k, (totals.errorKinds.get(k) ?? 0) + v);
      samples.push(s);
      log(
        `${String(s.elapsed_s).padStart(5)} s  ${String(s.rps).padStart(5)} req/s  p50 ${s.p50_ms.toFixed(2).padStart(6)}  p99 ${s.p99_ms.toFixed(2).padStart(7)} ms  err ${s.errors}  RSS ${s.rss_mb.toFixed(1)} MB  heap ${s.heap_used_mb ?? '-'} MB  fds ${s.fds}  cpu ${s.server_cpu_pct}%/${s.generator_cpu_pct}%  outbox ${s.outbox_backlog}${final ? '  (drain)' : ''}`,
      );
    };
    let sent = 0;
    let nextSample = t0 + SAMPLE_MS;
    const end = t0 + durationMs;
    await new Promise<void>((resolveDone) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.floor(((Math.min(now, end) - t0) / 1000) * target);
        // Everything due is sent, late ones too (their latency counts from when they were due).
        while (sent < due) {
          fire(t0 + (sent / target) * 1000);
          sent++;
        }
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (now >= nextSample) {
          nextSample += SAMPLE_MS;
          void sampler(false);
        }
        if (now >= end) return resolveDone();
        setTimeout(tick, 1);
      };
      tick();
    });
    // Let the last requests finish (they count in a final partial sample).
    for (let i = 0; i < TIMEOUT_MS / 100 && inFlight > 0; i++) await sleep(100);
    if (performance.now() - prevAt > 500) await sampler(true);
    const logErrors = server.errorLines;

    // Verdict.
    const warmupS = Math.min(60, (MINUTES * 60) / 4);
    const steady = samples.filter((s) => s.elapsed_s > warmupS && s.elapsed_s <= MINUTES * 60);
    const half = Math.floor(steady.length / 2);
    const first = steady.slice(0, half);
    const second = steady.slice(steady.length - half);
    const windowMin = steady.length > 1 ? (steady.at(-1)!.elapsed_s - steady[0]!.elapsed_s) / 60 : 0;
    /** Growth of one series over the steady window: halves compared, and the regression slope. */
    const growth = (label: string, values: number[]) => {
      const h = Math.floor(values.length / 2);
      const avg = mean(values);
      const halves = mean(values.slice(values.length - h)) / mean(values.slice(0, h)) - 1;
      const perMin = slope(
        steady.map((s) => s.elapsed_s / 60),
        values,
      );
      const projected = (perMin * windowMin) / avg;
      return {
        ok: values.length >= 4 && halves <= MEMORY_HALVES_LIMIT && projected <= MEMORY_SLOPE_LIMIT,
        text: `${label} mean ${avg.toFixed(1)} MB, second half ${halves >= 0 ? '+' : ''}${(halves * 100).toFixed(1)}% on the first, slope ${perMin.toFixed(2)} MB/min (${(projected * 100).toFixed(1)}% of the mean over ${windowMin.toFixed(1)} min)`,
      };
    };
    const rssGrowth = growth(
      'RSS',
      steady.map((s) => s.rss_mb),
    );
    // With the heap known, RSS is split in two: the V8 heap in use (where a JavaScript leak
    // grows) and what lies outside the V8 heap, RSS - heap total (native memory: SQLite, pg,
    // buffers, sockets). V8 reserving more heap at a peak (heap total steps up, heap in use does
    // not) moves RSS in steps without being a leak; each part is judged on its own.
    const withHeap = steady.every((s) => s.heap_used_mb !== null && s.heap_total_mb !== null);
    const heapGrowth = withHeap
      ? growth(
          'V8 heap in use',
          steady.map((s) => s.heap_used_mb!),
        )
      : undefined;
    const offHeapGrowth = withHeap
      ? growth(
          'RSS outside the V8 heap',
          steady.map((s) => s.rss_mb - s.heap_total_mb!),
        )
      : undefined;
    const memoryOk = heapGrowth && offHeapGrowth ? heapGrowth.ok && offHeapGrowth.ok : rssGrowth.ok;
    const memoryDetail = [heapGrowth, offHeapGrowth, rssGrowth]
      .filter((g) => g !== undefined)
      .map((g) => g.text)
      .join('; ');
    const fdsSteady = steady.map((s) => s.fds);
    const fdSpread = Math.max(...fdsSteady) - Math.min(...fdsSteady);
    const fdLimit = FD_SPREAD_LIMIT + (DB === 'postgres' ? PG_POOL_SIZE : 0);
    // And no creep: the second half never above the first half's highest by more than 2.
    const fdCreep = Math.max(...second.map((s) => s.fds)) - Math.max(...first.map((s) => s.fds));
    const achieved = totals.done / (durationMs / 1000);
    const backlogSlopePerMin = slope(
      steady.map((s) => s.elapsed_s / 60),
      steady.map((s) => s.outbox_backlog),
    );
    const checks = [
      {
        name: 'memory flat',
        ok: steady.length >= 4 && memoryOk,
        detail: `after warm-up: ${memoryDetail} (limits +${MEMORY_HALVES_LIMIT * 100}% and ${MEMORY_SLOPE_LIMIT * 100}%${withHeap ? '; judged on the first two' : ''})`,
      },
      {
        name: 'descriptors flat',
        ok: steady.length >= 4 && fdSpread <= fdLimit && fdCreep <= 2,
        detail: `fds ${Math.min(...fdsSteady)}-${Math.max(...fdsSteady)} after warm-up (spread ${fdSpread}, limit ${fdLimit}; second half's max ${fdCreep >= 0 ? '+' : ''}${fdCreep} on the first's, limit +2); over the whole run ${Math.min(...samples.map((s) => s.fds))}-${Math.max(...samples.map((s) => s.fds))}`,
      },
      {
        name: 'zero errors',
        ok: totals.errors === 0 && logErrors === 0 && (capacityWindow?.errors ?? 0) === 0 && warm.errors === 0,
        detail: `${totals.errors} failed requests of ${totals.done} in the soak${capacityWindow ? `, ${capacityWindow.errors} in the capacity run` : ''}, ${warm.errors} in the warm-up; ${logErrors} error lines in the server log${totals.errorKinds.size ? ` (${[...totals.errorKinds].map(([k, v]) => `${v} x ${k}`).join('; ')})` : ''}`,
      },
      {
        name: 'rate held',
        ok: achieved >= 0.95 * target,
        detail: `${achieved.toFixed(0)} req/s achieved of ${target.toFixed(0)} targeted (${totals.sent} sent, at most ${maxInFlight} in flight; ${mix.bookingsSkipped} bookings replaced by a time list for want of a free slot)`,
      },
      {
        name: 'notification outbox drained',
        ok: backlogSlopePerMin <= 60 && steady.length > 0 && steady.at(-1)!.outbox_backlog < 2000,
        detail: `backlog ${steady[0]?.outbox_backlog ?? NaN} -> ${steady.at(-1)?.outbox_backlog ?? NaN} after warm-up, slope ${backlogSlopePerMin.toFixed(0)} events/min`,
      },
    ];
    for (const c of checks) if (!c.ok) exitCode = 1;

    const rss = samples.map((s) => s.rss_mb);
    const summary = {
      date: startedAt.toISOString(),
      node: process.version,
      commit: git('rev-parse', 'HEAD'),
      uncommitted_src: git('status', '--short', '--', 'src').split('\n').filter(Boolean),
      db: DB,
      doctors: DOCTORS,
      minutes: MINUTES,
      fraction: FRACTION,
      connections: CONNECTIONS,
      load: { uptime_load_average: readFileSync('/proc/loadavg', 'utf8').trim() },
      mix: Object.fromEntries(MIX),
      capacity_rps: Math.round(capacity),
      capacity_measured: capacityWindow !== undefined,
      capacity_p99_ms: capacityWindow ? Number(capacityWindow.percentile(99).toFixed(2)) : null,
      capacity_by_request: capacityWindow?.byOp() ?? null,
      soak_p50_ms: Number(whole.percentile(50).toFixed(2)),
      soak_p99_ms: Number(whole.percentile(99).toFixed(2)),
      soak_by_request: whole.byOp(),
      target_rps: Math.round(target),
      achieved_rps: Math.round(achieved),
      requests: totals.done,
      errors: totals.errors,
      error_kinds: Object.fromEntries(totals.errorKinds),
      warmup_error_kinds: Object.fromEntries(warm.errorKinds),
      capacity_error_kinds: capacityWindow ? Object.fromEntries(capacityWindow.errorKinds) : null,
      log_error_lines: logErrors,
      log_warn_lines: server.warnLines,
      first_log_errors: server.firstErrors,
      rss_mb: { start: rss[0], end: rss.at(-1), max: Math.max(...rss), min: Math.min(...rss) },
      fds: { min: Math.min(...samples.map((s) => s.fds)), max: Math.max(...samples.map((s) => s.fds)) },
      warmup_s: warmupS,
      checks,
      samples,
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(OUT, JSON.stringify(summary, null, 2) + '\n');

    log('');
    log('| elapsed s | req/s | p50 ms | p99 ms | errors | RSS MB | heap MB | fds | outbox |');
    log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of samples)
      log(
        `| ${s.elapsed_s} | ${s.rps} | ${s.p50_ms} | ${s.p99_ms} | ${s.errors} | ${s.rss_mb} | ${s.heap_used_mb ?? '-'} | ${s.fds} | ${s.outbox_backlog} |`,
      );
    log('');
    log(
      `capacity ${Math.round(capacity)} req/s, target ${Math.round(target)}, achieved ${Math.round(achieved)}; RSS start ${summary.rss_mb.start} end ${summary.rss_mb.end} max ${summary.rss_mb.max} MB; fds ${summary.fds.min}-${summary.fds.max}; errors ${totals.errors}`,
    );
    log('requests in the soak (latency from the moment each was due):');
    for (const [op, x] of Object.entries(summary.soak_by_request))
      log(
        `  ${op.padEnd(16)} ${String(x.n).padStart(7)}  p50 ${x.p50_ms.toFixed(2).padStart(7)}  p99 ${x.p99_ms.toFixed(2).padStart(8)} ms`,
      );
    for (const c of checks) log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
    if (server.firstErrors.length) log(`server log errors:\n${server.firstErrors.join('\n')}`);
    log(`results: ${OUT}`);
  } finally {
    agent.destroy();
    await db.close();
    await stopServer(server);
  }
  process.exitCode = exitCode;
}

await main();
