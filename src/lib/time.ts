import { LRUCache } from 'lru-cache';
import { approxBytes, MiB } from '../sizes.js';

/**
 * Local time in Indonesia's three zones. None of them has daylight saving, so each is a fixed
 * offset: slot times are the hospital's wall-clock times, whatever the patient's own zone.
 */
export const ZONE_OFFSET_MINUTES: Readonly<Record<string, number>> = {
  'Asia/Jakarta': 7 * 60, // WIB
  'Asia/Makassar': 8 * 60, // WITA
  'Asia/Jayapura': 9 * 60, // WIT
};

const MINUTE = 60_000;
export const DAY = 86_400_000;

export function offsetOf(timezone: string): number {
  const offset = ZONE_OFFSET_MINUTES[timezone];
  if (offset === undefined) throw new Error(`unsupported time zone ${timezone}`);
  return offset;
}

/** Minutes since midnight of "HH:mm", or undefined for anything else. */
export function parseHm(value: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export const formatHm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The instant of a local date ("Y-m-d") and minute of the day in a zone. */
export function localToUtc(date: string, minutes: number, timezone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) + (minutes - offsetOf(timezone)) * MINUTE;
}

/** The local date and time of an instant in a zone. */
export function utcToLocal(ms: number, timezone: string): { date: string; time: string } {
  const shifted = new Date(ms + offsetOf(timezone) * MINUTE);
  return { date: shifted.toISOString().slice(0, 10), time: shifted.toISOString().slice(11, 16) };
}

/** ISO 8601 with the zone's offset, e.g. 2026-12-01T09:00:00+07:00. */
export function isoInZone(ms: number, timezone: string): string {
  const offset = offsetOf(timezone);
  const local = new Date(ms + offset * MINUTE).toISOString().slice(0, 19);
  return `${local}+${String(Math.floor(offset / 60)).padStart(2, '0')}:${String(offset % 60).padStart(2, '0')}`;
}

/** ISO weekday (1 Monday ... 7 Sunday) of a calendar date. */
export function isoWeekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 ? 7 : day;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + days * DAY).toISOString().slice(0, 10);
}

/** Bounded (docs/operations.md, Memory bounds): 1,000 ranges or 4 MiB, least recently used first out. */
const dateRanges = new LRUCache<string, readonly string[]>({
  max: 1_000,
  maxSize: 4 * MiB,
  sizeCalculation: (dates, key) => approxBytes(key) + approxBytes(dates),
});

/** Ranges kept now (for the bound's test). */
export const dateRangesCached = (): number => dateRanges.size;

/**
 * `count` consecutive dates from `from` on. Calendars ask for the same few ranges all day, and
 * formatting 31 dates cost more than the rest of a date list: each range is made once.
 */
export function datesFrom(from: string, count: number): readonly string[] {
  const key = `${from}|${count}`;
  let dates = dateRanges.get(key);
  if (dates === undefined) {
    const [y, m, d] = from.split('-').map(Number) as [number, number, number];
    const start = Date.UTC(y, m - 1, d);
    dates = Array.from({ length: count }, (_, i) => new Date(start + i * DAY).toISOString().slice(0, 10));
    dateRanges.set(key, dates);
  }
  return dates;
}
