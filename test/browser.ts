// The browser tests' common part: Debian's chromium driven by playwright-core (which never
// downloads a browser), a really listening demo server on a fresh database, both started before
// the file's tests and stopped after them. Without chromium the tests are skipped, unless
// REQUIRE_BROWSER_TEST=1 (CI): then they fail.
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { createFreshDatabase } from './helpers.js';
import { startServer, type ServerProcess } from './multiprocess-helpers.js';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const REQUIRED = process.env.REQUIRE_BROWSER_TEST === '1';
export const MISSING = !existsSync(CHROMIUM);

/** The `skip` option of each browser test: a reason when there is no browser and none is required. */
export const skipWithoutBrowser =
  MISSING && !REQUIRED
    ? `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH` +
      ' (REQUIRE_BROWSER_TEST=1 makes this a failure, as in CI)'
    : false;

export interface BrowserWorld {
  readonly server: ServerProcess;
  readonly browser: Browser;
}

/**
 * Registers the file's before/after hooks: a demo server (with `env` added) on a fresh database,
 * and Chromium; `ready` runs once both are up. Read `server` and `browser` inside tests.
 */
export function browserWorld(env: Record<string, string>, ready?: () => void | Promise<void>): BrowserWorld {
  let fresh: Awaited<ReturnType<typeof createFreshDatabase>> | undefined;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  before(async () => {
    if (MISSING) return;
    fresh = await createFreshDatabase();
    server = await startServer(fresh.url, { DEMO_MODE: 'true', LOG_LEVEL: 'warn', ...env });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Chromium's sandbox cannot start as root (CI containers).
      chromiumSandbox: process.getuid?.() !== 0,
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    await ready?.();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await fresh?.handle.destroy();
    await fresh?.cleanup();
  });
  return {
    get server() {
      if (server === undefined) throw new Error('no server: the browser tests are skipped');
      return server;
    },
    get browser() {
      if (browser === undefined) throw new Error('no browser: the browser tests are skipped');
      return browser;
    },
  };
}
