// Real server processes (and job processes) on one database, for test/multiprocess.test.ts
// and the scripts npm run crash and npm run scale-out (scripts/).
//
// Run as a script (`node --import tsx test/multiprocess-helpers.ts deadlines`), this file is the
// deadline job of one process: see runDeadlinesChild below.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/index.js';
import { BookingService } from '../src/modules/booking/booking.service.js';
import { SandboxProvider } from '../src/modules/payments/sandbox.js';
import { orderEventsOutbox } from '../src/modules/notifications/index.js';

const HERE = fileURLToPath(import.meta.url);
/** The repository root: servers run from here, as `npm start` does. */
export const ROOT = resolve(dirname(HERE), '..');

/** The same identity keys as test/helpers.ts, so every process reads what the others wrote. */
export const PROCESS_KEYS = {
  IDENTITY_ENCRYPTION_KEYS: `t1:${Buffer.alloc(32, 7).toString('base64')}`,
  IDENTITY_HMAC_KEY: Buffer.alloc(32, 9).toString('base64'),
};

/** Children must not inherit what would change their behaviour (a developer's settings, the test runner's). */
const SCRUBBED = [
  'NODE_TEST_CONTEXT',
  'NODE_OPTIONS',
  'DATABASE_URL',
  'DATABASE_POOL_SIZE',
  'REDIS_URL',
  'PAYMENT_PROVIDER',
  'CEXUP_DEMO_API_KEY',
  'PUBLIC_URL',
  'TRUST_PROXY',
  'PORT',
];

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SCRUBBED) delete env[name];
  return { ...env, ...PROCESS_KEYS, ...extra };
}

/** Every child still running when this process exits is killed. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Preloaded into each server: when this process dies without its exit handlers (killed, or a
 * crash inside the test runner's own handlers), the IPC channel closes and the server stops too.
 */
const PARENT_WATCH = `data:text/javascript,${encodeURIComponent(
  "process.channel?.unref(); process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));",
)}`;

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Ends a child: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (exited(child)) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** A port that nothing listens on right now (the server may still lose it to a race: startServer retries). */
async function candidatePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const free = await new Promise<boolean>((r) => {
      const probe = net.createServer();
      probe.once('error', () => r(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => r(true)));
    });
    if (free) return port;
  }
}

export interface ServerProcess {
  baseUrl: string;
  pid: number;
  /** Milliseconds from the spawn to the first 200 from /health. */
  healthMs: number;
  /** What the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would end it: no shutdown handler runs. Resolves once it has exited. */
  kill(): Promise<void>;
}

/** Starts `src/server.ts` on the database, on a free port, and waits until /health answers. */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cexup-mp-data-'));
  let lastOutput = '';
  try {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const port = await candidatePort();
      const spawnedAt = performance.now();
      const child = spawn(process.execPath, ['--import', PARENT_WATCH, '--import', 'tsx', 'src/server.ts'], {
        cwd: ROOT,
        env: childEnv({
          DATABASE_URL: databaseUrl,
          HOST: '127.0.0.1',
          PORT: String(port),
          // Required outside demo mode; a demo server derives the same from its address.
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          DATA_DIR: dataDir,
          NODE_ENV: 'test',
          ...env,
        }),
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      child.channel?.unref();
      track(child);
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const baseUrl = `http://127.0.0.1:${port}`;
      const server: ServerProcess = {
        baseUrl,
        pid: child.pid!,
        healthMs: 0,
        output: () => output,
        async stop() {
          await stopChild(child);
          rmSync(dataDir, { recursive: true, force: true });
        },
        async kill() {
          if (!exited(child)) {
            const done = new Promise<void>((r) => child.once('exit', () => r()));
            child.kill('SIGKILL');
            await done;
          }
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
      const deadline = performance.now() + 30_000;
      while (!exited(child) && performance.now() < deadline) {
        const res = await send(baseUrl, 'GET', '/health').catch(() => undefined);
        if (res?.status === 200) {
          server.healthMs = Math.round(performance.now() - spawnedAt);
          return server;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await stopChild(child);
      lastOutput = output;
      // Another process took the port between the probe and the listen: try another one.
      if (!/EADDRINUSE/.test(output)) break;
    }
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  rmSync(dataDir, { recursive: true, force: true });
  throw new Error(`the server did not start:\n${lastOutput}`);
}

export interface Reply {
  status: number;
  /** The parsed JSON body (undefined when it is not JSON). */
  body: any;
  text: string;
}

/** One HTTP request on a connection of its own (no keep-alive), with a JSON body. */
export function send(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      new URL(path, baseUrl),
      {
        method,
        agent: false,
        headers: {
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolvePromise({ status: res.statusCode ?? 0, body: parsed, text });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export interface JobProcess {
  /** Resolves when the process has its database open and waits for `go`. */
  ready: Promise<void>;
  /** Starts its rounds. */
  go(): void;
  /** What each round of runDeadlines moved, or the error that stopped it. */
  result: Promise<JobResult>;
  stop(): Promise<void>;
}

export interface JobResult {
  moved: number[];
  error?: { message: string; code?: string };
  exitCode: number | null;
  output: string;
}

/**
 * A process of its own running the deadline job: `rounds` times, `parallel` runs at once each
 * time, after the parent says go (so that several such processes start together).
 */
export function startJobProcess(databaseUrl: string, rounds: number, parallel: number): JobProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', HERE, 'deadlines'], {
    cwd: ROOT,
    env: childEnv({
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'silent',
      DEMO_MODE: 'true',
      JOB_ROUNDS: String(rounds),
      JOB_PARALLEL: String(parallel),
    }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  let onReady: () => void = () => {};
  let onReadyFail: (e: Error) => void = () => {};
  const ready = new Promise<void>((res, rej) => {
    onReady = res;
    onReadyFail = rej;
  });
  // Awaited by the caller; never an unhandled rejection when the caller has stopped waiting.
  ready.catch(() => undefined);
  let report: Omit<JobResult, 'exitCode' | 'output'> | undefined;
  lines.on('line', (line) => {
    output += line + '\n';
    if (line === 'ready') onReady();
    else if (line.startsWith('{')) report = JSON.parse(line) as typeof report;
  });
  const result = new Promise<JobResult>((res) => {
    child.once('exit', (code) => {
      onReadyFail(new Error(`the job process ended before it was ready:\n${output}`));
      res({ moved: report?.moved ?? [], ...(report?.error ? { error: report.error } : {}), exitCode: code, output });
    });
  });
  return {
    ready,
    go: () => child.stdin!.end('go\n'),
    result,
    stop: () => stopChild(child),
  };
}

/** The child side of startJobProcess. */
async function runDeadlinesChild(): Promise<void> {
  const config = loadConfig(process.env);
  const database = createDatabase(config.database);
  const booking = new BookingService(database.db, config.booking, new SandboxProvider(true), orderEventsOutbox);
  const moved: number[] = [];
  let error: { message: string; code?: string } | undefined;
  try {
    // Connections open before the start, so both processes begin their work together.
    await database.db.selectFrom('orders').select('id').limit(1).execute();
    process.stdout.write('ready\n');
    await new Promise<void>((r, reject) => {
      process.stdin.once('data', () => r());
      // The parent went away without saying go.
      process.stdin.once('end', () => reject(new Error('no go from the parent')));
    });
    const rounds = Number(process.env.JOB_ROUNDS);
    const parallel = Number(process.env.JOB_PARALLEL);
    for (let i = 0; i < rounds; i++) {
      const counts = await Promise.all(Array.from({ length: parallel }, () => booking.runDeadlines()));
      moved.push(...counts);
    }
  } catch (err) {
    const e = err as { message?: unknown; code?: unknown };
    error = { message: String(e.message ?? err), ...(typeof e.code === 'string' ? { code: e.code } : {}) };
  } finally {
    await database.destroy();
  }
  process.stdout.write(JSON.stringify({ moved, ...(error ? { error } : {}) }) + '\n');
  process.exitCode = error ? 1 : 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === HERE && process.argv[2] === 'deadlines') {
  runDeadlinesChild().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
