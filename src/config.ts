import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize: number };

export interface IdentityKey {
  id: string;
  key: Buffer;
}

export interface LimitsConfig {
  /** Failed logins for one account from one address within the window before 429. */
  loginFailuresPerAddress: number;
  loginFailureWindowMinutes: number;
  /** Failed logins for one account from all addresses together within one hour. */
  loginFailuresPerAccountPerHour: number;
  loginPerAddressPerMinute: number;
  registerPerAddressPerHour: number;
  checkIdPerAddressPerMinute: number;
  /** Attempts to set a new identity number (no_type), per account per day and per address per hour. */
  identityChangesPerAccountPerDay: number;
  identityChangesPerAddressPerHour: number;
}

export interface BookingConfig {
  /** How many days ahead a slot may be booked. */
  horizonDays: number;
  maxUnpaidOrders: number;
  /** Orders a patient may book, and orders they may cancel, in any hour (counted in the database). */
  bookingsPerHour: number;
  cancelsPerHour: number;
  /** The patient's last moment to cancel or move, before the start. */
  cutoffMinutes: number;
  /**
   * The doctor may mark a meeting missed only this long after its start, and may open the room
   * or start until this long after its end.
   */
  missedGraceMinutes: number;
  /** An unpaid order expires after this, or 30 minutes before its start if that is earlier. */
  paymentMinutes: number;
  /** The gateway: the sandbox (demo mode only) or Midtrans. */
  paymentProvider: 'sandbox' | 'midtrans';
  midtransServerKey: string | undefined;
  midtransProduction: boolean;
  /** Video rooms are made under this base URL. */
  meetingBaseUrl: string;
  /** How often each process runs the deadline job (0: never, e.g. for a process that only serves). */
  jobIntervalSeconds: number;
  /** Patients must have verified their email before they may book (403 EMAIL_NOT_VERIFIED). */
  requireVerifiedEmail: boolean;
}

export interface MailConfig {
  /** smtp: SMTP_URL; file: one .eml file a mail under DATA_DIR/mail; log: a log line only, never sent. */
  transport: 'smtp' | 'file' | 'log';
  smtpUrl: string | undefined;
  from: string;
  /** Where the file transport writes. */
  dir: string;
}

export interface NotificationsConfig {
  /** Order events are mailed to the patient and the doctor too (besides their inboxes). */
  email: boolean;
  /** The language of those mails (the inbox follows each request's Accept-Language). */
  emailLanguage: 'id' | 'en';
  /** How often each process runs the delivery job (0: never). */
  jobIntervalSeconds: number;
  /** Webhook calls per event before the delivery is marked failed. */
  webhookMaxAttempts: number;
  /** The first retry waits this long; each later one twice as long as the one before. */
  webhookRetryBaseSeconds: number;
  webhookTimeoutMs: number;
  /** Webhook URLs may point to private or loopback addresses (off unless WEBHOOK_ALLOW_PRIVATE_URLS=true). */
  webhookAllowPrivate: boolean;
}

export interface RecoveryConfig {
  /** The app page a reset link opens (the secret is added as ?token=); unset: the mail gives the code alone. */
  passwordResetUrl: string | undefined;
  /** The same for email verification links. */
  emailVerifyUrl: string | undefined;
  resetTtlMinutes: number;
  verifyTtlHours: number;
  /** POST /password/forgot per client address per hour. */
  forgotPerAddressPerHour: number;
  /** Reset mails per login name (known or not) per hour. */
  forgotPerAccountPerHour: number;
  /** Verification mails an account may ask for per hour. */
  resendPerAccountPerHour: number;
}

export interface OpsConfig {
  /** The Bearer token /metrics asks for; unset: /metrics is off (404). */
  metricsToken: string | undefined;
  /** Browser origins allowed to call the API cross-origin (CORS); empty: none. */
  corsOrigins: string[];
}

export interface Config {
  nodeEnv: string;
  host: string;
  port: number;
  logLevel: string;
  database: DatabaseConfig;
  /** True when DATABASE_URL is unset: the SQLite file under ./data that needs nothing installed. */
  embedded: boolean;
  dataDir: string;
  demoMode: boolean;
  demoApiKey: string | undefined;
  /** Required outside demo mode; in demo mode, unset means the listening address (http/origin.ts). */
  publicUrl: string | undefined;
  trustProxy: boolean | number | string[];
  tokenTtlDays: number;
  /** Lifetime of a back-office browser session (a cookie, not a Bearer token). */
  browserSessionHours: number;
  apiKeyOverlapHours: number;
  /** How stale a process's cached catalogue (and app keys) may be after another process changes them. */
  cacheTtlMs: number;
  booking: BookingConfig;
  mail: MailConfig;
  recovery: RecoveryConfig;
  notifications: NotificationsConfig;
  identityKeys: IdentityKey[];
  identityHmacKey: Buffer;
  redisUrl: string | undefined;
  limits: LimitsConfig;
  ops: OpsConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads `.env` (when present) into process.env without overriding what is already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/**
 * Turns the environment into a validated, typed config. Every bad value is collected and
 * reported by its variable name, so a start fails once with the whole list. `serve: false`
 * (the CLI, which answers no request) does not ask for PUBLIC_URL.
 */
export function loadConfig(env: Env = process.env, options: { cwd?: string; serve?: boolean } = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const bool = (name: string): boolean | undefined => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return undefined;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return undefined;
  };

  const nodeEnv = str('NODE_ENV') ?? 'development';
  const dataDir = resolve(cwd, str('DATA_DIR') ?? 'data');

  const port = int('PORT', 3000, 0, 65535);
  const host = str('HOST') ?? '127.0.0.1';
  const logLevel = str('LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`);
  }

  const databaseUrl = str('DATABASE_URL');
  const embedded = databaseUrl === undefined;
  let database: DatabaseConfig = { kind: 'sqlite', file: join(dataDir, 'cexup.db') };
  if (databaseUrl !== undefined) {
    if (databaseUrl.startsWith('sqlite:')) {
      const file = databaseUrl.slice('sqlite:'.length);
      if (file === '') problems.push('DATABASE_URL=sqlite:PATH needs a file path (or :memory:)');
      database = { kind: 'sqlite', file: file === ':memory:' ? file : resolve(cwd, file) };
    } else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
      try {
        new URL(databaseUrl);
      } catch {
        problems.push('DATABASE_URL is not a valid postgres:// URL');
      }
      database = { kind: 'postgres', url: databaseUrl, poolSize: int('DATABASE_POOL_SIZE', 10, 1, 500) };
    } else {
      problems.push('DATABASE_URL must start with postgres://, postgresql:// or sqlite:');
    }
  }

  // Demo mode: on by default only for the embedded default; production must ask for it.
  const demoSetting = bool('DEMO_MODE');
  const demoMode = demoSetting ?? (embedded && nodeEnv !== 'production');

  const publicUrl = str('PUBLIC_URL');
  if (publicUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(publicUrl)) {
    problems.push(`PUBLIC_URL must be an http(s) URL (got "${publicUrl}")`);
  }
  // Links are built on it, never on the Host header a client sends; a demo uses its own address.
  if (publicUrl === undefined && !demoMode && options.serve !== false) {
    problems.push(
      'PUBLIC_URL is required outside demo mode: the origin clients reach this API at, e.g. https://api.example.id (payment links and image URLs are built on it, never on the Host header)',
    );
  }

  let trustProxy: Config['trustProxy'] = false;
  const trustRaw = str('TRUST_PROXY');
  if (trustRaw !== undefined) {
    if (/^(true|false)$/i.test(trustRaw)) trustProxy = trustRaw.toLowerCase() === 'true';
    else if (/^\d+$/.test(trustRaw)) trustProxy = Number(trustRaw);
    else {
      const list = trustRaw.split(',').map((s) => s.trim());
      if (list.some((s) => !/^[0-9a-fA-F.:/]+$/.test(s))) {
        problems.push('TRUST_PROXY must be true, false, a hop count, or a comma list of proxy addresses/CIDRs');
      }
      trustProxy = list;
    }
  }

  const redisUrl = str('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }

  const limits: LimitsConfig = {
    loginFailuresPerAddress: int('LOGIN_MAX_FAILURES_PER_ADDRESS', 10, 1, 1000),
    loginFailureWindowMinutes: int('LOGIN_FAILURE_WINDOW_MINUTES', 15, 1, 1440),
    loginFailuresPerAccountPerHour: int('LOGIN_MAX_FAILURES_PER_ACCOUNT_PER_HOUR', 100, 1, 100000),
    loginPerAddressPerMinute: int('RATE_LIMIT_LOGIN_PER_MINUTE', 30, 1, 100000),
    registerPerAddressPerHour: int('RATE_LIMIT_REGISTER_PER_HOUR', 20, 1, 100000),
    checkIdPerAddressPerMinute: int('RATE_LIMIT_CHECK_ID_PER_MINUTE', 60, 1, 100000),
    identityChangesPerAccountPerDay: int('RATE_LIMIT_IDENTITY_PER_ACCOUNT_PER_DAY', 10, 1, 100000),
    identityChangesPerAddressPerHour: int('RATE_LIMIT_IDENTITY_PER_HOUR', 30, 1, 100000),
  };

  function readBooking(): BookingConfig {
    const provider = str('PAYMENT_PROVIDER') ?? 'sandbox';
    if (provider !== 'sandbox' && provider !== 'midtrans') {
      problems.push(`PAYMENT_PROVIDER must be sandbox or midtrans (got "${provider}")`);
    }
    const midtransServerKey = str('MIDTRANS_SERVER_KEY');
    if (provider === 'midtrans' && midtransServerKey === undefined) {
      problems.push('MIDTRANS_SERVER_KEY is required when PAYMENT_PROVIDER=midtrans');
    }
    const meetingBaseUrl = (str('MEETING_BASE_URL') ?? 'https://meet.jit.si').replace(/\/+$/, '');
    if (!/^https?:\/\/[^\s]+$/.test(meetingBaseUrl)) problems.push('MEETING_BASE_URL must be an http(s) URL');
    return {
      horizonDays: int('BOOKING_HORIZON_DAYS', 30, 1, 365),
      maxUnpaidOrders: int('MAX_UNPAID_ORDERS', 3, 1, 100),
      bookingsPerHour: int('RATE_LIMIT_BOOKINGS_PER_HOUR', 20, 1, 100000),
      cancelsPerHour: int('RATE_LIMIT_CANCELS_PER_HOUR', 10, 1, 100000),
      cutoffMinutes: int('CANCEL_CUTOFF_MINUTES', 120, 0, 10_080),
      missedGraceMinutes: int('MISSED_GRACE_MINUTES', 15, 0, 60),
      paymentMinutes: int('PAYMENT_EXPIRY_MINUTES', 60, 5, 1440),
      paymentProvider: provider === 'midtrans' ? 'midtrans' : 'sandbox',
      midtransServerKey,
      midtransProduction: bool('MIDTRANS_IS_PRODUCTION') ?? false,
      meetingBaseUrl,
      jobIntervalSeconds: int('JOB_INTERVAL_SECONDS', 30, 0, 3600),
      requireVerifiedEmail: bool('REQUIRE_VERIFIED_EMAIL_TO_BOOK') ?? false,
    };
  }

  function readMail(): MailConfig {
    const smtpUrl = str('SMTP_URL');
    if (smtpUrl !== undefined) {
      let ok = /^smtps?:\/\//.test(smtpUrl);
      try {
        new URL(smtpUrl);
      } catch {
        ok = false;
      }
      // Never echo the URL: it may carry the SMTP password.
      if (!ok) problems.push('SMTP_URL must be an smtp:// or smtps:// URL (smtp://user:pass@host:587)');
    }
    const transport = str('MAIL_TRANSPORT') ?? (smtpUrl !== undefined ? 'smtp' : demoMode ? 'file' : 'log');
    if (transport !== 'smtp' && transport !== 'file' && transport !== 'log') {
      problems.push(`MAIL_TRANSPORT must be smtp, file or log (got "${transport}")`);
    }
    if (transport === 'smtp' && smtpUrl === undefined) problems.push('SMTP_URL is required when MAIL_TRANSPORT=smtp');
    const from = str('MAIL_FROM') ?? 'Cexup <no-reply@cexup.test>';
    if (!/^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(from)) {
      problems.push(`MAIL_FROM must be an address, or "Name <address>" (got "${from}")`);
    }
    return {
      transport: transport === 'smtp' || transport === 'file' ? transport : 'log',
      smtpUrl,
      from,
      dir: join(dataDir, 'mail'),
    };
  }

  function readRecovery(): RecoveryConfig {
    const link = (name: string): string | undefined => {
      const value = str(name);
      // Web pages or app deep links (cexup://reset); the token is appended as a query parameter.
      if (value !== undefined && !/^[a-z][a-z0-9+.-]*:\/\/[^\s#]+$/i.test(value)) {
        problems.push(`${name} must be a URL without a fragment, e.g. https://app.example.id/reset (got "${value}")`);
      }
      return value;
    };
    return {
      passwordResetUrl: link('PASSWORD_RESET_URL'),
      emailVerifyUrl: link('EMAIL_VERIFY_URL'),
      resetTtlMinutes: int('PASSWORD_RESET_TTL_MINUTES', 30, 5, 1440),
      verifyTtlHours: int('EMAIL_VERIFY_TTL_HOURS', 48, 1, 24 * 30),
      forgotPerAddressPerHour: int('RATE_LIMIT_PASSWORD_FORGOT_PER_HOUR', 20, 1, 100000),
      forgotPerAccountPerHour: int('PASSWORD_RESET_MAX_PER_HOUR', 3, 1, 1000),
      resendPerAccountPerHour: int('EMAIL_RESEND_MAX_PER_HOUR', 3, 1, 1000),
    };
  }

  function readNotifications(): NotificationsConfig {
    const language = str('NOTIFY_EMAIL_LANGUAGE') ?? 'id';
    if (language !== 'id' && language !== 'en') {
      problems.push(`NOTIFY_EMAIL_LANGUAGE must be id or en (got "${language}")`);
    }
    return {
      email: bool('NOTIFY_EMAIL') ?? false,
      emailLanguage: language === 'en' ? 'en' : 'id',
      jobIntervalSeconds: int('NOTIFY_JOB_INTERVAL_SECONDS', 5, 0, 3600),
      webhookMaxAttempts: int('WEBHOOK_MAX_ATTEMPTS', 8, 1, 20),
      webhookRetryBaseSeconds: int('WEBHOOK_RETRY_BASE_SECONDS', 30, 1, 3600),
      webhookTimeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 30_000),
      // Off unless asked for, in every mode (demo too: its default start listens on loopback).
      webhookAllowPrivate: bool('WEBHOOK_ALLOW_PRIVATE_URLS') ?? false,
    };
  }

  function readOps(): OpsConfig {
    const metricsToken = str('METRICS_TOKEN');
    // Never echo the value: it is a secret.
    if (metricsToken !== undefined && (metricsToken.length < 24 || /\s/.test(metricsToken))) {
      problems.push('METRICS_TOKEN must be at least 24 characters, without spaces');
    }
    const corsOrigins: string[] = [];
    for (const raw of (str('CORS_ORIGINS') ?? '').split(',')) {
      const origin = raw.trim().replace(/\/+$/, '');
      if (origin === '') continue;
      // An origin is scheme://host[:port], exactly as a browser sends it: no path, no wildcard.
      if (!/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(origin)) {
        problems.push(`CORS_ORIGINS must be a comma list of origins such as https://app.example.id (got "${origin}")`);
        continue;
      }
      corsOrigins.push(origin.toLowerCase());
    }
    return { metricsToken, corsOrigins };
  }

  const secrets = readIdentitySecrets(env, { embedded, dataDir, problems, str });

  const config: Config = {
    nodeEnv,
    host,
    port,
    logLevel,
    database,
    embedded,
    dataDir,
    demoMode,
    demoApiKey: str('CEXUP_DEMO_API_KEY'),
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    trustProxy,
    tokenTtlDays: int('TOKEN_TTL_DAYS', 30, 1, 3650),
    browserSessionHours: int('BROWSER_SESSION_HOURS', 12, 1, 24 * 30),
    apiKeyOverlapHours: int('API_KEY_ROTATION_OVERLAP_HOURS', 72, 0, 24 * 365),
    cacheTtlMs: int('CACHE_TTL_MS', 1000, 0, 60_000),
    booking: readBooking(),
    mail: readMail(),
    recovery: readRecovery(),
    notifications: readNotifications(),
    identityKeys: secrets.keys,
    identityHmacKey: secrets.hmacKey,
    redisUrl,
    limits,
    ops: readOps(),
  };
  if (config.demoApiKey !== undefined && config.demoApiKey.length < 16) {
    problems.push('CEXUP_DEMO_API_KEY must be at least 16 characters');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const KEY_FILE = 'secrets.json';

/**
 * Identity-number keys. IDENTITY_ENCRYPTION_KEYS is "id:base64,id:base64" (the first one encrypts,
 * all of them decrypt, so keys can be rotated); IDENTITY_HMAC_KEY keys the uniqueness hash.
 * Only the embedded default may invent them, in ./data/secrets.json on first start.
 */
function readIdentitySecrets(
  env: Env,
  ctx: { embedded: boolean; dataDir: string; problems: string[]; str: (n: string) => string | undefined },
): { keys: IdentityKey[]; hmacKey: Buffer } {
  let keysRaw = ctx.str('IDENTITY_ENCRYPTION_KEYS');
  let hmacRaw = ctx.str('IDENTITY_HMAC_KEY');
  if ((keysRaw === undefined || hmacRaw === undefined) && ctx.embedded) {
    const stored = loadOrCreateEmbeddedSecrets(ctx.dataDir);
    keysRaw ??= stored.IDENTITY_ENCRYPTION_KEYS;
    hmacRaw ??= stored.IDENTITY_HMAC_KEY;
  }
  const keys: IdentityKey[] = [];
  let hmacKey = Buffer.alloc(0);
  if (keysRaw === undefined) {
    ctx.problems.push('IDENTITY_ENCRYPTION_KEYS is required (e.g. "k1:<32 bytes in base64>")');
  } else {
    for (const part of keysRaw.split(',')) {
      const m = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(part.trim());
      const key = m ? Buffer.from(m[2]!, 'base64') : undefined;
      if (!m || key?.length !== 32) {
        ctx.problems.push('IDENTITY_ENCRYPTION_KEYS entries must be "id:<32 bytes in base64>"');
        break;
      }
      if (keys.some((k) => k.id === m[1])) ctx.problems.push(`IDENTITY_ENCRYPTION_KEYS repeats the id "${m[1]}"`);
      keys.push({ id: m[1]!, key });
    }
  }
  if (hmacRaw === undefined) {
    ctx.problems.push('IDENTITY_HMAC_KEY is required (at least 32 bytes in base64)');
  } else {
    hmacKey = Buffer.from(hmacRaw, 'base64');
    if (hmacKey.length < 32) ctx.problems.push('IDENTITY_HMAC_KEY must be at least 32 bytes in base64');
  }
  return { keys, hmacKey };
}

function loadOrCreateEmbeddedSecrets(dataDir: string): Record<string, string> {
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const secrets = {
    IDENTITY_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    IDENTITY_HMAC_KEY: randomBytes(32).toString('base64'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return secrets;
}
