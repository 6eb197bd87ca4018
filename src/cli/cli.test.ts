import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { build, envelope, testConfig, testDatabase, type TestApp } from '../../test/helpers.js';
import { AccountsService } from '../modules/accounts/accounts.service.js';
import { sha256 } from '../security/tokens.js';
import { runCli } from './index.js';
import { systemClock } from '../clock.js';

async function cli(ta: TestApp, ...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const { handle } = await testDatabase();
  const code = await runCli(argv, { config: ta.config, database: handle, out: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

const login = (ta: TestApp, email: string, password: string) =>
  ta.app.inject({
    method: 'POST',
    url: '/api/login/patient',
    headers: { 'x-api-key': ta.apiKey },
    payload: { email, password },
  });

const me = (ta: TestApp, key: string) =>
  ta.app.inject({ method: 'POST', url: '/api/login/patient', headers: { 'x-api-key': key }, payload: {} });

test('keys create, list, rotate with an overlap, and revoke', async (t) => {
  let now = systemClock();
  const ta = await build(t, { now: () => now });
  const created = await cli(ta, 'keys', 'create', '--name', 'Android app');
  assert.equal(created.code, 0);
  const key = /api key: (\S+)/.exec(created.out)![1]!;
  const appId = /app id: (\S+)/.exec(created.out)![1]!;
  assert.match(key, /^cxk_/);
  // Known app key, unknown body: past the key check, into validation.
  assert.equal((await me(ta, key)).statusCode, 422);

  const stored = await ta.db.selectFrom('api_keys').selectAll().where('app_id', '=', appId).execute();
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.key_hash, sha256(key));
  assert.equal(JSON.stringify(stored).includes(key), false, 'the key is stored only hashed');

  // A chosen key that is already taken: a clear refusal, without the key, and no new app.
  const appsBefore = await ta.db.selectFrom('client_apps').select('id').execute();
  const chosen = 'cxk_chosen_key_0123456789';
  assert.equal((await cli(ta, 'keys', 'create', '--name', 'Kiosk', '--key', chosen)).code, 0);
  const again = await cli(ta, 'keys', 'create', '--name', 'Kiosk 2', '--key', chosen);
  assert.equal(again.code, 1);
  assert.match(again.out, /already in use/);
  assert.equal(again.out.includes(chosen), false);
  assert.equal((await ta.db.selectFrom('client_apps').select('id').execute()).length, appsBefore.length + 1);

  const listed = await cli(ta, 'keys', 'list');
  assert.match(listed.out, new RegExp(`${appId}  Android app`));
  assert.match(listed.out, new RegExp(`${key.slice(0, 8)}\\.\\.\\..*active`));
  assert.equal(listed.out.includes(key), false);

  const rotated = await cli(ta, 'keys', 'rotate', appId, '--overlap-hours', '2');
  assert.equal(rotated.code, 0, rotated.out);
  const newKey = /api key: (\S+)/.exec(rotated.out)![1]!;
  assert.equal((await me(ta, newKey)).statusCode, 422);
  assert.equal((await me(ta, key)).statusCode, 422, 'the old key works during the overlap');
  // Well past the 2-hour overlap, however long the CLI (on the real clock) took above.
  now += 3 * 3_600_000;
  assert.equal((await me(ta, key)).statusCode, 401, 'and not after it');
  assert.equal((await me(ta, newKey)).statusCode, 422);

  const revoked = await cli(ta, 'keys', 'revoke', appId);
  assert.equal(revoked.code, 0);
  assert.equal((await me(ta, newKey)).statusCode, 401);
  assert.equal((await cli(ta, 'keys', 'revoke', appId)).code, 1, 'revoking twice reports it');
});

test('keys revoke-key ends one key only', async (t) => {
  const ta = await build(t);
  const created = await cli(ta, 'keys', 'create', '--name', 'Web');
  const appId = /app id: (\S+)/.exec(created.out)![1]!;
  const firstKeyId = /key id: (\S+)/.exec(created.out)![1]!;
  const first = /api key: (\S+)/.exec(created.out)![1]!;
  const rotated = await cli(ta, 'keys', 'rotate', appId);
  const second = /api key: (\S+)/.exec(rotated.out)![1]!;
  assert.equal((await cli(ta, 'keys', 'revoke-key', firstKeyId)).code, 0);
  assert.equal((await me(ta, first)).statusCode, 401);
  assert.equal((await me(ta, second)).statusCode, 422);
});

test('bad CLI input reports an error and a non-zero code', async (t) => {
  const ta = await build(t);
  assert.equal((await cli(ta, 'keys', 'create')).code, 1);
  assert.equal((await cli(ta, 'keys', 'rotate', 'no-such-app')).code, 1);
  assert.equal((await cli(ta, 'keys', 'rotate', 'x', '--overlap-hours', 'soon')).code, 1);
  assert.equal((await cli(ta, 'nonsense')).code, 1);
  assert.equal((await cli(ta, 'help')).code, 0);
});

const tempDirs: string[] = [];
after(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function writeJson(value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'cexup-import-'));
  tempDirs.push(dir);
  const file = join(dir, 'users.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
}

test('an account imported from Laravel logs in with its bcrypt $2y$ hash and is rehashed to argon2id', async (t) => {
  const ta = await build(t);
  // Laravel writes bcrypt as $2y$; the algorithm is the same as $2b$.
  const laravelHash = bcrypt.hashSync('password-lama-1', 10).replace(/^\$2[ab]\$/, '$2y$');
  const file = writeJson([
    {
      name: 'Dewi Lestari',
      username: 'dewilama',
      email: 'dewi.lama@example.id',
      password: laravelHash,
      address: 'Jl. Lama 1, Medan',
      gender: 'perempuan',
      date_of_birth: '1988-07-01',
    },
  ]);
  const imported = await cli(ta, 'users', 'import', file);
  assert.equal(imported.code, 0, imported.out);
  assert.match(imported.out, /Imported 1 account/);
  const before = await ta.db
    .selectFrom('users')
    .selectAll()
    .where('username_normalized', '=', 'dewilama')
    .executeTakeFirstOrThrow();
  assert.equal(before.password_hash, laravelHash);

  const wrong = await login(ta, 'dewilama', 'not-it-at-all');
  assert.equal(wrong.statusCode, 401);
  const res = await login(ta, 'dewi.lama@example.id', 'password-lama-1');
  assert.equal(res.statusCode, 200);
  assert.equal(envelope(res).data.user.gender, 'perempuan');
  const after = await ta.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', before.id)
    .executeTakeFirstOrThrow();
  assert.match(after.password_hash, /^\$argon2id\$/);

  const again = await login(ta, 'dewilama', 'password-lama-1');
  assert.equal(again.statusCode, 200, 'the new hash works');
});

test('an import with a bad row reports it and writes nothing', async (t) => {
  const ta = await build(t);
  const good = {
    name: 'A',
    username: 'importgood',
    email: 'good@example.id',
    password: bcrypt.hashSync('x', 4),
    address: 'x',
  };
  const file = writeJson([good, { name: 'B', username: 'importbad', email: 'not-an-email', password: 'plaintext' }]);
  const res = await cli(ta, 'users', 'import', file);
  assert.equal(res.code, 1);
  assert.match(res.out, /row 2: .*email.*password/);
  const rows = await ta.db
    .selectFrom('users')
    .select('id')
    .where('username_normalized', 'in', ['importgood', 'importbad'])
    .execute();
  assert.equal(rows.length, 0);

  const dup = writeJson([good, { ...good, email: 'other@example.id' }]);
  const dupRes = await cli(ta, 'users', 'import', dup);
  assert.equal(dupRes.code, 1);
  assert.match(dupRes.out, /row 2: username already taken/);
  const afterDup = await ta.db
    .selectFrom('users')
    .select('id')
    .where('username_normalized', '=', 'importgood')
    .execute();
  assert.equal(afterDup.length, 0, 'row 1 was rolled back with row 2');

  assert.equal((await cli(ta, 'users', 'import', writeJson({ not: 'an array' }))).code, 1);
});

test('identity rekey moves every number to the new first key; the old key still decrypts until then', async (t) => {
  const ta = await build(t);
  const registered = await ta.app.inject({
    method: 'POST',
    url: '/api/register/patient',
    headers: { 'x-api-key': ta.apiKey },
    payload: {
      name: 'Rotasi',
      address: 'x',
      username: 'rotasi',
      email: 'rotasi@example.id',
      password: 'rotasi-pass-1',
    },
  });
  const { access_token: token, user } = envelope(registered).data;
  const update = await ta.app.inject({
    method: 'POST',
    url: '/api/update/patient',
    headers: { 'x-api-key': ta.apiKey, authorization: `Bearer ${token}` },
    payload: { type: 'passport', no_type: 'C9876543' },
  });
  assert.equal(update.statusCode, 200);
  const before = await ta.db.selectFrom('users').selectAll().where('id', '=', user.user_id).executeTakeFirstOrThrow();
  assert.ok(before.id_number_enc!.startsWith('v1.t1.'));

  // The operator puts a new key first and keeps the old one after it.
  const rotated = testConfig(
    {
      IDENTITY_ENCRYPTION_KEYS: `t2:${Buffer.alloc(32, 5).toString('base64')},t1:${Buffer.alloc(32, 7).toString('base64')}`,
    },
    (await testDatabase()).url,
  );
  const lines: string[] = [];
  const code = await runCli(['identity', 'rekey'], {
    config: rotated,
    database: (await testDatabase()).handle,
    out: (l) => lines.push(l),
  });
  assert.equal(code, 0);
  assert.match(lines.join('\n'), /Re-encrypted [1-9]\d* identity number\(s\) under key t2/);
  const after = await ta.db.selectFrom('users').selectAll().where('id', '=', user.user_id).executeTakeFirstOrThrow();
  assert.ok(after.id_number_enc!.startsWith('v1.t2.'));
  assert.equal(after.id_number_hmac, before.id_number_hmac, 'the uniqueness hash does not change');
  const withNewKeyOnly = testConfig({ IDENTITY_ENCRYPTION_KEYS: `t2:${Buffer.alloc(32, 5).toString('base64')}` });
  assert.equal(new AccountsService(ta.db, withNewKeyOnly).revealIdNumber(after), 'C9876543');
});

test('an imported username must follow the registration rule, so it never looks like an email', async (t) => {
  const ta = await build(t);
  const hash = bcrypt.hashSync('x', 4);
  const res = await cli(
    ta,
    'users',
    'import',
    writeJson([{ name: 'A', username: 'victim@example.id', email: 'a@example.id', password: hash, address: 'x' }]),
  );
  assert.equal(res.code, 1);
  assert.match(res.out, /row 1: username/);
});
