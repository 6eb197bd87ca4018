import type { Kysely } from 'kysely';

/**
 * Notifications: an outbox written in the same transaction as each order change, the inboxes it
 * fans out to, the deliveries (email, webhooks) a job sends with leases and retries, the
 * webhooks client apps register, and the reminders already recorded.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // One key per event (the order event's id, or reminder:<order>:<start>): fan-out is idempotent.
    .addColumn('event_key', 'text', (c) => c.notNull().unique())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    // The event as clients see it (JSON): what the order was at that moment.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    // A process claims a row by a conditional UPDATE; another may take it once the lease ends.
    .addColumn('lease_until', 'bigint')
    .addColumn('lease_owner', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('notification_outbox_pending_idx')
    .on('notification_outbox')
    .columns(['processed_at', 'created_at'])
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('read_at', 'bigint')
    .execute();
  // One inbox row per event and recipient, however often the event is fanned out.
  await db.schema
    .createIndex('notifications_user_event_unique')
    .on('notifications')
    .columns(['user_id', 'event_key'])
    .unique()
    .execute();
  await db.schema.createIndex('notifications_user_id_idx').on('notifications').columns(['user_id', 'id']).execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('client_apps.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    // AES-256-GCM under the identity keys, bound to the webhook's id: it must be usable to sign.
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .execute();
  await db.schema.createIndex('webhooks_app_id_idx').on('webhooks').column('app_id').execute();

  await db.schema
    .createTable('notification_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_key', 'text', (c) => c.notNull())
    // 'email' (target: a user id) or 'webhook' (target: a webhook id).
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text')
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // pending, delivered or failed (attempts used up).
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('lease_owner', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('notification_deliveries_event_unique')
    .on('notification_deliveries')
    .columns(['event_key', 'channel', 'target'])
    .unique()
    .execute();
  await db.schema
    .createIndex('notification_deliveries_due_idx')
    .on('notification_deliveries')
    .columns(['state', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('notification_deliveries_channel_idx')
    .on('notification_deliveries')
    .columns(['channel', 'id'])
    .execute();

  // The reminder an hour before is recorded once per order and start time (a new time, a new one).
  await db.schema
    .createTable('order_reminders')
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_reminders_pk', ['order_id', 'start_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('order_reminders').execute();
  await db.schema.dropTable('notification_deliveries').execute();
  await db.schema.dropTable('webhooks').execute();
  await db.schema.dropTable('notifications').execute();
  await db.schema.dropTable('notification_outbox').execute();
}
