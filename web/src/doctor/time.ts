// Dates and times of the workspace. An order's date and time are local to its hospital (its
// `timezone`): they are shown as they are, with the zone's label (WIB, WITA, WIT), never
// converted to the phone's zone. Instants (deadlines, history) are shown in the order's zone too.
import { zoneLabel } from '../format';
import type { Lang } from './i18n';

const pad = (n: number) => String(n).padStart(2, '0');

/** Today on this phone, Y-m-d. */
export function todayYmd(now = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function addDays(ymd: string, days: number): string {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** "Kam, 3 Des": a local date, named in the chosen language. */
export function dateLabel(ymd: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(
    new Date(`${ymd}T00:00:00Z`),
  );
}

/** "08:00–08:30 WIB". */
export function slotLabel(time: string, end: string | null | undefined, timezone: string): string {
  return `${time}${end ? `–${end}` : ''} ${zoneLabel(timezone)}`.trim();
}

/** An instant in a zone, labelled: "3 Des 10.15 WITA". */
export function instantLabel(iso: string, timezone: string, locale: string): string {
  const text = new Intl.DateTimeFormat(locale, {
    timeZone: timezone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
  return `${text} ${zoneLabel(timezone)}`;
}

/** "2 jam 5 menit" / "2 h 5 min": a positive duration, coarse enough for a glance. */
export function durationLabel(ms: number, lang: Lang): string {
  const minutes = Math.max(0, Math.ceil(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const [d, h, m] = lang === 'id' ? ['hari', 'jam', 'menit'] : ['d', 'h', 'min'];
  if (days > 0) return `${days} ${d} ${hours} ${h}`;
  if (hours > 0) return `${hours} ${h} ${mins} ${m}`;
  return `${mins} ${m}`;
}
