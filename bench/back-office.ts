// The back office's first load in Chromium: from navigation to the sign-in form ready, with an
// empty cache each time, and the bytes it transfers. `npx tsx bench/back-office.ts [--runs 7]`.
//
// The baseline, in the same run, is a bare navigation to /health (a few bytes of JSON): the
// ratio is what the app costs over the browser's own navigation, whatever the machine. The
// reference page at /docs (Swagger UI, also served from files on disk) is shown beside it. The
// median of the runs is reported; the runs alternate between the pages so load on the machine
// falls on all alike.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { createFreshDatabase } from '../test/helpers.js';
import { startServer } from '../test/multiprocess-helpers.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Number(values.runs);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function load(browser: Browser, url: string, ready: string): Promise<{ ms: number; bytes: number }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  // Only this server: a request elsewhere would wait on this machine's closed network.
  const origin = new URL(url).origin;
  await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
  const page = await context.newPage();
  let bytes = 0;
  page.on('response', async (r) => {
    const length = Number(r.headers()['content-length'] ?? 0);
    bytes += length > 0 ? length : (await r.body().catch(() => Buffer.alloc(0))).length;
  });
  const slow: string[] = [];
  page.on('requestfinished', (r) => {
    const t = r.timing();
    if (t.responseEnd > 1000) slow.push(`${r.url()} ${t.responseEnd.toFixed(0)} ms`);
  });
  const started = performance.now();
  await page.goto(url);
  await page.locator(ready).first().waitFor({ timeout: 60_000 });
  const ms = performance.now() - started;
  if (process.env.BENCH_VERBOSE) console.log(url, slow);
  await context.close();
  return { ms, bytes };
}

const fresh = await createFreshDatabase();
const server = await startServer(fresh.url, { DEMO_MODE: 'true', NODE_ENV: 'production', LOG_LEVEL: 'warn' });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  chromiumSandbox: process.getuid?.() !== 0,
  args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const cases = {
    'back office /admin/ (sign-in form)': { url: `${server.baseUrl}/admin/`, ready: 'input[name=password]' },
    'baseline /health (a bare navigation)': { url: `${server.baseUrl}/health`, ready: 'body' },
    'reference /docs (operations listed)': { url: `${server.baseUrl}/docs`, ready: '.opblock' },
  };
  const results: Record<string, { ms: number[]; bytes: number }> = {};
  // One warm-up of each (the server's first read of the files), not counted.
  for (const c of Object.values(cases)) await load(browser, c.url, c.ready);
  for (let run = 0; run < RUNS; run++) {
    for (const [name, c] of Object.entries(cases)) {
      const { ms, bytes } = await load(browser, c.url, c.ready);
      (results[name] ??= { ms: [], bytes }).ms.push(ms);
    }
  }
  const [office, bare, docs] = Object.values(results);
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(40)} median ${median(r.ms).toFixed(0).padStart(5)} ms  ${(r.bytes / 1024).toFixed(0)} KiB`,
    );
  }
  console.log(`ratio back office / baseline: ${(median(office!.ms) / median(bare!.ms)).toFixed(1)} (time)`);
  console.log(
    `ratio back office / reference: ${(median(office!.ms) / median(docs!.ms)).toFixed(2)} (time), ` +
      `${(office!.bytes / docs!.bytes).toFixed(2)} (bytes)`,
  );
} finally {
  await browser.close();
  await server.stop();
  await fresh.handle.destroy();
  await fresh.cleanup();
}
