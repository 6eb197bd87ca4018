import { createHash, randomBytes } from 'node:crypto';
import { PostgresAdapter } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { BookingConfig } from '../../config.js';
import type { Db, DialectName } from '../../db/index.js';
import { GroupCommitter } from '../../db/group-commit.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError } from '../../http/errors.js';
import { paginate, type PageMeta, type PageRequest } from '../../http/pagination.js';
import { newId, newSortableId, pooledRandomBytes } from '../../security/tokens.js';
import { approxBytes, MiB } from '../../sizes.js';
import { avatarPath, normalizeLogin } from '../accounts/index.js';
import { isEmailVerified } from '../recovery/index.js';
import { VersionedCache, type VersionFeed } from '../../lib/cache.js';
import { CATALOGUE_VERSION, imagePath } from '../catalogue/index.js';
import type { PaymentNotification, PaymentOutcome, PaymentProvider } from '../payments/index.js';
import * as repo from './booking.repository.js';
import type { OrderRow, PracticeForBooking } from './booking.repository.js';
import {
  allowedActions,
  CONFIRM_BEFORE_MS,
  planMove,
  type Actor,
  type OrderAction,
  type OrderStatus,
} from './order-machine.js';
import { slotsOfDay, type AppointmentType, type Slot } from './schedule.js';
import { addDays, datesFrom, DAY, isoInZone, utcToLocal } from '../../lib/time.js';
import { systemClock } from '../../clock.js';
import { yieldToEventLoop, type Step } from '../../lib/jobs.js';

/** The list filter `type` of user/orders, as docs/architecture.md groups the statuses. */
export const STATUS_GROUPS: Record<string, OrderStatus[]> = {
  pending: ['waiting_payment', 'waiting_doctor_confirmation', 'reschedule_from_doctor', 'reschedule_from_patient'],
  booked: ['waiting_meeting'],
  apointment: ['join_now', 'on_air'],
  finish: ['done'],
  failed: ['order_failed', 'order_cancel', 'missed_meeting', 'waiting_refund', 'refunded'],
};

export interface TimeSlot {
  time: string;
  end_time: string;
  available: boolean;
}

export interface OrderResource {
  transaction_id: string;
  status: string;
  date: string;
  time: string;
  estimate: string;
  type: string;
  price: number;
  patient: string;
  note: string | null;
  hospital: string | null;
  timezone: string;
  start_at: string;
  doctor_account: { name: string; slug: string; thumb: string | null; speciality: string } | null;
  patient_account: { name: string; thumb: string | null; date_of_birth: string | null; gender: string | null } | null;
  payment_url: string | null;
  expires_at: string | null;
  meeting_url: string | null;
  proposed_date: string | null;
  proposed_time: string | null;
  refund_due: number;
  /** The patient's consent that the doctor reads their records. */
  allow_access_data: boolean;
  /** The practice (`doctor_has_hospital_id`) the order is at. */
  practice_id: number;
  decline_reason: string | null;
  consultation_note: string | null;
  diagnosis_codes: string[];
  created_at: string;
  history: { status: string; action: string; by: string; at: string }[];
}

/**
 * An order as its doctor and the back office see it: without the patient's payment link, whose
 * secret lets whoever holds it pay or fail the order.
 */
export type StaffOrderResource = Omit<OrderResource, 'payment_url'>;

/** The doctor's moves, by the path segment of POST /doctor-app/orders/{id}/{segment}. */
export const DOCTOR_ACTIONS = {
  confirm: 'confirm',
  decline: 'decline',
  propose: 'propose',
  'accept-proposal': 'accept_proposal',
  'reject-proposal': 'reject_proposal',
  'open-room': 'open_room',
  start: 'start',
  finish: 'finish',
  missed: 'missed',
} as const satisfies Record<string, OrderAction>;
export type DoctorActionSegment = keyof typeof DOCTOR_ACTIONS;
const SEGMENTS = Object.keys(DOCTOR_ACTIONS) as DoctorActionSegment[];

/** An order as its doctor sees it: what is due from them, by when, and the moves open to them now. */
export interface DoctorOrderResource extends StaffOrderResource {
  respond_before: string | null;
  actions: DoctorActionSegment[];
}

/** What a doctor writes with a move: the reason of a decline, the note and diagnosis of a finish. */
export interface DoctorMoveInput {
  proposal?: { date: string; time: string };
  reason?: string;
  note?: string;
  diagnosisCodes?: string[];
}

/** Statuses whose order still holds its time: those a leave must move. */
export const ACTIVE_STATUSES: readonly OrderStatus[] = [
  'waiting_payment',
  'waiting_doctor_confirmation',
  'waiting_meeting',
  'reschedule_from_doctor',
  'reschedule_from_patient',
  'join_now',
  'on_air',
];

/**
 * Where the lifecycle's events go (a port: app.ts plugs in the notifications module's outbox).
 * `recorded` runs in the transaction of each move, so an event is kept exactly when its change
 * is; `remindersDue` records the reminders due by `now` (an hour before each start).
 */
export interface OrderEvents {
  recorded(
    trx: Db,
    eventKey: string,
    order: Pick<OrderRow, 'id' | 'transaction_id' | 'status' | 'type' | 'start_at' | 'timezone' | 'proposed_start_at'>,
    event: { from_status: string | null; action: string; actor: string; created_at: number },
  ): Promise<unknown>;
  /** The row `recorded` writes, for a write that is not made through Kysely (PostgreSQL's booking). */
  row(
    eventKey: string,
    order: Pick<OrderRow, 'id' | 'transaction_id' | 'status' | 'type' | 'start_at' | 'timezone' | 'proposed_start_at'>,
    event: { from_status: string | null; action: string; actor: string; created_at: number },
  ): object;
  remindersDue(db: Db, now: number): Promise<unknown>;
}

export function staffView(order: OrderResource): StaffOrderResource {
  const { payment_url: _patientsOnly, ...rest } = order;
  return rest;
}

export interface BookingInput {
  practiceId: number;
  usernameDoctor: string;
  type: AppointmentType;
  date: string;
  time: string;
  patientName: string;
  price: number;
  note: string | null;
  /** The patient's consent that the doctor reads their records. */
  allowAccessData: boolean;
}

/** Who books: the patient, the app (its key's scope), and where its pages are. */
export interface Booker {
  userId: string;
  userName: string;
  email: string;
  /** The patient's account as the order resource shows it (the session has it already). */
  account: { name: string; avatar_image_id: string | null; date_of_birth: string | null; gender: string | null };
  appId: string;
  scope: string[] | null;
  baseUrl: string;
}

interface PracticeEntry {
  practice: PracticeForBooking;
  rules: Awaited<ReturnType<typeof repo.rulesOf>>;
  exceptions: Awaited<ReturnType<typeof repo.exceptionsSince>>;
}

const typeOffered = (p: { call_price: number | null; reservasi_price: number | null }, type: AppointmentType) =>
  type === 'call' ? p.call_price : p.reservasi_price;

/** A transaction id patients can read out on the phone: CX, the date, and 8 random characters. */
function newTransactionId(now: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const random = [...pooledRandomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
  return `CX${new Date(now).toISOString().slice(0, 10).replaceAll('-', '')}${random}`;
}

const HOUR = 3_600_000;

/** 429 with when to try again: once the oldest counted request leaves the hour. */
function tooMany(code: 'TOO_MANY_BOOKINGS' | 'TOO_MANY_CANCELLATIONS', max: number, waitMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError(code, {
    params: { max, minutes: Math.ceil(seconds / 60) },
    headers: { 'retry-after': String(seconds) },
  });
}

export class BookingService {
  /**
   * Practices with their weekly rules and recent exceptions, per catalogue version (schedule
   * changes bump it too): slot lists and bookings read no schedule from the database.
   */
  private readonly practices: VersionedCache;
  /** Booking transactions (many small ones at busy times) share commits on SQLite. */
  private readonly bookings: GroupCommitter;
  private readonly dialect: DialectName;

  constructor(
    private readonly db: Db,
    private readonly config: BookingConfig,
    private readonly payments: PaymentProvider,
    private readonly events: OrderEvents,
    private readonly now: () => number = systemClock,
    options: { cacheTtlMs?: number; dialect?: DialectName; versions?: VersionFeed } = {},
  ) {
    const { cacheTtlMs = 0, versions } = options;
    this.practices = new VersionedCache(db, CATALOGUE_VERSION, cacheTtlMs, 50_000, now, undefined, versions);
    // Which decides how a patient's bookings are serialised (see book): asked of the database
    // itself when not told.
    this.dialect = options.dialect ?? (db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite');
    this.bookings = new GroupCommitter(db, this.dialect);
  }

  /**
   * Held-slot reads in flight. Slot lists of one doctor that arrive while the same read is on
   * its way share it instead of queueing a query each (a popular doctor's calendar is opened by
   * many patients at once). Nothing is kept once a read returns, so no answer is older than one
   * query; a hold changed in this process starts a new generation, so whoever booked never joins
   * a read that began before their booking.
   */
  private readonly heldReads = new Map<string, { generation: number; read: Promise<Set<number>> }>();
  private holdGeneration = 0;

  private heldStarts(doctorId: string, from: number, to: number): Promise<Set<number>> {
    const key = `${doctorId}|${from}|${to}`;
    const inFlight = this.heldReads.get(key);
    if (inFlight !== undefined && inFlight.generation === this.holdGeneration) return inFlight.read;
    const entry = { generation: this.holdGeneration, read: repo.heldStarts(this.db, doctorId, from, to) };
    this.heldReads.set(key, entry);
    const forget = () => {
      if (this.heldReads.get(key) === entry) this.heldReads.delete(key);
    };
    entry.read.then(forget, forget);
    return entry.read;
  }

  /**
   * A practice's slots of one date and type, computed once per cached schedule. Bounded
   * (docs/operations.md, Memory bounds): 20,000 days or 16 MiB, least recently used first out.
   */
  private readonly daySlots = new LRUCache<string, { entry: PracticeEntry; slots: Slot[] }>({
    max: 20_000,
    maxSize: 16 * MiB,
    // The schedule itself is the practices cache's; only the slots count here.
    sizeCalculation: (value, key) => approxBytes(key) + approxBytes(value.slots) + 64,
  });

  private slotsOf(entry: PracticeEntry, date: string, type: AppointmentType): Slot[] {
    const key = `${entry.practice.id}|${date}|${type}`;
    const hit = this.daySlots.get(key);
    // A new schedule is a new entry: slots of the old one are recomputed.
    if (hit !== undefined && hit.entry === entry) return hit.slots;
    const slots = slotsOfDay(date, type, entry.practice.timezone, entry.rules, entry.exceptions);
    this.daySlots.set(key, { entry, slots });
    return slots;
  }

  /** Forgets this process's cached schedules, so a change made here shows at once. */
  invalidate(): void {
    this.practices.invalidate();
  }

  private practiceEntry(practiceId: number): Promise<PracticeEntry | undefined> {
    return this.practices.get(`practice:${practiceId}`, async () => {
      const practice = await repo.practiceForBooking(this.db, practiceId);
      if (practice === undefined) return undefined;
      // Older exceptions can no longer matter: nothing before yesterday is bookable anywhere.
      const since = addDays(new Date(this.now()).toISOString().slice(0, 10), -2);
      const [rules, exceptions] = await Promise.all([
        repo.rulesOf(this.db, practiceId),
        repo.exceptionsSince(this.db, practiceId, since),
      ]);
      return { practice, rules, exceptions };
    });
  }

  /** The practice, if the app may see it and patients may book it; else 404. */
  private async practice(practiceId: number, scope: string[] | null): Promise<PracticeEntry> {
    const entry = await this.practiceEntry(practiceId);
    const p = entry?.practice;
    const visible =
      p !== undefined &&
      p.practice_unpublished_at === null &&
      p.doctor_unpublished_at === null &&
      p.hospital_unpublished_at === null &&
      (scope === null || scope.includes(p.hospital_slug));
    if (!visible) throw new AppError('PRACTICE_NOT_FOUND_PUBLIC');
    return entry!;
  }

  /** The last local date a patient may book, in the hospital's zone. */
  private horizon(timezone: string): { today: string; last: string } {
    const today = utcToLocal(this.now(), timezone).date;
    return { today, last: addDays(today, this.config.horizonDays) };
  }

  async timeList(scope: string[] | null, practiceId: number, date: string, type: AppointmentType): Promise<TimeSlot[]> {
    const entry = await this.practice(practiceId, scope);
    const p = entry.practice;
    if (typeOffered(p, type) === null) return [];
    const slots = this.slotsOf(entry, date, type);
    if (slots.length === 0) return [];
    const { last } = this.horizon(p.timezone);
    const held = await this.heldStarts(p.doctor_id, slots[0]!.startAt, slots.at(-1)!.endAt);
    const now = this.now();
    return slots.map((s) => ({
      time: s.time,
      end_time: s.end_time,
      available: s.startAt > now && date <= last && !held.has(s.startAt),
    }));
  }

  /**
   * Which dates from `from` on (up to 31 days) have free slots, and how many: a calendar needs
   * one request instead of one a day. One query (the held slots), whatever the range.
   */
  async dateList(
    scope: string[] | null,
    practiceId: number,
    type: AppointmentType,
    from: string,
    days: number,
  ): Promise<{ date: string; available_slots: number }[]> {
    const entry = await this.practice(practiceId, scope);
    const p = entry.practice;
    const dates = datesFrom(from, days);
    if (typeOffered(p, type) === null) return dates.map((date) => ({ date, available_slots: 0 }));
    const perDate = dates.map((date) => ({ date, slots: this.slotsOf(entry, date, type) }));
    // Dates ascend and each date's slots are sorted: the range is first start to last end.
    const withSlots = perDate.filter((d) => d.slots.length > 0);
    const held =
      withSlots.length === 0
        ? new Set<number>()
        : await this.heldStarts(p.doctor_id, withSlots[0]!.slots[0]!.startAt, withSlots.at(-1)!.slots.at(-1)!.endAt);
    const now = this.now();
    const { last } = this.horizon(p.timezone);
    return perDate.map(({ date, slots }) => ({
      date,
      available_slots: date > last ? 0 : slots.filter((x) => x.startAt > now && !held.has(x.startAt)).length,
    }));
  }

  async book(
    booker: Booker,
    input: BookingInput,
    idempotencyKey: string | undefined,
  ): Promise<{ order: OrderResource; replay: boolean }> {
    if (
      this.config.requireVerifiedEmail &&
      !(await isEmailVerified(this.db, booker.userId, normalizeLogin(booker.email)))
    ) {
      throw new AppError('EMAIL_NOT_VERIFIED');
    }
    const now = this.now();
    const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    if (idempotencyKey !== undefined) {
      const seen = await repo.findIdempotency(this.db, booker.appId, booker.userId, idempotencyKey, now - DAY);
      if (seen) {
        if (seen.request_hash !== requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
        const earlier = (await repo.orderById(this.db, seen.order_id))!;
        // An app whose scope has shrunk since gets what a first request would: not found.
        if (!(await this.inScope(earlier, booker.scope))) throw new AppError('PRACTICE_NOT_FOUND_PUBLIC');
        return { order: await this.resource(earlier, booker.baseUrl), replay: true };
      }
    }

    const entry = await this.practice(input.practiceId, booker.scope);
    const p = entry.practice;
    if (input.usernameDoctor.trim().toLowerCase() !== p.doctor_username.toLowerCase()) {
      throw AppError.field('username_doctor', 'invalid');
    }
    const price = typeOffered(p, input.type);
    if (price === null || price === undefined) throw AppError.field('type', 'typeNotOffered');
    const slot = this.slotsOf(entry, input.date, input.type).find((s) => s.time === input.time);
    if (slot === undefined) throw AppError.field('time', 'notASlot');
    if (slot.startAt <= now) throw AppError.field('time', 'slotInPast');
    if (input.date > this.horizon(p.timezone).last) {
      throw AppError.field('time', 'beyondHorizon', { days: this.config.horizonDays });
    }
    // The server decides the price; a client showing another one must ask again.
    if (input.price !== price) throw new AppError('PRICE_MISMATCH', { params: { price } });

    const free = price === 0;
    const status: OrderStatus = free ? 'waiting_doctor_confirmation' : 'waiting_payment';
    const expiresAt = free ? null : Math.min(now + this.config.paymentMinutes * 60_000, slot.startAt - 30 * 60_000);
    const order: OrderRow = {
      id: newSortableId(now),
      transaction_id: newTransactionId(now),
      patient_user_id: booker.userId,
      app_id: booker.appId,
      practice_id: p.id,
      doctor_id: p.doctor_id,
      hospital_id: p.hospital_id,
      type: input.type,
      patient_name: input.patientName,
      note: input.note,
      price,
      status,
      start_at: slot.startAt,
      end_at: slot.endAt,
      timezone: p.timezone,
      proposed_start_at: null,
      proposed_end_at: null,
      proposed_at: null,
      status_before_proposal: null,
      payment_provider: free ? null : this.payments.name,
      payment_ref: null,
      payment_url: null,
      expires_at: expiresAt,
      paid_at: null,
      refund_due: 0,
      refunded_at: null,
      meeting_url: null,
      allow_access_data: input.allowAccessData ? 1 : 0,
      decline_reason: null,
      consultation_note: null,
      diagnosis_codes: null,
      created_at: now,
      updated_at: now,
    };
    const paymentInput = {
      orderId: order.id,
      transactionId: order.transaction_id,
      amount: price,
      expiresAt: expiresAt!,
      now,
      customer: { name: booker.userName, email: booker.email },
      baseUrl: booker.baseUrl,
    };
    // A provider that calls no one (the sandbox) is asked first, so the order is written whole
    // in one transaction; a gateway is called only once the slot is the patient's.
    if (!free && this.payments.local === true) {
      const payment = await this.payments.createPayment(paymentInput).catch(() => {
        throw new AppError('PAYMENT_UNAVAILABLE', { headers: { 'retry-after': '30' } });
      });
      order.payment_url = payment.url;
      order.payment_ref = payment.reference;
    }
    const event = {
      id: newSortableId(now),
      order_id: order.id,
      from_status: null,
      to_status: status,
      action: 'book',
      actor: 'patient',
      created_at: now,
    };
    const hold = {
      id: newSortableId(now),
      order_id: order.id,
      doctor_id: order.doctor_id,
      start_at: slot.startAt,
      end_at: slot.endAt,
      kind: 'booking' as const,
      created_at: now,
    };
    const idempotency =
      idempotencyKey === undefined
        ? null
        : {
            app_id: booker.appId,
            user_id: booker.userId,
            key: idempotencyKey,
            request_hash: requestHash,
            order_id: order.id,
            created_at: now,
          };
    try {
      if (this.dialect === 'postgres') {
        // One round trip: the same steps as below, in a function of the database (migration 0013).
        await repo.bookInOneTrip(this.db, {
          order,
          hold,
          event,
          outbox: this.events.row(event.id, order, event),
          idempotency,
          staleBefore: now - DAY,
          perHour: this.config.bookingsPerHour,
          hourAgo: now - HOUR,
          maxUnpaid: this.config.maxUnpaidOrders,
          free,
        });
      } else
        await this.bookings.run(async (trx) => {
          // The patient's limits are counted in the transaction that writes the order, after every
          // booking of theirs that came first has committed: the first write (the order) takes
          // SQLite's one write lock, so the count below sees the database as this transaction will
          // commit it. (PostgreSQL's function takes the patient's lock for the same end.)
          await repo.insertOrder(trx, order);
          // Before the limits: the same Idempotency-Key sent twice at once meets the first one's
          // key here and is answered with its order, not refused for the order it made.
          if (idempotency !== null) {
            // A row of this key past its day would conflict with the insert for ever (the catch
            // below would replay a key findIdempotency no longer sees): the key is free again.
            await repo.deleteStaleIdempotency(trx, booker.appId, booker.userId, idempotency.key, now - DAY);
            await repo.insertIdempotency(trx, idempotency);
          }
          await this.checkBookingLimits(trx, booker.userId, free, now);
          // The unique index on (doctor, start) is what makes a double booking impossible.
          await repo.insertHold(trx, hold);
          await repo.insertEvent(trx, event);
          // Its notification commits with it (the outbox); a job delivers it.
          await this.events.recorded(trx, event.id, order, event);
        });
      this.holdGeneration++;
    } catch (err) {
      // cexup_book's refusals (PostgreSQL): the limits checked in the function.
      const refused = repo.bookingRefusal(err);
      if (refused?.code === 'TOO_MANY_BOOKINGS') {
        throw tooMany('TOO_MANY_BOOKINGS', this.config.bookingsPerHour, refused.nthCreatedAt + HOUR - now);
      }
      if (refused?.code === 'TOO_MANY_UNPAID_ORDERS') {
        throw new AppError('TOO_MANY_UNPAID_ORDERS', { params: { max: this.config.maxUnpaidOrders } });
      }
      if (isUniqueViolation(err, 'slot_holds') || isUniqueViolation(err, 'doctor_id')) throw new AppError('SLOT_TAKEN');
      if (idempotencyKey !== undefined && isUniqueViolation(err)) {
        // The same key raced itself: answer as the request that won.
        return this.book(booker, input, idempotencyKey);
      }
      throw err;
    }

    if (!free && order.payment_url === null) {
      let payment;
      try {
        payment = await this.payments.createPayment(paymentInput);
      } catch {
        // No way to pay: the order fails at once and its slot is free again.
        await this.move(order, 'payment_failed', 'gateway', undefined);
        throw new AppError('PAYMENT_UNAVAILABLE', { headers: { 'retry-after': '30' } });
      }
      order.payment_url = payment.url;
      order.payment_ref = payment.reference;
      await repo.updateOrderIf(this.db, order.id, status, { payment_url: payment.url, payment_ref: payment.reference });
    }
    // Everything the resource shows is at hand: the practice (cached), the session's account
    // and the one history entry just written.
    return {
      order: this.toResource(
        order,
        { name: p.doctor_name, slug: p.doctor_slug, image_id: p.doctor_image_id, speciality: p.speciality },
        { name: p.hospital_name },
        booker.account,
        [event],
        booker.baseUrl,
      ),
      replay: false,
    };
  }

  /**
   * Refuses a booking past the patient's limits: unpaid orders (MAX_UNPAID_ORDERS) and bookings
   * in the last hour (RATE_LIMIT_BOOKINGS_PER_HOUR). Runs after the order's own insert, so
   * both counts include it; throwing rolls it back.
   */
  private async checkBookingLimits(trx: Db, userId: string, free: boolean, now: number): Promise<void> {
    const perHour = this.config.bookingsPerHour;
    // This order is the latest: over the limit when the one `perHour` before it is in the hour.
    const { unpaid, nthCreatedAt } = await repo.bookingLimits(trx, userId, perHour + 1);
    if (nthCreatedAt !== null && nthCreatedAt > now - HOUR) {
      throw tooMany('TOO_MANY_BOOKINGS', perHour, nthCreatedAt + HOUR - now);
    }
    if (unpaid - (free ? 0 : 1) >= this.config.maxUnpaidOrders) {
      throw new AppError('TOO_MANY_UNPAID_ORDERS', { params: { max: this.config.maxUnpaidOrders } });
    }
  }

  /**
   * Refuses a cancellation past RATE_LIMIT_CANCELS_PER_HOUR, with when the next one is possible.
   * Runs first in the cancellation's transaction, after the patient's earlier cancellations have
   * committed: on PostgreSQL behind the patient's lock (as bookings), on SQLite behind the write
   * lock, taken by a write that changes nothing before anything is read.
   */
  private async checkCancelLimit(trx: Db, userId: string, orderId: string): Promise<void> {
    if (this.dialect === 'postgres') await repo.lockPatient(trx, userId);
    else await repo.takeWriteLock(trx, orderId);
    const now = this.now();
    const perHour = this.config.cancelsPerHour;
    const nth = await repo.nthCancelAt(trx, userId, perHour);
    if (nth !== null && nth > now - HOUR) throw tooMany('TOO_MANY_CANCELLATIONS', perHour, nth + HOUR - now);
  }

  /**
   * Whether an order is at a hospital of the app's scope (hospital slugs; null: all of them).
   * Every order route asks: an app limited to some hospitals never sees or moves the others'.
   */
  private async inScope(order: Pick<OrderRow, 'hospital_id'>, scope: readonly string[] | null): Promise<boolean> {
    if (scope === null) return true;
    const slug = await repo.hospitalSlugOf(this.db, order.hospital_id);
    return slug !== undefined && scope.includes(slug);
  }

  /** The patient's orders at the hospitals of the app's scope, newest first. */
  async listOrders(
    userId: string,
    scope: readonly string[] | null,
    filter: { group?: string; type?: AppointmentType },
    page: PageRequest,
    baseUrl: string,
  ): Promise<{ data: OrderResource[]; meta: PageMeta }> {
    const rows = await repo.ordersOfPatient(this.db, userId, {
      ...(filter.group !== undefined ? { statuses: STATUS_GROUPS[filter.group]! } : {}),
      ...(filter.type !== undefined ? { type: filter.type } : {}),
      scope,
    });
    const { data, meta } = paginate(rows, page);
    return { data: await this.resources(data, baseUrl), meta };
  }

  /**
   * A patient's own order at a hospital of the app's scope; anyone else's, or one outside the
   * scope, answers as if it did not exist.
   */
  async ownOrder(userId: string, scope: readonly string[] | null, transactionId: string): Promise<OrderRow> {
    const order = await repo.orderByTransactionId(this.db, transactionId);
    if (order === undefined || order.patient_user_id !== userId || !(await this.inScope(order, scope))) {
      throw new AppError('ORDER_NOT_FOUND');
    }
    return order;
  }

  async showOrder(
    userId: string,
    scope: readonly string[] | null,
    transactionId: string,
    baseUrl: string,
  ): Promise<OrderResource> {
    return this.resource(await this.ownOrder(userId, scope, transactionId), baseUrl);
  }

  /** PUT /api/user/orders: accept the doctor's time, cancel, or propose a new time. */
  async patientAction(
    userId: string,
    scope: readonly string[] | null,
    transactionId: string,
    action: 'accept' | 'reject_by_patient' | 'reschedule',
    proposal: { date: string; time: string } | undefined,
    baseUrl: string,
  ): Promise<OrderResource> {
    const order = await this.ownOrder(userId, scope, transactionId);
    const limit =
      action === 'reject_by_patient' ? (trx: Db) => this.checkCancelLimit(trx, userId, order.id) : undefined;
    const updated = await this.move(order, action, 'patient', proposal, limit);
    return this.resource(updated, baseUrl);
  }

  orderByPaymentRef(reference: string): Promise<OrderRow | undefined> {
    return repo.orderByPaymentRef(this.db, reference);
  }

  /**
   * A verified gateway notification: recorded once (a repeat changes nothing), checked against
   * the order and its amount, then applied through the lifecycle. Returns what happened.
   * The record commits with the move it causes or not at all: should the move fail (a busy
   * database, a deadlock), nothing says the notification was seen, so the gateway's retry
   * applies it instead of being answered `repeat` while the order expires unpaid.
   */
  async gatewayNotification(
    provider: string,
    n: PaymentNotification,
  ): Promise<'applied' | 'repeat' | 'unknown_order' | 'amount_mismatch'> {
    const order = await repo.orderByTransactionId(this.db, n.transactionId);
    const record = {
      id: newId(),
      provider,
      notification_key: n.key,
      order_id: order?.id ?? null,
      outcome: n.outcome,
      created_at: this.now(),
    };
    if (order === undefined || (n.outcome === 'paid' && n.amount !== order.price)) {
      // Nothing to apply: only recorded, so that a repeat answers as one.
      if (!(await repo.recordNotification(this.db, record))) return 'repeat';
      return order === undefined ? 'unknown_order' : 'amount_mismatch';
    }
    const seenBefore = new Error('notification seen before');
    try {
      await this.paymentOutcome(order.transaction_id, n.outcome, async (trx) => {
        if (!(await repo.recordNotification(trx, record))) throw seenBefore;
      });
    } catch (err) {
      if (err === seenBefore) return 'repeat';
      throw err;
    }
    return 'applied';
  }

  /**
   * A doctor's own orders (their practices at the hospitals of the app's scope), soonest first;
   * `from` and `to` (Y-m-d, both included) are compared with each order's date in its zone.
   */
  async listDoctorOrders(
    userId: string,
    scope: readonly string[] | null,
    filter: { status?: string; from?: string; to?: string },
    page: PageRequest,
    baseUrl: string,
  ) {
    const doctor = await repo.doctorOfUser(this.db, userId);
    if (doctor === undefined) throw new AppError('ORDER_NOT_FOUND');
    // Indonesia's zones are UTC+7 to UTC+9: a day in any of them lies in this range of instants.
    const range = {
      from: filter.from === undefined ? undefined : Date.parse(`${filter.from}T00:00:00Z`) - 9 * 3_600_000,
      to: filter.to === undefined ? undefined : Date.parse(`${filter.to}T00:00:00Z`) + DAY - 7 * 3_600_000,
    };
    const rows = (await repo.ordersOfDoctor(this.db, doctor.id, filter.status, scope, range)).filter((o) => {
      const date = utcToLocal(o.start_at, o.timezone).date;
      return (filter.from === undefined || date >= filter.from) && (filter.to === undefined || date <= filter.to);
    });
    const { data, meta } = paginate(rows, page);
    return { data: await this.doctorResources(data, baseUrl), meta };
  }

  /** A doctor's own order at the hospitals of the app's scope; anyone else's answers as if it did not exist. */
  async ownDoctorOrder(userId: string, scope: readonly string[] | null, transactionId: string): Promise<OrderRow> {
    const [doctor, order] = await Promise.all([
      repo.doctorOfUser(this.db, userId),
      repo.orderByTransactionId(this.db, transactionId),
    ]);
    if (
      doctor === undefined ||
      order === undefined ||
      order.doctor_id !== doctor.id ||
      !(await this.inScope(order, scope))
    ) {
      throw new AppError('ORDER_NOT_FOUND');
    }
    return order;
  }

  /**
   * A doctor acts only on their own orders at the hospitals of the app's scope; anyone else's,
   * or one outside the scope, answers as if it did not exist.
   */
  async doctorAction(
    userId: string,
    scope: readonly string[] | null,
    transactionId: string,
    action: OrderAction,
    input: DoctorMoveInput,
    baseUrl: string,
  ): Promise<DoctorOrderResource> {
    const order = await this.ownDoctorOrder(userId, scope, transactionId);
    const written: Partial<OrderRow> = {};
    if (action === 'decline' && input.reason !== undefined) written.decline_reason = input.reason;
    if (action === 'finish') {
      if (input.note !== undefined) written.consultation_note = input.note;
      if (input.diagnosisCodes !== undefined && input.diagnosisCodes.length > 0) {
        written.diagnosis_codes = JSON.stringify(input.diagnosisCodes);
      }
    }
    const moved = await this.move(order, action, 'doctor', input.proposal, undefined, written);
    return (await this.doctorResources([moved], baseUrl))[0]!;
  }

  /**
   * The slots a doctor may propose for an order on `date`: free, ahead, of the order's practice
   * and type, and not the order's own time.
   */
  async freeSlotsForOrder(
    userId: string,
    scope: readonly string[] | null,
    transactionId: string,
    date: string,
  ): Promise<{ time: string; end_time: string }[]> {
    const order = await this.ownDoctorOrder(userId, scope, transactionId);
    // The same rules as a proposal (proposalSlot), not a patient's time list: a practice hidden
    // from patients keeps its orders, and those are the ones that most need a new time.
    const entry = await this.practiceEntry(Number(order.practice_id));
    if (entry === undefined) return [];
    const slots = this.slotsOf(entry, date, order.type);
    if (slots.length === 0 || date > this.horizon(order.timezone).last) return [];
    const held = await this.heldStarts(order.doctor_id, slots[0]!.startAt, slots.at(-1)!.endAt);
    const now = this.now();
    return slots
      .filter((s) => s.startAt > now && !held.has(s.startAt) && s.startAt !== order.start_at)
      .map(({ time, end_time }) => ({ time, end_time }));
  }

  /**
   * Whether an order's pending proposal is still a time its practice offers: leave (or a changed
   * schedule) since the proposal was made closes it, and it may then not become the order's time.
   */
  private async proposalStillOffered(order: OrderRow): Promise<boolean> {
    if (order.proposed_start_at === null) return false;
    const entry = await this.practiceEntry(Number(order.practice_id));
    if (entry === undefined) return false;
    const local = utcToLocal(order.proposed_start_at, order.timezone);
    return this.slotsOf(entry, local.date, order.type).some((s) => s.startAt === order.proposed_start_at);
  }

  /** The doctor's view of orders: the staff view, the deadline of what is due from them, the moves open now. */
  async doctorResources(orders: readonly OrderRow[], baseUrl: string): Promise<DoctorOrderResource[]> {
    const resources = await this.resources(orders, baseUrl);
    const now = this.now();
    const closed = new Set<string>();
    for (const order of orders) {
      if (order.status === 'reschedule_from_patient' && !(await this.proposalStillOffered(order))) closed.add(order.id);
    }
    return orders.map((order, i) => {
      const state = {
        status: order.status as OrderStatus,
        start_at: order.start_at,
        end_at: order.end_at,
        timezone: order.timezone,
        status_before_proposal: order.status_before_proposal as OrderStatus | null,
      };
      const open = allowedActions(
        state,
        SEGMENTS.map((segment) => DOCTOR_ACTIONS[segment]),
        'doctor',
        now,
        this.config.cutoffMinutes * 60_000,
        this.config.missedGraceMinutes * 60_000,
      );
      // The deadlines the job keeps (runDeadlines): a confirmation an hour before the start; an
      // answer to a proposal within a day of it, and an hour before the proposed time.
      const due =
        order.status === 'waiting_doctor_confirmation'
          ? order.start_at - CONFIRM_BEFORE_MS
          : order.status === 'reschedule_from_patient' && order.proposed_at !== null && order.proposed_start_at !== null
            ? Math.min(order.proposed_at + DAY, order.proposed_start_at - 3_600_000)
            : null;
      return {
        ...staffView(resources[i]!),
        respond_before: due === null ? null : isoInZone(due, order.timezone),
        // A proposal into a time no longer offered (leave since) can only be rejected.
        actions: SEGMENTS.filter(
          (segment) =>
            open.includes(DOCTOR_ACTIONS[segment]) && !(segment === 'accept-proposal' && closed.has(order.id)),
        ),
      };
    });
  }

  /**
   * What the gateway (or the sandbox) says about a payment. `within` runs in the transaction of
   * the move (on its own when there is nothing to move), so what it writes commits with it.
   */
  async paymentOutcome(
    transactionId: string,
    outcome: PaymentOutcome,
    within?: (trx: Db) => Promise<void>,
  ): Promise<OrderRow | undefined> {
    for (let attempt = 1; ; attempt++) {
      const order = await repo.orderByTransactionId(this.db, transactionId);
      if (order === undefined) return undefined;
      const action: OrderAction | undefined =
        outcome === 'paid'
          ? order.status === 'waiting_payment'
            ? 'pay'
            : order.status === 'order_failed' || order.status === 'order_cancel'
              ? 'late_payment'
              : undefined
          : outcome === 'failed' && order.status === 'waiting_payment'
            ? 'payment_failed'
            : outcome === 'refunded' && order.status === 'waiting_refund'
              ? 'refund_completed'
              : undefined;
      // Repeated or out-of-order notifications change nothing.
      if (action === undefined) {
        if (within !== undefined) await within(this.db);
        return order;
      }
      try {
        return await this.move(order, action, 'gateway', undefined, within);
      } catch (err) {
        // Another notification (or a deadline) moved the order since it was read: decide again
        // on the status it has now, so a repeat arriving at the same time is a repeat, not a 409.
        if (attempt < 3 && err instanceof AppError && err.code === 'ORDER_TRANSITION_NOT_ALLOWED') continue;
        throw err;
      }
    }
  }

  /**
   * Applies one move of the lifecycle: the status (only if it is still the one read, so of two
   * moves at once one wins), the slot holds, the money and the history, in one transaction.
   */
  async move(
    order: OrderRow,
    action: OrderAction,
    actor: Actor,
    proposal: { date: string; time: string } | undefined,
    /** Writes that commit with the move or not at all (a payment notification's record). */
    within?: (trx: Db) => Promise<void>,
    /** Columns the actor writes with the move (a decline's reason, a finish's note). */
    written: Partial<OrderRow> = {},
  ): Promise<OrderRow> {
    const now = this.now();
    const plan = planMove(
      {
        status: order.status as OrderStatus,
        start_at: order.start_at,
        end_at: order.end_at,
        timezone: order.timezone,
        status_before_proposal: order.status_before_proposal as OrderStatus | null,
      },
      action,
      actor,
      now,
      this.config.cutoffMinutes * 60_000,
      this.config.missedGraceMinutes * 60_000,
    );
    if (plan.effects.includes('promote_proposal') && !(await this.proposalStillOffered(order))) {
      throw new AppError('PROPOSAL_NO_LONGER_OFFERED');
    }
    let proposed: Slot | undefined;
    if (plan.effects.includes('hold_proposal')) {
      if (proposal === undefined) throw AppError.field('date', 'required');
      proposed = await this.proposalSlot(order, proposal);
    }
    const patch: Partial<OrderRow> = { ...written, status: plan.to, updated_at: now };
    for (const effect of plan.effects) {
      if (effect === 'mark_paid') patch.paid_at = now;
      // A full refund of what was paid: nothing for an order that was never paid.
      if (effect === 'refund_due')
        patch.refund_due = order.paid_at !== null || plan.effects.includes('mark_paid') ? order.price : 0;
      if (effect === 'mark_refunded') {
        patch.refunded_at = now;
        patch.refund_due = 0;
      }
      if (effect === 'promote_proposal') {
        patch.start_at = order.proposed_start_at!;
        patch.end_at = order.proposed_end_at!;
      }
      if (effect === 'free_proposal' || effect === 'promote_proposal') {
        Object.assign(patch, { proposed_start_at: null, proposed_end_at: null, proposed_at: null });
      }
    }
    if (proposed) {
      Object.assign(patch, { proposed_start_at: proposed.startAt, proposed_end_at: proposed.endAt, proposed_at: now });
    }
    if (plan.to === 'reschedule_from_doctor' || plan.to === 'reschedule_from_patient') {
      // The status to go back to is the one before the first proposal of a round.
      patch.status_before_proposal = order.status_before_proposal ?? plan.from;
    } else {
      patch.status_before_proposal = null;
    }
    if (plan.to === 'join_now' && order.type === 'call' && order.meeting_url === null) {
      // An unguessable room per order.
      patch.meeting_url = `${this.config.meetingBaseUrl}/cexup-${randomBytes(16).toString('hex')}`;
    }
    try {
      await this.db.transaction().execute(async (trx) => {
        if (within !== undefined) await within(trx);
        if (!(await repo.updateOrderIf(trx, order.id, order.status, patch))) {
          const current = await repo.orderById(trx, order.id);
          throw new AppError('ORDER_TRANSITION_NOT_ALLOWED', { params: { status: current?.status ?? order.status } });
        }
        for (const effect of plan.effects) {
          if (effect === 'free_booking') await repo.deleteHolds(trx, order.id, 'booking');
          if (effect === 'free_proposal') await repo.deleteHolds(trx, order.id, 'proposal');
          if (effect === 'promote_proposal') {
            await repo.deleteHolds(trx, order.id, 'booking');
            await repo.proposalToBooking(trx, order.id);
          }
        }
        if (proposed) {
          await repo.insertHold(trx, {
            id: newId(),
            order_id: order.id,
            doctor_id: order.doctor_id,
            start_at: proposed.startAt,
            end_at: proposed.endAt,
            kind: 'proposal',
            created_at: now,
          });
        }
        const event = {
          id: newSortableId(now),
          order_id: order.id,
          from_status: plan.from,
          to_status: plan.to,
          action,
          actor,
          created_at: now,
        };
        await repo.insertEvent(trx, event);
        // Every status change is notified: the outbox row commits with the change or not at all.
        await this.events.recorded(trx, event.id, { ...order, ...patch }, event);
      });
      if (plan.effects.length > 0 || proposed) this.holdGeneration++;
    } catch (err) {
      if (isUniqueViolation(err, 'slot_holds') || isUniqueViolation(err, 'doctor_id')) throw new AppError('SLOT_TAKEN');
      throw err;
    }
    return { ...order, ...patch } as OrderRow;
  }

  /** A proposed time must be a free slot of the same practice and type, ahead and in range. */
  private async proposalSlot(order: OrderRow, proposal: { date: string; time: string }): Promise<Slot> {
    const entry = await this.practiceEntry(order.practice_id);
    const slot =
      entry === undefined
        ? undefined
        : slotsOfDay(proposal.date, order.type, order.timezone, entry.rules, entry.exceptions).find(
            (s) => s.time === proposal.time,
          );
    if (slot === undefined) throw AppError.field('time', 'notASlot');
    if (slot.startAt <= this.now()) throw AppError.field('time', 'slotInPast');
    if (proposal.date > this.horizon(order.timezone).last) {
      throw AppError.field('time', 'beyondHorizon', { days: this.config.horizonDays });
    }
    if (slot.startAt === order.start_at) throw AppError.field('time', 'sameTime');
    return slot;
  }

  /**
   * The deadlines of the lifecycle, for the job: unpaid orders expire, unanswered confirmations
   * and proposals time out, call rooms open 10 minutes before, missed meetings are marked 30
   * minutes after the end. Each move is conditional on the status it read, so several API
   * processes running the job at once handle each order once.
   */
  async runDeadlines(step: Step = yieldToEventLoop): Promise<number> {
    const now = this.now();
    let moved = 0;
    const attempt = async (orders: OrderRow[], action: OrderAction, when: (o: OrderRow) => boolean = () => true) => {
      for (const o of orders.filter(when)) {
        // Many orders due at once (after a stop) must not hold requests back.
        await step();
        try {
          await this.move(o, action, 'job', undefined);
          moved += 1;
        } catch (err) {
          // Another process moved it first, or it is no longer due: nothing to do.
          if (!(err instanceof AppError)) throw err;
        }
      }
    };
    await attempt(await repo.ordersDue(this.db, ['waiting_payment'], 'expires_at', now), 'payment_failed');
    await attempt(
      await repo.ordersDue(this.db, ['waiting_doctor_confirmation'], 'start_at', now + CONFIRM_BEFORE_MS),
      'confirmation_timeout',
    );
    const proposals = await repo.ordersDue(
      this.db,
      ['reschedule_from_doctor', 'reschedule_from_patient'],
      'proposed_at',
      now + DAY,
    );
    await attempt(
      proposals,
      'proposal_timeout',
      (o) => o.proposed_at! + DAY <= now || o.proposed_start_at! - 3_600_000 <= now,
    );
    await attempt(
      await repo.ordersDue(this.db, ['waiting_meeting'], 'start_at', now + 10 * 60_000),
      'open_room',
      (o) => o.type === 'call',
    );
    await attempt(
      await repo.ordersDue(this.db, ['waiting_meeting', 'join_now'], 'end_at', now - 30 * 60_000),
      'missed',
    );
    // The reminder an hour before: not a move, an event recorded once per order and start time.
    await this.events.remindersDue(this.db, now);
    await repo.deleteIdempotencyBefore(this.db, now - DAY);
    return moved;
  }

  async resource(order: OrderRow, baseUrl: string): Promise<OrderResource> {
    return (await this.resources([order], baseUrl))[0]!;
  }

  /** The resources of several orders: four queries for the whole page, not four an order. */
  async resources(orders: readonly OrderRow[], baseUrl: string): Promise<OrderResource[]> {
    const [parties, events] = await Promise.all([
      repo.orderParties(this.db, orders),
      repo.eventsOfOrders(
        this.db,
        orders.map((o) => o.id),
      ),
    ]);
    return orders.map((order) =>
      this.toResource(
        order,
        parties.doctors.get(order.doctor_id),
        parties.hospitals.get(order.hospital_id),
        parties.patients.get(order.patient_user_id),
        events.filter((e) => e.order_id === order.id),
        baseUrl,
      ),
    );
  }

  private toResource(
    order: OrderRow,
    doctor: { name: string; slug: string; image_id: string | null; speciality: string } | undefined,
    hospital: { name: string } | undefined,
    patient:
      { name: string; avatar_image_id: string | null; date_of_birth: string | null; gender: string | null } | undefined,
    events: readonly { to_status: string; action: string; actor: string; created_at: number }[],
    baseUrl: string,
  ): OrderResource {
    const start = utcToLocal(order.start_at, order.timezone);
    const end = utcToLocal(order.end_at, order.timezone);
    const proposed = order.proposed_start_at === null ? null : utcToLocal(order.proposed_start_at, order.timezone);
    const live = order.status === 'join_now' || order.status === 'on_air';
    return {
      transaction_id: order.transaction_id,
      status: order.status,
      date: start.date,
      time: start.time,
      estimate: end.time,
      type: order.type,
      price: order.price,
      patient: order.patient_name,
      note: order.note,
      hospital: hospital?.name ?? null,
      timezone: order.timezone,
      start_at: isoInZone(order.start_at, order.timezone),
      doctor_account: doctor
        ? {
            name: doctor.name,
            slug: doctor.slug,
            thumb: doctor.image_id === null ? null : baseUrl + imagePath(doctor.image_id),
            speciality: doctor.speciality,
          }
        : null,
      patient_account: patient
        ? {
            name: patient.name,
            thumb: patient.avatar_image_id === null ? null : baseUrl + avatarPath(patient.avatar_image_id),
            date_of_birth: patient.date_of_birth,
            gender: patient.gender,
          }
        : null,
      payment_url: order.status === 'waiting_payment' ? order.payment_url : null,
      expires_at: order.expires_at === null ? null : isoInZone(order.expires_at, order.timezone),
      meeting_url: order.type === 'call' && live ? order.meeting_url : null,
      proposed_date: proposed?.date ?? null,
      proposed_time: proposed?.time ?? null,
      refund_due: order.refund_due,
      // Stored as 0/1: one portable column type on SQLite and PostgreSQL.
      allow_access_data: Number(order.allow_access_data) === 1,
      practice_id: Number(order.practice_id),
      decline_reason: order.decline_reason ?? null,
      consultation_note: order.consultation_note ?? null,
      diagnosis_codes: order.diagnosis_codes ? (JSON.parse(order.diagnosis_codes) as string[]) : [],
      created_at: isoInZone(order.created_at, order.timezone),
      history: events.map((e) => ({
        status: e.to_status,
        action: e.action,
        by: e.actor,
        at: isoInZone(e.created_at, order.timezone),
      })),
    };
  }
}
