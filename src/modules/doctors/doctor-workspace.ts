import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import type { AdminSchedules } from '../admin/index.js';
import type { OrderRow } from '../booking/index.js';
import { ACTIVE_STATUSES, type BookingService, type DoctorOrderResource } from '../booking/index.js';
import { DAY, localToUtc, parseHm } from '../../lib/time.js';
import * as repo from './doctors.repository.js';

export interface DoctorPracticeResource {
  id: number;
  hospital: { id: string; name: string };
  timezone: string;
  call: boolean;
  reservasi: boolean;
  leave_allowed: boolean;
}

export interface LeaveResource {
  id: string;
  practice_id: number;
  hospital: string;
  timezone: string;
  date: string;
  start_time: string | null;
  end_time: string | null;
  /** Marked by this doctor (who may remove it); false: planned by the hospital's back office. */
  mine: boolean;
  created_at: string;
}

export interface LeaveInput {
  practice_id: number;
  date: string;
  start_time?: string;
  end_time?: string;
}

type LeaveRow = NonNullable<Awaited<ReturnType<typeof repo.findLeave>>>;

/** The hospitals of the calling app's scope (null: every one), as the order routes apply it. */
type Scope = readonly string[] | null;

/**
 * The doctor workspace's own operations beyond the order moves (BookingService): the doctor's
 * practices, and leave they mark themselves where their hospital allows it. Leave is a schedule
 * exception written by the back office's code (AdminSchedules), so it is validated, audited with
 * the doctor as the actor, and hides slots exactly as leave entered by an admin does. Like the
 * orders, everything is limited to the hospitals of the app's scope.
 */
export class DoctorWorkspace {
  constructor(
    private readonly db: Db,
    private readonly booking: BookingService,
    private readonly schedules: AdminSchedules,
  ) {}

  private async doctor(userId: string) {
    const doctor = await repo.doctorOfUser(this.db, userId);
    // A doctor account not linked to a doctor of the catalogue has nothing to show.
    if (doctor === undefined) throw new AppError('DOCTOR_NOT_FOUND');
    return doctor;
  }

  private async practiceRows(userId: string, scope: Scope) {
    const rows = await repo.practicesOfDoctor(this.db, (await this.doctor(userId)).id);
    return scope === null ? rows : rows.filter((p) => scope.includes(p.hospital_slug));
  }

  async practices(userId: string, scope: Scope): Promise<DoctorPracticeResource[]> {
    return (await this.practiceRows(userId, scope)).map((p) => ({
      id: Number(p.id),
      hospital: { id: p.hospital_id, name: p.hospital_name },
      timezone: p.timezone,
      call: p.call_price !== null,
      reservasi: p.reservasi_price !== null,
      leave_allowed: Number(p.doctor_leave_allowed) === 1,
    }));
  }

  async listLeave(userId: string, scope: Scope, range: { from?: string; to?: string }): Promise<LeaveResource[]> {
    const practices = await this.practiceRows(userId, scope);
    const rows = await repo.leaveOfPractices(
      this.db,
      practices.map((p) => Number(p.id)),
      range,
    );
    return rows.map((row) => this.leaveResource(row, practices, userId));
  }

  /**
   * Marks leave at one of the doctor's practices; 403 where the hospital plans leave itself. The
   * same leave marked again (a retry after a lost answer) is answered with the one that exists.
   */
  async createLeave(
    userId: string,
    scope: Scope,
    input: LeaveInput,
    baseUrl: string,
  ): Promise<{ leave: LeaveResource; affected_orders: DoctorOrderResource[] }> {
    const practices = await this.practiceRows(userId, scope);
    const practice = practices.find((p) => Number(p.id) === input.practice_id);
    if (practice === undefined) throw AppError.field('practice_id', 'unknownReference', { field: 'practice_id' });
    if (Number(practice.doctor_leave_allowed) !== 1) throw new AppError('LEAVE_NOT_ALLOWED');
    let row = await repo.sameLeave(
      this.db,
      input.practice_id,
      input.date,
      input.start_time ?? null,
      input.end_time ?? null,
    );
    if (row === undefined) {
      const created = await this.schedules.createException(
        userId,
        input.practice_id,
        {
          date: input.date,
          kind: 'leave',
          ...(input.start_time !== undefined ? { start_time: input.start_time } : {}),
          ...(input.end_time !== undefined ? { end_time: input.end_time } : {}),
        },
        userId,
      );
      row = (await repo.findLeave(this.db, created.id))!;
    }
    return {
      leave: this.leaveResource(row, practices, userId),
      affected_orders: await this.affectedOrders(row, practice.timezone, baseUrl),
    };
  }

  /** The orders that still hold a time in one of the doctor's leaves: each to be given a new time. */
  async leaveOrders(userId: string, scope: Scope, leaveId: string, baseUrl: string): Promise<DoctorOrderResource[]> {
    const { row, practice } = await this.ownLeave(userId, scope, leaveId);
    return this.affectedOrders(row, practice.timezone, baseUrl);
  }

  /** Only leave the doctor marked, where the hospital (still) lets doctors mark it. */
  async deleteLeave(userId: string, scope: Scope, leaveId: string): Promise<void> {
    const { row, practice } = await this.ownLeave(userId, scope, leaveId);
    if (Number(practice.doctor_leave_allowed) !== 1) throw new AppError('LEAVE_NOT_ALLOWED');
    if (row.created_by !== userId) throw new AppError('LEAVE_PLANNED_BY_HOSPITAL');
    await this.schedules.deleteException(userId, Number(row.practice_id), row.id);
  }

  private async ownLeave(userId: string, scope: Scope, leaveId: string) {
    const practices = await this.practiceRows(userId, scope);
    const row = await repo.findLeave(this.db, leaveId);
    const practice = row && practices.find((p) => Number(p.id) === Number(row.practice_id));
    if (row === undefined || practice === undefined) throw new AppError('LEAVE_NOT_FOUND');
    return { row, practice };
  }

  private async affectedOrders(row: LeaveRow, timezone: string, baseUrl: string): Promise<DoctorOrderResource[]> {
    const dayStart = localToUtc(row.date, 0, timezone);
    const from = row.start_time === null ? dayStart : localToUtc(row.date, parseHm(row.start_time)!, timezone);
    const to = row.end_time === null ? dayStart + DAY : localToUtc(row.date, parseHm(row.end_time)!, timezone);
    const orders: OrderRow[] = await repo.ordersOfPracticeBetween(
      this.db,
      Number(row.practice_id),
      from,
      to,
      ACTIVE_STATUSES,
    );
    return this.booking.doctorResources(orders, baseUrl);
  }

  private leaveResource(row: LeaveRow, practices: readonly repo.DoctorPracticeRow[], userId: string): LeaveResource {
    const practice = practices.find((p) => Number(p.id) === Number(row.practice_id));
    return {
      id: row.id,
      practice_id: Number(row.practice_id),
      hospital: practice?.hospital_name ?? '',
      timezone: practice?.timezone ?? 'Asia/Jakarta',
      date: row.date,
      start_time: row.start_time,
      end_time: row.end_time,
      mine: row.created_by === userId,
      created_at: new Date(row.created_at).toISOString(),
    };
  }
}
