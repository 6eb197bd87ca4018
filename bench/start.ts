// Start time and memory of the server, source against build (issue #16): the time from spawning
// the process to its first 200 from /health, and its resident memory (VmRSS) right after, for
// `node --import tsx src/server.ts` (how `npm start` ran before) and `node dist/server.js` (how it
// runs now), alternating, on the same migrated SQLite database, same machine, same minutes.
//
//   npm run bench:start                 5 starts of each; the median of each, and their ratio
//   npm run bench:start -- --runs 9
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const ROOT = new URL('..', import.meta.url).pathname;
if (!existsSync(join(ROOT, 'dist/server.js'))) throw new Error('run `npm run build` first');

const dir = mkdtempSync(join(tmpdir(), 'cexup-start-'));
const env = {
  ...process.env,
  NODE_ENV: 'production',
  DATABASE_URL: `sqlite:${join(dir, 'start.sqlite')}`,
  IDENTITY_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  IDENTITY_HMAC_KEY: randomBytes(32).toString('base64'),
  DEMO_MODE: 'false',
  PUBLIC_URL: 'https://api.cexup.test',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
};

const MODES = {
  source: ['--import', 'tsx', 'src/server.ts'],
  build: ['dist/server.js'],
} as const;

const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

async function start(mode: keyof typeof MODES, port: number): Promise<{ ms: number; rssMiB: number }> {
  const began = performance.now();
  const child = spawn(process.execPath, MODES[mode], {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${mode} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - began;
    // Settled: what the process holds once it is serving.
    await new Promise((r) => setTimeout(r, 500));
    return { ms, rssMiB: rssOf(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// The first start migrates the database; it is not measured.
await start('build', 39_000);
const results: Record<keyof typeof MODES, { ms: number; rssMiB: number }[]> = { source: [], build: [] };
for (let i = 0; i < RUNS; i++) {
  for (const mode of ['source', 'build'] as const) results[mode].push(await start(mode, 39_001 + i));
}
rmSync(dir, { recursive: true, force: true });
const summary = Object.fromEntries(
  (['source', 'build'] as const).map((mode) => [
    mode,
    {
      startMs: Math.round(median(results[mode].map((r) => r.ms))),
      rssMiB: Math.round(median(results[mode].map((r) => r.rssMiB))),
    },
  ]),
) as Record<keyof typeof MODES, { startMs: number; rssMiB: number }>;
console.log(`starts of each: ${RUNS} (medians)`);
console.log(
  `  node --import tsx src/server.ts: ${summary.source.startMs} ms to /health, ${summary.source.rssMiB} MiB RSS`,
);
console.log(
  `  node dist/server.js:             ${summary.build.startMs} ms to /health, ${summary.build.rssMiB} MiB RSS`,
);
console.log(
  `  build / source: ${(summary.build.startMs / summary.source.startMs).toFixed(2)} of the time, ${(summary.build.rssMiB / summary.source.rssMiB).toFixed(2)} of the memory`,
);
