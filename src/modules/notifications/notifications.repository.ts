import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Database } from '../../db/schema.js';
import type { OrderRow } from '../booking/index.js';
import { insertOutbox } from './outbox.js';
import { BUILT_IN_APP_IDS } from '../apps/index.js';

const HOUR = 3_600_000;

/**
 * Orders starting within the hour that have not had their reminder for this start time: each
 * gets one (the reminder row's primary key decides, whatever the number of processes), with
 * its outbox row in the same transaction.
 */
export async function recordReminders(db: Db, now: number): Promise<number> {
  const due = await db
    .selectFrom('orders')
    .leftJoin('order_reminders', (join) =>
      join
        .onRef('order_reminders.order_id', '=', 'orders.id')
        .onRef('order_reminders.start_at', '=', 'orders.start_at'),
    )
    .selectAll('orders')
    .where('orders.status', 'in', ['waiting_meeting', 'join_now'])
    .where('orders.start_at', '>', now)
    .where('orders.start_at', '<=', now + HOUR)
    .where('order_reminders.order_id', 'is', null)
    .limit(500)
    .execute();
  let recorded = 0;
  for (const order of due as OrderRow[]) {
    await db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('order_reminders')
        .values({ order_id: order.id, start_at: order.start_at, created_at: now })
        .onConflict((oc) => oc.columns(['order_id', 'start_at']).doNothing())
        .executeTakeFirst();
      // Another process recorded it first.
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return;
      await insertOutbox(trx, `reminder:${order.id}:${order.start_at}`, order, {
        from_status: order.status,
        action: 'reminder',
        actor: 'job',
        created_at: now,
      });
      recorded += 1;
    });
  }
  return recorded;
}

type Claimable = 'notification_outbox' | 'notification_deliveries';

/** Ids of rows a process may try to claim: not done, not leased (or the lease ran out). */
export async function claimCandidates(db: Db, table: Claimable, now: number, limit: number): Promise<string[]> {
  const rows =
    table === 'notification_outbox'
      ? await db
          .selectFrom('notification_outbox')
          .select('id')
          .where('processed_at', 'is', null)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .orderBy('created_at')
          .limit(limit)
          .execute()
      : await db
          .selectFrom('notification_deliveries')
          .select('id')
          .where('state', '=', 'pending')
          .where('next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .orderBy('next_attempt_at')
          .limit(limit)
          .execute();
  return rows.map((r) => r.id);
}

/**
 * Takes one row for `owner` until `leaseUntil`: a conditional UPDATE, so of processes racing
 * for it exactly one sees a changed row. A process that dies holding it loses it at the lease's end.
 */
export async function claim(
  db: Db,
  table: Claimable,
  id: string,
  owner: string,
  now: number,
  leaseUntil: number,
): Promise<boolean> {
  let q = db
    .updateTable(table)
    .set({ lease_until: leaseUntil, lease_owner: owner, attempts: sql<number>`attempts + 1` })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]));
  q = table === 'notification_outbox' ? q.where('processed_at', 'is', null) : q.where('state', '=', 'pending');
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Claims the outbox rows of `ids` that are still free, in one statement; answers the rows this
 * process now holds (a row another process claimed first is not among them).
 */
export const claimOutboxRows = (db: Db, ids: string[], owner: string, now: number, leaseUntil: number) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .updateTable('notification_outbox')
        .set({ lease_until: leaseUntil, lease_owner: owner, attempts: sql<number>`attempts + 1` })
        .where('id', 'in', ids)
        .where('processed_at', 'is', null)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .returningAll()
        .execute();

/** Who is told of each order: the patient, and the doctor's login (a doctor without one has no inbox). */
export const recipientsOfOrders = (db: Db, orderIds: string[]) =>
  orderIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('orders')
        .leftJoin('doctors', 'doctors.id', 'orders.doctor_id')
        .select(['orders.id', 'orders.patient_user_id', 'orders.app_id', 'doctors.user_id as doctor_user_id'])
        .where('orders.id', 'in', orderIds)
        .execute();

export const activeWebhooksOfApps = (db: Db, appIds: string[]) =>
  appIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('webhooks')
        .select(['id', 'app_id'])
        .where('app_id', 'in', appIds)
        .where('disabled_at', 'is', null)
        .orderBy('id')
        .execute();

/** Marks claimed outbox rows done, those this process still holds; answers how many. */
export async function finishOutboxRows(db: Db, ids: string[], owner: string, now: number): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('notification_outbox')
    .set({ processed_at: now, lease_until: null, lease_owner: null })
    .where('id', 'in', ids)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export const deliveryRow = (db: Db, id: string) =>
  db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).executeTakeFirst();

/** Inbox rows, once per recipient and event (a repeat does nothing). */
export async function insertNotifications(db: Db, rows: Database['notifications'][]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('notifications')
    .values(rows)
    .onConflict((oc) => oc.columns(['user_id', 'event_key']).doNothing())
    .execute();
}

/** Deliveries, once per event, channel and target (a repeat does nothing). */
export async function insertDeliveries(db: Db, rows: Database['notification_deliveries'][]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('notification_deliveries')
    .values(rows)
    .onConflict((oc) => oc.columns(['event_key', 'channel', 'target']).doNothing())
    .execute();
}

/** Records an attempt's outcome on a delivery this process holds. */
export async function finishDelivery(
  db: Db,
  id: string,
  owner: string,
  patch: {
    state: 'pending' | 'delivered' | 'failed';
    next_attempt_at?: number;
    last_status: number | null;
    last_error: string | null;
    delivered_at?: number;
    updated_at: number;
  },
): Promise<void> {
  await db
    .updateTable('notification_deliveries')
    .set({ ...patch, lease_until: null, lease_owner: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

export const userForMail = (db: Db, userId: string) =>
  db.selectFrom('users').select(['name', 'email']).where('id', '=', userId).executeTakeFirst();

export const webhookById = (db: Db, id: string) =>
  db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();

// The inbox.

export async function inboxPage(
  db: Db,
  userId: string,
  unreadOnly: boolean,
  page: { page: number; perPage: number },
): Promise<{ rows: Database['notifications'][]; total: number }> {
  let base = db.selectFrom('notifications').where('user_id', '=', userId);
  if (unreadOnly) base = base.where('read_at', 'is', null);
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('id', 'desc')
      .limit(page.perPage)
      .offset((page.page - 1) * page.perPage)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function markRead(db: Db, userId: string, ids: string[] | 'all', now: number): Promise<number> {
  let q = db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null);
  if (ids !== 'all') q = q.where('id', 'in', ids);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
  const r = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// Webhooks.

export const insertWebhook = (db: Db, row: Database['webhooks']) => db.insertInto('webhooks').values(row).execute();

export const webhooksOfApp = (db: Db, appId: string) =>
  db.selectFrom('webhooks').selectAll().where('app_id', '=', appId).orderBy('created_at').execute();

export async function disableWebhook(db: Db, id: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('webhooks')
    .set({ disabled_at: now })
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const appExists = async (db: Db, appId: string) =>
  (await db
    .selectFrom('client_apps')
    .select('id')
    .where('id', '=', appId)
    // The web apps' built-in apps have no partner behind them to call.
    .where('id', 'not in', BUILT_IN_APP_IDS)
    .executeTakeFirst()) !== undefined;

export async function webhookDeliveries(
  db: Db,
  filter: { appId?: string; webhookId?: string; state?: string },
  page: { page: number; perPage: number },
): Promise<{ rows: Database['notification_deliveries'][]; total: number }> {
  let base = db.selectFrom('notification_deliveries').where('channel', '=', 'webhook');
  if (filter.appId !== undefined) base = base.where('app_id', '=', filter.appId);
  if (filter.webhookId !== undefined) base = base.where('target', '=', filter.webhookId);
  if (filter.state !== undefined) base = base.where('state', '=', filter.state);
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('id', 'desc')
      .limit(page.perPage)
      .offset((page.page - 1) * page.perPage)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** One webhook delivery (a mail's id is not one). */
export const webhookDeliveryRow = (db: Db, id: string) =>
  db
    .selectFrom('notification_deliveries')
    .selectAll()
    .where('id', '=', id)
    .where('channel', '=', 'webhook')
    .executeTakeFirst();

/**
 * Puts a webhook delivery that is done (delivered or failed) back in the queue, due at once
 * and with its attempts counted afresh; its event, payload and id stay. One conditional UPDATE:
 * only while its webhook is active and its app not revoked, and never a pending one (a process
 * may be calling it), so two operators asking at once queue it once. Answers whether it did.
 */
export async function requeueWebhookDelivery(db: Db, id: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('notification_deliveries')
    .set({
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      delivered_at: null,
      lease_until: null,
      lease_owner: null,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('channel', '=', 'webhook')
    .where('state', 'in', ['delivered', 'failed'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('webhooks')
          .innerJoin('client_apps', 'client_apps.id', 'webhooks.app_id')
          .select('webhooks.id')
          .whereRef('webhooks.id', '=', 'notification_deliveries.target')
          .where('webhooks.disabled_at', 'is', null)
          .where('client_apps.revoked_at', 'is', null),
      ),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Whether a webhook still takes calls: it exists, is not deleted, and its app is not revoked. */
export async function webhookTakesCalls(db: Db, webhookId: string): Promise<boolean> {
  const row = await db
    .selectFrom('webhooks')
    .innerJoin('client_apps', 'client_apps.id', 'webhooks.app_id')
    .select('webhooks.id')
    .where('webhooks.id', '=', webhookId)
    .where('webhooks.disabled_at', 'is', null)
    .where('client_apps.revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
