import type { Kysely } from 'kysely';

/**
 * Schedules, slot holds, orders and their history, idempotency keys and payment notifications.
 * A slot hold is unique per doctor and start time: the database itself refuses a second
 * booking of a doctor's slot, whatever the concurrency, on SQLite and PostgreSQL alike.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schedule_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'integer', (c) => c.notNull().references('practices.id').onDelete('cascade'))
    // ISO weekday: 1 Monday ... 7 Sunday.
    .addColumn('weekday', 'integer', (c) => c.notNull())
    // Local times of the hospital, HH:mm.
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text', (c) => c.notNull())
    .addColumn('slot_minutes', 'integer', (c) => c.notNull())
    .addColumn('appointment_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('schedule_rules_practice_idx')
    .on('schedule_rules')
    .columns(['practice_id', 'weekday'])
    .execute();

  await db.schema
    .createTable('schedule_exceptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practice_id', 'integer', (c) => c.notNull().references('practices.id').onDelete('cascade'))
    .addColumn('date', 'text', (c) => c.notNull())
    // 'leave' (no slots; the whole day when no times are given) or 'extra' (more hours).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('start_time', 'text')
    .addColumn('end_time', 'text')
    .addColumn('slot_minutes', 'integer')
    .addColumn('appointment_type', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('schedule_exceptions_practice_idx')
    .on('schedule_exceptions')
    .columns(['practice_id', 'date'])
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transaction_id', 'text', (c) => c.notNull().unique())
    .addColumn('patient_user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('practice_id', 'integer', (c) => c.notNull().references('practices.id'))
    .addColumn('doctor_id', 'text', (c) => c.notNull())
    .addColumn('hospital_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('patient_name', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('price', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('proposed_start_at', 'bigint')
    .addColumn('proposed_end_at', 'bigint')
    .addColumn('proposed_at', 'bigint')
    .addColumn('status_before_proposal', 'text')
    .addColumn('payment_provider', 'text')
    .addColumn('payment_ref', 'text')
    .addColumn('payment_url', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('paid_at', 'bigint')
    .addColumn('refund_due', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refunded_at', 'bigint')
    .addColumn('meeting_url', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('orders_patient_idx').on('orders').columns(['patient_user_id', 'created_at']).execute();
  await db.schema.createIndex('orders_status_idx').on('orders').columns(['status', 'expires_at']).execute();
  await db.schema.createIndex('orders_doctor_idx').on('orders').columns(['doctor_id', 'start_at']).execute();
  await db.schema.createIndex('orders_created_idx').on('orders').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('slot_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('doctor_id', 'text', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    // 'booking' (the order's time) or 'proposal' (a reschedule's proposed time).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('slot_holds_doctor_start_unique')
    .on('slot_holds')
    .columns(['doctor_id', 'start_at'])
    .unique()
    .execute();
  await db.schema.createIndex('slot_holds_order_idx').on('slot_holds').column('order_id').execute();

  await db.schema
    .createTable('order_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('order_events_order_idx')
    .on('order_events')
    .columns(['order_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['app_id', 'user_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').column('created_at').execute();

  await db.schema
    .createTable('payment_notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    // The provider's own id of this notification, so a repeated one is recognised.
    .addColumn('notification_key', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('payment_notifications_key_unique', ['provider', 'notification_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'payment_notifications',
    'idempotency_keys',
    'order_events',
    'slot_holds',
    'orders',
    'schedule_exceptions',
    'schedule_rules',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
