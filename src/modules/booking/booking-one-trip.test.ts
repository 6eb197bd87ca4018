// PostgreSQL books in one call of cexup_book (migration 0013, docs/booking-and-orders.md). Its
// rows are written naming only the columns the service sends, so a column added by a later
// migration takes its default: a process that does not know the column yet (a rolling restart)
// still books. On SQLite the booking is a transaction of the service's own: nothing to test here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { andiVisit, insertCatalogue, openAndiForVisits } from '../../../test/catalogue-fixture.js';
import { authHeaders, build, envelope, onPostgres, registerPatient, uniqueName } from '../../../test/helpers.js';

const PG_ONLY = onPostgres ? false : 'cexup_book is PostgreSQL only: set TEST_DATABASE_URL to run this test';
// Tuesday 1 December 2026, 07:00 in Jakarta.
const T0 = Date.UTC(2026, 11, 1, 0, 0);

test(
  'a column the service does not know yet takes its default, and the booking is whole',
  { skip: PG_ONLY },
  async (t) => {
    const ta = await build(t, { env: { DEMO_MODE: 'true' }, now: () => T0 });
    // As a migration of a newer release would, while this process still runs the older code.
    for (const table of ['orders', 'slot_holds', 'order_events', 'notification_outbox', 'idempotency_keys']) {
      await sql`alter table ${sql.table(table)} add column channel text not null default 'app'`.execute(ta.db);
    }
    t.after(async () => {
      for (const table of ['orders', 'slot_holds', 'order_events', 'notification_outbox', 'idempotency_keys']) {
        await sql`alter table ${sql.table(table)} drop column channel`.execute(ta.db);
      }
    });
    const fx = await insertCatalogue(ta.db, uniqueName('ot').toLowerCase());
    await openAndiForVisits(ta.db, fx, '12:00', [1, 2, 3, 4, 5, 6, 7]);
    const patient = await registerPatient(ta);

    const res = await ta.app.inject({
      method: 'POST',
      url: '/api/doctor/booking',
      headers: { ...authHeaders(ta, patient), 'idempotency-key': 'satu-kali-saja' },
      payload: andiVisit(fx, { time: '2026-12-02 09:00' }),
    });
    assert.equal(res.statusCode, 201, res.body);
    const transactionId = envelope(res).data.transaction_id as string;
    const order = await ta.db
      .selectFrom('orders')
      .selectAll()
      .where('transaction_id', '=', transactionId)
      .executeTakeFirstOrThrow();
    const rows = async (table: string, column: string) =>
      (
        await sql<{
          channel: string;
        }>`select channel from ${sql.table(table)} where ${sql.ref(column)} = ${order.id}`.execute(ta.db)
      ).rows.map((r) => r.channel);
    assert.equal((order as unknown as { channel: string }).channel, 'app');
    assert.deepEqual(await rows('slot_holds', 'order_id'), ['app']);
    assert.deepEqual(await rows('order_events', 'order_id'), ['app']);
    assert.deepEqual(await rows('notification_outbox', 'order_id'), ['app']);
    assert.deepEqual(await rows('idempotency_keys', 'order_id'), ['app']);
  },
);
