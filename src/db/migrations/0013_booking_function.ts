import { sql, type Kysely } from 'kysely';
import { columnTypes } from '../column-types.js';

/**
 * PostgreSQL: a booking in one round trip (docs/booking-and-orders.md, "A booking on
 * PostgreSQL"). The service used to run BEGIN, the patient's lock, six statements and COMMIT,
 * each a round trip to the server; this function does the same work in one call, in the
 * call's own transaction:
 *
 * - the patient's lock first (pg_advisory_xact_lock, the same key the other moves take), so
 *   the counts below see every earlier booking of theirs committed: each statement of a
 *   plpgsql function takes a fresh snapshot under READ COMMITTED, which one statement of CTEs
 *   could not (its snapshot is taken before the lock is granted);
 * - the order, the Idempotency-Key (its stale row dropped first), the limits, the slot hold
 *   (whose unique index keeps one order per slot), the first history entry and the outbox row.
 *
 * Rows come as JSON made by the service and are written by cexup_insert_json, which names only
 * the columns the JSON has: a column added later (with its default) needs no new function, and a
 * process that does not know it yet still books during a rolling restart. A refused limit is raised with SQLSTATE CX001 (too many
 * bookings in the hour; DETAIL: when the oldest of them was made) or CX002 (too many unpaid
 * orders); a taken slot or a raced key is the unique violation itself. SQLite: nothing (it keeps
 * its group commit).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!columnTypes(db).isPostgres) return;
  // jsonb_populate_record alone would write NULL, not the default, into a column the JSON lacks.
  await sql`
    create or replace function cexup_insert_json(p_table regclass, p_row jsonb) returns void
    language plpgsql
    as $body$
    declare
      v_columns text;
    begin
      select string_agg(quote_ident(k), ', ') into v_columns from jsonb_object_keys(p_row) as k;
      execute format(
        'insert into %s (%s) select %s from jsonb_populate_record(null::%s, $1)',
        p_table, v_columns, v_columns, p_table
      ) using p_row;
    end
    $body$
  `.execute(db);
  await sql`
    create or replace function cexup_book(
      p_order jsonb,
      p_hold jsonb,
      p_event jsonb,
      p_outbox jsonb,
      p_idempotency jsonb,
      p_stale_before bigint,
      p_per_hour integer,
      p_hour_ago bigint,
      p_max_unpaid integer,
      p_free boolean
    ) returns void
    language plpgsql
    as $body$
    declare
      v_user text := p_order->>'patient_user_id';
      v_unpaid bigint;
      v_nth bigint;
    begin
      perform pg_advisory_xact_lock(4201, hashtext(v_user));
      perform cexup_insert_json('orders', p_order);
      if p_idempotency is not null then
        delete from idempotency_keys
          where app_id = p_idempotency->>'app_id'
            and user_id = p_idempotency->>'user_id'
            and key = p_idempotency->>'key'
            and created_at <= p_stale_before;
        perform cexup_insert_json('idempotency_keys', p_idempotency);
      end if;
      select count(*) into v_unpaid from orders where patient_user_id = v_user and status = 'waiting_payment';
      select created_at into v_nth from orders where patient_user_id = v_user
        order by created_at desc limit 1 offset p_per_hour;
      if v_nth is not null and v_nth > p_hour_ago then
        raise exception 'TOO_MANY_BOOKINGS' using errcode = 'CX001', detail = v_nth::text;
      end if;
      if v_unpaid - (case when p_free then 0 else 1 end) >= p_max_unpaid then
        raise exception 'TOO_MANY_UNPAID_ORDERS' using errcode = 'CX002';
      end if;
      perform cexup_insert_json('slot_holds', p_hold);
      perform cexup_insert_json('order_events', p_event);
      perform cexup_insert_json('notification_outbox', p_outbox);
    end
    $body$
  `.execute(db);
}
