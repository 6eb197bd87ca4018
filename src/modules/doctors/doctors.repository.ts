import type { Db } from '../../db/index.js';

/** The doctor behind a doctor's account. */
export const doctorOfUser = (db: Db, userId: string) =>
  db.selectFrom('doctors').select(['id', 'name']).where('user_id', '=', userId).executeTakeFirst();

/** A doctor's practices with their hospitals, by hospital name. */
export const practicesOfDoctor = (db: Db, doctorId: string) =>
  db
    .selectFrom('practices')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .select([
      'practices.id',
      'practices.call_price',
      'practices.reservasi_price',
      'practices.unpublished_at',
      'hospitals.id as hospital_id',
      'hospitals.slug as hospital_slug',
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
export const leaveOfPractices = (db: Db, practiceIds: readonly number[], range: { from?: string; to?: string }) =>
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

export const findLeave = (db: Db, id: string) =>
  db.selectFrom('schedule_exceptions').selectAll().where('id', '=', id).where('kind', '=', 'leave').executeTakeFirst();

/** Orders of a practice that still hold a time, or propose one, overlapping [from, to). */
export const ordersOfPracticeBetween = (
  db: Db,
  practiceId: number,
  from: number,
  to: number,
  statuses: readonly string[],
) =>
  db
    .selectFrom('orders')
    .selectAll()
    .where('practice_id', '=', practiceId)
    .where((eb) =>
      eb.or([
        eb.and([eb('start_at', '<', to), eb('end_at', '>', from)]),
        eb.and([eb('proposed_start_at', '<', to), eb('proposed_end_at', '>', from)]),
      ]),
    )
    .where('status', 'in', [...statuses])
    .orderBy('start_at')
    .orderBy('id')
    .execute();

/** A leave of the practice with exactly these hours (null: the whole day), if there is one. */
export const sameLeave = (db: Db, practiceId: number, date: string, start: string | null, end: string | null) =>
  db
    .selectFrom('schedule_exceptions')
    .selectAll()
    .where('practice_id', '=', practiceId)
    .where('kind', '=', 'leave')
    .where('date', '=', date)
    .where((eb) => (start === null ? eb('start_time', 'is', null) : eb('start_time', '=', start)))
    .where((eb) => (end === null ? eb('end_time', 'is', null) : eb('end_time', '=', end)))
    .executeTakeFirst();
