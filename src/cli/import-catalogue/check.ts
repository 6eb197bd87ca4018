import { sanitizeArticleHtml } from '../../modules/catalogue/index.js';
import {
  ENTITIES,
  FIELDS,
  isObject,
  type Base,
  type Checked,
  type DoctorIn,
  type PracticeIn,
  type SourceRecord,
} from './types.js';

// The field checks of each record, as read from the file: every problem is noted on its record.

const TIMEZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;
export const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const USERNAME = /^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$/;
/** PostgreSQL `integer`: prices and stock are stored in it. */
const MAX_INT = 2_147_483_647;
const LIMITS = { slug: 100, username: 64, short: 200, phone: 50, address: 500, long: 10_000, body: 1_000_000 };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Reads the fields of one record, noting every problem instead of stopping at the first. */
class Reader {
  constructor(
    private readonly raw: Record<string, unknown>,
    allowed: readonly string[],
    private readonly problems: string[],
    private readonly prefix = '',
  ) {
    for (const key of Object.keys(raw)) {
      if (!allowed.includes(key)) this.problem(`unknown field "${key}" (expected ${allowed.join(', ')})`);
    }
  }

  problem(message: string): void {
    this.problems.push(this.prefix + message);
  }

  /** The value, or undefined when absent, null or blank. */
  private value(field: string): unknown {
    const v = this.raw[field];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return undefined;
    return v;
  }

  /** Text: a string, trimmed; null when absent. */
  text(field: string, max: number, required = false): string | null {
    const v = this.value(field);
    if (v === undefined) {
      if (required) this.problem(`${field} is required`);
      return null;
    }
    if (typeof v !== 'string') {
      this.problem(`${field} must be text`);
      return null;
    }
    const s = v.trim();
    if (s.includes('\u0000') || LONE_SURROGATE.test(s)) {
      this.problem(`${field} contains a character that cannot be stored (NUL or a lone surrogate)`);
      return null;
    }
    if (s.length > max) {
      this.problem(`${field} is longer than ${max} characters`);
      return null;
    }
    return s;
  }

  /** Required text; '' when missing (the problem is noted). */
  need(field: string, max: number): string {
    return this.text(field, max, true) ?? '';
  }

  /** A slug (its own or a reference); '' when missing or malformed. */
  slug(field: string, required = true): string {
    const s = this.text(field, LIMITS.slug, required);
    if (s === null) return '';
    if (!SLUG.test(s)) {
      this.problem(`${field} "${s}" is not a slug (lower-case letters and digits in words joined by "-")`);
      return '';
    }
    return s;
  }

  /** A whole number from 0 to max, as a number or a string of digits. */
  int(field: string, max: number, what = 'a whole number'): number | undefined {
    const v = this.value(field);
    if (v === undefined) return undefined;
    const s = typeof v === 'string' ? v.trim() : v;
    const n = typeof s === 'number' ? s : typeof s === 'string' && /^\d+$/.test(s) ? Number(s) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0 || n > max) {
      this.problem(`${field} must be ${what} from 0 to ${max} (got ${JSON.stringify(v)})`);
      return undefined;
    }
    return n;
  }

  /** A required whole number; 0 when missing or invalid (the problem is noted). */
  needInt(field: string, max: number, what?: string): number {
    if (this.value(field) === undefined) {
      this.problem(`${field} is required`);
      return 0;
    }
    return this.int(field, max, what) ?? 0;
  }

  price(field: string): number | null {
    return this.int(field, MAX_INT, 'a whole number of rupiah') ?? null;
  }

  bool(field: string): boolean | undefined {
    const v = this.value(field);
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const s = v.trim().toLowerCase();
      if (['true', 'yes', '1'].includes(s)) return true;
      if (['false', 'no', '0'].includes(s)) return false;
    }
    this.problem(`${field} must be true or false`);
    return undefined;
  }

  timezone(field: string): string {
    const s = this.need(field, LIMITS.short);
    if (s !== '' && !(TIMEZONES as readonly string[]).includes(s)) {
      this.problem(`${field} "${s}" must be one of ${TIMEZONES.join(', ')}`);
      return '';
    }
    return s;
  }

  /** An instant: Y-m-d (midnight in Jakarta) or an ISO 8601 date-time with Z or an offset. */
  timestamp(field: string): number | undefined {
    const s = this.text(field, LIMITS.short);
    if (s === null) return undefined;
    const ms = parseInstant(s);
    if (ms === undefined) {
      this.problem(
        `${field} "${s}" must be a date (2026-01-31) or a date-time with its offset (2026-01-31T08:00:00+07:00)`,
      );
    }
    return ms;
  }

  /** A doctor's practices: a JSON array of objects, or the CSV form "slug:call=N:reservasi=N|...". */
  practices(field: string): PracticeIn[] {
    const v = this.value(field);
    if (v === undefined) {
      this.problem(`${field} is required: at least one hospital the doctor practises at`);
      return [];
    }
    let items: unknown[];
    /** Practices of the text form whose own syntax is wrong: already reported. */
    const malformed = new Set<number>();
    if (typeof v === 'string') {
      items = [];
      const segments = v
        .split('|')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      for (const [i, segment] of segments.entries()) {
        const [hospital, ...pairs] = segment.split(':').map((s) => s.trim());
        const item: Record<string, unknown> = { hospital };
        for (const pair of pairs) {
          const m = /^(call|reservasi)\s*=\s*(.*)$/.exec(pair);
          if (m === null) {
            this.problem(`practice ${i + 1}: "${pair}" is not call=PRICE or reservasi=PRICE`);
            malformed.add(i);
          } else if (`${m[1]}_price` in item) {
            this.problem(`practice ${i + 1}: ${m[1]} is given twice`);
            malformed.add(i);
          } else {
            item[`${m[1]}_price`] = m[2];
          }
        }
        items.push(item);
      }
    } else if (Array.isArray(v)) {
      items = v;
    } else {
      this.problem(`${field} must be a list of practices`);
      return [];
    }
    if (items.length === 0) this.problem(`${field} needs at least one hospital the doctor practises at`);
    const result: PracticeIn[] = [];
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      const label = `practice ${i + 1}`;
      if (malformed.has(i)) continue;
      if (!isObject(item)) {
        this.problem(`${label} must be an object {hospital, call_price, reservasi_price}`);
        continue;
      }
      const before = this.problems.length;
      const r = new Reader(
        item,
        ['hospital', 'call_price', 'reservasi_price'],
        this.problems,
        `${this.prefix}${label}: `,
      );
      const hospital = r.slug('hospital');
      const call = r.price('call_price');
      const reservasi = r.price('reservasi_price');
      if (this.problems.length > before) continue;
      if (call === null && reservasi === null) {
        this.problem(`${label} (${hospital}) offers no appointment type: give a call and/or a reservasi price`);
      } else if (seen.has(hospital)) {
        this.problem(`${label}: hospital ${hospital} is listed twice`);
      } else {
        seen.add(hospital);
        result.push({ hospital, call_price: call, reservasi_price: reservasi });
      }
    }
    return result;
  }
}

/** Y-m-d (midnight, Asia/Jakarta) or Y-m-dTHH:mm[:ss[.SSS]] with Z or ±HH:MM; undefined when invalid. */
export function parseInstant(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(s);
  if (m === null) return undefined;
  const num = (k: number): number => (m[k] === undefined ? 0 : Number(m[k]));
  const [year, month, day, hour, minute, second] = [num(1), num(2), num(3), num(4), num(5), num(6)];
  const milli = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const offset = m[8] ?? '+07:00';
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (offset !== 'Z') {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 14 || om > 59) return undefined;
    offsetMinutes = (offset[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, milli) - offsetMinutes * 60_000;
}

function check(src: SourceRecord, checked: Checked): void {
  if (!isObject(src.raw)) {
    src.problems.push('must be an object with named fields');
    return;
  }
  const r = new Reader(src.raw, FIELDS[src.entity], src.problems);
  const base = { src, slug: r.slug('slug'), published: r.bool('published') };
  switch (src.entity) {
    case 'specialities':
    case 'categories':
      checked[src.entity].push({
        ...base,
        name: r.need('name', LIMITS.short),
        description: r.text('description', LIMITS.long),
      });
      return;
    case 'hospitals':
      checked.hospitals.push({
        ...base,
        name: r.need('name', LIMITS.short),
        city: r.need('city', LIMITS.short),
        timezone: r.timezone('timezone'),
        address: r.text('address', LIMITS.address),
        province: r.text('province', LIMITS.short),
        phone: r.text('phone', LIMITS.phone),
        description: r.text('description', LIMITS.long),
      });
      return;
    case 'doctors': {
      const username = r.need('username', LIMITS.username);
      if (username !== '' && !USERNAME.test(username)) {
        r.problem(`username "${username}" must be letters and digits, optionally joined by ".", "_" or "-"`);
      }
      checked.doctors.push({
        ...base,
        username: USERNAME.test(username) ? username : '',
        name: r.need('name', LIMITS.short),
        speciality: r.slug('speciality'),
        about: r.text('about', LIMITS.long),
        experience_years: r.int('experience_years', 100) ?? 0,
        practices: r.practices('practices'),
      });
      return;
    }
    case 'articles': {
      const body = r.need('body', LIMITS.body);
      const bodyHtml = body === '' ? '' : sanitizeArticleHtml(body).trim();
      if (body !== '' && bodyHtml === '')
        r.problem('body has nothing left once scripts and other disallowed HTML are removed');
      const publishedAt = r.timestamp('published_at');
      if (base.published === false && publishedAt !== undefined) {
        r.problem('published is false but published_at is given: leave one of them out');
      }
      checked.articles.push({
        ...base,
        title: r.need('title', LIMITS.short),
        body_html: bodyHtml,
        excerpt: r.text('excerpt', LIMITS.long),
        author: r.text('author', LIMITS.short),
        published_at: publishedAt,
      });
      return;
    }
    case 'products':
      checked.products.push({
        ...base,
        name: r.need('name', LIMITS.short),
        category: r.slug('category'),
        price: r.needInt('price', MAX_INT, 'a whole number of rupiah'),
        stock: r.int('stock', MAX_INT),
        description: r.text('description', LIMITS.long),
      });
      return;
  }
}

/**
 * Checks the fields of every record that was read cleanly, then what the file must hold once
 * only: one record per slug in each entity, one doctor per username.
 */
export function checkRecords(records: readonly SourceRecord[]): Checked {
  const checked: Checked = { specialities: [], hospitals: [], doctors: [], articles: [], categories: [], products: [] };
  for (const record of records) if (record.problems.length === 0) check(record, checked);

  for (const entity of ENTITIES) {
    const seen = new Map<string, number>();
    for (const r of checked[entity] as Base[]) {
      if (r.slug === '') continue;
      const first = seen.get(r.slug);
      if (first !== undefined) r.src.problems.push(`slug "${r.slug}" is already used at line ${first}`);
      else seen.set(r.slug, r.src.line);
    }
  }
  const usernames = new Map<string, DoctorIn>();
  for (const d of checked.doctors) {
    if (d.username === '') continue;
    const first = usernames.get(d.username.toLowerCase());
    if (first !== undefined) {
      d.src.problems.push(
        `username "${d.username}" is already used by doctor "${first.slug}" at line ${first.src.line}`,
      );
    } else usernames.set(d.username.toLowerCase(), d);
  }
  return checked;
}
