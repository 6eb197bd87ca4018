import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const keys = {
  IDENTITY_ENCRYPTION_KEYS: `k2:${Buffer.alloc(32, 2).toString('base64')},k1:${Buffer.alloc(32, 1).toString('base64')}`,
  IDENTITY_HMAC_KEY: Buffer.alloc(32, 3).toString('base64'),
};

/** Outside demo mode PUBLIC_URL is required. */
const site = { PUBLIC_URL: 'https://api.example.id' };

const tempDirs: string[] = [];
after(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
/** A working directory of its own, removed when the file ends. */
function tempCwd(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cexup-config-'));
  tempDirs.push(dir);
  return dir;
}

function problemsOf(env: Record<string, string>, cwd?: string): string[] {
  try {
    loadConfig(env, cwd ? { cwd } : {});
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return [];
}

test('the embedded default: SQLite under ./data, demo mode on, identity keys created once in ./data', () => {
  const cwd = tempCwd();
  const config = loadConfig({}, { cwd });
  assert.deepEqual(config.database, { kind: 'sqlite', file: join(cwd, 'data', 'cexup.db') });
  assert.equal(config.embedded, true);
  assert.equal(config.demoMode, true);
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.tokenTtlDays, 30);
  assert.deepEqual(config.limits, {
    loginFailuresPerAddress: 10,
    loginFailureWindowMinutes: 15,
    loginFailuresPerAccountPerHour: 100,
    loginPerAddressPerMinute: 30,
    registerPerAddressPerHour: 20,
    checkIdPerAddressPerMinute: 60,
    identityChangesPerAccountPerDay: 10,
    identityChangesPerAddressPerHour: 30,
  });
  const file = join(cwd, 'data', 'secrets.json');
  assert.ok(existsSync(file));
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const again = loadConfig({}, { cwd });
  assert.deepEqual(again.identityKeys, config.identityKeys, 'the same keys on the next start');
  assert.equal(config.identityKeys[0]!.key.length, 32);
  assert.ok(readFileSync(file, 'utf8').includes(config.identityHmacKey.toString('base64')));
});

test('PostgreSQL: demo mode off, keys required from the environment, never invented', () => {
  const cwd = tempCwd();
  const problems = problemsOf({ DATABASE_URL: 'postgres://postgres@127.0.0.1/test' }, cwd);
  assert.ok(problems.some((p) => p.startsWith('IDENTITY_ENCRYPTION_KEYS')));
  assert.ok(problems.some((p) => p.startsWith('IDENTITY_HMAC_KEY')));
  assert.equal(existsSync(join(cwd, 'data', 'secrets.json')), false);

  const config = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1/test', ...keys, ...site }, { cwd });
  assert.equal(config.database.kind, 'postgres');
  assert.equal(config.demoMode, false);
  assert.deepEqual(
    config.identityKeys.map((k) => k.id),
    ['k2', 'k1'],
    'the first key encrypts, every key decrypts',
  );
});

test('demo mode: explicit setting wins; production needs it explicitly', () => {
  const cwd = tempCwd();
  assert.equal(loadConfig({ NODE_ENV: 'production', ...site }, { cwd }).demoMode, false);
  assert.equal(loadConfig({ NODE_ENV: 'production', DEMO_MODE: 'true' }, { cwd }).demoMode, true);
  assert.equal(loadConfig({ DEMO_MODE: 'off', ...site }, { cwd }).demoMode, false);
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:other.db', ...keys, ...site }, { cwd }).demoMode, false);
});

test('PUBLIC_URL is required outside demo mode; a demo without it uses its listening address', () => {
  const cwd = tempCwd();
  const envs: Record<string, string>[] = [
    { DATABASE_URL: 'postgres://postgres@127.0.0.1/test', ...keys },
    { NODE_ENV: 'production' },
    { DEMO_MODE: 'false' },
  ];
  for (const env of envs) {
    const problems = problemsOf(env, cwd);
    assert.ok(
      problems.some((p) => p.startsWith('PUBLIC_URL is required outside demo mode') && p.includes('Host header')),
      problems.join(' | '),
    );
  }
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://h/db', ...keys, ...site }, { cwd }).publicUrl, site.PUBLIC_URL);
  assert.equal(loadConfig({}, { cwd }).publicUrl, undefined, 'the embedded demo: http/origin.ts uses HOST and PORT');
  // The CLI answers no request, so it starts without one.
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://h/db', ...keys }, { cwd, serve: false }).demoMode, false);
});

test('WEBHOOK_ALLOW_PRIVATE_URLS: private webhook addresses are refused by default in every mode', () => {
  const cwd = tempCwd();
  assert.equal(loadConfig({}, { cwd }).notifications.webhookAllowPrivate, false, 'the default start (demo mode)');
  assert.equal(
    loadConfig({ DEMO_MODE: 'true', NODE_ENV: 'production' }, { cwd }).notifications.webhookAllowPrivate,
    false,
  );
  assert.equal(loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }, { cwd }).notifications.webhookAllowPrivate, true);
});

test('every bad value is reported by its variable name', () => {
  const problems = problemsOf({
    PORT: 'eighty',
    DATABASE_URL: 'mysql://x',
    DEMO_MODE: 'maybe',
    LOG_LEVEL: 'loud',
    TOKEN_TTL_DAYS: '0',
    TRUST_PROXY: 'everyone!',
    REDIS_URL: 'localhost:6379',
    PUBLIC_URL: 'ftp://x',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '-1',
    IDENTITY_ENCRYPTION_KEYS: 'k1:short',
    IDENTITY_HMAC_KEY: 'c2hvcnQ=',
    CEXUP_DEMO_API_KEY: 'tiny',
  });
  for (const name of [
    'PORT',
    'DATABASE_URL',
    'DEMO_MODE',
    'LOG_LEVEL',
    'TOKEN_TTL_DAYS',
    'TRUST_PROXY',
    'REDIS_URL',
    'PUBLIC_URL',
    'LOGIN_MAX_FAILURES_PER_ADDRESS',
    'IDENTITY_ENCRYPTION_KEYS',
    'IDENTITY_HMAC_KEY',
    'CEXUP_DEMO_API_KEY',
  ]) {
    assert.ok(
      problems.some((p) => p.startsWith(name)),
      `${name} not named in: ${problems.join(' | ')}`,
    );
  }
});

test('TRUST_PROXY takes true, a hop count or a list of addresses', () => {
  const base = { DATABASE_URL: 'sqlite::memory:', ...keys, ...site };
  assert.equal(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(loadConfig({ ...base, TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }).trustProxy, [
    '10.0.0.1',
    '10.1.0.0/16',
  ]);
});

test('operations: METRICS_TOKEN turns /metrics on; CORS_ORIGINS is an allow-list of exact origins', () => {
  const base = { DATABASE_URL: 'sqlite::memory:', ...keys, ...site };
  assert.deepEqual(loadConfig(base).ops, { metricsToken: undefined, corsOrigins: [] });
  const token = 'm'.repeat(24);
  const config = loadConfig({
    ...base,
    METRICS_TOKEN: token,
    CORS_ORIGINS: ' https://app.example.id, HTTP://localhost:5173/ ,,',
  });
  assert.deepEqual(config.ops, {
    metricsToken: token,
    corsOrigins: ['https://app.example.id', 'http://localhost:5173'],
  });

  const problems = problemsOf({ ...base, METRICS_TOKEN: 'short-secret', CORS_ORIGINS: 'https://ok.example.id,*' });
  assert.ok(
    problems.some((p) => p.startsWith('METRICS_TOKEN')),
    problems.join(' | '),
  );
  assert.ok(!problems.some((p) => p.includes('short-secret')), 'the token is never echoed');
  assert.ok(
    problems.some((p) => p.startsWith('CORS_ORIGINS') && p.includes('"*"')),
    problems.join(' | '),
  );
  for (const bad of ['https://app.example.id/path', 'app.example.id', 'https://*.example.id']) {
    assert.ok(
      problemsOf({ ...base, CORS_ORIGINS: bad }).some((p) => p.startsWith('CORS_ORIGINS')),
      `${bad} is refused`,
    );
  }
});
