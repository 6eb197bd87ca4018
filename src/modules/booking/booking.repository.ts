import type { Db } from '../../db/index.js';
import { CompiledQuery, type Updateable } from 'kysely';
import { compiledOnce, insertRow } from '../../db/prepared.js';
import type { Database, OrdersTable } from '../../db/schema.js';

export type OrderRow = Database['orders'];

/** A practice as booking needs it: doctor, hospital, prices, and whether patients may see it. */
export const practiceForBooking = (db: Db, id: number) =>
  db
    .selectFrom('practices')
    .innerJoin('doctors', 'doctors.id', 'practices.doctor_id')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .innerJoin('specialities', 'specialities.id', 'doctors.speciality_id')
    .select([
      'practices.id',
      'practices.call_price',
      'practices.reservasi_price',
      'practices.unpublished_at as practice_unpublished_at',
      'doctors.id as doctor_id',
      'doctors.username as doctor_username',
      'doctors.unpublished_at as doctor_unpublished_at',
      'doctors.name as doctor_name',
      'doctors.slug as doctor_slug',
      'doctors.image_id as doctor_image_id',
      'specialities.name as speciality',
      'hospitals.id as hospital_id',
      'hospitals.name as hospital_name',
      'hospitals.slug as hospital_slug',
      'hospitals.timezone',
      'hospitals.unpublished_at as hospital_unpublished_at',
    ])
    .where('practices.id', '=', id)
    .executeTakeFirst();

export type PracticeForBooking = NonNullable<Awaited<ReturnType<typeof practiceForBooking>>>;

export const rulesOf = (db: Db, practiceId: number) =>
  db.selectFrom('schedule_rules').selectAll().where('practice_id', '=', practiceId).execute();

export const exceptionsSince = (db: Db, practiceId: number, from: string) =>
  db
    .selectFrom('schedule_exceptions')
    .selectAll()
    .where('practice_id', '=', practiceId)
    .where('date', '>=', from)
    .execute();

const heldQuery = compiledOnce((db: Db, doctorId: string, from: number, to: number) =>
  db
    .selectFrom('slot_holds')
    .select('start_at')
    .where('doctor_id', '=', doctorId)
    .where('start_at', '>=', from)
    .where('start_at', '<', to),
);

/** Start times of a doctor's held slots in [from, to). */
export async function heldStarts(db: Db, doctorId: string, from: number, to: number): Promise<Set<number>> {
  const rows = await heldQuery(db, doctorId, from, to);
  return new Set(rows.map((r) => Number(r.start_at)));
}

export const insertOrder = (db: Db, row: OrderRow) => insertRow(db, 'orders', row);

export const insertHold = (db: Db, row: Database['slot_holds']) => insertRow(db, 'slot_holds', row);

export const deleteHolds = (db: Db, orderId: string, kind: 'booking' | 'proposal') =>
  db.deleteFrom('slot_holds').where('order_id', '=', orderId).where('kind', '=', kind).execute();

export const proposalToBooking = (db: Db, orderId: string) =>
  db
    .updateTable('slot_holds')
    .set({ kind: 'booking' })
    .where('order_id', '=', orderId)
    .where('kind', '=', 'proposal')
    .execute();

export const insertEvent = (db: Db, row: Database['order_events']) => insertRow(db, 'order_events', row);

export const findIdempotency = (db: Db, appId: string, userId: string, key: string, since: number) =>
  db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('app_id', '=', appId)
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .where('created_at', '>', since)
    .executeTakeFirst();

export const insertIdempotency = (db: Db, row: Database['idempotency_keys']) =>
  db.insertInto('idempotency_keys').values(row).execute();

/**
 * Drops this key's row once it is older than `before` (past its 24 hours, not yet purged by the
 * job): the key is then free again, and its row must not make the insert that follows conflict.
 */
export const deleteStaleIdempotency = (db: Db, appId: string, userId: string, key: string, before: number) =>
  db
    .deleteFrom('idempotency_keys')
    .where('app_id', '=', appId)
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .where('created_at', '<=', before)
    .execute();

export const deleteIdempotencyBefore = (db: Db, before: number) =>
  db.deleteFrom('idempotency_keys').where('created_at', '<', before).execute();

const BOOK = 'select cexup_book($1::jsonb, $2::jsonb, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10)';

/**
 * PostgreSQL: a booking in one round trip, through the function of migration 0013 (the order,
 * its Idempotency-Key, the patient's limits under their lock, the slot hold, the first history
 * entry and the outbox row, in the call's own transaction). A taken slot or a raced key throws
 * the unique violation; a refused limit throws what `bookingRefusal` reads.
 */
export async function bookInOneTrip(
  db: Db,
  b: {
    order: OrderRow;
    hold: Database['slot_holds'];
    event: Database['order_events'];
    outbox: object;
    idempotency: Database['idempotency_keys'] | null;
    staleBefore: number;
    perHour: number;
    hourAgo: number;
    maxUnpaid: number;
    free: boolean;
  },
): Promise<void> {
  await db.executeQuery(
    CompiledQuery.raw(BOOK, [
      JSON.stringify(b.order),
      JSON.stringify(b.hold),
      JSON.stringify(b.event),
      JSON.stringify(b.outbox),
      b.idempotency === null ? null : JSON.stringify(b.idempotency),
      b.staleBefore,
      b.perHour,
      b.hourAgo,
      b.maxUnpaid,
      b.free,
    ]),
  );
}

/** A limit cexup_book refused (SQLSTATE CX001 or CX002), or undefined for any other error. */
export function bookingRefusal(
  err: unknown,
): { code: 'TOO_MANY_BOOKINGS'; nthCreatedAt: number } | { code: 'TOO_MANY_UNPAID_ORDERS' } | undefined {
  const e = err as { code?: unknown; detail?: unknown } | null;
  if (e?.code === 'CX001') return { code: 'TOO_MANY_BOOKINGS', nthCreatedAt: Number(e.detail) };
  if (e?.code === 'CX002') return { code: 'TOO_MANY_UNPAID_ORDERS' };
  return undefined;
}

/** Any number of this project's own: pg_advisory_xact_lock(PATIENT_LOCK, hashtext(user id)). */
const PATIENT_LOCK = 4201;
const LOCK_PATIENT = `select pg_advisory_xact_lock(${PATIENT_LOCK}, hashtext($1))`;

/**
 * Holds back every other transaction that takes the same patient's lock until this one ends
 * (PostgreSQL, across processes): what it counts next cannot change before it commits.
 */
export const lockPatient = (db: Db, userId: string) => db.executeQuery(CompiledQuery.raw(LOCK_PATIENT, [userId]));

const bookingLimitsQuery = compiledOnce((db: Db, userId: string, sameUserId: string, offset: number) =>
  db.selectNoFrom((eb) => [
    eb
      .selectFrom('orders')
      .select(eb.fn.countAll<number>().as('n'))
      .where('patient_user_id', '=', userId)
      .where('status', '=', 'waiting_payment')
      .as('unpaid'),
    eb
      .selectFrom('orders')
      .select('created_at')
      .where('patient_user_id', '=', sameUserId)
      .orderBy('created_at', 'desc')
      .limit(1)
      .offset(offset)
      .as('nth_created_at'),
  ]),
);

/**
 * In one statement, both read from an index alone: the patient's unpaid orders, and when they
 * booked their `nth` most recent order (1 is the latest; null if they have fewer).
 */
export async function bookingLimits(
  db: Db,
  userId: string,
  nth: number,
): Promise<{ unpaid: number; nthCreatedAt: number | null }> {
  const row = (await bookingLimitsQuery(db, userId, userId, nth - 1))[0]!;
  return { unpaid: Number(row.unpaid), nthCreatedAt: row.nth_created_at === null ? null : Number(row.nth_created_at) };
}

const cancelQuery = compiledOnce((db: Db, userId: string, offset: number) =>
  db
    .selectFrom('order_events')
    .innerJoin('orders', 'orders.id', 'order_events.order_id')
    .select('order_events.created_at')
    .where('orders.patient_user_id', '=', userId)
    .where('order_events.action', '=', 'reject_by_patient')
    .orderBy('order_events.created_at', 'desc')
    .limit(1)
    .offset(offset),
);

/** A write that changes nothing: on SQLite it takes the write lock before the reads that follow. */
export const takeWriteLock = (db: Db, orderId: string) =>
  db
    .updateTable('orders')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', orderId)
    .execute();

/** When the patient made their `nth` most recent cancellation (1 is the latest), if they made that many. */
export async function nthCancelAt(db: Db, userId: string, nth: number): Promise<number | null> {
  const row = (await cancelQuery(db, userId, nth - 1))[0];
  return row === undefined ? null : Number(row.created_at);
}

export const orderById = (db: Db, id: string) =>
  db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();

export const orderByTransactionId = (db: Db, transactionId: string) =>
  db.selectFrom('orders').selectAll().where('transaction_id', '=', transactionId).executeTakeFirst();

/** The ids of the hospitals of an app's scope (slugs), as a subquery. */
const hospitalsOf = (db: Db, scope: readonly string[]) =>
  db
    .selectFrom('hospitals')
    .select('id')
    // An empty scope matches no hospital (no slug is empty), rather than being an invalid `in ()`.
    .where('slug', 'in', scope.length > 0 ? [...scope] : ['']);

export const ordersOfPatient = (
  db: Db,
  userId: string,
  filter: { statuses?: string[]; type?: string; scope?: readonly string[] | null },
) =>
  db
    .selectFrom('orders')
    .selectAll()
    .where('patient_user_id', '=', userId)
    .$if(filter.statuses !== undefined, (q) => q.where('status', 'in', filter.statuses!))
    .$if(filter.type !== undefined, (q) => q.where('type', '=', filter.type as 'call'))
    .$if(filter.scope != null, (q) => q.where('hospital_id', 'in', hospitalsOf(db, filter.scope!)))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();

/** Changes an order only if it is still in `expected` status: of two moves at once, one wins. */
export async function updateOrderIf(
  db: Db,
  id: string,
  expected: string,
  patch: Updateable<OrdersTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('orders')
    .set(patch)
    .where('id', '=', id)
    .where('status', '=', expected)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Orders whose deadline of one kind has passed (the job's work list). */
export const ordersDue = (
  db: Db,
  status: string[],
  column: 'expires_at' | 'start_at' | 'end_at' | 'proposed_at',
  before: number,
) =>
  db
    .selectFrom('orders')
    .selectAll()
    .where('status', 'in', status)
    .where(column, '<', before)
    .orderBy(column)
    .limit(500)
    .execute();

const someOrNone = (ids: readonly string[]): string[] => (ids.length ? [...new Set(ids)] : ['']);

/** Names and pictures for the resources of several orders: three queries, whatever their number. */
export async function orderParties(
  db: Db,
  orders: readonly Pick<OrderRow, 'doctor_id' | 'hospital_id' | 'patient_user_id'>[],
) {
  const [doctors, hospitals, patients] = await Promise.all([
    db
      .selectFrom('doctors')
      .innerJoin('specialities', 'specialities.id', 'doctors.speciality_id')
      .select(['doctors.id', 'doctors.name', 'doctors.slug', 'doctors.image_id', 'specialities.name as speciality'])
      .where('doctors.id', 'in', someOrNone(orders.map((o) => o.doctor_id)))
      .execute(),
    db
      .selectFrom('hospitals')
      .select(['id', 'name'])
      .where('id', 'in', someOrNone(orders.map((o) => o.hospital_id)))
      .execute(),
    db
      .selectFrom('users')
      .select(['id', 'name', 'avatar_image_id', 'date_of_birth', 'gender'])
      .where('id', 'in', someOrNone(orders.map((o) => o.patient_user_id)))
      .execute(),
  ]);
  return {
    doctors: new Map(doctors.map((d) => [d.id, d])),
    hospitals: new Map(hospitals.map((h) => [h.id, h])),
    patients: new Map(patients.map((u) => [u.id, u])),
  };
}

/** The histories of several orders, each in creation order. */
export const eventsOfOrders = (db: Db, orderIds: readonly string[]) =>
  db
    .selectFrom('order_events')
    .selectAll()
    .where('order_id', 'in', someOrNone(orderIds))
    .orderBy('created_at')
    .orderBy('id')
    .execute();

/** The slug of an order's hospital, to check it against an app's scope. */
export const hospitalSlugOf = async (db: Db, hospitalId: string): Promise<string | undefined> =>
  (await db.selectFrom('hospitals').select('slug').where('id', '=', hospitalId).executeTakeFirst())?.slug;

export const orderByPaymentRef = (db: Db, reference: string) =>
  db.selectFrom('orders').selectAll().where('payment_ref', '=', reference).executeTakeFirst();

/** Records a gateway notification once; false when it was seen before. */
export async function recordNotification(db: Db, row: Database['payment_notifications']): Promise<boolean> {
  const inserted = await db
    .insertInto('payment_notifications')
    .values(row)
    .onConflict((oc) => oc.columns(['provider', 'notification_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The doctor record whose login is this user. */
export const doctorOfUser = (db: Db, userId: string) =>
  db.selectFrom('doctors').select(['id', 'slug']).where('user_id', '=', userId).executeTakeFirst();

export const ordersOfDoctor = (
  db: Db,
  doctorId: string,
  status: string | undefined,
  scope: readonly string[] | null = null,
  range: { from?: number | undefined; to?: number | undefined } = {},
) =>
  db
    .selectFrom('orders')
    .selectAll()
    .where('doctor_id', '=', doctorId)
    .$if(status !== undefined, (q) => q.where('status', '=', status!))
    .$if(range.from !== undefined, (q) => q.where('start_at', '>=', range.from!))
    .$if(range.to !== undefined, (q) => q.where('start_at', '<', range.to!))
    .$if(scope !== null, (q) => q.where('hospital_id', 'in', hospitalsOf(db, scope!)))
    .orderBy('start_at')
    .orderBy('id')
    .execute();
