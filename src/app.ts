import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import { homeRoutes } from './http/home.js';
import { backOfficeRoutes, doctorWorkspaceRoutes } from './http/back-office.js';
import { adminScopeGuard } from './modules/admin/index.js';
import { writeAudit } from './modules/admin/index.js';
import rateLimit from '@fastify/rate-limit';
import addFormats from 'ajv-formats';
import type { Config } from './config.js';
import { createDatabase, type DatabaseHandle } from './db/index.js';
import { lazyRequire } from './lazy.js';
import { apiKeyGuard } from './http/auth.js';
import { AppError } from './http/errors.js';
import { docsRoutes } from './http/docs.js';
import { openApiRoutes, registerOpenApi } from './http/openapi.js';
import { frameworkErrorHandler, registerPlumbing } from './http/plumbing.js';
import { refuseEchoMethods, registerSecurityHeaders } from './http/security-headers.js';
import { accountsRoutes, imageFileRoutes } from './modules/accounts/index.js';
import { AccountsService } from './modules/accounts/index.js';
import { AppsService } from './modules/apps/index.js';
import { CatalogueService } from './modules/catalogue/index.js';
import { catalogueRoutes } from './modules/catalogue/index.js';
import { obgynRoutes } from './modules/obgyn/index.js';
import { shopRoutes } from './modules/shop/index.js';
import { ShopService } from './modules/shop/index.js';
import { adminRoutes } from './modules/admin/index.js';
import { AdminService } from './modules/admin/index.js';
import { bookingRoutes, paymentWebhookRoutes, sandboxPaymentRoutes } from './modules/booking/index.js';
import { BookingService } from './modules/booking/index.js';
import { doctorRoutes } from './modules/doctors/index.js';
import { doctorSessionRoutes } from './modules/doctors/index.js';
import { DoctorWorkspace } from './modules/doctors/index.js';
import { AdminSchedules } from './modules/admin/index.js';
import { MidtransProvider } from './modules/payments/index.js';
import type { PaymentProvider } from './modules/payments/index.js';
import { SandboxProvider } from './modules/payments/index.js';
import { Metrics, registerMetrics } from './modules/ops/index.js';
import { opsRoutes } from './modules/ops/index.js';
import { ObgynService } from './modules/obgyn/index.js';
import { createMailer, type Mailer } from './modules/mail/index.js';
import { recoveryRoutes } from './modules/recovery/index.js';
import { RecoveryService } from './modules/recovery/index.js';
import { NotificationsService, orderEventsOutbox } from './modules/notifications/index.js';
import { doctorNotificationRoutes, notificationRoutes } from './modules/notifications/index.js';
import { webhookAdminRoutes } from './modules/notifications/index.js';
import type { Resolver } from './modules/notifications/index.js';
import { privacyRoutes } from './modules/privacy/index.js';
import { PrivacyService } from './modules/privacy/index.js';
import { systemClock } from './clock.js';
import { CacheListener } from './lib/cache-notify.js';

/** Redis client code, loaded only where REDIS_URL is set. */
const loadIoredis = lazyRequire<typeof import('ioredis')>('ioredis');

export interface BuildOptions {
  config: Config;
  /** An open database; without one the app opens (and on close, closes) its own. */
  database?: DatabaseHandle;
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: Writable;
  /** The clock, so tests can move time. */
  now?: () => number;
  /** The payment gateway; by default the one the config names. */
  payments?: PaymentProvider;
  /** How mail goes out; by default the transport the config names (modules/mail/mailer.ts). */
  mailer?: Mailer;
  /** How webhook host names are resolved; by default the system's resolver. */
  resolveHost?: Resolver;
  /**
   * Catalogue-version changes pushed from PostgreSQL (lib/cache-notify.ts); only there, and only
   * with CACHE_TTL_MS above 0. On by default, except with a clock of the caller's: pushes come on
   * real time, and a test that moves time expects another process's change to wait for its TTL.
   */
  cacheNotifications?: boolean;
}

export interface Services {
  apps: AppsService;
  accounts: AccountsService;
  obgyn: ObgynService;
  catalogue: CatalogueService;
  shop: ShopService;
  admin: AdminService;
  booking: BookingService;
  recovery: RecoveryService;
  mailer: Mailer;
  notifications: NotificationsService;
  privacy: PrivacyService;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    database: DatabaseHandle;
    /** The listener of pushed catalogue-version changes, where there is one. */
    cacheListener: CacheListener | undefined;
  }
}

/** Anything that could carry a secret, should a log line ever include it. */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'password',
  '*.password',
  'access_token',
  '*.access_token',
  'no_type',
  '*.no_type',
  'file',
  '*.file',
];

function loggerOptions(config: Config, stream?: Writable): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent' && stream === undefined) return false;
  return {
    level: config.logLevel,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      // Errors keep their kind and place, never driver details that may quote values.
      err: (err: Error & { code?: unknown }) => ({
        type: err.name,
        code: err.code,
        message: err.message,
        stack: err.stack ?? '',
      }),
    },
    ...(stream ? { stream } : {}),
  };
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  const now = options.now ?? systemClock;
  const database = options.database ?? createDatabase(config.database);
  const ownsDatabase = options.database === undefined;

  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    // Fastify's own request lines are replaced by one line per request (http/plumbing.ts).
    logController: new LogController({ disableRequestLogging: true }),
    // A hop count is given to Fastify as a number; its types only name the other forms.
    trustProxy: config.trustProxy as boolean | string[],
    bodyLimit: 1024 * 1024,
    genReqId: () => randomUUID(),
    ajv: {
      // Every invalid field at once, as a form needs; types coerced as form posts need.
      customOptions: { allErrors: true, coerceTypes: false, allowUnionTypes: true },
      plugins: [addFormats.default as never],
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors: frameworkErrorHandler,
    // TRACK gets a 405 envelope; any other unparseable request the plumbing's 400.
    clientErrorHandler: refuseEchoMethods,
  });

  const payments: PaymentProvider =
    options.payments ??
    (config.booking.paymentProvider === 'midtrans'
      ? new MidtransProvider({
          serverKey: config.booking.midtransServerKey!,
          isProduction: config.booking.midtransProduction,
        })
      : new SandboxProvider(config.demoMode));
  const mailer = options.mailer ?? createMailer(config.mail, app.log);
  // On PostgreSQL a change is announced at its commit, so this process's catalogue caches need not
  // re-read its version on the way of requests (lib/cache-notify.ts).
  const cacheListener =
    database.dialect === 'postgres' &&
    config.database.kind === 'postgres' &&
    config.cacheTtlMs > 0 &&
    (options.cacheNotifications ?? options.now === undefined)
      ? new CacheListener({ url: config.database.url, ttlMs: config.cacheTtlMs, log: app.log })
      : undefined;
  const services: Services = {
    mailer,
    recovery: new RecoveryService(database.db, config.recovery, mailer, app.log, now),
    notifications: new NotificationsService(database.db, config, mailer, app.log, now, options.resolveHost),
    apps: new AppsService(database.db, now, config.cacheTtlMs),
    accounts: new AccountsService(database.db, config, now),
    obgyn: new ObgynService(database.db, now),
    privacy: new PrivacyService(database.db, now, () => services),
    catalogue: new CatalogueService(database.db, { cacheTtlMs: config.cacheTtlMs, now, versions: cacheListener }),
    shop: new ShopService(database.db, { cacheTtlMs: config.cacheTtlMs, now, versions: cacheListener }),
    booking: new BookingService(database.db, config.booking, payments, orderEventsOutbox, now, {
      cacheTtlMs: config.cacheTtlMs,
      dialect: database.dialect,
      versions: cacheListener,
    }),
    admin: new AdminService(database.db, {
      now,
      // The public catalogue and the shop cache the same catalogue version: drop both here at once.
      onChange: () => {
        services.catalogue.invalidate();
        services.shop.invalidate();
        services.booking.invalidate();
        // A renamed hospital changes the scopes of app keys too.
        services.apps.clearCache();
      },
    }),
  };
  app.decorate('services', services);
  app.decorate('database', database);
  app.decorate('cacheListener', cacheListener);
  app.decorateRequest('clientApp', undefined);
  app.decorateRequest('session', undefined);
  app.decorateRequest('user', undefined);
  app.decorateRequest('adminScope', undefined);

  registerPlumbing(app);
  await registerSecurityHeaders(app, config.ops);
  // Process metrics (memory, CPU, event loop) only where /metrics is served.
  const metrics = new Metrics({ processMetrics: config.ops.metricsToken !== undefined });
  registerMetrics(app, metrics);

  const redis = config.redisUrl
    ? new (loadIoredis().Redis)(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 })
    : undefined;
  await app.register(rateLimit, {
    global: false,
    // Shared counts across API processes when Redis is configured.
    ...(redis ? { redis, nameSpace: 'cexup-rl:' } : {}),
    keyGenerator: (request) => request.ip,
    // Redis out of reach must not turn every limited route into a 500: let requests through.
    skipOnError: true,
    errorResponseBuilder: () => new AppError('TOO_MANY_REQUESTS'),
  });
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  // The back office's session cookie (http/browser-session.ts).
  await app.register(cookie);
  // Before the routes: it collects each route's schema as it is added.
  await registerOpenApi(app, '0.1.0');

  // The route table. Everything under /api needs an app key ("key"); "token" is a patient's
  // Bearer token. Each module's file lists its own routes again beside their code.
  //
  //   POST /api/login/patient             key          accounts
  //   POST /api/register/patient          key          accounts
  //   POST /api/register/check-id/:type   key          accounts
  //   POST /api/update/:role              key + token  accounts
  //   POST /api/avatar                    key + token  accounts
  //   GET  /api/me                        key + token  accounts
  //   POST /api/logout                    key + token  accounts
  //   POST /api/change-password           key + token  accounts
  //   POST /api/password/forgot           key          recovery (same answer for unknown accounts)
  //   POST /api/password/reset            key          recovery
  //   POST /api/email/verify              key          recovery
  //   POST /api/email/resend              key + token  recovery
  //   GET  /api/email/verification        key + token  recovery
  //   POST /api/obgyn                     key + token  obgyn
  //   GET  /api/obgyn                     key + token  obgyn
  //   GET  /api/me/access-log             key + token  privacy (reads of my data by doctors and admins)
  //   GET|POST /api/me/export, DELETE /api/me  key + token  privacy (my data as a file: a login < 5 min
  //                                       or the password again; erase my account)
  //   POST /api/doctor, GET /api/doctor   key          catalogue: doctors (name, speciality, hospital)
  //   POST /api/doctor/show, GET /api/doctor/:slug       key  catalogue
  //   GET  /api/speciality                key          catalogue
  //   POST /api/hospital, GET /api/hospital              key  catalogue
  //   POST /api/hospital/show, GET /api/hospital/:slug   key  catalogue
  //   POST /api/article, GET /api/article                key  catalogue
  //   POST /api/article/show, GET /api/article/:slug     key  catalogue
  //   GET  /api/ecommerce/product, /api/ecommerce/product/:slug    key  shop
  //   GET  /api/ecommerce/category, /api/ecommerce/category/:slug  key  shop
  //   POST /api/login/admin               key          admin
  //   /api/admin/...                      key + admin token, or the back office's cookie  admin (admin.routes.ts)
  //   POST /api/doctor/get-time-list      key          booking
  //   POST /api/doctor/get-date-list      key          booking (a calendar: free slots a day)
  //   POST /api/doctor/booking            key + token  booking (Idempotency-Key)
  //   POST /api/user/orders, PUT /api/user/orders, POST /api/user/order/show   key + token  booking
  //   POST /api/login/doctor              key          doctors
  //   /api/doctor-app/...                 key + doctor token, or the workspace's cookie  doctors (doctors.routes.ts,
  //                                       doctor-session.routes.ts), the doctor's inbox (notifications)
  //   GET  /api/notifications, POST /api/notifications/read             key + token  notifications (inbox)
  //   POST|GET /api/admin/apps/:app_id/webhooks, DELETE /api/admin/webhooks/:id,
  //   GET  /api/admin/webhook-deliveries  key + admin token  webhooks (notifications/webhooks.routes.ts)
  //   GET  /pay/:reference, POST /pay/:reference/complete, POST /pay/:reference/fail
  //                                       unguessable link, demo mode  sandbox payments
  //   POST /payments/webhook              the gateway's signature                  payments
  //   GET  /files/avatars/:file, /files/images/:file     unguessable name
  //   GET  /health, GET /ready            open: probes
  //   GET  /metrics                       Bearer METRICS_TOKEN (404 without one)    ops (Prometheus)
  await app.register(
    async (api) => {
      api.addHook('onRequest', apiKeyGuard(services.apps));
      await api.register(accountsRoutes, {
        accounts: services.accounts,
        config,
        onRegistered: (user, lang) => services.recovery.afterRegistration(user, lang),
      });
      await api.register(recoveryRoutes, { recovery: services.recovery, accounts: services.accounts, config });
      await api.register(obgynRoutes, { obgyn: services.obgyn, accounts: services.accounts });
      await api.register(catalogueRoutes, { catalogue: services.catalogue, config });
      await api.register(shopRoutes, { shop: services.shop, config });
      await api.register(adminRoutes, { services, config });
      await api.register(bookingRoutes, {
        booking: services.booking,
        accounts: services.accounts,
        config,
        onOutcome: (outcome) => metrics.booking(outcome),
      });
      await api.register(doctorSessionRoutes, { accounts: services.accounts, config });
      await api.register(doctorRoutes, {
        booking: services.booking,
        accounts: services.accounts,
        privacy: services.privacy,
        obgyn: services.obgyn,
        workspace: new DoctorWorkspace(
          database.db,
          services.booking,
          new AdminSchedules(database.db, now, () => services.booking.invalidate()),
        ),
        config,
      });
      await api.register(privacyRoutes, { privacy: services.privacy, accounts: services.accounts, config });
      const inbox = { accounts: services.accounts, notifications: services.notifications };
      await api.register(notificationRoutes, inbox);
      await api.register(doctorNotificationRoutes, inbox);
      await api.register(webhookAdminRoutes, {
        ...inbox,
        prefix: '/admin',
        scopeGuard: adminScopeGuard(database.db),
        audit: (trx, actorId, entity, entityId, change) =>
          writeAudit(
            trx,
            actorId,
            [{ action: change.action, entity, entityId, before: change.before, after: change.after }],
            change.at,
          ),
      });
    },
    { prefix: '/api' },
  );
  await app.register(imageFileRoutes, { accounts: services.accounts });
  await app.register(opsRoutes, { db: database.db, metrics, metricsToken: config.ops.metricsToken });
  await app.register(openApiRoutes);
  await app.register(homeRoutes);
  await app.register(docsRoutes);
  await app.register(backOfficeRoutes);
  await app.register(doctorWorkspaceRoutes);
  await app.register(sandboxPaymentRoutes, {
    booking: services.booking,
    enabled: payments.name === 'sandbox' && config.demoMode,
  });
  await app.register(paymentWebhookRoutes, { booking: services.booking, provider: payments });

  // A request under way when the app closes answers with `Connection: close`: its keep-alive
  // connection (a load balancer's) ends with it, instead of holding close() open until it idles out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });

  app.addHook('onClose', async () => {
    // Mails still on their way are sent before the database closes.
    await services.recovery.drain();
    await mailer.close?.();
    await redis?.quit().catch(() => undefined);
    await cacheListener?.close();
    if (ownsDatabase) await database.destroy();
  });
  // Last, so that an app whose build failed leaves no connection open.
  cacheListener?.start();
  return app;
}
