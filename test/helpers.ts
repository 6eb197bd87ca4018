import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, type TestContext } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createDatabase, type DatabaseHandle } from '../src/db/index.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Resolver } from '../src/modules/notifications/webhooks.js';
import type { PaymentProvider } from '../src/modules/payments/provider.js';
import { checkEveryAnswer } from './contract.js';

/** PostgreSQL when TEST_DATABASE_URL is set (each test file gets a database of its own), else SQLite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const onPostgres = TEST_DATABASE_URL !== undefined && TEST_DATABASE_URL !== '';

/** The origin links are built on in tests outside demo mode (PUBLIC_URL). */
export const TEST_PUBLIC_URL = 'https://api.cexup.test';

const TEST_KEYS = {
  IDENTITY_ENCRYPTION_KEYS: `t1:${Buffer.alloc(32, 7).toString('base64')}`,
  IDENTITY_HMAC_KEY: Buffer.alloc(32, 9).toString('base64'),
};

interface FileDatabase {
  handle: DatabaseHandle;
  url: string;
  cleanup: () => Promise<void>;
}

let fileDatabase: Promise<FileDatabase> | undefined;

// Registered when the helpers are imported, so it runs once after the whole test file.
after(async () => {
  if (fileDatabase === undefined) return;
  const { handle, cleanup } = await fileDatabase;
  await handle.destroy();
  await cleanup();
});

/** A new, migrated, empty database (PostgreSQL or SQLite, as the run says) and its cleanup. */
export async function createFreshDatabase(): Promise<FileDatabase> {
  let url: string;
  let cleanup: () => Promise<void>;
  if (onPostgres) {
    const name = `cexup_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    // template0 is never connected to, so many files can create their databases at once.
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
    await admin.end();
    const u = new URL(TEST_DATABASE_URL!);
    u.pathname = `/${name}`;
    url = u.toString();
    cleanup = async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'cexup-test-'));
    url = `sqlite:${join(dir, 'test.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const config = testConfig({}, url);
  const handle = createDatabase(config.database);
  await migrateToLatest(handle.db);
  return { handle, url, cleanup };
}

/** This test file's database, created and migrated on first use, dropped when the file ends. */
export async function testDatabase(): Promise<FileDatabase> {
  fileDatabase ??= createFreshDatabase();
  return fileDatabase;
}

/** A config as the environment would give it, with test keys and the given overrides. */
export function testConfig(env: Record<string, string> = {}, databaseUrl = 'sqlite::memory:'): Config {
  // Caches re-check the database on every request, so a test sees its own changes at once.
  // Mail is dropped unless a test asks for SMTP or files: demo mode would write to ./data/mail.
  // Outside demo mode PUBLIC_URL is required: links are built on TEST_PUBLIC_URL unless a test
  // names its own (demo mode without one uses the listening address).
  const demo = /^(1|true|yes|on)$/i.test(env.DEMO_MODE ?? '');
  return loadConfig({
    ...(demo ? {} : { PUBLIC_URL: TEST_PUBLIC_URL }),
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    CACHE_TTL_MS: '0',
    MAIL_TRANSPORT: env.SMTP_URL === undefined ? 'log' : 'smtp',
    ...TEST_KEYS,
    ...env,
  });
}

export interface TestApp {
  app: FastifyInstance;
  db: DatabaseHandle['db'];
  config: Config;
  /** Log lines written while the app ran. */
  logs: string[];
  /** Valid API key of a test app created for this build. */
  apiKey: string;
  appId: string;
}

/**
 * Builds the app on the file's database, with a fresh API key; closes it when the test ends.
 * Its `inject` throws when an answer is not what the OpenAPI document says (test/contract.ts).
 */
export async function build(
  t: TestContext,
  options: {
    env?: Record<string, string>;
    now?: () => number;
    captureLogs?: boolean;
    payments?: PaymentProvider;
    resolveHost?: Resolver;
  } = {},
): Promise<TestApp> {
  const { handle, url } = await testDatabase();
  const env = { ...options.env, ...(options.captureLogs ? { LOG_LEVEL: 'info' } : {}) };
  const config = testConfig(env, url);
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const app = await buildApp({
    config,
    database: handle,
    ...(options.captureLogs ? { logStream } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.payments ? { payments: options.payments } : {}),
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  });
  t.after(() => app.close());
  // Every answer of this app is checked against the OpenAPI document (test/contract.ts).
  checkEveryAnswer(app);
  const created = await app.services.apps.createApp(`test app ${randomBytes(3).toString('hex')}`);
  return { app, db: handle.db, config, logs, apiKey: created.key, appId: created.appId };
}

let counter = 0;
/** A unique, valid username for this file's database. */
export function uniqueName(prefix = 'pasien'): string {
  counter += 1;
  const letters = randomBytes(4)
    .toString('hex')
    .replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!);
  return `${prefix}${letters}${counter}`;
}

export interface Patient {
  token: string;
  userId: string;
  username: string;
  email: string;
  password: string;
}

/** Registers a patient through the API and returns its session. */
export async function registerPatient(ta: TestApp, overrides: Record<string, string> = {}): Promise<Patient> {
  const username = overrides.username ?? uniqueName();
  const body = {
    name: 'Siti Rahayu',
    address: 'Jl. Sudirman 5, Bandung',
    username,
    email: `${username.toLowerCase()}@example.id`,
    password: 'rahasia-123',
    ...overrides,
  };
  const res = await ta.app.inject({
    method: 'POST',
    url: '/api/register/patient',
    headers: { 'x-api-key': ta.apiKey },
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const data = res.json().data;
  return { token: data.access_token, userId: data.user.user_id, username, email: body.email, password: body.password };
}

/** Headers of an authenticated request. */
export const authHeaders = (ta: TestApp, patient?: Patient): Record<string, string> => ({
  'x-api-key': ta.apiKey,
  ...(patient ? { authorization: `Bearer ${patient.token}` } : {}),
});

/** The parsed envelope, after checking its shape. */
export function envelope(res: LightMyRequestResponse): {
  success: boolean;
  message: string;
  data: any;
  meta?: any;
  errors?: Record<string, string[]>;
  code?: string;
} {
  const body = res.json();
  if (typeof body.success !== 'boolean' || typeof body.message !== 'string' || !('data' in body)) {
    throw new Error(`not an envelope: ${res.body}`);
  }
  return body;
}
