import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Services } from './app.js';
import { createDatabase, type Db } from './db/index.js';
import { seedCatalogueIfEmpty, type SeedResult } from './modules/catalogue/seed.js';
import { hashPassword } from './security/passwords.js';

export const DEMO_PATIENT = {
  name: 'Ayu Lestari',
  username: 'demo',
  email: 'demo@cexup.test',
  password: 'demo-pasien-2026',
  address: 'Jl. Merdeka No. 1, Jakarta Pusat',
} as const;

/**
 * Demo mode on an empty database: a demo app key (printed once: only its hash is kept), a
 * demo patient whose login the README gives, and the demo catalogue when the catalogue is
 * empty. Nothing happens outside demo mode.
 *
 * `db` is the app's database; without it the catalogue is written through a connection of
 * its own opened from the config (not possible for an in-memory SQLite database).
 */
export async function ensureDemoData(
  services: Services,
  config: Config,
  log: FastifyBaseLogger,
  print: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  db?: Db,
): Promise<void> {
  if (!config.demoMode) return;
  if (config.nodeEnv === 'production') log.warn('DEMO_MODE is on in production: demo accounts and keys exist');

  if (!(await services.apps.hasAnyApp())) {
    const created = await services.apps.createApp('Demo app', config.demoApiKey ? { key: config.demoApiKey } : {});
    print('');
    print(`  Demo API key (shown once, keep it): ${created.key}`);
    print(`  Send it as the x-api-key header on every /api request.`);
    print('');
  } else if (config.demoApiKey && !(await services.apps.authenticate(config.demoApiKey))) {
    // CEXUP_DEMO_API_KEY set after the first start: add it, so the documented key works.
    const apps = await services.apps.list();
    const demo = apps.find((a) => a.name === 'Demo app' && a.revokedAt === null);
    if (demo) await services.apps.addKey(demo.id, config.demoApiKey);
  }

  if ((await services.accounts.findByLogin(DEMO_PATIENT.username)) === undefined) {
    await services.accounts.createAccount(DEMO_PATIENT, await hashPassword(DEMO_PATIENT.password));
    print(`  Demo patient: ${DEMO_PATIENT.username} (or ${DEMO_PATIENT.email}), password ${DEMO_PATIENT.password}`);
    print('');
  }

  await ensureDemoCatalogue(services, config, log, print, db);
}

/** The demo catalogue, when no catalogue table has a row (a catalogue of any size is kept). */
async function ensureDemoCatalogue(
  services: Services,
  config: Config,
  log: FastifyBaseLogger,
  print: (line: string) => void,
  db: Db | undefined,
): Promise<void> {
  let seeded: SeedResult | null;
  if (db !== undefined) {
    seeded = await seedCatalogueIfEmpty(db);
  } else if (config.database.kind === 'sqlite' && config.database.file === ':memory:') {
    log.warn('demo catalogue not loaded: an in-memory database is reachable only through the app');
    return;
  } else {
    const own = createDatabase(config.database);
    try {
      seeded = await seedCatalogueIfEmpty(own.db);
    } finally {
      await own.destroy();
    }
  }
  if (seeded === null) return;
  // This process shows it at once, not after its next version check.
  services.catalogue.invalidate();
  print(
    `  Demo catalogue loaded: ${seeded.doctors} doctors at ${seeded.hospitals} hospitals, ` +
      `${seeded.specialities} specialities, ${seeded.articles} articles, ${seeded.products} products.`,
  );
}
