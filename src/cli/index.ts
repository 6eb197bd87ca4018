import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppsService } from '../modules/apps/index.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config.js';
import { createDatabase, type DatabaseHandle } from '../db/index.js';
import { migrateToLatest } from '../db/migrate.js';
import { AccountsService } from '../modules/accounts/index.js';
import { importUsers } from './import-users.js';
import { importCatalogue } from './import-catalogue/index.js';
import { seedCatalogue } from '../modules/catalogue/index.js';
import { AdminInputError, createAdmin } from '../modules/admin/index.js';
import { createDoctorLogin, DoctorLoginError } from '../modules/doctors/index.js';
import { isUniqueViolation } from '../db/errors.js';

const HELP = `Cexup Patient API command line

  npm run cli -- migrate                         run database migrations
  npm run cli -- keys create --name NAME [--hospitals a,b] [--key VALUE]
                                                 create a client app and its first API key
  npm run cli -- keys list                       list apps and their keys (never the values)
  npm run cli -- keys rotate APP_ID [--overlap-hours N]
                                                 new key; the old ones work N more hours
                                                 (default API_KEY_ROTATION_OVERLAP_HOURS)
  npm run cli -- keys revoke APP_ID              revoke an app and every key of it
  npm run cli -- keys revoke-key KEY_ID          revoke one key
  npm run cli -- users import FILE.json          import accounts of the former backend
                                                 (bcrypt $2y$ hashes kept, rehashed at login)
  npm run db:seed [-- --doctors N]               replace the catalogue with the demo catalogue
  npm run import -- FILE.json|FILE.csv           load a catalogue file (upsert by slug, all or nothing)
  npm run cli -- admins create --name NAME --email EMAIL --password PASSWORD
                                                 create a back-office admin account
  npm run cli -- doctors login DOCTOR_SLUG --email EMAIL --password PASSWORD
                                                 give a catalogue doctor a login
  npm run cli -- identity rekey                  re-encrypt identity numbers under the first
                                                 key of IDENTITY_ENCRYPTION_KEYS
`;

type Out = (line: string) => void;

/** Runs one CLI command; exported so tests call it on their own database. */
export async function runCli(
  argv: string[],
  ctx: { config: Config; database: DatabaseHandle; out: Out },
): Promise<number> {
  const { config, database, out } = ctx;
  const [group, ...afterGroup] = argv;
  // Options may stand anywhere after the group ("seed --doctors 10", "keys rotate ID --overlap-hours 2").
  const { values, positionals: words } = parseArgs({
    args: afterGroup,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      hospitals: { type: 'string' },
      key: { type: 'string' },
      'overlap-hours': { type: 'string' },
      doctors: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
    },
  });
  const [command, ...positionals] = words;
  const apps = new AppsService(database.db);

  if (group === 'migrate') {
    const result = await migrateToLatest(database.db);
    const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
    out(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    return 0;
  }
  await migrateToLatest(database.db);

  if (group === 'keys') {
    switch (command) {
      case 'create': {
        if (!values.name) return fail(out, 'keys create needs --name');
        if (values.key !== undefined && values.key.length < 16)
          return fail(out, '--key must be at least 16 characters');
        const hospitals = values.hospitals
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        let created;
        try {
          created = await apps.createApp(values.name, {
            ...(values.key ? { key: values.key } : {}),
            ...(hospitals ? { hospitals } : {}),
          });
        } catch (err) {
          // Only a chosen --key can collide; the message must not repeat it.
          if (isUniqueViolation(err)) return fail(out, 'that --key is already in use: choose another one');
          throw err;
        }
        out(`app id: ${created.appId}`);
        out(`key id: ${created.keyId}`);
        out(`api key: ${created.key}`);
        out('The key is shown only now; only its hash is stored.');
        return 0;
      }
      case 'list': {
        for (const app of await apps.list()) {
          const scope = app.hospitalScope ? ` hospitals=${app.hospitalScope.join(',')}` : '';
          out(`${app.id}  ${app.name}${scope}${app.revokedAt ? `  REVOKED ${app.revokedAt}` : ''}`);
          for (const k of app.keys) {
            const state = k.revokedAt ? `revoked ${k.revokedAt}` : k.expiresAt ? `expires ${k.expiresAt}` : 'active';
            out(`    key ${k.id}  ${k.prefix}...  created ${k.createdAt}  ${state}`);
          }
        }
        return 0;
      }
      case 'rotate': {
        const appId = positionals[0];
        if (!appId) return fail(out, 'keys rotate needs APP_ID');
        const raw = values['overlap-hours'];
        if (raw !== undefined && !/^\d+$/.test(raw)) return fail(out, '--overlap-hours must be a whole number');
        const rotated = await apps.rotate(appId, raw === undefined ? config.apiKeyOverlapHours : Number(raw));
        if (!rotated) return fail(out, `no active app ${appId}`);
        out(`key id: ${rotated.keyId}`);
        out(`api key: ${rotated.key}`);
        out(`The previous keys keep working until ${rotated.oldKeysExpireAt}.`);
        return 0;
      }
      case 'revoke': {
        const appId = positionals[0];
        if (!appId) return fail(out, 'keys revoke needs APP_ID');
        if (!(await apps.revokeApp(appId))) return fail(out, `no active app ${appId}`);
        out(`Revoked app ${appId}: its keys and the sessions issued in it no longer work.`);
        return 0;
      }
      case 'revoke-key': {
        const keyId = positionals[0];
        if (!keyId) return fail(out, 'keys revoke-key needs KEY_ID');
        if (!(await apps.revokeKey(keyId))) return fail(out, `no active key ${keyId}`);
        out(`Revoked key ${keyId}.`);
        return 0;
      }
    }
  }

  if (group === 'users' && command === 'import') {
    const file = positionals[0];
    if (!file) return fail(out, 'users import needs FILE.json');
    let rows: unknown;
    try {
      rows = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      return fail(out, `cannot read ${file}: ${(err as Error).message}`);
    }
    const result = await importUsers(database.db, config, rows);
    if (!result.ok) {
      for (const e of result.errors) out(`row ${e.row}: ${e.message}`);
      return fail(out, 'nothing was imported');
    }
    out(`Imported ${result.imported} account(s).`);
    return 0;
  }

  if (group === 'seed') {
    const raw = values.doctors;
    if (raw !== undefined && (!/^\d+$/.test(raw) || Number(raw) > 1_000_000)) {
      return fail(out, '--doctors must be a whole number from 0 to 1000000');
    }
    const result = await seedCatalogue(database.db, raw === undefined ? {} : { doctors: Number(raw) });
    out(
      `Seeded: ${Object.entries(result)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}.`,
    );
    return 0;
  }

  if (group === 'import') {
    const file = command;
    if (!file) return fail(out, 'import needs FILE.json or FILE.csv');
    const result = await importCatalogue(database.db, file);
    if (!result.ok) {
      for (const e of result.errors) out(e.line > 0 ? `line ${e.line}: ${e.message}` : e.message);
      return fail(out, 'nothing was imported');
    }
    out(
      `Imported: ${Object.entries(result.counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}.`,
    );
    return 0;
  }

  if (group === 'admins' && command === 'create') {
    if (!values.name || !values.email || !values.password)
      return fail(out, 'admins create needs --name, --email and --password');
    try {
      const admin = await createAdmin(database.db, {
        name: values.name,
        email: values.email,
        password: values.password,
      });
      out(`admin id: ${admin.id}`);
    } catch (err) {
      if (err instanceof AdminInputError) return fail(out, err.message);
      throw err;
    }
    return 0;
  }

  if (group === 'doctors' && command === 'login') {
    const slug = positionals[0];
    if (!slug || !values.email || !values.password)
      return fail(out, 'doctors login needs DOCTOR_SLUG, --email and --password');
    try {
      const login = await createDoctorLogin(database.db, { slug, email: values.email, password: values.password });
      out(`doctor login: ${login.username} (or ${values.email})`);
    } catch (err) {
      if (err instanceof DoctorLoginError) return fail(out, err.message);
      throw err;
    }
    return 0;
  }

  if (group === 'identity' && command === 'rekey') {
    const count = await new AccountsService(database.db, config).rekeyIdentityNumbers();
    out(`Re-encrypted ${count} identity number(s) under key ${config.identityKeys[0]!.id}.`);
    return 0;
  }

  out(HELP);
  return group === undefined || group === 'help' ? 0 : 1;
}

function fail(out: Out, message: string): number {
  out(`error: ${message}`);
  return 1;
}

async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    // The CLI answers no request: it builds no link, so it needs no PUBLIC_URL.
    config = loadConfig(process.env, { serve: false });
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const database = createDatabase(config.database);
  try {
    process.exitCode = await runCli(process.argv.slice(2), {
      config,
      database,
      out: (l) => process.stdout.write(`${l}\n`),
    });
  } finally {
    await database.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
