import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { seedCatalogueIfEmpty } from './modules/catalogue/index.js';
import { createDoctorLogin, DoctorLoginError } from './modules/doctors/index.js';
import { AppError } from './http/errors.js';
import { isUniqueViolation } from './db/errors.js';
import { hashPassword } from './security/passwords.js';
import { AdminInputError, createAdmin } from './modules/admin/index.js';

export const DEMO_DOCTOR = { email: 'dokter@cexup.test', password: 'demo-dokter-2026' } as const;

/** The back office's demo operator: sign in at /admin/. */
export const DEMO_ADMIN = { name: 'Operator Demo', email: 'admin@cexup.test', password: 'demo-admin-2026' } as const;

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
 */
export async function ensureDemoData(
  app: FastifyInstance,
  config: Config,
  print: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Promise<void> {
  if (!config.demoMode) return;
  const { services } = app;
  if (config.nodeEnv === 'production') app.log.warn('DEMO_MODE is on in production: demo accounts and keys exist');

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
    try {
      await services.accounts.createAccount(DEMO_PATIENT, await hashPassword(DEMO_PATIENT.password));
      print(`  Demo patient: ${DEMO_PATIENT.username} (or ${DEMO_PATIENT.email}), password ${DEMO_PATIENT.password}`);
      print('');
    } catch (err) {
      // Another process starting at the same moment made it first.
      if (!(err instanceof AppError)) throw err;
    }
  }

  // The demo catalogue only when no catalogue table has a row: an imported one is kept.
  const seeded = await seedCatalogueIfEmpty(app.database.db);
  if (seeded !== null) {
    services.catalogue.invalidate();
    print(
      `  Demo catalogue loaded: ${seeded.doctors} doctors at ${seeded.hospitals} hospitals, ` +
        `${seeded.specialities} specialities, ${seeded.articles} articles, ${seeded.products} products.`,
    );
  }

  // An operator for the back office at /admin/.
  if ((await services.accounts.findByLogin(DEMO_ADMIN.email)) === undefined) {
    try {
      await createAdmin(app.database.db, DEMO_ADMIN);
      print(`  Back office: /admin/, sign in as ${DEMO_ADMIN.email}, password ${DEMO_ADMIN.password}`);
      print('');
    } catch (err) {
      // Another process starting at the same moment made it first.
      if (!(err instanceof AdminInputError) && !isUniqueViolation(err)) throw err;
    }
  }

  // One demo doctor with a login, to try the doctor's side of an order.
  if ((await services.accounts.findByLogin(DEMO_DOCTOR.email)) === undefined) {
    const doctor = await app.database.db
      .selectFrom('doctors')
      .select(['slug', 'name'])
      .where('user_id', 'is', null)
      .where('unpublished_at', 'is', null)
      .orderBy('name')
      .limit(1)
      .executeTakeFirst();
    if (doctor !== undefined) {
      try {
        const login = await createDoctorLogin(app.database.db, { slug: doctor.slug, ...DEMO_DOCTOR });
        print(
          `  Demo doctor: ${doctor.name}, login ${login.username} (or ${DEMO_DOCTOR.email}), password ${DEMO_DOCTOR.password}`,
        );
        print('');
      } catch (err) {
        // Another process starting at the same moment made it first.
        if (!(err instanceof DoctorLoginError) && !isUniqueViolation(err)) throw err;
      }
    }
  }
}
