import { buildApp } from './app.js';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { createDatabase } from './db/index.js';
import { migrateToLatest } from './db/migrate.js';
import { ensureDemoData } from './demo.js';
import { JobRunner } from './lib/jobs.js';

/**
 * Start: config, migrations, demo data, listen. On SIGTERM (or SIGINT) it stops taking
 * connections, lets the requests under way finish, waits for a job round under way, closes the
 * database and exits 0 on its own: nothing is left running. Whatever is still open 10 s after the
 * signal (a stuck request, a handle nobody closed) makes it exit 1 instead.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const database = createDatabase(config.database, { backgroundCheckpoints: true });
  await migrateToLatest(database.db);
  const app = await buildApp({ config, database });
  await ensureDemoData(app, config);
  await app.listen({ port: config.port, host: config.host });
  if (config.booking.paymentProvider === 'sandbox' && !config.demoMode) {
    app.log.warn(
      'PAYMENT_PROVIDER is the sandbox outside demo mode: paid bookings are refused (set PAYMENT_PROVIDER=midtrans)',
    );
  }

  // The lifecycle's deadlines, and the notifications (the outbox fanned out to inboxes, mails and
  // webhooks). Every process may run both: each order move is conditional on the status it read,
  // and each outbox row is claimed with a conditional UPDATE and a lease, so each is done once.
  const jobs = new JobRunner(
    (name, result) => {
      if (name === 'deadlines' && typeof result === 'number' && result > 0)
        app.log.info({ moved: result }, 'deadline job');
    },
    (name, err) => app.log.error({ err }, `${name} job failed`),
  );
  jobs.start({
    name: 'deadlines',
    everyMs: config.booking.jobIntervalSeconds * 1000,
    run: (step) => app.services.booking.runDeadlines(step),
  });
  jobs.start({
    name: 'notification',
    everyMs: config.notifications.jobIntervalSeconds * 1000,
    // A backlog is worked off within the interval, not a batch an interval; the round stays
    // short enough for a shutdown to wait for it.
    run: (step) =>
      app.services.notifications.drainJob(Math.min(config.notifications.jobIntervalSeconds * 1000, 4000), step),
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // Unref'd: it fires only if something still holds the process 10 s from now.
    const timer = setTimeout(() => {
      app.log.error('shutdown: still running 10 s after the signal, exiting anyway');
      process.exit(1);
    }, 10_000);
    timer.unref();
    const stop = async () => {
      // A job round under way finishes (its mails and webhooks too) before the mailer closes.
      await jobs.stop();
      // No new connections; requests under way finish; the mails they queued are sent.
      await app.close();
      await database.destroy();
    };
    stop().then(
      () => {
        app.log.info('shutdown complete');
        // No process.exit: with the listener, the jobs and the database closed, nothing is left.
        process.exitCode = 0;
      },
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
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
