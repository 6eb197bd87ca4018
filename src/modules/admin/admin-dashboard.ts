import { sql, type RawBuilder } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import { parseYmd } from '../../lib/dates.js';
import type { OrderStatus } from '../booking/index.js';
import { addDays, DAY, datesFrom, localToUtc, offsetOf, utcToLocal, ZONE_OFFSET_MINUTES } from '../../lib/time.js';
import * as repo from './admin.repository.js';
import { approxBytes, MiB } from '../../sizes.js';

/** The zone of the per-day figures: each day is a calendar day in WIB. */
export const DASHBOARD_ZONE = 'Asia/Jakarta';
/** Days shown when the query names no range: the 30 ending today (WIB). */
export const DEFAULT_DAYS = 30;
/** The longest range, both ends included (a leap year). */
export const MAX_DAYS = 366;
/** The earliest day: timestamps are epoch milliseconds, and the day arithmetic below wants them positive. */
const FIRST_DAY = '1970-01-01';

const ZONE_LABELS: Readonly<Record<string, 'WIB' | 'WITA' | 'WIT'>> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

/*
 * What the figures count, in the lifecycle's terms (order-machine.ts):
 *
 * - bookings: orders created that day (orders.created_at), whatever became of them.
 * - paid: orders paid that day (orders.paid_at): the gateway's `pay`, and its `late_payment` of an
 *   order that had failed or been cancelled (that money came in too, and goes back as a refund).
 *   Free orders are never paid: they are booked straight into waiting_doctor_confirmation.
 * - cancelled: history entries that day moving an order to order_cancel (the patient, before
 *   paying) or waiting_refund (declined, confirmation or proposal timed out, proposal refused, the
 *   patient cancelling after paying), except `late_payment`, whose order had already ended (and
 *   was counted then if it was cancelled). An unpaid order expiring (order_failed) is not a
 *   cancellation. An order reaches each of those statuses at most once, so entries are orders.
 * - refunded: refunds completed that day (orders.refunded_at; waiting_refund → refunded).
 * - missed: history entries that day moving an order to missed_meeting.
 * - revenue: the prices of the orders paid that day minus the refunds completed that day. A
 *   refund gives back the whole price of a paid order (`refund_due` is the price, and is set to 0
 *   once refunded, so the price is what was given back); an order never paid gave nothing back.
 *
 * "Today" is each hospital's own calendar day; its appointments are the orders starting then
 * that still stand and were paid (or are free): APPOINTMENT_STATUSES. Cancelled, refunded,
 * unpaid and expired orders are no appointments.
 *
 * Attention, now, whatever the range:
 * - refunds_waiting: waiting_refund with refund_due > 0 (refunded_at still null).
 * - confirm_overdue: waiting_doctor_confirmation whose start is less than an hour away, the
 *   deadline after which the job moves it (`confirmation_timeout` in BookingService.runDeadlines).
 * - proposals_unanswered: reschedule_from_doctor / reschedule_from_patient with a proposal
 *   (proposed_at set) waiting for the other side.
 * - webhooks_failing: webhook deliveries the notifications job gave up on ('failed': attempts
 *   used up, or the webhook removed) in the last 7 days, plus those 'pending' a retry after a
 *   failed call (last_error set). Older failures stay in the delivery log, not here.
 */
const CANCELLED_TO: readonly OrderStatus[] = ['order_cancel', 'waiting_refund'];
const MISSED_TO: OrderStatus = 'missed_meeting';
/** The history entries the per-day figures read (the index of migration 0009 holds just these). */
const EVENT_STATUSES: readonly OrderStatus[] = ['order_cancel', 'waiting_refund', 'missed_meeting'];
const APPOINTMENT_STATUSES: readonly OrderStatus[] = [
  'waiting_doctor_confirmation',
  'waiting_meeting',
  'reschedule_from_doctor',
  'reschedule_from_patient',
  'join_now',
  'on_air',
  'done',
  'missed_meeting',
];
const CONFIRMED: readonly OrderStatus[] = ['waiting_meeting', 'join_now', 'on_air'];
const PROPOSING: readonly OrderStatus[] = ['reschedule_from_doctor', 'reschedule_from_patient'];
/** BookingService.runDeadlines times a confirmation out from an hour before the start. */
const CONFIRM_DEADLINE_BEFORE_START_MS = 3_600_000;
/** A WIB day's figures are final this long after it ended (see AdminDashboard). */
const SETTLED_AFTER_MS = 3_600_000;
/** Settled days kept a process (each hospital filter its own): about 2 MB, 54 filters of a year. */
export const SETTLED_DAYS_KEPT = 20_000;
/** And at most this many bytes of them (as src/sizes.ts counts them). */
export const SETTLED_BYTES = 16 * MiB;
/** How long a delivery given up on counts as failing. */
const WEBHOOK_FAILED_WINDOW_MS = 7 * DAY;

export interface DashboardFigures {
  bookings: number;
  paid: number;
  cancelled: number;
  refunded: number;
  missed: number;
  revenue: number;
}

export interface DashboardToday {
  hospital_slug: string;
  hospital_name: string;
  timezone: string;
  timezone_label: 'WIB' | 'WITA' | 'WIT';
  appointments: number;
  waiting_confirmation: number;
  confirmed: number;
  done: number;
}

export interface Dashboard {
  from: string;
  to: string;
  timezone: 'Asia/Jakarta';
  days: (DashboardFigures & { date: string })[];
  totals: DashboardFigures;
  today: DashboardToday[];
  attention: {
    refunds_waiting: number;
    confirm_overdue: number;
    proposals_unanswered: number;
    webhooks_failing: number;
  };
}

export interface DashboardQuery {
  from?: string;
  to?: string;
  hospital?: string;
}

const WIB_OFFSET_MS = offsetOf(DASHBOARD_ZONE) * 60_000;

/**
 * The WIB day number (days since 1970-01-01 in WIB) of a timestamp column, computed by the
 * database: integer division on both (bigint on PostgreSQL, integer on SQLite), with the
 * constants written into the statement so a GROUP BY repeats exactly the selected expression.
 */
const wibDay = (column: string): RawBuilder<number> =>
  sql<number>`(${sql.ref(column)} + ${sql.lit(WIB_OFFSET_MS)}) / ${sql.lit(DAY)}`;

/** `column IN ('a', 'b')` with the values written out (a partial index's predicate must match it). */
const inLiterals = (column: string, values: readonly string[]): RawBuilder<boolean> =>
  sql<boolean>`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;

/** Days since 1970-01-01 of a Y-m-d date: the number `wibDay` gives the instants of that WIB day. */
const dayNumber = (date: string): number => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY;
};

/** The range asked, or its defaults; 422 on the field at fault. */
export function dashboardRange(query: DashboardQuery, now: number): { from: string; to: string } {
  const given = (['from', 'to'] as const).filter((k) => query[k] !== undefined);
  const unreal = given.filter((k) => parseYmd(query[k]!) === undefined);
  if (unreal.length > 0) {
    throw new AppError('VALIDATION_FAILED', { fields: Object.fromEntries(unreal.map((k) => [k, [{ key: 'date' }]])) });
  }
  for (const k of given) if (query[k]! < FIRST_DAY) throw AppError.field(k, 'minimum', { limit: FIRST_DAY });
  const to = query.to ?? utcToLocal(now, DASHBOARD_ZONE).date;
  const from = query.from ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (to < from) {
    // The field the caller gave is the one at fault: `to`, or `from` against today.
    throw query.to !== undefined
      ? AppError.field('to', 'minimum', { limit: from })
      : AppError.field('from', 'maximum', { limit: to });
  }
  if (dayNumber(to) - dayNumber(from) + 1 > MAX_DAYS) {
    throw query.to !== undefined
      ? AppError.field('to', 'maximum', { limit: addDays(from, MAX_DAYS - 1) })
      : AppError.field('from', 'minimum', { limit: addDays(to, -(MAX_DAYS - 1)) });
  }
  return { from, to };
}

const zero = (): DashboardFigures => ({ bookings: 0, paid: 0, cancelled: 0, refunded: 0, missed: 0, revenue: 0 });

/**
 * The back office's dashboard: per-day figures over a range of WIB days, today's appointments
 * per hospital, and what needs someone's attention. Every figure is an aggregate query (a GROUP
 * BY over an index of its time column, migration 0009), so its cost follows the rows in the
 * range, not the whole table; the queries run at once (on PostgreSQL, on several connections).
 *
 * Settled days are kept. The per-day figures count instants written once, with the clock of the
 * moment (orders.created_at, paid_at, refunded_at, order_events.created_at) and facts an order
 * never changes (price, hospital): a WIB day that ended more than SETTLED_AFTER_MS ago has its
 * figures for good. Each process keeps those it has counted (per hospital filter, bounded), so a
 * range is counted in SQL from its first day not kept yet: after the first request, the year
 * costs what today costs. Writing history with past instants (a manual fix, a backfill) shows
 * after a restart.
 */
export class AdminDashboard {
  private readonly settled: LRUCache<string, Readonly<DashboardFigures>>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    /** Settled days kept at most, least recently used out (docs/operations.md, Memory bounds). */
    keep = SETTLED_DAYS_KEPT,
  ) {
    this.settled = new LRUCache({
      max: keep,
      maxSize: SETTLED_BYTES,
      sizeCalculation: (figures, key) => approxBytes(key) + approxBytes(figures) + 64,
    });
  }

  /** Settled days kept now (for the bound's test). */
  get settledDaysKept(): number {
    return this.settled.size;
  }

  async read(query: DashboardQuery): Promise<Dashboard> {
    const now = this.now();
    const { from, to } = dashboardRange(query, now);
    let hospitalId: string | undefined;
    const slug = query.hospital?.trim();
    if (slug !== undefined && slug !== '') {
      const row = await repo.findBySlug(this.db, 'hospitals', slug);
      if (row === undefined) throw AppError.field('hospital', 'unknownReference');
      hospitalId = row.id;
    }
    const firstDay = dayNumber(from);
    const count = dayNumber(to) - firstDay + 1;
    // Days up to this one ended SETTLED_AFTER_MS ago or more.
    const lastSettled = Math.floor((now - SETTLED_AFTER_MS + WIB_OFFSET_MS) / DAY) - 1;
    const key = (day: number) => `${hospitalId ?? '*'}|${day}`;
    const days = datesFrom(from, count).map((date) => ({ date, ...zero() }));
    // Counted in SQL: from the first day not kept on.
    let counted = 0;
    while (counted < count) {
      const day = firstDay + counted;
      const kept = day <= lastSettled ? this.settled.get(key(day)) : undefined;
      if (kept === undefined) break;
      Object.assign(days[counted]!, kept);
      counted += 1;
    }
    const start = (firstDay + counted) * DAY - WIB_OFFSET_MS;
    const end = (firstDay + count) * DAY - WIB_OFFSET_MS;

    const [perDay, today, attention] = await Promise.all([
      counted < count ? this.perDay(start, end, hospitalId) : Promise.resolve([]),
      this.today(now, hospitalId),
      this.attention(now, hospitalId),
    ]);
    for (const r of perDay) {
      const d = days[Number(r.day) - firstDay]!;
      const [a, b] = [Number(r.a), Number(r.b)];
      if (r.what === 'created') d.bookings = a;
      else if (r.what === 'paid') [d.paid, d.revenue] = [a, d.revenue + b];
      else if (r.what === 'refunded') [d.refunded, d.revenue] = [a, d.revenue - b];
      else [d.cancelled, d.missed] = [a, b];
    }
    for (let i = counted; i < count && firstDay + i <= lastSettled; i++) {
      const { date: _date, ...figures } = days[i]!;
      this.settled.set(key(firstDay + i), figures);
    }
    const totals = zero();
    for (const d of days) {
      for (const k of Object.keys(totals) as (keyof DashboardFigures)[]) totals[k] += d[k];
    }
    return {
      from,
      to,
      timezone: DASHBOARD_ZONE,
      days,
      totals,
      today,
      attention,
    };
  }

  /**
   * The per-day figures of [start, end), in one statement: a branch per figure, each a GROUP BY
   * over its own index (0003's orders_created_idx, 0009's others). Rows: what, day, a, b:
   * created (a: orders), paid (a: orders, b: their prices), refunded (a: orders, b: what went
   * back), events (a: cancelled, b: missed).
   */
  private perDay(start: number, end: number, hospitalId: string | undefined) {
    const db = this.db;
    const orders = (what: string, column: 'created_at' | 'paid_at' | 'refunded_at', b: RawBuilder<number>) =>
      db
        .selectFrom('orders')
        .select((eb) => [
          sql.lit(what).as('what'),
          wibDay(column).as('day'),
          eb.fn.countAll<number>().as('a'),
          b.as('b'),
        ])
        .where(column, '>=', start)
        .where(column, '<', end)
        .$if(hospitalId !== undefined, (q) => q.where('hospital_id', '=', hospitalId!))
        .groupBy(wibDay(column));
    const events = db
      .selectFrom('order_events as e')
      .select([
        sql.lit('events').as('what'),
        wibDay('e.created_at').as('day'),
        sql<number>`sum(case when ${inLiterals('e.to_status', CANCELLED_TO)} then 1 else 0 end)`.as('a'),
        sql<number>`sum(case when ${sql.ref('e.to_status')} = ${sql.lit(MISSED_TO)} then 1 else 0 end)`.as('b'),
      ])
      .where(inLiterals('e.to_status', EVENT_STATUSES))
      .where('e.created_at', '>=', start)
      .where('e.created_at', '<', end)
      // A late payment's order had already ended: not a cancellation of its own.
      .where('e.action', '<>', 'late_payment')
      .$if(hospitalId !== undefined, (q) =>
        q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('orders as o')
              .select(sql.lit(1).as('one'))
              .whereRef('o.id', '=', 'e.order_id')
              .where('o.hospital_id', '=', hospitalId!),
          ),
        ),
      )
      .groupBy(wibDay('e.created_at'));
    return orders('created', 'created_at', sql<number>`0`)
      .unionAll(orders('paid', 'paid_at', sql<number>`sum(${sql.ref('price')})`))
      .unionAll(
        orders(
          'refunded',
          'refunded_at',
          sql<number>`sum(case when ${sql.ref('paid_at')} is not null then ${sql.ref('price')} else 0 end)`,
        ),
      )
      .unionAll(events)
      .execute();
  }

  /** Today's appointments per hospital, "today" in each hospital's own zone. */
  private async today(now: number, hospitalId: string | undefined): Promise<DashboardToday[]> {
    const windows = Object.keys(ZONE_OFFSET_MINUTES).map((timezone) => {
      const begin = localToUtc(utcToLocal(now, timezone).date, 0, timezone);
      return { timezone, begin, end: begin + DAY };
    });
    const count = (statuses: readonly string[]) =>
      sql<number>`sum(case when ${inLiterals('o.status', statuses)} then 1 else 0 end)`;
    const rows = await this.db
      .selectFrom('orders as o')
      .innerJoin('hospitals as h', 'h.id', 'o.hospital_id')
      .select([
        'h.slug',
        'h.name',
        'h.timezone',
        count(APPOINTMENT_STATUSES).as('appointments'),
        count(['waiting_doctor_confirmation']).as('waiting_confirmation'),
        count(CONFIRMED).as('confirmed'),
        count(['done']).as('done'),
      ])
      // The union of the three days first (an index range), then each hospital's own.
      .where('o.start_at', '>=', Math.min(...windows.map((w) => w.begin)))
      .where('o.start_at', '<', Math.max(...windows.map((w) => w.end)))
      .where((eb) =>
        eb.or(
          windows.map((w) =>
            eb.and([eb('h.timezone', '=', w.timezone), eb('o.start_at', '>=', w.begin), eb('o.start_at', '<', w.end)]),
          ),
        ),
      )
      // The statuses are counted, not filtered: a condition on them would lead SQLite to the
      // status index (every order done or not), away from the day's few starts.
      .$if(hospitalId !== undefined, (q) => q.where('o.hospital_id', '=', hospitalId!))
      .groupBy(['o.hospital_id', 'h.slug', 'h.name', 'h.timezone'])
      .execute();
    return rows
      .filter((r) => Number(r.appointments) > 0)
      .map((r) => ({
        hospital_slug: r.slug,
        hospital_name: r.name,
        timezone: r.timezone,
        timezone_label: ZONE_LABELS[r.timezone] ?? 'WIB',
        appointments: Number(r.appointments),
        waiting_confirmation: Number(r.waiting_confirmation),
        confirmed: Number(r.confirmed),
        done: Number(r.done),
      }))
      .sort((a, b) =>
        a.hospital_name < b.hospital_name
          ? -1
          : a.hospital_name > b.hospital_name
            ? 1
            : a.hospital_slug < b.hospital_slug
              ? -1
              : 1,
      );
  }

  /**
   * What waits for someone, now, in one statement: each count over the status index's few open
   * orders (or the deliveries' indexes).
   */
  private async attention(now: number, hospitalId: string | undefined): Promise<Dashboard['attention']> {
    const db = this.db;
    const orders = (where: RawBuilder<boolean>) =>
      db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(where)
        .$if(hospitalId !== undefined, (q) => q.where('hospital_id', '=', hospitalId!));
    const deliveries = (state: 'failed' | 'pending') =>
      db
        .selectFrom('notification_deliveries as d')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('d.channel', '=', 'webhook')
        // Written out: the partial index of failed deliveries (0009) matches the literal only.
        .where(sql<boolean>`${sql.ref('d.state')} = ${sql.lit(state)}`)
        .$if(state === 'failed', (q) => q.where('d.updated_at', '>=', now - WEBHOOK_FAILED_WINDOW_MS))
        .$if(state === 'pending', (q) => q.where('d.last_error', 'is not', null))
        .$if(hospitalId !== undefined, (q) =>
          q.where((eb) =>
            eb.exists(
              eb
                .selectFrom('orders as o')
                .select(sql.lit(1).as('one'))
                .whereRef('o.id', '=', 'd.order_id')
                .where('o.hospital_id', '=', hospitalId!),
            ),
          ),
        );
    const status = sql.ref('status');
    const row = await db
      .selectNoFrom([
        orders(
          sql<boolean>`${status} = 'waiting_refund' and ${sql.ref('refund_due')} > 0 and ${sql.ref('refunded_at')} is null`,
        ).as('refunds_waiting'),
        orders(
          sql<boolean>`${status} = 'waiting_doctor_confirmation' and ${sql.ref('start_at')} < ${now + CONFIRM_DEADLINE_BEFORE_START_MS}`,
        ).as('confirm_overdue'),
        orders(sql<boolean>`${inLiterals('status', PROPOSING)} and ${sql.ref('proposed_at')} is not null`).as(
          'proposals_unanswered',
        ),
        deliveries('failed').as('webhooks_failed'),
        deliveries('pending').as('webhooks_retrying'),
      ])
      .executeTakeFirstOrThrow();
    return {
      refunds_waiting: Number(row.refunds_waiting),
      confirm_overdue: Number(row.confirm_overdue),
      proposals_unanswered: Number(row.proposals_unanswered),
      webhooks_failing: Number(row.webhooks_failed) + Number(row.webhooks_retrying),
    };
  }
}
