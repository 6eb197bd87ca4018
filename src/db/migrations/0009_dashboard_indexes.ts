import { sql, type Kysely } from 'kysely';

/**
 * The back office dashboard (modules/admin/admin-dashboard.ts) counts, per day of a range,
 * orders paid, refunds made, cancellations and missed meetings, and today's appointments. Each
 * is a GROUP BY over a range of one time column; these indexes make it a range scan of the
 * index alone (the columns the figures read are in it), whatever the size of the table.
 *
 * The time columns still empty at booking (paid_at, refunded_at) and the few statuses of the
 * history the dashboard reads are partial indexes: a booking, the hot write, adds no entry to
 * them. Bookings by creation day use orders_created_idx (0003). A query must repeat a partial
 * index's predicate with the same literal values (SQLite matches the expression as written).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('orders_paid_at_idx')
    .on('orders')
    .columns(['paid_at', 'hospital_id', 'price'])
    .where(sql.ref('paid_at'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('orders_refunded_at_idx')
    .on('orders')
    .columns(['refunded_at', 'hospital_id', 'price', 'paid_at'])
    .where(sql.ref('refunded_at'), 'is not', null)
    .execute();
  // Today's appointments: a day of starts, a few hundred rows at most.
  await db.schema.createIndex('orders_start_idx').on('orders').column('start_at').execute();
  await db.schema
    .createIndex('order_events_dashboard_idx')
    .on('order_events')
    .columns(['created_at', 'to_status', 'action', 'order_id'])
    .where(sql<boolean>`to_status in ('order_cancel', 'waiting_refund', 'missed_meeting')`)
    .execute();
  // Deliveries given up on, by when: the delivery log keeps every one of them.
  await db.schema
    .createIndex('notification_deliveries_failed_idx')
    .on('notification_deliveries')
    .columns(['channel', 'updated_at', 'order_id'])
    .where(sql<boolean>`state = 'failed'`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of [
    'notification_deliveries_failed_idx',
    'order_events_dashboard_idx',
    'orders_start_idx',
    'orders_refunded_at_idx',
    'orders_paid_at_idx',
  ]) {
    await db.schema.dropIndex(name).execute();
  }
}
