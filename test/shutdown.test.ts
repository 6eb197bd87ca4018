// Graceful shutdown of a real server process (src/server.ts): on SIGTERM the request under way
// finishes with its normal answer, new connections are refused, and the process exits 0 by
// itself, which it only does once its listener, its job timers and its database are closed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AppsService } from '../src/modules/apps/apps.service.js';
import { createFreshDatabase, uniqueName } from './helpers.js';
import { PROCESS_KEYS, ROOT, send } from './multiprocess-helpers.js';

let fresh: Awaited<ReturnType<typeof createFreshDatabase>>;
let apiKey: string;
const dataDir = mkdtempSync(join(tmpdir(), 'cexup-shutdown-'));

before(async () => {
  fresh = await createFreshDatabase();
  apiKey = (await new AppsService(fresh.handle.db).createApp('shutdown test app')).key;
});
after(() => rmSync(dataDir, { recursive: true, force: true }));

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** src/server.ts on this file's database, with both job timers ticking every second. */
async function startServer(): Promise<Started> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_TEST_CONTEXT', 'NODE_OPTIONS', 'REDIS_URL', 'PAYMENT_PROVIDER', 'TRUST_PROXY']) {
    delete env[name];
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...env,
      ...PROCESS_KEYS,
      DATABASE_URL: fresh.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      // Required outside demo mode.
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      MAIL_TRANSPORT: 'log',
      JOB_INTERVAL_SECONDS: '1',
      NOTIFY_JOB_INTERVAL_SECONDS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = performance.now() + 30_000;
  for (;;) {
    const res = await send(`http://127.0.0.1:${port}`, 'GET', '/health').catch(() => undefined);
    if (res?.status === 200) break;
    if (child.exitCode !== null || performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, output: () => output, exit };
}

/** Resolves with the error code of a new connection: ECONNREFUSED once the listener is closed. */
const connect = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });

test('SIGTERM: the upload under way finishes with its 201, new connections are refused, exit 0', async (t) => {
  const server = await startServer();
  t.after(() => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  });
  // Both jobs have run a round or more: their timers are live.
  await new Promise((r) => setTimeout(r, 1500));

  const username = uniqueName('shutdown');
  const body = JSON.stringify({
    name: 'Siti Rahayu',
    address: 'Jl. Sudirman 5, Bandung',
    username,
    email: `${username}@example.id`,
    password: 'rahasia-123',
  });
  const half = Math.floor(body.length / 2);

  // A keep-alive connection, as a load balancer's: headers and half the body now, the rest later.
  const socket = net.connect(server.port, '127.0.0.1');
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (answer += chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    [
      'POST /api/register/patient HTTP/1.1',
      `Host: 127.0.0.1:${server.port}`,
      `x-api-key: ${apiKey}`,
      'content-type: application/json',
      `content-length: ${Buffer.byteLength(body)}`,
      '',
      body.slice(0, half),
    ].join('\r\n'),
  );
  // The server has the request (its key checked, its body being read) before the signal.
  await new Promise((r) => setTimeout(r, 500));

  server.child.kill('SIGTERM');
  // The listener closes at once: a new connection is refused while the upload is still open.
  let refused = '';
  for (let i = 0; i < 50 && refused !== 'ECONNREFUSED'; i++) {
    refused = await connect(server.port);
    if (refused !== 'ECONNREFUSED') await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(refused, 'ECONNREFUSED', 'new connections are refused after SIGTERM');
  assert.equal(server.child.exitCode, null, 'the process waits for the request under way');
  assert.equal(answer, '', 'no answer before the body is complete');

  // The rest of the body, slowly: the request under way finishes as it would have.
  for (const part of [body.slice(half, half + 10), body.slice(half + 10)]) {
    await new Promise((r) => setTimeout(r, 300));
    socket.write(part);
  }
  const exit = await Promise.race([
    server.exit,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no exit within 15 s:\n${server.output()}`)), 15_000),
    ),
  ]);
  await closed;

  const [head, json] = answer.split('\r\n\r\n');
  assert.match(head!, /^HTTP\/1\.1 201 /, answer);
  const envelope = JSON.parse(json!);
  assert.equal(envelope.success, true);
  assert.equal(envelope.data.user.username, username);
  assert.equal(typeof envelope.data.access_token, 'string');

  // It exited by itself, 0: nothing (job timers, database, sockets) was left to hold it.
  assert.deepEqual(exit, { code: 0, signal: null }, server.output());
  assert.match(server.output(), /"msg":"shutting down"/);
  assert.match(server.output(), /"msg":"shutdown complete"/);
  assert.doesNotMatch(server.output(), /still running 10 s after the signal|shutdown failed|job failed/);

  // The account was written before the database closed.
  const row = await fresh.handle.db
    .selectFrom('users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirst();
  assert.ok(row, 'the registration is in the database');
});
