// The catalogue benchmark: `npm run bench` (see bench/README.md).
//
// For each database it seeds the demo catalogue with 10,000 doctors, then measures each case
// on a fresh server process pinned to core 0, with the load generator pinned to core 1:
// a warm-up, then several timed runs; the best run of each case is reported with its ratio to
// a bare node:http server answering the same bytes as page 1 (measured in the same run).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    doctors: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    runs: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    out: { type: 'string', default: join(root, 'bench', 'results', 'latest.json') },
  },
});
const DOCTORS = Number(values.doctors);
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const RUNS = Number(values.runs);
const CONNECTIONS = Number(values.connections);
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
const pin = (core: number, cmd: string, args: string[]): [string, string[]] =>
  existsSync('/usr/bin/taskset') ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: object;
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
    IDENTITY_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    IDENTITY_HMAC_KEY: randomBytes(32).toString('base64'),
  };
}

function cli(env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/index.ts'), ...args], {
    env,
    cwd: root,
    encoding: 'utf8',
  });
}

async function prepare(db: 'sqlite' | 'postgres'): Promise<NodeJS.ProcessEnv> {
  let url: string;
  if (db === 'sqlite') {
    const file = join(work, 'bench.db');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    url = `sqlite:${file}`;
  } else {
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS cexup_bench WITH (FORCE)');
    await admin.query('CREATE DATABASE cexup_bench');
    await admin.end();
    const u = new URL(PG_ADMIN);
    u.pathname = '/cexup_bench';
    url = u.toString();
  }
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
  const [cmd, args] = pin(0, process.execPath, ['--import', 'tsx', join(root, 'src/server.ts')]);
  // Logs on, as in production, written where a deployment would ship them from.
  const child = spawn(cmd, args, {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
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
  if (hasWrk) {
    const [cmd, args] = pin(1, 'wrk', [
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      join(root, 'bench/request.lua'),
      url,
    ]);
    const out = execFileSync(cmd, args, {
      encoding: 'utf8',
      env: {
        ...process.env,
        BENCH_METHOD: c.method,
        BENCH_BODY: c.body ? JSON.stringify(c.body) : '',
        BENCH_KEY: API_KEY,
      },
    });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const p50 = toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
    const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
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

async function measure(
  name: string,
  db: string,
  start: () => Promise<ChildProcess>,
  port: number,
  c: Case,
): Promise<Result> {
  const server = await start();
  try {
    load(port, c, WARMUP);
    const runs = Array.from({ length: RUNS }, () => load(port, c, DURATION));
    const best = runs.reduce((a, b) => (b.rps > a.rps ? b : a));
    process.stdout.write(
      `  ${db.padEnd(8)} ${name.padEnd(26)} ${best.rps.toFixed(0).padStart(7)} req/s  p50 ${best.p50.toFixed(2)} ms  p99 ${best.p99.toFixed(2)} ms  errors ${best.errors}\n`,
    );
    return {
      case: name,
      db,
      rps: best.rps,
      p50: best.p50,
      p99: best.p99,
      errors: best.errors,
      runs: runs.map((r) => r.rps),
    };
  } finally {
    await stop(server);
  }
}

async function main(): Promise<void> {
  const dbs: ('sqlite' | 'postgres')[] =
    values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as 'sqlite' | 'postgres'];
  process.stdout.write(
    `load: ${hasWrk ? 'wrk' : 'autocannon'}, ${CONNECTIONS} connections, ${RUNS} x ${DURATION}s after ${WARMUP}s warm-up; server on core 0, load on core 1\n`,
  );
  const results: Result[] = [];
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
    const bodyFile = join(work, 'page1.json');
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
  const sqlitePage1 = find('sqlite', 'POST /api/doctor page 1');
  const sqlitePage900 = find('sqlite', 'POST /api/doctor page 900');
  const pgPage1 = find('postgres', 'POST /api/doctor page 1');
  if (sqlitePage1)
    checks.push(`SQLite page 1 / baseline = ${(sqlitePage1.rps / baseline.rps).toFixed(2)} (target >= 0.60)`);
  if (sqlitePage1 && sqlitePage900)
    checks.push(`SQLite page 900 / page 1 = ${(sqlitePage900.rps / sqlitePage1.rps).toFixed(2)} (target >= 0.80)`);
  for (const r of results.filter((x) => x.db === 'sqlite'))
    checks.push(`SQLite ${r.case} p99 = ${r.p99.toFixed(2)} ms (target < 15)`);
  if (sqlitePage1 && pgPage1)
    checks.push(`PostgreSQL page 1 / SQLite page 1 = ${(pgPage1.rps / sqlitePage1.rps).toFixed(2)} (target >= 0.25)`);
  process.stdout.write(`\n${lines.join('\n')}\n\n${checks.map((c) => `- ${c}`).join('\n')}\n`);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(
    values.out!,
    JSON.stringify(
      { date: new Date().toISOString(), node: process.version, doctors: DOCTORS, results, checks },
      null,
      2,
    ) + '\n',
  );
}

await main();
