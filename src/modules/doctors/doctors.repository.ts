import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

type Q = Kysely<Database>;

/** The doctor behind a doctor's account. */
export const doctorOfUser = (db: Q, userId: string) =>
  db.selectFrom('doctors').select(['id', 'name']).where('user_id', '=', userId).executeTakeFirst();

/** A doctor's practices with their hospitals, by hospital name. */
export const practicesOfDoctor = (db: Q, doctorId: string) =>
  db
    .selectFrom('practices')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .select([
      'practices.id',
      'practices.call_price',
      'practices.reservasi_price',
      'practices.unpublished_at',
      'hospitals.id as hospital_id',
      'hospitals.name as hospital_name',
      'hospitals.timezone',
      'hospitals.doctor_leave_allowed',
    ])
    .where('practices.doctor_id', '=', doctorId)
    .orderBy('hospitals.name')
    .orderBy('practices.id')
    .execute();

export type DoctorPracticeRow = Awaited<ReturnType<typeof practicesOfDoctor>>[number];

/** The leave (kind 'leave' exceptions) of some practices, by date, from `from` on. */
export const leaveOfPractices = (db: Q, practiceIds: readonly number[], range: { from?: string; to?: string }) =>
  practiceIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('schedule_exceptions')
        .selectAll()
        .where('practice_id', 'in', [...practiceIds])
        .where('kind', '=', 'leave')
        .$if(range.from !== undefined, (q) => q.where('date', '>=', range.from!))
        .$if(range.to !== undefined, (q) => q.where('date', '<=', range.to!))
        .orderBy('date')
        .orderBy('start_time')
        .orderBy('id')
        .execute();

export const findLeave = (db: Q, id: string) =>
  db.selectFrom('schedule_exceptions').selectAll().where('id', '=', id).where('kind', '=', 'leave').executeTakeFirst();

/** Orders of a practice that still hold a time overlapping [from, to). */
export const ordersOfPracticeBetween = (
  db: Q,
  practiceId: number,
  from: number,
  to: number,
  statuses: readonly string[],
) =>
  db
    .selectFrom('orders')
    .selectAll()
    .where('practice_id', '=', practiceId)
    .where('start_at', '<', to)
    .where('end_at', '>', from)
    .where('status', 'in', [...statuses])
    .orderBy('start_at')
    .orderBy('id')
    .execute();
