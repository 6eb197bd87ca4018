import { buildApp } from './app.js';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { createDatabase } from './db/index.js';
import { migrateToLatest } from './db/migrate.js';
import { ensureDemoData } from './demo.js';

/** Start: config, migrations, demo data, listen; stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const database = createDatabase(config.database, { backgroundCheckpoints: true });
  await migrateToLatest(database.db);
  const app = await buildApp({ config, database });
  app.addHook('onClose', () => database.destroy());
  await ensureDemoData(app, config);
  await app.listen({ port: config.port, host: config.host });
  if (config.booking.paymentProvider === 'sandbox' && !config.demoMode) {
    app.log.warn(
      'PAYMENT_PROVIDER is the sandbox outside demo mode: paid bookings are refused (set PAYMENT_PROVIDER=midtrans)',
    );
  }

  // The lifecycle's deadlines. Every process may run it: each move is conditional on the status
  // it read, so an order is moved once however many processes look at it.
  let jobRunning = false;
  const job =
    config.booking.jobIntervalSeconds > 0
      ? setInterval(() => {
          if (jobRunning) return;
          jobRunning = true;
          app.services.booking
            .runDeadlines()
            .then((moved) => moved > 0 && app.log.info({ moved }, 'deadline job'))
            .catch((err: unknown) => app.log.error({ err }, 'deadline job failed'))
            .finally(() => (jobRunning = false));
        }, config.booking.jobIntervalSeconds * 1000)
      : undefined;

  // Notifications: the outbox fanned out to inboxes, mails and webhooks. Every process may run
  // it too: each row is claimed with a conditional UPDATE and a lease, so it is handled once.
  let notifyRunning = false;
  const notifyJob =
    config.notifications.jobIntervalSeconds > 0
      ? setInterval(() => {
          if (notifyRunning) return;
          notifyRunning = true;
          app.services.notifications
            .runJob()
            .catch((err: unknown) => app.log.error({ err }, 'notification job failed'))
            .finally(() => (notifyRunning = false));
        }, config.notifications.jobIntervalSeconds * 1000)
      : undefined;

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    clearInterval(job);
    clearInterval(notifyJob);
    app.log.info({ signal }, 'shutting down');
    // In-flight requests finish; a stuck one does not hold the process forever.
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
});
