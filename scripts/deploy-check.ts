// The deployment, tested: `npm run deploy:check [-- --race-clients 30 --stream-clients 160]`
// (docs/deployment.md).
//
// Starts the production setup of deploy/ on this machine and checks it through nginx:
//   - a fresh PostgreSQL database (cexup_deploy_<tag>), migrated by the CLI, with the demo
//     catalogue and an API key; Redis as deploy/cexup.env.example names it;
//   - two API processes started as deploy/cexup-api@.service starts cexup-api@1 and @2: its
//     ExecStart, WorkingDirectory, Environment and EnvironmentFile (deploy/cexup.env.example with
//     this run's values in place of the placeholders), and nothing from this shell's environment;
//   - nginx with deploy/nginx.conf, its pid, log and temp paths moved into a temporary directory.
// Then:
//   (a) the booking race: one slot booked at once by many patients, through nginx to both
//       processes: one 201, the rest 409 SLOT_TAKEN, one order in the database;
//   (b) a login lockout: wrong passwords from one client address, each with a made-up
//       X-Forwarded-For, until 429 LOGIN_LOCKED; the app counted them under the address nginx
//       saw (not the made-up ones, not nginx's own), and another address still logs in;
//   (c) a rolling restart under load: SIGTERM each process in turn while patients keep booking
//       with an Idempotency-Key, start it again; clients retry connection errors, 502 and 503
//       with the same key; afterwards every client has exactly one order, none lost, none twice.
// Figures are printed; exit code 1 on any failure. Everything it started or made (processes,
// nginx, the temporary directory, the database, its Redis keys) is removed at the end, also
// after a failure or Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cli, dropDatabase, emptyDatabase, letterTag, pool, ROOT } from './kit.js';

// Nothing from src/ is imported: the check sees the server as a deployment does, through HTTP,
// the CLI and the database.

const { values } = parseArgs({
  options: {
    'race-clients': { type: 'string', default: '30' },
    /**
     * Patients of the restart phase, one booking each, started one every --interval ms until the
     * restarts are over (those not needed book nothing).
     */
    'stream-clients': { type: 'string', default: '300' },
    interval: { type: 'string', default: '50' },
  },
});
const RACE_CLIENTS = Number(values['race-clients']);
const STREAM_CLIENTS = Number(values['stream-clients']);
const INTERVAL_MS = Number(values.interval);
const DEPLOY = join(ROOT, 'deploy');
const UNIT_FILE = join(DEPLOY, 'cexup-api@.service');
const ENV_EXAMPLE = join(DEPLOY, 'cexup.env.example');
const NGINX_CONF = join(DEPLOY, 'nginx.conf');
const NGINX = process.env.NGINX ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');
/** What systemd gives a service before its own settings (no HOME without a login shell). */
const SYSTEMD_BASE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
const PASSWORD = 'rahasia-pasien-1';
/** Where the check makes (and drops) its database. */
const PG_ADMIN = process.env.DEPLOY_CHECK_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The check's database: its own connections for the checks, and the API key it made. */
interface CheckDb {
  pool: pg.Pool;
  apiKey: string;
  rows<T>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A free slot as a booking body takes it. */
interface Slot {
  id: number;
  username_doctor: string;
  time: string;
  type: 'call' | 'reservasi';
  price: number;
}
const started = performance.now();

// ---------------------------------------------------------------------------------------------
// Reporting

let failures = 0;
const out = (line = '') => process.stdout.write(line + '\n');
function record(name: string, ok: boolean, detail: string): void {
  if (!ok) failures++;
  out(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
  for (const line of detail.split('\n')) out(`      ${line}`);
}
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
function tally(items: string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} x ${k}`).join(', ');
}
function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every step that makes something registers how to undo it; run in reverse order,
// once, at the end, on an error, or on Ctrl-C.

const undo: { what: string; fn: () => Promise<void> | void }[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of undo.reverse()) {
      try {
        await step.fn();
      } catch (err) {
        out(`cleanup: ${step.what} failed: ${(err as Error).message}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    out(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// The deploy/ files, read as systemd and nginx read them

/** The [Service] section of a unit file: each key with its values in order. */
function readUnit(text: string): Map<string, string[]> {
  const service = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (section !== 'Service' || eq < 0) continue;
    const key = line.slice(0, eq).trim();
    service.set(key, [...(service.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return service;
}

/** KEY=VALUE lines as systemd's EnvironmentFile reads them (comments, blank lines, quotes). */
function readEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new Error(`${ENV_EXAMPLE}: not KEY=VALUE: ${line}`);
    const value = m[2]!;
    env[m[1]!] = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
  }
  return env;
}

interface Launch {
  command: string;
  args: string[];
  cwd: string;
  env: (instance: number, port: number) => NodeJS.ProcessEnv;
  /** Where this run departs from the unit file, and why. */
  notes: string[];
}

/** How systemd would start cexup-api@N: the command, the directory, the environment. */
function readLaunch(envFile: Record<string, string>): Launch {
  const unit = readUnit(readFileSync(UNIT_FILE, 'utf8'));
  const one = (key: string) => {
    const v = unit.get(key);
    if (v?.length !== 1) throw new Error(`${UNIT_FILE}: expected one ${key}=`);
    return v[0]!;
  };
  const notes: string[] = [];
  const [exe, ...args] = one('ExecStart').split(/\s+/);
  if (!exe?.endsWith('/node')) throw new Error(`${UNIT_FILE}: ExecStart should run node, not ${exe}`);
  notes.push(`ExecStart ${exe} -> ${process.execPath} (this machine's node)`);
  notes.push(`WorkingDirectory ${one('WorkingDirectory')} -> ${ROOT}`);
  one('EnvironmentFile');
  notes.push(`EnvironmentFile -> deploy/cexup.env.example with this run's values for its placeholders`);
  if (one('User') === 'root') throw new Error(`${UNIT_FILE}: the service must not run as root`);
  notes.push(`User=${one('User')}: not switched to (the processes run as ${process.env.USER ?? 'this user'})`);
  const assignments = (unit.get('Environment') ?? []).flatMap((v) => v.split(/\s+/));
  return {
    command: process.execPath,
    args,
    cwd: ROOT,
    env: (instance, port) => {
      const env: Record<string, string> = { ...SYSTEMD_BASE_ENV };
      for (const a of assignments) {
        const eq = a.indexOf('=');
        env[a.slice(0, eq)] = a.slice(eq + 1).replaceAll('%i', String(instance));
      }
      // systemd: EnvironmentFile= overrides Environment=.
      Object.assign(env, envFile);
      if (env.PORT !== String(port)) env.PORT = String(port);
      return env;
    },
    notes,
  };
}

/** The unit's port for instance `i` (PORT=300%i). */
function unitPort(instance: number): number {
  const unit = readUnit(readFileSync(UNIT_FILE, 'utf8'));
  const port = (unit.get('Environment') ?? [])
    .flatMap((v) => v.split(/\s+/))
    .find((a) => a.startsWith('PORT='))
    ?.slice('PORT='.length)
    .replaceAll('%i', String(instance));
  if (port === undefined || !/^\d+$/.test(port)) throw new Error(`${UNIT_FILE}: no Environment=PORT=...`);
  return Number(port);
}

/**
 * deploy/nginx.conf with its machine paths moved under `dir` and its ports replaced; every
 * replacement must match as expected, so a changed file fails here instead of running elsewhere.
 */
function templateNginx(dir: string, listenPort: number, ports: [number, number]): string {
  let text = readFileSync(NGINX_CONF, 'utf8');
  const replace = (what: string, pattern: RegExp, by: string, count = 1) => {
    const n = text.match(
      new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'),
    )?.length;
    if (n !== count) throw new Error(`deploy/nginx.conf: expected ${count} ${what}, found ${n ?? 0}`);
    text = text.replace(
      new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'),
      by,
    );
  };
  replace('pid line', /^(\s*)pid\s+[^;]+;/m, `$1pid ${dir}/nginx.pid;`);
  replace('error_log line', /^(\s*error_log\s+)[^\s;]+/m, `$1${dir}/error.log`);
  replace('access_log line', /^(\s*access_log\s+)[^\s;]+/m, `$1${dir}/access.log`);
  replace('listen line', /^(\s*)listen\s+\d+\s*;/m, `$1listen 127.0.0.1:${listenPort};`);
  replace('upstream server 3001', /server 127\.0\.0\.1:3001\b/, `server 127.0.0.1:${ports[0]}`);
  replace('upstream server 3002', /server 127\.0\.0\.1:3002\b/, `server 127.0.0.1:${ports[1]}`);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `    ${kind}_temp_path ${dir}/${kind}_temp;`)
    .join('\n');
  replace('http block', /^http \{\n/m, `http {\n${temp}\n`);
  return text;
}

// ---------------------------------------------------------------------------------------------
// HTTP through nginx, from a client address of its own

interface Reply {
  status: number;
  /** The parsed JSON answer (undefined when not JSON): envelopes of many shapes, read field by field. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: http.IncomingHttpHeaders;
}

/**
 * One request on a connection of its own from `from` (a 127/8 address: loopback answers to all
 * of them, so each patient reaches nginx from an address of its own). Rejects on a connection
 * error (the caller decides whether to retry).
 */
function request(
  baseUrl: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  from?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      new URL(path, baseUrl),
      {
        method,
        agent: false,
        ...(from ? { localAddress: from } : {}),
        headers: {
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const describe = (r: Reply) => `${r.status}${typeof r.body?.code === 'string' ? ` ${r.body.code}` : ''}`;

/** Client addresses 127.<net>.x.y: a block of this run's own, so Redis counts never mix with another run. */
const NET = 16 + (randomBytes(1)[0]! % 224);
let nextAddress = 0;
function newAddress(): string {
  const n = nextAddress++;
  return `127.${NET}.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

// ---------------------------------------------------------------------------------------------
// Processes

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    if (await portIsFree(port)) return port;
  }
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (exited(child)) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

interface Api {
  instance: number;
  port: number;
  child: ChildProcess;
  /** Everything each run of this instance wrote, as systemd's journal would keep it. */
  log: string[];
}

function spawnApi(launch: Launch, api: Omit<Api, 'child'>): Api {
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd,
    env: launch.env(api.instance, api.port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => api.log.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => api.log.push(c.toString()));
  return { ...api, child };
}

/** Milliseconds until the process answers 200 on /health on its own port. */
async function waitHealthy(api: Api, since: number): Promise<number> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline && !exited(api.child)) {
    const res = await request(`http://127.0.0.1:${api.port}`, 'GET', '/health', undefined).catch(() => undefined);
    if (res?.status === 200) return Math.round(performance.now() - since);
    await sleep(25);
  }
  throw new Error(`cexup-api@${api.instance} did not become healthy:\n${api.log.join('').slice(-3000)}`);
}

/** As `systemctl stop`: SIGTERM, SIGKILL after TimeoutStopSec. The exit code and the time taken. */
async function stopApi(api: Api): Promise<{ ms: number; code: number | null; signal: string | null }> {
  const t = performance.now();
  await stopChild(api.child, 'SIGTERM', 15_000);
  return { ms: Math.round(performance.now() - t), code: api.child.exitCode, signal: api.child.signalCode };
}

// ---------------------------------------------------------------------------------------------
// nginx's access log (deploy/nginx.conf's JSON lines)

interface AccessLine {
  method: string;
  uri: string;
  status: number;
  upstream: string;
  upstream_status: string;
}
function accessLog(dir: string): AccessLine[] {
  const file = join(dir, 'access.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AccessLine);
}
/** nginx's error log, its messages counted without their changing parts (times, ids, addresses). */
function nginxErrors(dir: string): string {
  const file = join(dir, 'error.log');
  if (!existsSync(file)) return '';
  return tally(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.replace(/^.*?\[(\w+)\] [\d#]+: (\*\d+ )?/, '[$1] ').replace(/,? client: .*$/, '')),
  );
}

/** Which process answered a line: its port, or "both" when nginx passed the request on. */
const answeredBy = (line: AccessLine) =>
  line.upstream.includes(',') ? 'both' : (line.upstream.split(':').pop() ?? '-');

// ---------------------------------------------------------------------------------------------

interface Patient {
  username: string;
  email: string;
  userId: string;
  token: string;
  address: string;
}

async function registerPatients(base: string, apiKey: string, count: number, prefix: string): Promise<Patient[]> {
  const tag = letterTag(3);
  return pool(
    Array.from({ length: count }, (_, i) => i),
    4,
    async (i) => {
      const username = `${prefix}${tag}${i}`;
      const address = newAddress();
      const reply = await request(
        base,
        'POST',
        '/api/register/patient',
        {
          name: `Pasien ${prefix} ${i}`,
          address: 'Jl. Gatot Subroto 1, Jakarta',
          username,
          email: `${username}@example.id`,
          password: PASSWORD,
        },
        { 'x-api-key': apiKey },
        address,
      );
      if (reply.status !== 201) throw new Error(`register ${username}: ${describe(reply)}`);
      const data = reply.body.data as { access_token: string; user: { user_id: string } };
      return {
        username,
        email: `${username}@example.id`,
        userId: data.user.user_id,
        token: data.access_token,
        address,
      };
    },
  );
}

/**
 * `need` free slots, listed as an app lists them (get-date-list from two days ahead, then
 * get-time-list), taken in turn from each practice so that bookings in flight together mostly
 * meet different doctors.
 */
async function findSlots(base: string, db: CheckDb, need: number): Promise<Slot[]> {
  const practices = await db.rows<{
    id: number;
    username: string;
    call_price: number | null;
    reservasi_price: number | null;
  }>(`
    SELECT p.id, d.username, p.call_price, p.reservasi_price FROM practices p
    JOIN doctors d ON d.id = p.doctor_id JOIN hospitals h ON h.id = p.hospital_id
    WHERE p.unpublished_at IS NULL AND d.unpublished_at IS NULL AND h.unpublished_at IS NULL ORDER BY p.id`);
  const offers = practices.flatMap((p) =>
    (['reservasi', 'call'] as const)
      .filter((type) => (type === 'call' ? p.call_price : p.reservasi_price) !== null)
      .map((type) => ({ p, type, price: Number(type === 'call' ? p.call_price : p.reservasi_price) })),
  );
  const list = async (path: string, body: object) => {
    const reply = await request(base, 'POST', path, body, { 'x-api-key': db.apiKey });
    if (reply.status !== 200) throw new Error(`${path}: ${describe(reply)}`);
    return reply.body.data as { date?: string; available_slots?: number; time?: string; available?: boolean }[];
  };
  const from = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const perOffer: Slot[][] = [];
  let found = 0;
  for (let start = 0; start < offers.length && found < need; start += 8) {
    const lists = await pool(offers.slice(start, start + 8), 4, async ({ p, type, price }) => {
      const mine: Slot[] = [];
      const days = await list('/api/doctor/get-date-list', {
        doctor_has_hospital_id: p.id,
        appointment: type,
        from,
        days: 20,
      });
      for (const day of days.filter((d) => (d.available_slots ?? 0) > 0)) {
        const times = await list('/api/doctor/get-time-list', {
          doctor_has_hospital_id: p.id,
          date: day.date,
          appointment: type,
        });
        for (const t of times.filter((x) => x.available)) {
          mine.push({ id: Number(p.id), username_doctor: p.username, time: `${day.date} ${t.time}`, type, price });
        }
      }
      return mine;
    });
    for (const l of lists) {
      perOffer.push(l);
      found += l.length;
    }
  }
  const mixed: Slot[] = [];
  for (let i = 0; mixed.length < found; i++) for (const l of perOffer) if (l[i]) mixed.push(l[i]!);
  if (mixed.length < need) throw new Error(`only ${mixed.length} free slots found, ${need} needed`);
  return mixed.slice(0, need);
}

async function bookingRace(base: string, db: CheckDb, patients: Patient[], slot: Slot, logDir: string) {
  const before = accessLog(logDir).length;
  const t = performance.now();
  const replies = await Promise.all(
    patients.map((p, i) =>
      request(
        base,
        'POST',
        '/api/doctor/booking',
        { ...slot, patient: `Race ${i}` },
        { 'x-api-key': db.apiKey, authorization: `Bearer ${p.token}` },
        p.address,
      ).catch((err: Error) => ({ status: 0, body: { code: err.message }, headers: {} }) as Reply),
    ),
  );
  const ms = Math.round(performance.now() - t);
  const won = replies.filter((r) => r.status === 201);
  const lost = replies.filter((r) => r.status === 409 && r.body?.code === 'SLOT_TAKEN');
  const orders = (await db.rows<{ transaction_id: string }>('SELECT transaction_id FROM orders')).map(
    (r) => r.transaction_id,
  );
  const by = accessLog(logDir)
    .slice(before)
    .filter((l) => l.uri === '/api/doctor/booking')
    .map(answeredBy);
  const ok =
    won.length === 1 &&
    lost.length === patients.length - 1 &&
    orders.length === 1 &&
    orders[0] === won[0]!.body.data.transaction_id &&
    new Set(by.filter((p) => p !== 'both')).size === 2;
  record(
    `(a) booking race: ${patients.length} patients book one slot at once, through nginx`,
    ok,
    `answers: ${tally(replies.map(describe))}, in ${ms} ms\n` +
      `answered by process (port): ${tally(by)}\n` +
      `orders in the database: ${orders.length}${orders.length === 1 && won.length === 1 && orders[0] === won[0]!.body.data.transaction_id ? " (the winner's)" : ''}`,
  );
}

async function loginLockout(base: string, db: CheckDb, max: number, logDir: string) {
  const [patient] = await registerPatients(base, db.apiKey, 1, 'lock');
  const attacker = newAddress();
  const other = newAddress();
  const spoofed: string[] = [];
  const before = accessLog(logDir).length;
  // Each attempt claims another address in X-Forwarded-For: were it believed, no count would grow.
  const login = (password: string, from: string) => {
    const fake = `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]! || 1}`;
    spoofed.push(fake);
    return request(
      base,
      'POST',
      '/api/login/patient',
      { email: patient!.email, password },
      { 'x-api-key': db.apiKey, 'x-forwarded-for': fake },
      from,
    );
  };
  const wrong: Reply[] = [];
  for (let i = 0; i < max; i++) wrong.push(await login(`salah-sandi-${i}`, attacker));
  const lockedWrong = await login('salah-lagi', attacker);
  const lockedRight = await login(PASSWORD, attacker);
  const elsewhere = await login(PASSWORD, other);
  const rows = await db.rows<{ ip: string; n: string }>(
    'SELECT ip, COUNT(*) AS n FROM login_failures WHERE subject = $1 GROUP BY ip',
    [patient!.userId],
  );
  const known = (
    await db.rows<{ ip: string }>('SELECT ip FROM known_addresses WHERE user_id = $1', [patient!.userId])
  ).map((r) => r.ip);
  const by = accessLog(logDir)
    .slice(before)
    .filter((l) => l.uri === '/api/login/patient')
    .map(answeredBy);
  const counted = rows.map((r) => `${Number(r.n)} from ${r.ip}`).join(', ') || 'none';
  const ok =
    wrong.every((r) => r.status === 401 && r.body?.code === 'INVALID_CREDENTIALS') &&
    [lockedWrong, lockedRight].every((r) => r.status === 429 && r.body?.code === 'LOGIN_LOCKED') &&
    lockedWrong.headers['retry-after'] !== undefined &&
    elsewhere.status === 200 &&
    rows.length === 1 &&
    rows[0]!.ip === attacker &&
    Number(rows[0]!.n) === max &&
    known.includes(other) &&
    !known.some((ip) => spoofed.includes(ip)) &&
    new Set(by.filter((p) => p !== 'both')).size === 2;
  record(
    `(b) login lockout through nginx: ${max} wrong passwords from ${attacker} (LOGIN_MAX_FAILURES_PER_ADDRESS=${max}), each claiming another address in X-Forwarded-For`,
    ok,
    `the ${max} wrong passwords: ${tally(wrong.map(describe))}\n` +
      `then from ${attacker}: wrong password ${describe(lockedWrong)} (Retry-After ${lockedWrong.headers['retry-after'] ?? 'missing'} s), right password ${describe(lockedRight)}\n` +
      `right password from ${other}: ${describe(elsewhere)}\n` +
      `failures the app counted (login_failures): ${counted}; known addresses after the login: ${known.join(', ') || 'none'}\n` +
      `answered by process (port): ${tally(by)}`,
  );
}

interface StreamClient {
  patient: Patient;
  slot: Slot;
  key: string;
  /** The transaction id the client was answered with. */
  acked?: string;
  failure?: string;
  sentAt?: number;
  ackedAt?: number;
}

interface StreamFigures {
  requests: number;
  retries: string[];
}

/**
 * A request sent again, as a careful client would, on a connection error, 502, 503 or 504, with
 * the same body and headers (the same Idempotency-Key): backoff from 50 ms, at most 20 tries.
 */
async function withRetries(figures: StreamFigures, send: () => Promise<Reply>): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    figures.requests++;
    let reason: string;
    try {
      const reply = await send();
      if (![502, 503, 504].includes(reply.status)) return reply;
      reason = String(reply.status);
    } catch (err) {
      reason = (err as NodeJS.ErrnoException).code ?? 'connection error';
    }
    if (attempt >= 19) throw new Error(`no answer after ${attempt + 1} tries (last: ${reason})`);
    figures.retries.push(reason);
    await sleep(Math.min(1000, 50 * 2 ** attempt) * (0.5 + Math.random()));
  }
}

async function runClient(base: string, apiKey: string, c: StreamClient, figures: StreamFigures): Promise<void> {
  const headers = { 'x-api-key': apiKey, authorization: `Bearer ${c.patient.token}`, 'idempotency-key': c.key };
  const body = { ...c.slot, patient: `Stream ${c.patient.username}` };
  const book = () => request(base, 'POST', '/api/doctor/booking', body, headers, c.patient.address);
  c.sentAt = performance.now();
  const first = await withRetries(figures, book);
  if (first.status !== 201 && first.status !== 200) {
    c.failure = `booking: ${describe(first)}`;
    return;
  }
  c.acked = first.body.data.transaction_id as string;
  c.ackedAt = performance.now();
  // The same request again (a client unsure it was answered): the same order, not a second one.
  const again = await withRetries(figures, book);
  if (again.status !== 200 || again.body?.data?.transaction_id !== c.acked) {
    c.failure = `the same Idempotency-Key again: ${describe(again)} ${again.body?.data?.transaction_id ?? ''}`;
    return;
  }
  const list = await withRetries(figures, () =>
    request(base, 'POST', '/api/user/orders', {}, headers, c.patient.address),
  );
  const ids = ((list.body?.data as { transaction_id: string }[] | undefined) ?? []).map((o) => o.transaction_id);
  if (list.status !== 200 || ids.length !== 1 || ids[0] !== c.acked) {
    c.failure = `own orders: ${describe(list)} [${ids.join(', ')}]`;
  }
}

async function rollingRestart(
  base: string,
  db: CheckDb,
  launch: Launch,
  apis: Api[],
  patients: Patient[],
  slots: Slot[],
  logDir: string,
  failTimeoutMs: number,
) {
  const candidates: StreamClient[] = patients.map((patient, i) => ({ patient, slot: slots[i]!, key: randomUUID() }));
  const clients: StreamClient[] = [];
  const figures: StreamFigures = { requests: 0, retries: [] };
  const before = accessLog(logDir).length;
  const t0 = performance.now();
  const running: Promise<void>[] = [];
  let launched = 0;
  // New clients keep coming until half a second after the last restart (or the pool runs out).
  const restartsDone: { at?: number } = {};
  const stream = (async () => {
    for (const c of candidates) {
      if (restartsDone.at !== undefined && performance.now() > restartsDone.at + 500) break;
      clients.push(c);
      running.push(runClient(base, db.apiKey, c, figures).catch((err: Error) => void (c.failure = err.message)));
      launched++;
      await sleep(INTERVAL_MS);
    }
  })();

  // systemctl restart cexup-api@N, one process at a time, as a rollout does.
  const restarts: {
    instance: number;
    stopMs: number;
    exit: string;
    startMs: number;
    backMs: number;
    during: number;
  }[] = [];
  await sleep(1000);
  for (let i = 0; i < apis.length; i++) {
    const api = apis[i]!;
    const launchedBefore = launched;
    const stopped = await stopApi(api);
    const spawnedAt = performance.now();
    apis[i] = spawnApi(launch, { instance: api.instance, port: api.port, log: api.log });
    const startMs = await waitHealthy(apis[i]!, spawnedAt);
    const logAt = accessLog(logDir).length;
    // nginx left the process out while it was down, and takes it back only after fail_timeout
    // and a request that succeeds there, in each worker: the next restart waits for that (the
    // rollout in docs/deployment.md), else the other process could be the only one left.
    const backAt = performance.now();
    for (;;) {
      const back = accessLog(logDir)
        .slice(logAt)
        .filter((l) => l.status < 500 && l.upstream.endsWith(`:${api.port}`)).length;
      if (back >= 8 && performance.now() - backAt > failTimeoutMs) break;
      if (performance.now() - backAt > 30_000) throw new Error(`nginx sent nothing to cexup-api@${api.instance} again`);
      // A probe of our own, as monitoring would send: the stream alone may be over by now.
      await request(base, 'GET', '/health', undefined).catch(() => undefined);
      await sleep(100);
    }
    const backMs = Math.round(performance.now() - backAt);
    restarts.push({
      instance: api.instance,
      stopMs: stopped.ms,
      exit: stopped.signal ?? `exit ${stopped.code}`,
      startMs,
      backMs,
      during: launched - launchedBefore,
    });
  }
  restartsDone.at = performance.now();
  const poolRanOut = clients.length === candidates.length;
  await stream;
  await Promise.all(running);
  const totalMs = performance.now() - t0;

  // The database after the storm: every client exactly one order, the one it was answered with.
  const rows = await db.rows<{ transaction_id: string; patient_user_id: string; books: string; holds: string }>(`
      SELECT o.transaction_id, o.patient_user_id,
        (SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id AND e.action = 'book') AS books,
        (SELECT COUNT(*) FROM slot_holds h WHERE h.order_id = o.id) AS holds
      FROM orders o`);
  const keys = await db.rows<{ key: string; transaction_id: string }>(
    'SELECT k.key, o.transaction_id FROM idempotency_keys k JOIN orders o ON o.id = k.order_id',
  );
  const doubles = (
    await db.rows<{ n: string }>(`
      SELECT COUNT(*) AS n FROM (SELECT doctor_id, start_at FROM slot_holds GROUP BY doctor_id, start_at
      HAVING COUNT(*) > 1) x`)
  )[0]!.n;
  const problems: string[] = [];
  for (const c of clients) {
    const mine = rows.filter((r) => r.patient_user_id === c.patient.userId);
    if (c.failure !== undefined) problems.push(`${c.patient.username}: ${c.failure}`);
    if (c.acked === undefined) problems.push(`${c.patient.username}: never answered with an order`);
    else if (mine.length !== 1) problems.push(`${c.patient.username}: ${mine.length} orders`);
    else if (mine[0]!.transaction_id !== c.acked)
      problems.push(`${c.patient.username}: order is not the acknowledged one`);
    const key = keys.filter((k) => k.key === c.key);
    if (key.length !== 1 || key[0]!.transaction_id !== c.acked)
      problems.push(`${c.patient.username}: key not on its order`);
  }
  const streamUsers = new Set(clients.map((c) => c.patient.userId));
  const streamOrders = rows.filter((r) => streamUsers.has(r.patient_user_id));
  if (streamOrders.length !== clients.length)
    problems.push(`${streamOrders.length} orders for ${clients.length} clients`);
  if (streamOrders.some((r) => Number(r.books) !== 1 || Number(r.holds) !== 1)) {
    problems.push('an order without exactly one book event and one slot hold');
  }
  if (Number(doubles) > 0) problems.push(`${doubles} slots held twice`);
  for (const r of restarts) {
    if (r.exit !== 'exit 0') problems.push(`cexup-api@${r.instance} ended with ${r.exit} on SIGTERM, not exit 0`);
    if (r.during === 0) problems.push(`no booking started while cexup-api@${r.instance} restarted`);
  }
  const errors = apis.flatMap((a) =>
    a.log
      .join('')
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l))
      .map((l) => `cexup-api@${a.instance}: ${l.slice(0, 300)}`),
  );
  problems.push(...errors.slice(0, 5));

  const lines = accessLog(logDir).slice(before);
  const latencies = clients
    .filter((c) => c.ackedAt !== undefined)
    .map((c) => c.ackedAt! - c.sentAt!)
    .sort((a, b) => a - b);
  record(
    `(c) rolling restart under load: ${clients.length} patients book (Idempotency-Key) while each process gets SIGTERM and starts again`,
    problems.length === 0,
    [
      ...restarts.map(
        (r) =>
          `cexup-api@${r.instance}: SIGTERM -> ${r.exit} in ${r.stopMs} ms, started again, /health in ${r.startMs} ms, in nginx's rotation again ${r.backMs} ms later; ${r.during} clients began meanwhile`,
      ),
      ...(poolRanOut ? [`(all ${candidates.length} clients were used before the restarts ended)`] : []),
      `client requests: ${figures.requests} (booking, the same booking again, own orders; retries included) in ${secs(totalMs)}`,
      `client retries with the same Idempotency-Key: ${figures.retries.length}${figures.retries.length ? ` (${tally(figures.retries)})` : ''}`,
      `nginx: ${lines.length} requests, answers ${tally(lines.map((l) => String(l.status)))}; passed on to the other process: ${lines.filter((l) => l.upstream.includes(',')).length}`,
      `nginx lines not answered at once by one process: ${tally(lines.filter((l) => l.upstream.includes(',') || l.status >= 500).map((l) => `${l.status} via ${l.upstream} (${l.upstream_status})`)) || 'none'}`,
      `nginx error log: ${nginxErrors(logDir) || 'empty'}`,
      `booking answered after (first try to acknowledgement): p50 ${Math.round(percentile(latencies, 50))} ms, p99 ${Math.round(percentile(latencies, 99))} ms, max ${Math.round(latencies.at(-1) ?? 0)} ms`,
      `database: ${streamOrders.length} orders for ${clients.length} clients, each the one acknowledged, one book event and one slot hold each; ${keys.length} Idempotency-Keys; ${doubles} slots held twice`,
      ...problems.slice(0, 10),
    ].join('\n'),
  );
}

/** The proxy's own settings, seen from outside: compression and the body limit. */
async function proxySettings(base: string, apiKey: string) {
  const gz = { 'accept-encoding': 'gzip', 'x-api-key': apiKey };
  const json = await request(base, 'GET', '/api/doctor?per_page=50', undefined, gz);
  const page = await request(base, 'GET', '/admin/', undefined, gz);
  const html = await new Promise<string>((resolve, reject) => {
    http
      .get(new URL('/admin/', base), (res) => {
        let t = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (t += c));
        res.on('end', () => resolve(t));
      })
      .on('error', reject);
  });
  const asset = /\/admin\/assets\/[^"']+\.js/.exec(html)?.[0];
  const js = asset ? await request(base, 'GET', asset, undefined, gz) : undefined;
  const big = await request(
    base,
    'POST',
    '/api/login/patient',
    { email: 'x'.repeat(1_100_000), password: 'x' },
    {
      'x-api-key': apiKey,
    },
  );
  const enc = (r?: Reply) => (r ? `${r.status} ${r.headers['content-encoding'] ?? 'identity'}` : 'no asset found');
  record(
    '(d) nginx settings: gzip on JSON and the web apps, the 1 MiB body limit',
    json.headers['content-encoding'] === 'gzip' &&
      page.status === 200 &&
      js?.headers['content-encoding'] === 'gzip' &&
      big.status === 413,
    `GET /api/doctor: ${enc(json)}; GET /admin/: ${enc(page)}; GET ${asset ?? '/admin/assets/*.js'}: ${enc(js)}; a 1.1 MB POST: ${big.status}`,
  );
}

async function main(): Promise<void> {
  out('deploy:check: deploy/ on this machine, two API processes behind nginx on PostgreSQL and Redis');

  // The build the unit file runs (ExecStart node dist/server.js).
  const build = spawnSync(process.execPath, ['scripts/build-server.mjs', '--if-stale'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  if (!existsSync(join(ROOT, 'dist/server.js'))) throw new Error('no dist/server.js after the build');

  const dir = mkdtempSync(join(tmpdir(), 'cexup-deploy-'));
  // nginx's workers (www-data when started as root) create their temp files under it.
  chmodSync(dir, 0o711);
  undo.push({ what: 'removing the temporary directory', fn: () => rmSync(dir, { recursive: true, force: true }) });

  // The environment file: the example, with this run's values where it holds placeholders or
  // names services elsewhere.
  const example = readEnvFile(readFileSync(ENV_EXAMPLE, 'utf8'));
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'PUBLIC_URL', 'TRUST_PROXY', 'NODE_ENV', 'IDENTITY_HMAC_KEY']) {
    if (example[name] === undefined) throw new Error(`deploy/cexup.env.example lacks ${name}`);
  }
  if (example.PORT !== undefined) throw new Error('deploy/cexup.env.example sets PORT: it would override the unit');
  const redisUrl = process.env.REDIS_URL ?? example.REDIS_URL!;
  const dbName = `cexup_deploy_${letterTag(3)}`;
  const nginxPort = await freePort();
  const envFile: Record<string, string> = {
    ...example,
    DATABASE_URL: 'set below',
    REDIS_URL: redisUrl,
    PUBLIC_URL: `http://127.0.0.1:${nginxPort}`,
    IDENTITY_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    IDENTITY_HMAC_KEY: randomBytes(32).toString('base64'),
    // Never called: the check books free consultations (below).
    MIDTRANS_SERVER_KEY: `deploy-check-${randomUUID()}`,
    METRICS_TOKEN: randomBytes(24).toString('base64url'),
    // No mail leaves this machine: registrations log their mails instead.
    MAIL_TRANSPORT: 'log',
  };
  delete envFile.SMTP_URL;
  const replaced = Object.keys(envFile).filter((k) => envFile[k] !== example[k]);

  // The database: made empty, migrated and loaded by the CLI, as an operator would.
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  await redis.connect();
  undo.push({
    what: "removing this run's Redis keys",
    fn: async () => {
      // The rate limits' counts for this run's client addresses (127.NET.x.y).
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `cexup-rl:*127.${NET}.*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    },
  });
  const dbUrl = await emptyDatabase('postgres', { sqliteFile: '', pgName: dbName, pgAdmin: PG_ADMIN });
  undo.push({ what: `dropping ${dbName}`, fn: () => dropDatabase(PG_ADMIN, dbName) });
  envFile.DATABASE_URL = dbUrl;
  const leftover = Object.entries(envFile).filter(([, v]) => /<[^>]*>/.test(v) && !v.includes('@'));
  if (leftover.length > 0) throw new Error(`placeholders left in the env file: ${leftover.map(([k]) => k).join(', ')}`);
  writeFileSync(
    join(dir, 'cexup.env'),
    Object.entries(envFile)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  const cliEnv = { ...SYSTEMD_BASE_ENV, ...envFile };
  const t = performance.now();
  const migrated = cli(cliEnv, 'migrate').trim();
  cli(cliEnv, 'seed', '--doctors', '20');
  const apiKey = `cxk_deploy_${randomUUID().replaceAll('-', '')}`;
  cli(cliEnv, 'keys', 'create', '--name', 'deploy-check', '--key', apiKey);
  const checkPool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  undo.push({ what: 'closing the database connections', fn: () => checkPool.end() });
  const db: CheckDb = {
    pool: checkPool,
    apiKey,
    rows: async <T>(text: string, params: unknown[] = []) => (await checkPool.query(text, params)).rows as T[],
  };
  // Production pays through Midtrans, which this check cannot call: it books free consultations,
  // which take the same path (slot hold, Idempotency-Key, limits) without a gateway.
  await db.rows('UPDATE practices SET call_price = 0 WHERE call_price IS NOT NULL');
  await db.rows('UPDATE practices SET reservasi_price = 0 WHERE reservasi_price IS NOT NULL');
  out(
    `database ${dbName}: ${migrated}; demo catalogue (20 doctors, consultations made free), an API key; ${secs(performance.now() - t)}`,
  );
  out(`Redis ${redisUrl}; client addresses 127.${NET}.x.y (loopback: one of its own for each patient)`);

  // The two processes, as systemd starts cexup-api@1 and cexup-api@2.
  const launch = readLaunch(envFile);
  const ports: [number, number] = [unitPort(1), unitPort(2)];
  for (const [i, port] of ports.entries()) {
    if (!(await portIsFree(port))) {
      const other = await freePort();
      launch.notes.push(`PORT ${port} is taken on this machine: cexup-api@${i + 1} listens on ${other}`);
      ports[i] = other;
    }
  }
  out(`env file: the example with ${replaced.join(', ')} set for this run`);
  for (const note of launch.notes) out(`unit: ${note}`);
  const apis: Api[] = [];
  undo.push({
    what: 'stopping the API processes',
    fn: async () => void (await Promise.all(apis.map((a) => stopChild(a.child, 'SIGTERM', 15_000)))),
  });
  const spawnedAt = performance.now();
  for (const [i, port] of ports.entries()) apis.push(spawnApi(launch, { instance: i + 1, port, log: [] }));
  const health = await Promise.all(apis.map((a) => waitHealthy(a, spawnedAt)));
  out(
    `cexup-api@1 on ${ports[0]}, cexup-api@2 on ${ports[1]}: node ${launch.args.join(' ')}, /health in ${health.join(' and ')} ms`,
  );

  // nginx with deploy/nginx.conf.
  writeFileSync(join(dir, 'nginx.conf'), templateNginx(dir, nginxPort, ports));
  const nginxArgs = ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'];
  const test = spawnSync(NGINX, ['-t', ...nginxArgs], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t failed:\n${test.stderr}`);
  const nginxLog: string[] = [];
  const nginx = spawn(NGINX, nginxArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stdout.on('data', (c: Buffer) => nginxLog.push(c.toString()));
  nginx.stderr.on('data', (c: Buffer) => nginxLog.push(c.toString()));
  // SIGQUIT: nginx's graceful stop; SIGKILL if it hangs.
  undo.push({ what: 'stopping nginx', fn: () => stopChild(nginx, 'SIGQUIT', 5000) });
  const base = `http://127.0.0.1:${nginxPort}`;
  const deadline = performance.now() + 10_000;
  for (;;) {
    const res = await request(base, 'GET', '/health', undefined).catch(() => undefined);
    if (res?.status === 200) break;
    if (exited(nginx) || performance.now() > deadline) throw new Error(`nginx did not start:\n${nginxLog.join('')}`);
    await sleep(50);
  }
  const version = spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr.trim();
  out(`${version} on ${base} (deploy/nginx.conf; pid, logs and temp files under ${dir})`);
  const failTimeout = /fail_timeout=(\d+)s/.exec(readFileSync(NGINX_CONF, 'utf8'));
  const failTimeoutMs = failTimeout ? Number(failTimeout[1]) * 1000 : 10_000;

  // The people: patients registered through nginx, each from an address of its own.
  const t2 = performance.now();
  const racers = await registerPatients(base, apiKey, RACE_CLIENTS, 'race');
  const streamers = await registerPatients(base, apiKey, STREAM_CLIENTS, 'stream');
  const slots = await findSlots(base, db, 1 + STREAM_CLIENTS);
  out(
    `${racers.length + streamers.length} patients registered through nginx, ${slots.length} free slots listed, ${secs(performance.now() - t2)}\n`,
  );

  await bookingRace(base, db, racers, slots[0]!, dir);
  await loginLockout(base, db, Number(envFile.LOGIN_MAX_FAILURES_PER_ADDRESS ?? 10), dir);
  await rollingRestart(base, db, launch, apis, streamers, slots.slice(1), dir, failTimeoutMs);
  await proxySettings(base, apiKey);

  const all = accessLog(dir);
  out(
    `\nnginx served ${all.length} requests in all: ${tally(all.map(answeredBy))} (by process port; "both": passed on)`,
  );
}

try {
  await main();
} catch (err) {
  failures++;
  out(`FAIL  ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await cleanup();
}
out(
  `\n${failures === 0 ? 'deploy:check passed' : `deploy:check FAILED (${failures})`} in ${secs(performance.now() - started)}`,
);
process.exitCode = failures === 0 ? 0 : 1;
