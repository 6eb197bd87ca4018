import { yieldToEventLoop, type Step } from '../../lib/jobs.js';
import type { Config, NotificationsConfig } from '../../config.js';
import type { Db } from '../../db/index.js';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import type { Lang } from '../../http/i18n.js';
import { type PageMeta, type PageRequest, pageMeta } from '../../http/pagination.js';
import { IdentityCipher } from '../../security/identity-cipher.js';
import { newId, newSortableId } from '../../security/tokens.js';
import { isoInZone } from '../../lib/time.js';
import type { Mailer } from '../mail/index.js';
import * as repo from './notifications.repository.js';
import type { EventPayload } from './outbox.js';
import { notificationMail, notificationText } from './templates.js';
import {
  callWebhook,
  newWebhookSecret,
  parseWebhookUrl,
  resolvesPublic,
  systemResolver,
  type Resolver,
} from './webhooks.js';
import { systemClock } from '../../clock.js';

/** A claimed row is this process's for this long; longer than any webhook call may take. */
const LEASE_MS = 60_000;
/** Rows taken per pass of the job. */
const BATCH = 100;
/** Rows a multi-row insert carries at most (well under either database's parameter limit). */
const INSERT_CHUNK = 200;
/** Calls (mails, webhooks) in flight at once in one process. */
const PARALLEL = 10;

export interface NotificationResource {
  id: string;
  type: string;
  title: string;
  body: string;
  transaction_id: string;
  status: string;
  read: boolean;
  read_at: string | null;
  created_at: string;
  data: EventPayload;
}

export interface WebhookResource {
  id: string;
  app_id: string;
  url: string;
  active: boolean;
  created_at: string;
  disabled_at: string | null;
}

export interface DeliveryResource {
  id: string;
  webhook_id: string;
  app_id: string | null;
  event_id: string;
  type: string;
  transaction_id: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

interface Log {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** Statuses of an order its doctor has not heard of: unpaid, or ended before it was paid. */
const UNKNOWN_TO_DOCTOR = new Set(['waiting_payment', 'order_failed', 'order_cancel']);

/**
 * Who hears of an event besides the patient: the doctor, of what others did, and only of an
 * order that asks something of them. They first hear of it once it is paid (a free order: when
 * it is booked); of an unpaid order nothing reaches them, neither its booking nor its expiry nor
 * its cancellation, so booking and cancelling in a loop never reaches a doctor. Money going back
 * to the patient (a late payment, a refund) is the patient's business alone.
 */
function doctorIsTold(kind: string, actor: string, status: string, previous: string | null): boolean {
  if (actor === 'doctor' || kind === 'order.paid_late' || kind === 'order.refunded') return false;
  if (kind === 'order.paid') return true;
  // A booking has no status before it: the status it was booked in decides.
  return !UNKNOWN_TO_DOCTOR.has(previous ?? status);
}

export class NotificationsService {
  private readonly cipher: IdentityCipher;
  private readonly settings: NotificationsConfig;

  constructor(
    private readonly db: Db,
    config: Pick<Config, 'notifications' | 'identityKeys' | 'identityHmacKey'>,
    private readonly mailer: Mailer,
    private readonly log: Log,
    private readonly now: () => number = systemClock,
    /** How webhook hosts are resolved: once per check or call (tests play DNS here). */
    private readonly resolve: Resolver = systemResolver,
  ) {
    this.settings = config.notifications;
    this.cipher = new IdentityCipher(config.identityKeys, config.identityHmacKey);
  }

  // The inbox.

  async inbox(
    userId: string,
    unreadOnly: boolean,
    page: PageRequest,
    lang: Lang,
  ): Promise<{ data: NotificationResource[]; meta: PageMeta; unread: number }> {
    const [{ rows, total }, unread] = await Promise.all([
      repo.inboxPage(this.db, userId, unreadOnly, page),
      repo.unreadCount(this.db, userId),
    ]);
    return {
      unread,
      data: rows.map((r) => this.toResource(r, lang)),
      meta: pageMeta(page, total),
    };
  }

  private toResource(row: Database['notifications'], lang: Lang): NotificationResource {
    const payload = JSON.parse(row.payload) as EventPayload;
    const { title, body } = notificationText(row.kind, lang, payload);
    return {
      id: row.id,
      type: row.kind,
      title,
      body,
      transaction_id: payload.transaction_id,
      status: payload.status,
      read: row.read_at !== null,
      read_at: row.read_at === null ? null : isoInZone(Number(row.read_at), payload.timezone),
      created_at: isoInZone(Number(row.created_at), payload.timezone),
      data: payload,
    };
  }

  /** Marks the given notifications (or all) of this user read; others' ids change nothing. */
  async markRead(userId: string, ids: string[] | 'all'): Promise<{ updated: number; unread: number }> {
    const updated = ids === 'all' || ids.length > 0 ? await repo.markRead(this.db, userId, ids, this.now()) : 0;
    return { updated, unread: await repo.unreadCount(this.db, userId) };
  }

  // The job.

  /**
   * One pass: fans new outbox rows out to inboxes and deliveries, then makes the due
   * deliveries. Every row is claimed with a conditional UPDATE and a lease, so any number of
   * processes may run this at once; unique keys make a repeated fan-out write nothing new.
   */
  async runJob(): Promise<{ events: number; deliveries: number }> {
    const { events, deliveries } = await this.pass();
    return { events, deliveries };
  }

  /** One pass; `full` when it took a whole batch of either kind, so more may be waiting. */
  private async pass(step: Step = yieldToEventLoop): Promise<{ events: number; deliveries: number; full: boolean }> {
    const owner = newId();
    const candidates = await repo.claimCandidates(this.db, 'notification_outbox', this.now(), BATCH);
    let events = 0;
    try {
      events = await this.fanOut(candidates, owner);
    } catch (err) {
      // Its rows stay claimed until the lease ends, then a pass tries them again.
      this.log.error({ err, events: candidates.length }, 'notification fan-out failed');
    }
    const claimed: string[] = [];
    const due = await repo.claimCandidates(this.db, 'notification_deliveries', this.now(), BATCH);
    for (const id of due) {
      const now = this.now();
      if (await repo.claim(this.db, 'notification_deliveries', id, owner, now, now + LEASE_MS)) claimed.push(id);
    }
    for (let i = 0; i < claimed.length; i += PARALLEL) {
      // Requests waiting are answered between two groups of deliveries.
      await step();
      await Promise.all(claimed.slice(i, i + PARALLEL).map((id) => this.deliver(id, owner)));
    }
    return { events, deliveries: claimed.length, full: candidates.length === BATCH || due.length === BATCH };
  }

  /**
   * Passes of the job one after another while each finds a full batch, until `budgetMs` has
   * gone: a backlog (a busy hour's bookings) is worked off in one round instead of one batch
   * an interval. The first pass always runs. The budget is real time, not the injected clock.
   */
  async drainJob(
    budgetMs: number,
    step: Step = yieldToEventLoop,
  ): Promise<{ events: number; deliveries: number; passes: number }> {
    const until = performance.now() + budgetMs;
    const total = { events: 0, deliveries: 0, passes: 0 };
    for (;;) {
      const pass = await this.pass(step);
      total.events += pass.events;
      total.deliveries += pass.deliveries;
      total.passes += 1;
      if (!pass.full || performance.now() >= until) return total;
      await step();
    }
  }

  /**
   * Fans a batch of outbox rows out at once: one statement claims them, two read their
   * recipients and webhooks, one transaction writes every inbox row and delivery and marks the
   * rows done. Answers how many rows this process fanned out.
   *
   * A row whose lease ran out meanwhile may be fanned out by another process too; inbox rows
   * and deliveries are unique per event and recipient, so the second writes nothing new.
   */
  private async fanOut(ids: string[], owner: string): Promise<number> {
    const now = this.now();
    const rows = await repo.claimOutboxRows(this.db, ids, owner, now, now + LEASE_MS);
    if (rows.length === 0) return 0;
    const parties = new Map(
      (await repo.recipientsOfOrders(this.db, [...new Set(rows.map((r) => r.order_id))])).map((p) => [p.id, p]),
    );
    const hooksOf = new Map<string, string[]>();
    for (const h of await repo.activeWebhooksOfApps(this.db, [
      ...new Set([...parties.values()].map((p) => p.app_id)),
    ])) {
      hooksOf.set(h.app_id, [...(hooksOf.get(h.app_id) ?? []), h.id]);
    }
    const notifications: Database['notifications'][] = [];
    const deliveries: Database['notification_deliveries'][] = [];
    const fannedOut: string[] = [];
    for (const row of rows) {
      try {
        const out = this.fanOutRows(row, parties.get(row.order_id), hooksOf, now);
        notifications.push(...out.notifications);
        deliveries.push(...out.deliveries);
        fannedOut.push(row.id);
      } catch (err) {
        // This row alone waits for its lease to end and is tried again.
        this.log.error({ err, outbox: row.id }, 'notification fan-out failed');
      }
    }
    return this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < notifications.length; i += INSERT_CHUNK) {
        await repo.insertNotifications(trx, notifications.slice(i, i + INSERT_CHUNK));
      }
      for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
        await repo.insertDeliveries(trx, deliveries.slice(i, i + INSERT_CHUNK));
      }
      return repo.finishOutboxRows(trx, fannedOut, owner, now);
    });
  }

  /** The inbox rows and deliveries of one event. */
  private fanOutRows(
    row: Database['notification_outbox'],
    parties: { patient_user_id: string; app_id: string; doctor_user_id: string | null } | undefined,
    hooksOf: Map<string, string[]>,
    now: number,
  ): { notifications: Database['notifications'][]; deliveries: Database['notification_deliveries'][] } {
    const payload = JSON.parse(row.payload) as EventPayload;
    const users: string[] = [];
    if (parties !== undefined) {
      users.push(parties.patient_user_id);
      if (
        parties.doctor_user_id !== null &&
        doctorIsTold(row.kind, row.actor, payload.status, payload.previous_status)
      ) {
        users.push(parties.doctor_user_id);
      }
    }
    const hooks = parties === undefined ? [] : (hooksOf.get(parties.app_id) ?? []);
    const delivery = (channel: 'email' | 'webhook', target: string): Database['notification_deliveries'] => ({
      id: newSortableId(now),
      event_key: row.event_key,
      channel,
      target,
      app_id: parties?.app_id ?? null,
      order_id: row.order_id,
      kind: row.kind,
      payload: row.payload,
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      lease_owner: null,
      last_status: null,
      last_error: null,
      created_at: now,
      updated_at: now,
      delivered_at: null,
    });
    return {
      notifications: users.map((user_id) => ({
        id: newSortableId(Number(row.created_at)),
        user_id,
        event_key: row.event_key,
        order_id: row.order_id,
        kind: row.kind,
        payload: row.payload,
        created_at: Number(row.created_at),
        read_at: null,
      })),
      deliveries: [
        ...(this.settings.email ? users.map((u) => delivery('email', u)) : []),
        ...hooks.map((h) => delivery('webhook', h)),
      ],
    };
  }

  private async deliver(id: string, owner: string): Promise<void> {
    const d = await repo.deliveryRow(this.db, id);
    if (d === undefined) return;
    let outcome: { ok: boolean; status: number | null; error: string | null; final?: boolean };
    try {
      outcome = d.channel === 'email' ? await this.sendEmail(d) : await this.sendWebhook(d);
    } catch (err) {
      this.log.error({ err, delivery: d.id }, 'notification delivery failed');
      outcome = { ok: false, status: null, error: 'internal error' };
    }
    const now = this.now();
    const attempts = Number(d.attempts);
    if (outcome.ok) {
      await repo.finishDelivery(this.db, id, owner, {
        state: 'delivered',
        last_status: outcome.status,
        last_error: null,
        delivered_at: now,
        updated_at: now,
      });
      return;
    }
    const giveUp = outcome.final === true || attempts >= this.settings.webhookMaxAttempts;
    const wait = this.settings.webhookRetryBaseSeconds * 1000 * 2 ** Math.max(0, attempts - 1);
    await repo.finishDelivery(this.db, id, owner, {
      state: giveUp ? 'failed' : 'pending',
      next_attempt_at: now + wait,
      last_status: outcome.status,
      last_error: outcome.error,
      updated_at: now,
    });
    // The delivery's id and the short error only: never the URL (it may carry a token) nor a secret.
    this.log.warn(
      { delivery: d.id, channel: d.channel, attempts, error: outcome.error, failed: giveUp },
      giveUp ? 'notification delivery gave up' : 'notification delivery will be retried',
    );
  }

  private async sendEmail(d: Database['notification_deliveries']) {
    const user = await repo.userForMail(this.db, d.target);
    if (user === undefined || user.email === '') {
      return { ok: false, status: null, error: 'no address', final: true };
    }
    const message = notificationMail(
      this.settings.emailLanguage,
      user.email,
      user.name,
      d.kind,
      JSON.parse(d.payload) as EventPayload,
    );
    try {
      await this.mailer.send(message);
      return { ok: true, status: null, error: null };
    } catch {
      return { ok: false, status: null, error: 'mail not accepted' };
    }
  }

  private async sendWebhook(d: Database['notification_deliveries']) {
    const hook = await repo.webhookById(this.db, d.target);
    if (hook === undefined || hook.disabled_at !== null) {
      return { ok: false, status: null, error: 'webhook removed', final: true };
    }
    const body = JSON.stringify({
      id: d.event_key,
      type: d.kind,
      created_at: iso(Number(d.created_at)),
      data: JSON.parse(d.payload) as EventPayload,
    });
    const secret = this.cipher.decrypt(hook.secret_enc, `webhook:${hook.id}`);
    return callWebhook(
      hook.url,
      secret,
      { 'x-cexup-event': d.kind, 'x-cexup-delivery': d.id, 'x-cexup-event-id': d.event_key },
      body,
      this.now(),
      this.settings.webhookTimeoutMs,
      // The call resolves the name once and connects only to addresses it checked.
      { resolve: this.resolve, allowPrivate: this.settings.webhookAllowPrivate },
    );
  }

  // Webhooks (admin).

  private async requireApp(appId: string): Promise<void> {
    if (!(await repo.appExists(this.db, appId))) throw new AppError('APP_NOT_FOUND');
  }

  /**
   * Registers a URL; the secret is in the answer once and stored encrypted. `audit` is written in
   * the same transaction (the back office's audit log), with the webhook as it now is.
   */
  async registerWebhook(
    appId: string,
    rawUrl: string,
    audit?: WebhookAudit,
  ): Promise<WebhookResource & { secret: string }> {
    const url = parseWebhookUrl(rawUrl);
    await this.requireApp(appId);
    if (!this.settings.webhookAllowPrivate && !(await resolvesPublic(url, this.resolve))) {
      throw new AppError('WEBHOOK_URL_NOT_ALLOWED', { fields: { url: [{ key: 'invalid' }] } });
    }
    const now = this.now();
    const id = newId();
    const secret = newWebhookSecret();
    const row = {
      id,
      app_id: appId,
      url: url.toString(),
      secret_enc: this.cipher.encrypt(secret, `webhook:${id}`),
      created_at: now,
      disabled_at: null,
    };
    await this.db.transaction().execute(async (trx) => {
      await repo.insertWebhook(trx, row);
      await audit?.(trx, { action: 'create', before: null, after: this.webhookResource(row), at: now });
    });
    return { ...this.webhookResource(row), secret };
  }

  async listWebhooks(appId: string): Promise<WebhookResource[]> {
    await this.requireApp(appId);
    return (await repo.webhooksOfApp(this.db, appId)).map((w) => this.webhookResource(w));
  }

  /** Stops calls to the webhook; its pending deliveries are marked failed when their turn comes. */
  async disableWebhook(id: string, audit?: WebhookAudit): Promise<WebhookResource> {
    const now = this.now();
    return this.db.transaction().execute(async (trx) => {
      const before = await repo.webhookById(trx, id);
      const changed = await repo.disableWebhook(trx, id, now);
      const row = await repo.webhookById(trx, id);
      if (row === undefined || before === undefined) throw new AppError('WEBHOOK_NOT_FOUND');
      // Only a change is audited: a second DELETE changes nothing.
      if (changed) {
        await audit?.(trx, {
          action: 'delete',
          before: this.webhookResource(before),
          after: this.webhookResource(row),
          at: now,
        });
      }
      return this.webhookResource(row);
    });
  }

  private webhookResource(w: Database['webhooks']): WebhookResource {
    return {
      id: w.id,
      app_id: w.app_id,
      url: w.url,
      active: w.disabled_at === null,
      created_at: iso(Number(w.created_at))!,
      disabled_at: iso(w.disabled_at === null ? null : Number(w.disabled_at)),
    };
  }

  async webhookDeliveries(
    filter: { appId?: string; webhookId?: string; state?: string },
    page: PageRequest,
  ): Promise<{ data: DeliveryResource[]; meta: PageMeta }> {
    const { rows, total } = await repo.webhookDeliveries(this.db, filter, page);
    return {
      data: rows.map(deliveryResource),
      meta: pageMeta(page, total),
    };
  }

  /**
   * Sends a webhook delivery again (an operator's request): a failed one once the partner is
   * fixed, or a delivered one the partner lost. It goes back in the queue, due now, with its
   * attempts counted afresh (the full WEBHOOK_MAX_ATTEMPTS and backoff again); the call carries
   * the same delivery id, event id and body, signed as every call is, so the partner can drop a
   * repeat. The job picks it up at its next pass; `last_status` and `last_error` keep the
   * previous answer until then.
   */
  async resendWebhookDelivery(id: string, audit?: WebhookAudit): Promise<DeliveryResource> {
    const now = this.now();
    const requeued = await this.db.transaction().execute(async (trx) => {
      const done = await repo.requeueWebhookDelivery(trx, id, now);
      const queued = done ? await repo.webhookDeliveryRow(trx, id) : undefined;
      if (queued) await audit?.(trx, { action: 'resend', before: null, after: deliveryResource(queued), at: now });
      return done;
    });
    const row = await repo.webhookDeliveryRow(this.db, id);
    if (row === undefined) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND');
    if (!requeued) {
      if (!(await repo.webhookTakesCalls(this.db, row.target))) throw new AppError('WEBHOOK_DELIVERY_TARGET_GONE');
      // It was pending when asked: queued already, or being called right now.
      throw new AppError('WEBHOOK_DELIVERY_PENDING');
    }
    return deliveryResource(row);
  }
}

/** Writes a back-office audit entry inside the change's own transaction. */
export type WebhookAudit = (
  trx: Db,
  change: { action: 'create' | 'delete' | 'resend'; before: object | null; after: object; at: number },
) => Promise<void>;

/** A webhook delivery as the delivery log shows it. */
function deliveryResource(d: Database['notification_deliveries']): DeliveryResource {
  return {
    id: d.id,
    webhook_id: d.target,
    app_id: d.app_id,
    event_id: d.event_key,
    type: d.kind,
    transaction_id: (JSON.parse(d.payload) as EventPayload).transaction_id,
    state: d.state,
    attempts: Number(d.attempts),
    last_status: d.last_status === null ? null : Number(d.last_status),
    last_error: d.last_error,
    next_attempt_at: d.state === 'pending' ? iso(Number(d.next_attempt_at)) : null,
    delivered_at: iso(d.delivered_at === null ? null : Number(d.delivered_at)),
    created_at: iso(Number(d.created_at))!,
  };
}
