import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import type { PageRequest } from '../../http/pagination.js';
import { staffView, type BookingService, type StaffOrderResource } from '../booking/index.js';
import { ORDER_STATUSES } from '../booking/index.js';
import { addDays, isoInZone, localToUtc, ZONE_OFFSET_MINUTES } from '../../lib/time.js';
import * as repo from './admin.repository.js';
import type { OrderRow } from './admin.repository.js';
import { writeAudit } from './admin-audit.js';
import { limits, pageMeta, type Page } from './admin-helpers.js';

export interface AdminOrderResource extends StaffOrderResource {
  doctor_has_hospital_id: number;
  user_id: string;
  app_id: string;
  payment_provider: string | null;
  payment_ref: string | null;
  paid_at: string | null;
  refunded_at: string | null;
  updated_at: string;
}

export interface OrderListFilter {
  /** Statuses, any of which matches. */
  statuses?: string[];
  /** Slugs. */
  doctor?: string;
  hospital?: string;
  /** A transaction id, or a part of the patient's name. */
  q?: string;
  /** A hospital admin's hospitals (ids): only their orders. */
  hospitalIds?: readonly string[];
  /** The appointment's local date (Y-m-d), both ends included. */
  from?: string;
  to?: string;
}

/** `status=a,b`: the statuses named, each one of the lifecycle's; undefined for none. */
export function parseStatuses(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const statuses = [...new Set(raw.split(',').map((s) => s.trim()))].filter((s) => s !== '');
  if (statuses.some((s) => !(ORDER_STATUSES as readonly string[]).includes(s))) {
    throw AppError.field('status', 'oneOf', { values: ORDER_STATUSES.join(', ') });
  }
  return statuses;
}

/**
 * Orders as the back office sees them: every patient's, filtered and paginated, and the one
 * move that is the back office's, a refund made. Moves go through the booking service, so the
 * lifecycle's table decides (anything else is a 409 naming the status).
 */
export class AdminOrders {
  constructor(
    private readonly db: Db,
    private readonly booking: BookingService,
    private readonly now: () => number,
  ) {}

  /** A day's slots of a practice exactly as a patient's app sees them (no app's hospital scope). */
  slots(practiceId: number, date: string, type: 'call' | 'reservasi') {
    return this.booking.timeList(null, practiceId, date, type);
  }

  private async resource(order: OrderRow, baseUrl: string): Promise<AdminOrderResource> {
    return (await this.resources([order], baseUrl))[0]!;
  }

  /**
   * The patient's resource of each order (one batch) but for the payment link, whose secret is
   * the patient's alone, plus what only the back office sees.
   */
  private async resources(orders: readonly OrderRow[], baseUrl: string): Promise<AdminOrderResource[]> {
    const shared = await this.booking.resources(orders, baseUrl);
    return orders.map((order, i) => {
      const stamp = (ms: number | null) => (ms === null ? null : isoInZone(ms, order.timezone));
      return {
        ...staffView(shared[i]!),
        doctor_has_hospital_id: Number(order.practice_id),
        user_id: order.patient_user_id,
        app_id: order.app_id,
        payment_provider: order.payment_provider,
        payment_ref: order.payment_ref,
        paid_at: stamp(order.paid_at),
        refunded_at: stamp(order.refunded_at),
        updated_at: isoInZone(order.updated_at, order.timezone),
      };
    });
  }

  private async order(transactionId: string): Promise<OrderRow> {
    const order = await repo.orderByTransactionId(this.db, transactionId);
    if (order === undefined) throw new AppError('ORDER_NOT_FOUND');
    return order;
  }

  async list(filter: OrderListFilter, page: PageRequest, baseUrl: string): Promise<Page<AdminOrderResource>> {
    if (filter.from !== undefined && filter.to !== undefined && filter.to < filter.from) {
      throw AppError.field('to', 'minimum', { limit: filter.from });
    }
    const ids: { doctorId?: string; hospitalId?: string } = {};
    for (const [key, table, slug] of [
      ['doctorId', 'doctors', filter.doctor],
      ['hospitalId', 'hospitals', filter.hospital],
    ] as const) {
      if (slug === undefined || slug === '') continue;
      const row = await repo.findBySlug(this.db, table, slug);
      // A filter naming nothing that exists matches nothing.
      if (row === undefined) return { data: [], meta: pageMeta(page, 0) };
      ids[key] = row.id;
    }
    // A local date means other instants in each zone: one range per zone.
    const startRanges =
      filter.from === undefined && filter.to === undefined
        ? undefined
        : Object.keys(ZONE_OFFSET_MINUTES).map((timezone) => ({
            timezone,
            ...(filter.from !== undefined ? { from: localToUtc(filter.from, 0, timezone) } : {}),
            ...(filter.to !== undefined ? { before: localToUtc(addDays(filter.to, 1), 0, timezone) } : {}),
          }));
    const { rows, total } = await repo.listOrders(
      this.db,
      {
        ...ids,
        ...(filter.statuses !== undefined ? { statuses: filter.statuses } : {}),
        ...(filter.q !== undefined ? { search: filter.q } : {}),
        ...(filter.hospitalIds !== undefined ? { hospitalIds: filter.hospitalIds } : {}),
        ...(startRanges !== undefined ? { startRanges } : {}),
      },
      limits(page),
    );
    return { data: await this.resources(rows, baseUrl), meta: pageMeta(page, total) };
  }

  async show(transactionId: string, baseUrl: string): Promise<AdminOrderResource> {
    return this.resource(await this.order(transactionId), baseUrl);
  }

  /**
   * Records a refund the back office has made (in the gateway's dashboard, or by transfer):
   * waiting_refund → refunded, through the lifecycle. The move and its history are one
   * transaction (the booking service's); the audit row, naming the admin and the reference,
   * follows it.
   */
  async refund(
    actorId: string,
    transactionId: string,
    reference: string | undefined,
    baseUrl: string,
  ): Promise<AdminOrderResource> {
    const before = await this.order(transactionId);
    const after = await this.booking.move(before, 'refund_completed', 'admin', undefined);
    const note = reference?.trim() ? reference.trim() : null;
    await this.db.transaction().execute((trx) =>
      writeAudit(
        trx,
        actorId,
        [
          {
            action: 'refund',
            entity: 'order',
            entityId: before.transaction_id,
            before,
            after: { ...after, refund_reference: note },
          },
        ],
        this.now(),
      ),
    );
    return this.resource(after, baseUrl);
  }
}
