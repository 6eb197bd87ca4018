import type { ScheduleExceptionsTable, ScheduleRulesTable } from '../../db/schema.js';
import { isoWeekday, localToUtc, parseHm, formatHm } from '../../lib/time.js';

export type AppointmentType = 'call' | 'reservasi';

export interface Slot {
  /** Local start and end, HH:mm. */
  time: string;
  end_time: string;
  startAt: number;
  endAt: number;
}

type Rule = Pick<ScheduleRulesTable, 'weekday' | 'start_time' | 'end_time' | 'slot_minutes' | 'appointment_type'>;
type Exception = Pick<
  ScheduleExceptionsTable,
  'date' | 'kind' | 'start_time' | 'end_time' | 'slot_minutes' | 'appointment_type'
>;

function cut(start: number, end: number, length: number): [number, number][] {
  const slots: [number, number][] = [];
  for (let s = start; s + length <= end; s += length) slots.push([s, s + length]);
  return slots;
}

/**
 * The slots of one practice on one local date for one appointment type: the weekly rules of
 * that weekday, plus extra hours, minus leave (a whole day when it names no times).
 */
export function slotsOfDay(
  date: string,
  type: AppointmentType,
  timezone: string,
  rules: readonly Rule[],
  exceptions: readonly Exception[],
): Slot[] {
  const weekday = isoWeekday(date);
  const ranges: [number, number][] = [];
  for (const r of rules) {
    if (r.weekday !== weekday || r.appointment_type !== type) continue;
    ranges.push(...cut(parseHm(r.start_time)!, parseHm(r.end_time)!, r.slot_minutes));
  }
  for (const e of exceptions) {
    if (e.date !== date || e.kind !== 'extra' || e.appointment_type !== type) continue;
    if (e.start_time && e.end_time && e.slot_minutes) {
      ranges.push(...cut(parseHm(e.start_time)!, parseHm(e.end_time)!, e.slot_minutes));
    }
  }
  const leaves = exceptions.filter((e) => e.date === date && e.kind === 'leave');
  const onLeave = ([s, e]: [number, number]) =>
    leaves.some((l) => {
      if (!l.start_time || !l.end_time) return true;
      return s < parseHm(l.end_time)! && e > parseHm(l.start_time)!;
    });
  const seen = new Set<number>();
  const midnight = localToUtc(date, 0, timezone);
  return ranges
    .filter((range) => !onLeave(range))
    .sort((a, b) => a[0] - b[0])
    .filter(([s]) => (seen.has(s) ? false : (seen.add(s), true)))
    .map(([s, e]) => ({
      time: formatHm(s),
      end_time: formatHm(e),
      startAt: midnight + s * 60_000,
      endAt: midnight + e * 60_000,
    }));
}

/** Whether two weekly rules of one doctor would put them in two places at once. */
export function rulesOverlap(a: Rule, b: Rule): boolean {
  return (
    a.weekday === b.weekday &&
    parseHm(a.start_time)! < parseHm(b.end_time)! &&
    parseHm(b.start_time)! < parseHm(a.end_time)!
  );
}
