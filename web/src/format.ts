// How the back office writes amounts and times: Rupiah, and each time in its hospital's own zone
// with the zone's Indonesian label.

const ZONE_LABELS: Record<string, string> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

export const zoneLabel = (timezone: string | null | undefined): string =>
  (timezone && ZONE_LABELS[timezone]) || timezone || '';

export function rupiah(amount: number | null | undefined, locale = 'id-ID'): string {
  if (amount === null || amount === undefined) return '—';
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'IDR', maximumFractionDigits: 0 }).format(amount);
}

/** "3 Des 2026 10.00 WIB": an instant in the given zone, labelled. */
export function zonedDateTime(iso: string | null | undefined, timezone: string, locale = 'id-ID'): string {
  if (!iso) return '—';
  const text = new Intl.DateTimeFormat(locale, {
    timeZone: timezone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
  return `${text} ${zoneLabel(timezone)}`;
}
