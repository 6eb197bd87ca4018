import type { Client, Notification } from 'pg';
import { lazyRequire } from '../lazy.js';
import { CACHE_VERSION_CHANNEL, type VersionedCache, type VersionFeed } from './cache.js';

const loadPg = lazyRequire<typeof import('pg')>('pg');

/** How long close() waits for a connection being opened. */
const CLOSE_WAIT_MS = 1_000;

/** Waits for `promise` to settle, or `ms` at most (the timer does not keep the process alive). */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}

/** What the listener logs through (the app's logger). */
export interface NotifyLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface CacheListenerOptions {
  /** The database's URL. It may hold a password: it is never logged. */
  url: string;
  /** How often the versions are re-read all the same (CACHE_TTL_MS), should a notification be missed. */
  ttlMs: number;
  log: NotifyLog;
  /** Reconnection delays: the first, doubled after each failure up to the last. */
  reconnectMs?: { min: number; max: number };
}

/**
 * Catalogue-version changes pushed to this process (PostgreSQL LISTEN/NOTIFY). One connection of
 * its own listens on the channel `VersionedCache.bump` notifies, and hands each new version to
 * every cache of that name here; while it listens, those caches trust their version and requests
 * read none (on a busy database server, that read was the slowest answers of the catalogue).
 *
 * Missed notifications are covered twice: every `ttlMs` the versions are re-read on this same
 * connection in the background (which also finds a connection that has silently died), and after
 * each (re)connection they are read once, changes may have been made while it was down. While it
 * is not listening, caches re-read on their own as they do without it (at most every `ttlMs`).
 */
export class CacheListener implements VersionFeed {
  private readonly caches = new Map<string, Set<VersionedCache>>();
  private client: Client | undefined;
  /** Counts connections; a cache trusts only a version given while the current one listens. */
  private epoch = 0;
  private isListening = false;
  private closed = false;
  private started = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private rereadTimer: NodeJS.Timeout | undefined;
  /** Notifications received, per name: a read they overtook is not taken for that name. */
  private readonly notices = new Map<string, number>();
  private connecting: Promise<void> | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: CacheListenerOptions) {}

  register(name: string, cache: VersionedCache): void {
    let set = this.caches.get(name);
    if (set === undefined) this.caches.set(name, (set = new Set()));
    set.add(cache);
  }

  listeningEpoch(): number | undefined {
    return this.isListening ? this.epoch : undefined;
  }

  get listening(): boolean {
    return this.isListening;
  }

  /** The server process of the listening connection (operators and tests find it in pg_stat_activity). */
  get backendPid(): number | undefined {
    if (!this.isListening) return undefined;
    return (this.client as unknown as { processID: number | null } | undefined)?.processID ?? undefined;
  }

  /** How many times it has started listening (the first connection counts 1). */
  get connections(): number {
    return this.epoch;
  }

  /** Resolves once it listens (at once if it does). */
  whenListening(): Promise<void> {
    if (this.isListening) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** Connects in the background: the app starts without waiting for it, its caches read meanwhile. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.rereadTimer);
    this.isListening = false;
    const client = this.client;
    this.client = undefined;
    // Ends a connection being opened too (listen() then ends what it opened, see there). pg's
    // connect() may never settle once its client is ended mid-handshake: wait for it a moment at
    // most, so closing the app never hangs on it.
    await client?.end().catch(() => undefined);
    if (this.connecting !== undefined) await settledWithin(this.connecting, CLOSE_WAIT_MS);
  }

  private connect(): void {
    this.connecting = this.listen().finally(() => {
      this.connecting = undefined;
    });
  }

  private async listen(): Promise<void> {
    const pg = loadPg();
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: 'cexup-cache-notify',
      connectionTimeoutMillis: 10_000,
      // The re-read doubles as a liveness check: one stuck past this counts as a lost connection.
      query_timeout: Math.max(this.options.ttlMs, 5_000),
      keepAlive: true,
    });
    this.client = client;
    // Without a handler, an error on an idle client would end the process.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, undefined));
    client.on('notification', (message) => this.notified(message));
    try {
      await client.connect();
      await client.query(`LISTEN ${CACHE_VERSION_CHANNEL}`);
    } catch (err) {
      if (this.client === client) this.lost(client, err);
      else await client.end().catch(() => undefined);
      return;
    }
    if (this.closed || this.client !== client) {
      // Closed while connecting.
      await client.end().catch(() => undefined);
      return;
    }
    this.epoch += 1;
    this.isListening = true;
    if (this.failures > 0 || this.epoch > 1)
      this.options.log.info({ connections: this.epoch }, 'cache notifications: listening again');
    // The backoff starts over only once the connection has proved itself (its first re-read,
    // below): one that dies right after LISTEN keeps backing off instead of retrying at once.
    for (const resolve of this.waiters) resolve();
    this.waiters.clear();
    // Changes made before LISTEN (while it was down, or before it started) were not announced.
    void this.reread(client);
    clearInterval(this.rereadTimer);
    this.rereadTimer = setInterval(() => void this.reread(client), this.options.ttlMs);
    this.rereadTimer.unref();
  }

  private notified(message: Notification): void {
    if (message.channel !== CACHE_VERSION_CHANNEL || message.payload === undefined || !this.isListening) return;
    const at = message.payload.lastIndexOf(':');
    const name = message.payload.slice(0, at);
    const version = Number(message.payload.slice(at + 1));
    if (at < 0 || !Number.isSafeInteger(version)) return;
    this.notices.set(name, (this.notices.get(name) ?? 0) + 1);
    this.dispatch(name, version);
  }

  private dispatch(name: string, version: number): void {
    for (const cache of this.caches.get(name) ?? []) cache.pushed(version, this.epoch);
  }

  /** The versions of every cached name, read on the listening connection and handed out. */
  private async reread(client: Client): Promise<void> {
    const names = [...this.caches.keys()];
    if (names.length === 0 || !this.isListening || this.client !== client) return;
    const epoch = this.epoch;
    const before = new Map(names.map((name) => [name, this.notices.get(name) ?? 0]));
    let rows: { name: string; version: string | number }[];
    try {
      rows = (
        await client.query<{ name: string; version: string | number }>(
          'SELECT name, version FROM cache_versions WHERE name = ANY($1)',
          [names],
        )
      ).rows;
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (!this.isListening || this.epoch !== epoch) return;
    this.failures = 0;
    const versions = new Map(rows.map((row) => [row.name, Number(row.version)]));
    for (const name of names) {
      // A notification came while the read was on its way: it may be newer than the read.
      if ((this.notices.get(name) ?? 0) !== before.get(name)) continue;
      this.dispatch(name, versions.get(name) ?? 0);
    }
  }

  /** The connection is gone (or never came): caches read for themselves again; reconnect later. */
  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.isListening = false;
    clearInterval(this.rereadTimer);
    // A client that errored may still hold its socket.
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.failures += 1;
    const { min, max } = this.options.reconnectMs ?? { min: 500, max: 30_000 };
    const base = Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
    // Jitter: processes that lost the same server do not all come back at the same moment.
    const delayMs = Math.round(base / 2 + Math.random() * (base / 2));
    this.options.log.warn(
      { error: describe(err, this.options.url), retryInMs: delayMs, failures: this.failures },
      'cache notifications: not listening, caches re-read the version themselves until it reconnects',
    );
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
    this.reconnectTimer.unref();
  }
}

/** An error as a log line may show it: kind, code and message, with any password of the URL cut out. */
function describe(err: unknown, url: string): { type: string; code?: string; message: string } {
  if (err === undefined) return { type: 'end', message: 'connection ended' };
  const e: Error & { code?: unknown } = err instanceof Error ? err : new Error(String(err));
  let message = e.message;
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // Not a URL: nothing of it is logged anyway.
  }
  if (password !== '') message = message.split(password).join('[redacted]');
  return { type: e.name, ...(typeof e.code === 'string' ? { code: e.code } : {}), message };
}
