import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Kysely } from 'kysely';
import type { Db } from '../db/index.js';
import { isUniqueViolation } from '../db/errors.js';
import { VersionedCache } from '../lib/cache.js';
import { CATALOGUE_VERSION, sanitizeArticleHtml } from '../modules/catalogue/index.js';
import { newId } from '../security/tokens.js';
import { systemClock } from '../clock.js';
import { lockUsernames } from '../modules/accounts/index.js';

/** What an import changes (or, in a dry run, would change) in one entity, by slug in file order. */
export interface EntityChanges {
  /** Slugs not in the database yet. */
  create: string[];
  /** Slugs in the database whose stored values differ from the file's. */
  update: string[];
  /** How many records of the file match the database already. */
  unchanged: number;
  /** For each slug of `update`, the fields of the file that differ (doctors: "practices" too). */
  fields: Record<string, string[]>;
}

export type CatalogueChanges = Record<Entity, EntityChanges>;

/** The records of the file per entity (and the doctors' practices), for the entities it holds. */
export type CatalogueCounts = Record<string, number>;

export interface CatalogueImportSummary {
  counts: CatalogueCounts;
  changes: CatalogueChanges;
}

export type CatalogueImportResult =
  ({ ok: true; dryRun: boolean } & CatalogueImportSummary) | { ok: false; errors: ImportProblem[] };

/** One problem of an import: its line in the file (0 when it concerns the file as a whole). */
export interface ImportProblem {
  line: number;
  message: string;
  /** Set when the problem is the file's name (its extension, or a CSV name naming no entity). */
  about?: 'name';
}

export interface CatalogueFile {
  /** The file's name (a path will do): its extension says JSON or CSV, a CSV's last word its entity. */
  name: string;
  /** Its text, already decoded. */
  text: string;
}

export interface CatalogueImportOptions {
  /** Check everything and say what would change, writing nothing. */
  dryRun?: boolean;
  now?: () => number;
  /** Runs in the import's transaction once everything is written (not in a dry run): an audit entry. */
  onWritten?: (trx: Db, summary: CatalogueImportSummary) => Promise<void>;
}

/*
 * The file formats (docs/catalogue.md documents them for operators):
 *
 * JSON: one object with any of the arrays `specialities`, `hospitals`, `doctors`, `articles`,
 * `categories`, `products`; each record an object with the fields of FIELDS below.
 * CSV: one entity per file, named by the last word of the file name (doctors.csv,
 * rs-harapan-doctors.csv), a header row naming the columns (any order), one record per row.
 *
 * Everything is checked before anything is written; the writes then run in one transaction.
 */

const ENTITIES = ['specialities', 'hospitals', 'doctors', 'articles', 'categories', 'products'] as const;
type Entity = (typeof ENTITIES)[number];
/** The entities of a catalogue file, in the order they are written. */
export const CATALOGUE_ENTITIES: readonly Entity[] = ENTITIES;
export type CatalogueEntity = Entity;

const SINGULAR: Record<Entity, string> = {
  specialities: 'speciality',
  hospitals: 'hospital',
  doctors: 'doctor',
  articles: 'article',
  categories: 'category',
  products: 'product',
};

const TABLE = {
  specialities: 'specialities',
  hospitals: 'hospitals',
  doctors: 'doctors',
  articles: 'articles',
  categories: 'product_categories',
  products: 'products',
} as const;

const FIELDS: Record<Entity, readonly string[]> = {
  specialities: ['slug', 'name', 'description', 'published'],
  hospitals: ['slug', 'name', 'city', 'timezone', 'address', 'province', 'phone', 'description', 'published'],
  doctors: ['slug', 'username', 'name', 'speciality', 'about', 'experience_years', 'practices', 'published'],
  articles: ['slug', 'title', 'body', 'excerpt', 'author', 'published_at', 'published'],
  categories: ['slug', 'name', 'description', 'published'],
  products: ['slug', 'name', 'category', 'price', 'stock', 'description', 'published'],
};

/** Columns a CSV header must name. */
const REQUIRED: Record<Entity, readonly string[]> = {
  specialities: ['slug', 'name'],
  hospitals: ['slug', 'name', 'city', 'timezone'],
  doctors: ['slug', 'username', 'name', 'speciality', 'practices'],
  articles: ['slug', 'title', 'body'],
  categories: ['slug', 'name'],
  products: ['slug', 'name', 'category', 'price'],
};

/** Words a CSV file name may end with, and the entity each names. */
const CSV_NAMES: Record<string, Entity> = {
  specialities: 'specialities',
  speciality: 'specialities',
  specialties: 'specialities',
  specialty: 'specialities',
  hospitals: 'hospitals',
  hospital: 'hospitals',
  doctors: 'doctors',
  doctor: 'doctors',
  articles: 'articles',
  article: 'articles',
  categories: 'categories',
  category: 'categories',
  products: 'products',
  product: 'products',
};

export const TIMEZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const USERNAME = /^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$/;
/** PostgreSQL `integer`: prices and stock are stored in it. */
const MAX_INT = 2_147_483_647;
const LIMITS = { slug: 100, username: 64, short: 200, phone: 50, address: 500, long: 10_000, body: 1_000_000 };

// ---------------------------------------------------------------------------------------------
// Records as read from the file, then as checked

interface SourceRecord {
  entity: Entity;
  /** 1-based position in its array (JSON) or among the data rows (CSV). */
  index: number;
  line: number;
  raw: unknown;
  problems: string[];
}

interface Base {
  src: SourceRecord;
  slug: string;
  /** Absent: kept as it is for an existing record, published for a new one. */
  published: boolean | undefined;
}
interface PracticeIn {
  hospital: string;
  call_price: number | null;
  reservasi_price: number | null;
}
interface SpecialityIn extends Base {
  name: string;
  description: string | null;
}
interface HospitalIn extends Base {
  name: string;
  city: string;
  timezone: string;
  address: string | null;
  province: string | null;
  phone: string | null;
  description: string | null;
}
interface DoctorIn extends Base {
  username: string;
  name: string;
  speciality: string;
  about: string | null;
  experience_years: number;
  practices: PracticeIn[];
}
interface ArticleIn extends Base {
  title: string;
  body_html: string;
  excerpt: string | null;
  author: string | null;
  published_at: number | undefined;
}
type CategoryIn = SpecialityIn;
interface ProductIn extends Base {
  name: string;
  category: string;
  price: number;
  stock: number | undefined;
  description: string | null;
}

interface Checked {
  specialities: SpecialityIn[];
  hospitals: HospitalIn[];
  doctors: DoctorIn[];
  articles: ArticleIn[];
  categories: CategoryIn[];
  products: ProductIn[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
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

// ---------------------------------------------------------------------------------------------
// Reading the file

/** Where lines start, so an offset in the text gives its line (\n, \r\n or a lone \r ends a line). */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function countLineBreaks(s: string): number {
  let breaks = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) breaks++;
  }
  return breaks;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export interface ParsedJson {
  value: unknown;
  /** Offset of each key of every object. */
  keys: WeakMap<object, Map<string, number>>;
  /** Offset of each element of every array. */
  items: WeakMap<unknown[], number[]>;
}

/**
 * A strict JSON (RFC 8259) parser that remembers where every object, key and array element
 * starts, so a bad record is reported by its line. Objects have no prototype (a "__proto__"
 * key is an ordinary key); a key given twice in one object is an error.
 */
export function parseJson(text: string): ParsedJson {
  const keys = new WeakMap<object, Map<string, number>>();
  const items = new WeakMap<unknown[], number[]>();
  const n = text.length;
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };
  const found = (): string => (i >= n ? 'the end of the file' : JSON.stringify(text[i]));
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const ESCAPES: Record<string, string> = {
    '"': '"',
    '\\': '\\',
    '/': '/',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
  };

  const string = (): string => {
    const start = i;
    i++;
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= n) fail('a string is never closed', start);
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(chunk, i);
        i++;
        return out;
      }
      if (c === 92) {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('a \\u escape needs four hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          i += 2;
        } else {
          fail(`unknown escape \\${e ?? ''} in a string`);
        }
        chunk = i;
      } else if (c < 0x20) {
        fail('a line break or control character inside a string (write a line break as \\n)');
      } else {
        i++;
      }
    }
  };

  const value = (depth: number): unknown => {
    if (depth > 64) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      const obj: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      const keyOffsets = new Map<string, number>();
      keys.set(obj, keyOffsets);
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') {
          fail(
            text[i] === '}'
              ? 'a comma before "}" (JSON allows no trailing comma)'
              : `expected a "quoted" field name, found ${found()}`,
          );
        }
        const keyAt = i;
        const key = string();
        if (keyOffsets.has(key)) fail(`field "${key}" is given twice in one object`, keyAt);
        ws();
        if (text[i] !== ':') fail(`expected ":" after "${key}", found ${found()}`);
        i++;
        keyOffsets.set(key, keyAt);
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return obj;
        } else fail(`expected "," or "}" after the value of "${key}", found ${found()}`);
      }
    }
    if (c === '[') {
      const arr: unknown[] = [];
      const offsets: number[] = [];
      items.set(arr, offsets);
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        ws();
        if (text[i] === ']') fail('a comma before "]" (JSON allows no trailing comma)');
        offsets.push(i);
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return arr;
        } else fail(`expected "," or "]" after an element, found ${found()}`);
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(text);
    if (num !== null) {
      i += num[0].length;
      return Number(num[0]);
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(i >= n ? 'the file ends where a value is expected' : `unexpected ${found()} where a value is expected`);
  };

  const result = value(0);
  ws();
  if (i < n) fail(`unexpected ${found()} after the end of the JSON value`);
  return { value: result, keys, items };
}

interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * RFC 4180 CSV: comma-separated fields; a field in double quotes may hold commas, line breaks
 * and "" for a quote. Records end with CRLF, LF or CR. Each row carries the physical line it
 * starts on. Blank lines are skipped.
 */
export function parseCsv(text: string): { rows: CsvRow[] } | { error: ImportProblem } {
  const rows: CsvRow[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  const error = (at: number, message: string) => ({ error: { line: at, message: `malformed CSV: ${message}` } });
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let quoted = false;
    for (;;) {
      if (text[i] === '"') {
        quoted = true;
        const fieldLine = line;
        let value = '';
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q === -1) return error(fieldLine, `field ${fields.length + 1} opens a quote here that is never closed`);
          const chunk = text.slice(i, q);
          line += countLineBreaks(chunk);
          value += chunk;
          if (text[q + 1] === '"') {
            value += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        fields.push(value);
        const c = text[i];
        if (c !== undefined && c !== ',' && c !== '\n' && c !== '\r') {
          return error(
            line,
            `${JSON.stringify(c)} after the closing quote of field ${fields.length} (a quote inside a quoted field is written "")`,
          );
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34) {
            return error(
              line,
              `a quote inside unquoted field ${fields.length + 1} (put the whole field in quotes and double the quote: "RS ""Harapan""")`,
            );
          }
          j++;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i += text[i + 1] === '\n' ? 2 : 1;
    else if (text[i] === '\n') i++;
    line++;
    if (fields.length === 1 && fields[0]!.trim() === '' && !quoted) continue;
    rows.push({ line: startLine, fields });
  }
  return { rows };
}

type Loaded = { records: SourceRecord[] } | { errors: ImportProblem[] };

function readText(file: string): string | ImportProblem {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    return { line: 0, message: `cannot read ${file}: ${why}` };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const loose = bytes.toString('utf8');
    return {
      line: lineIndex(loose)(loose.indexOf('\uFFFD')),
      message: 'the file is not UTF-8 text (save it as UTF-8, "CSV UTF-8" in a spreadsheet)',
    };
  }
  // TextDecoder drops a leading byte-order mark itself.
  return text;
}

function loadJson(text: string): Loaded {
  const lineOf = lineIndex(text);
  let parsed: ParsedJson;
  try {
    parsed = parseJson(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const line = lineOf(err.offset);
    const column = err.offset - text.lastIndexOf('\n', err.offset - 1);
    return { errors: [{ line, message: `malformed JSON (column ${column}): ${err.message}` }] };
  }
  const top = parsed.value;
  if (!isObject(top)) {
    return {
      errors: [
        {
          line: lineOf(text.length - text.trimStart().length),
          message: `the file must hold one JSON object with arrays ${ENTITIES.join(', ')}`,
        },
      ],
    };
  }
  const errors: ImportProblem[] = [];
  const records: SourceRecord[] = [];
  const keyOffsets = parsed.keys.get(top)!;
  for (const [key, list] of Object.entries(top)) {
    const keyLine = lineOf(keyOffsets.get(key)!);
    if (!(ENTITIES as readonly string[]).includes(key)) {
      errors.push({ line: keyLine, message: `unknown section "${key}" (expected ${ENTITIES.join(', ')})` });
      continue;
    }
    if (!Array.isArray(list)) {
      errors.push({ line: keyLine, message: `"${key}" must be an array of records` });
      continue;
    }
    const offsets = parsed.items.get(list)!;
    list.forEach((raw, k) =>
      records.push({ entity: key as Entity, index: k + 1, line: lineOf(offsets[k]!), raw, problems: [] }),
    );
  }
  if (errors.length > 0) return { errors };
  return { records };
}

function loadCsv(text: string, file: string): Loaded {
  const words = basename(file, extname(file))
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
  const entity = CSV_NAMES[words[words.length - 1] ?? ''];
  if (entity === undefined) {
    return {
      errors: [
        {
          line: 0,
          message: `cannot tell what ${basename(file)} holds: a CSV file name ends with what it holds (${ENTITIES.map((e) => `${e}.csv`).join(', ')})`,
          about: 'name',
        },
      ],
    };
  }
  const parsed = parseCsv(text);
  if ('error' in parsed) return { errors: [parsed.error] };
  const [header, ...rows] = parsed.rows;
  if (header === undefined) return { errors: [{ line: 1, message: 'the file is empty' }] };
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const headerProblems: string[] = [];
  const unknown = columns.filter((c) => !FIELDS[entity].includes(c));
  if (unknown.length > 0) {
    headerProblems.push(
      `unknown column(s) ${unknown.map((c) => `"${c}"`).join(', ')} (${entity} has ${FIELDS[entity].join(', ')})`,
    );
  }
  const twice = columns.filter((c, k) => columns.indexOf(c) !== k);
  if (twice.length > 0) headerProblems.push(`column(s) named twice: ${[...new Set(twice)].join(', ')}`);
  const missing = REQUIRED[entity].filter((c) => !columns.includes(c));
  if (missing.length > 0) headerProblems.push(`missing column(s) ${missing.join(', ')}`);
  if (headerProblems.length > 0) {
    return { errors: [{ line: header.line, message: `${entity} header: ${headerProblems.join('; ')}` }] };
  }
  const records = rows.map((row, k): SourceRecord => {
    const record: SourceRecord = { entity, index: k + 1, line: row.line, raw: null, problems: [] };
    if (row.fields.length !== columns.length) {
      record.problems.push(`has ${row.fields.length} field(s) where the header has ${columns.length}`);
      return record;
    }
    const raw: Record<string, unknown> = {};
    columns.forEach((c, j) => {
      if (row.fields[j]!.trim() !== '') raw[c] = row.fields[j];
    });
    record.raw = raw;
    return record;
  });
  return { records };
}

// ---------------------------------------------------------------------------------------------
// Writing

type Row = { id: string; slug: string } & Record<string, unknown>;
/** The catalogue tables seen through their common shape (id, slug, ...), for the generic upsert. */
type Loose = Kysely<Record<string, Row>>;

class Rejected extends Error {
  constructor(readonly errors: ImportProblem[]) {
    super('import rejected');
  }
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < list.length; k += size) out.push(list.slice(k, k + size));
  return out;
}

async function rowsBySlug(db: Loose, table: string, slugs: Iterable<string>): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  for (const part of chunks([...new Set(slugs)], 500)) {
    const rows = await db.selectFrom(table).selectAll().where('slug', 'in', part).execute();
    for (const row of rows as Row[]) found.set(row.slug, row);
  }
  return found;
}

/**
 * What the import does to each record of one entity, slug by slug in file order: null creates
 * it; a list names the fields that differ from the database (empty: the record is unchanged).
 */
type EntityLog = Map<string, string[] | null>;

/** Columns whose field in the file has another name (name_search is derived from the name). */
const FIELD_OF_COLUMN: Record<string, string> = {
  name_search: 'name',
  speciality_id: 'speciality',
  category_id: 'category',
  unpublished_at: 'published',
  body_html: 'body',
};

function summarize(logs: Record<Entity, EntityLog>): CatalogueChanges {
  const changes = {} as CatalogueChanges;
  for (const entity of ENTITIES) {
    const c: EntityChanges = { create: [], update: [], unchanged: 0, fields: {} };
    for (const [slug, fields] of logs[entity]) {
      if (fields === null) c.create.push(slug);
      else if (fields.length === 0) c.unchanged += 1;
      else {
        c.update.push(slug);
        c.fields[slug] = fields;
      }
    }
    changes[entity] = c;
  }
  return changes;
}

/**
 * Inserts the new slugs with new ids, updates the existing rows that differ, and notes both in
 * `log`; a dry run only notes them. Returns slug -> id (a dry run's new ids are never stored).
 */
async function upsert(
  db: Loose,
  table: string,
  existing: Map<string, Row>,
  records: readonly Base[],
  values: (record: never, row: Row | undefined) => Record<string, unknown>,
  now: number,
  log: EntityLog,
  dryRun: boolean,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const inserts: Record<string, unknown>[] = [];
  for (const record of records) {
    const row = existing.get(record.slug);
    const v = values(record as never, row);
    if (row === undefined) {
      const id = newId();
      ids.set(record.slug, id);
      log.set(record.slug, null);
      inserts.push({ id, slug: record.slug, ...v, created_at: now, updated_at: now });
    } else {
      ids.set(record.slug, row.id);
      const differ = Object.keys(v).filter((k) => row[k] !== v[k]);
      log.set(record.slug, [...new Set(differ.map((k) => FIELD_OF_COLUMN[k] ?? k))]);
      if (differ.length > 0 && !dryRun) {
        await db
          .updateTable(table)
          .set({ ...v, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      }
    }
  }
  if (!dryRun) for (const part of chunks(inserts, 100)) await db.insertInto(table).values(part).execute();
  return ids;
}

/** unpublished_at for `published`: absent keeps an existing record's state; new records are published. */
const unpublishedAt = (published: boolean | undefined, row: Row | undefined, now: number): number | null => {
  const current = (row?.unpublished_at as number | null | undefined) ?? null;
  if (published === undefined) return current;
  return published ? null : (current ?? now);
};

/** Slug -> id of the referenced rows that exist, for the references the file itself does not define. */
async function referenced(
  db: Loose,
  table: string,
  wanted: Iterable<string>,
  inFile: ReadonlySet<string>,
): Promise<Map<string, string>> {
  const need = [...new Set(wanted)].filter((s) => s !== '' && !inFile.has(s));
  const rows = await rowsBySlug(db, table, need);
  return new Map([...rows].map(([slug, row]) => [slug, row.id]));
}

/**
 * Checks the file's references and usernames against the database, then upserts it all; a dry
 * run does every check and works out every change the same way, but writes nothing.
 */
async function writeCatalogue(
  trx: Db,
  data: Checked,
  records: readonly SourceRecord[],
  now: number,
  dryRun: boolean,
): Promise<CatalogueImportSummary> {
  const db = trx as unknown as Loose;
  // First: it takes the write lock at once (SQLite) and queues concurrent imports (PostgreSQL).
  if (!dryRun) await VersionedCache.bump(trx, CATALOGUE_VERSION);

  const slugsOf = (list: readonly Base[]) => new Set(list.map((r) => r.slug));
  const fileSpecialities = slugsOf(data.specialities);
  const fileHospitals = slugsOf(data.hospitals);
  const fileCategories = slugsOf(data.categories);
  const dbSpecialities = await referenced(
    db,
    'specialities',
    data.doctors.map((d) => d.speciality),
    fileSpecialities,
  );
  const dbHospitals = await referenced(
    db,
    'hospitals',
    data.doctors.flatMap((d) => d.practices.map((p) => p.hospital)),
    fileHospitals,
  );
  const dbCategories = await referenced(
    db,
    'product_categories',
    data.products.map((p) => p.category),
    fileCategories,
  );

  // References: to records of this file, or to rows already in the database.
  for (const d of data.doctors) {
    if (d.speciality !== '' && !fileSpecialities.has(d.speciality) && !dbSpecialities.has(d.speciality)) {
      d.src.problems.push(`speciality "${d.speciality}" is neither in this file nor in the database`);
    }
    for (const p of d.practices) {
      if (!fileHospitals.has(p.hospital) && !dbHospitals.has(p.hospital)) {
        d.src.problems.push(`hospital "${p.hospital}" is neither in this file nor in the database`);
      }
    }
  }
  for (const p of data.products) {
    if (p.category !== '' && !fileCategories.has(p.category) && !dbCategories.has(p.category)) {
      p.src.problems.push(`category "${p.category}" is neither in this file nor in the database`);
    }
  }

  // A username belongs to one doctor: another doctor of the database may not hold it, unless
  // this file gives that doctor another one.
  const fileDoctors = new Map(data.doctors.map((d) => [d.slug, d]));
  const byUsername = new Map(data.doctors.filter((d) => d.username !== '').map((d) => [d.username.toLowerCase(), d]));
  for (const part of chunks([...byUsername.keys()], 500)) {
    const holders = await trx
      .selectFrom('doctors')
      .select(['slug', 'username'])
      .where((eb) => eb(eb.fn('lower', ['username']), 'in', part))
      .execute();
    for (const holder of holders) {
      const d = byUsername.get(holder.username.toLowerCase())!;
      const renamed = fileDoctors.get(holder.slug);
      if (
        holder.slug !== d.slug &&
        (renamed === undefined || renamed.username.toLowerCase() === d.username.toLowerCase())
      ) {
        d.src.problems.push(`username "${d.username}" belongs to doctor "${holder.slug}" in the database`);
      }
    }
  }
  // Nor may an account hold it (usernames are one namespace), but the doctor's own login.
  if (!dryRun) await lockUsernames(trx);
  for (const part of chunks([...byUsername.keys()], 500)) {
    const holders = await trx
      .selectFrom('users')
      .leftJoin('doctors', 'doctors.user_id', 'users.id')
      .select(['users.username_normalized as username', 'doctors.slug as slug'])
      .where('users.username_normalized', 'in', part)
      .execute();
    for (const holder of holders) {
      const d = byUsername.get(holder.username)!;
      if (holder.slug !== d.slug) d.src.problems.push(`username "${d.username}" belongs to an account`);
    }
  }
  // Every problem of the file at once, its own and its references': then nothing is written.
  if (records.some((r) => r.problems.length > 0)) throw new Rejected(problemsOf(records));

  const existing = {
    specialities: await rowsBySlug(db, 'specialities', fileSpecialities),
    hospitals: await rowsBySlug(db, 'hospitals', fileHospitals),
    categories: await rowsBySlug(db, 'product_categories', fileCategories),
    doctors: await rowsBySlug(db, 'doctors', fileDoctors.keys()),
    articles: await rowsBySlug(db, 'articles', slugsOf(data.articles)),
    products: await rowsBySlug(db, 'products', slugsOf(data.products)),
  };
  const logs = Object.fromEntries(ENTITIES.map((e) => [e, new Map()])) as Record<Entity, EntityLog>;

  const specialityIds = await upsert(
    db,
    TABLE.specialities,
    existing.specialities,
    data.specialities,
    (s: SpecialityIn, row) => ({
      name: s.name,
      description: s.description,
      unpublished_at: unpublishedAt(s.published, row, now),
    }),
    now,
    logs.specialities,
    dryRun,
  );
  const hospitalIds = await upsert(
    db,
    TABLE.hospitals,
    existing.hospitals,
    data.hospitals,
    (h: HospitalIn, row) => ({
      name: h.name,
      address: h.address,
      city: h.city,
      province: h.province,
      timezone: h.timezone,
      phone: h.phone,
      description: h.description,
      unpublished_at: unpublishedAt(h.published, row, now),
    }),
    now,
    logs.hospitals,
    dryRun,
  );
  const categoryIds = await upsert(
    db,
    TABLE.categories,
    existing.categories,
    data.categories,
    (c: CategoryIn, row) => ({
      name: c.name,
      description: c.description,
      unpublished_at: unpublishedAt(c.published, row, now),
    }),
    now,
    logs.categories,
    dryRun,
  );

  // Usernames that move between doctors: park the changing ones first, so no swap collides.
  for (const d of data.doctors) {
    const row = existing.doctors.get(d.slug);
    if (row !== undefined && row.username !== d.username && !dryRun) {
      await trx
        .updateTable('doctors')
        .set({ username: `~${row.id}` })
        .where('id', '=', row.id)
        .execute();
    }
  }
  const doctorIds = await upsert(
    db,
    TABLE.doctors,
    existing.doctors,
    data.doctors,
    (d: DoctorIn, row) => ({
      username: d.username,
      name: d.name,
      name_search: d.name.toLowerCase(),
      speciality_id: specialityIds.get(d.speciality) ?? dbSpecialities.get(d.speciality)!,
      about: d.about,
      experience_years: d.experience_years,
      unpublished_at: unpublishedAt(d.published, row, now),
    }),
    now,
    logs.doctors,
    dryRun,
  );

  // Practices: the file's list replaces the doctor's. A practice left out is unpublished, not
  // deleted, so its doctor_has_hospital_id (in orders and schedules) keeps pointing somewhere;
  // listing it again publishes the same id again.
  let practices = 0;
  const current = new Map<
    string,
    {
      id: number;
      doctor_id: string;
      call_price: number | null;
      reservasi_price: number | null;
      unpublished_at: number | null;
    }
  >();
  for (const part of chunks([...doctorIds.values()], 500)) {
    const rows = await trx
      .selectFrom('practices')
      .select(['id', 'doctor_id', 'hospital_id', 'call_price', 'reservasi_price', 'unpublished_at'])
      .where('doctor_id', 'in', part)
      .execute();
    for (const r of rows) current.set(`${r.doctor_id}|${r.hospital_id}`, r);
  }
  const newPractices: {
    doctor_id: string;
    hospital_id: string;
    call_price: number | null;
    reservasi_price: number | null;
    unpublished_at: null;
    created_at: number;
    updated_at: number;
  }[] = [];
  const kept = new Set<number>();
  /** Doctors whose practices change: an update of the doctor, in the summary. */
  const practicesChange = (slug: string) => {
    const fields = logs.doctors.get(slug);
    if (fields !== null && fields !== undefined && !fields.includes('practices')) fields.push('practices');
  };
  for (const d of data.doctors) {
    const doctorId = doctorIds.get(d.slug)!;
    for (const p of d.practices) {
      practices += 1;
      const hospitalId = hospitalIds.get(p.hospital) ?? dbHospitals.get(p.hospital)!;
      const row = current.get(`${doctorId}|${hospitalId}`);
      const v = { call_price: p.call_price, reservasi_price: p.reservasi_price, unpublished_at: null };
      if (row === undefined) {
        newPractices.push({ doctor_id: doctorId, hospital_id: hospitalId, ...v, created_at: now, updated_at: now });
        practicesChange(d.slug);
        continue;
      }
      kept.add(row.id);
      if (row.call_price !== v.call_price || row.reservasi_price !== v.reservasi_price || row.unpublished_at !== null) {
        practicesChange(d.slug);
        if (!dryRun) {
          await trx
            .updateTable('practices')
            .set({ ...v, updated_at: now })
            .where('id', '=', row.id)
            .execute();
        }
      }
    }
  }
  const slugOfDoctor = new Map([...doctorIds].map(([slug, id]) => [id, slug]));
  const droppedRows = [...current.values()].filter((r) => !kept.has(r.id) && r.unpublished_at === null);
  for (const r of droppedRows) practicesChange(slugOfDoctor.get(r.doctor_id)!);
  const dropped = droppedRows.map((r) => r.id);
  if (!dryRun) {
    for (const part of chunks(dropped, 500)) {
      await trx
        .updateTable('practices')
        .set({ unpublished_at: now, updated_at: now })
        .where('id', 'in', part)
        .execute();
    }
    for (const part of chunks(newPractices, 100)) await trx.insertInto('practices').values(part).execute();
  }

  await upsert(
    db,
    TABLE.articles,
    existing.articles,
    data.articles,
    (a: ArticleIn, row) => {
      const current = row === undefined ? undefined : ((row.published_at as number | null) ?? null);
      let publishedAt: number | null;
      if (a.published === false) publishedAt = null;
      else if (a.published_at !== undefined) publishedAt = a.published_at;
      else if (current === undefined) publishedAt = now;
      else publishedAt = a.published === true ? (current ?? now) : current;
      return {
        title: a.title,
        excerpt: a.excerpt,
        body_html: a.body_html,
        author: a.author,
        published_at: publishedAt,
      };
    },
    now,
    logs.articles,
    dryRun,
  );
  await upsert(
    db,
    TABLE.products,
    existing.products,
    data.products,
    (p: ProductIn, row) => ({
      name: p.name,
      description: p.description,
      price: p.price,
      // Stock is the shop's to count: a file without it keeps what the shop has.
      stock: p.stock ?? (row?.stock as number | undefined) ?? 0,
      category_id: categoryIds.get(p.category) ?? dbCategories.get(p.category)!,
      unpublished_at: unpublishedAt(p.published, row, now),
    }),
    now,
    logs.products,
    dryRun,
  );

  const counts: Record<string, number> = {};
  const count = (name: string, n: number, present: boolean) => {
    if (present) counts[name] = n;
  };
  const has = (e: Entity) => data[e].length > 0;
  count('specialities', data.specialities.length, has('specialities'));
  count('hospitals', data.hospitals.length, has('hospitals'));
  count('doctors', data.doctors.length, has('doctors'));
  count('practices', practices, has('doctors'));
  count('articles', data.articles.length, has('articles'));
  count('categories', data.categories.length, has('categories'));
  count('products', data.products.length, has('products'));
  return { counts, changes: summarize(logs) };
}

function problemsOf(records: readonly SourceRecord[]): ImportProblem[] {
  return records
    .filter((r) => r.problems.length > 0)
    .sort((a, b) => a.line - b.line)
    .map((r) => {
      const slug =
        isObject(r.raw) && typeof r.raw.slug === 'string' && SLUG.test(r.raw.slug.trim()) ? r.raw.slug.trim() : '';
      const label = slug !== '' ? `${SINGULAR[r.entity]} "${slug}"` : `${r.entity} record ${r.index}`;
      return { line: r.line, message: `${label}: ${r.problems.join('; ')}` };
    });
}

/** A database error the import reports as a problem rather than as a fault of this code. */
function isDatabaseRefusal(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_') || /^[0-9A-Z]{5}$/.test(code) || code.startsWith('E'));
}

/**
 * Loads a catalogue file (JSON or CSV), upserting by slug, all or nothing: every record is
 * checked first (fields, references to this file or to the database, duplicates); any problem
 * is reported by its line and nothing is written. Otherwise one transaction writes it all and
 * bumps the catalogue's cache version, so every API process shows it within a second.
 */
export async function importCatalogue(
  db: Db,
  file: string,
  now: () => number = systemClock,
): Promise<CatalogueImportResult> {
  const text = readText(file);
  if (typeof text !== 'string') return { ok: false, errors: [text] };
  try {
    return await importCatalogueText(db, { name: file, text }, { now });
  } catch (err) {
    // The database refused (busy, gone, out of space): say so plainly; anything else is a bug.
    if (isDatabaseRefusal(err)) {
      return {
        ok: false,
        errors: [{ line: 0, message: `the database refused the import (${err.code}: ${err.message})` }],
      };
    }
    throw err;
  }
}

/**
 * The import of a catalogue file's text (see importCatalogue); `file.name` says JSON or CSV and
 * a CSV's entity. A dry run does every check and works out what would change (the same summary
 * as the real run), writing nothing. A database that refuses (busy, gone) throws.
 */
export async function importCatalogueText(
  db: Db,
  file: CatalogueFile,
  options: CatalogueImportOptions = {},
): Promise<CatalogueImportResult> {
  const { dryRun = false, now = systemClock, onWritten } = options;
  // A byte-order mark left in decoded text (the file's reader keeps it, or a browser's does).
  const text = file.text.startsWith('\uFEFF') ? file.text.slice(1) : file.text;
  if (text.trim() === '') return { ok: false, errors: [{ line: 1, message: 'the file is empty' }] };
  const ext = extname(file.name).toLowerCase();
  if (ext !== '.json' && ext !== '.csv') {
    return {
      ok: false,
      errors: [{ line: 0, message: `${basename(file.name)}: the file name must end in .json or .csv`, about: 'name' }],
    };
  }
  const loaded = ext === '.json' ? loadJson(text) : loadCsv(text, file.name);
  if ('errors' in loaded) return { ok: false, errors: loaded.errors };
  if (loaded.records.length === 0) return { ok: false, errors: [{ line: 1, message: 'the file holds no records' }] };

  const checked: Checked = { specialities: [], hospitals: [], doctors: [], articles: [], categories: [], products: [] };
  for (const record of loaded.records) if (record.problems.length === 0) check(record, checked);

  // Within the file: one record per slug, one doctor per username.
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

  try {
    const summary = await db.transaction().execute(async (trx) => {
      const done = await writeCatalogue(trx, checked, loaded.records, now(), dryRun);
      if (!dryRun) await onWritten?.(trx, done);
      return done;
    });
    return { ok: true, dryRun, ...summary };
  } catch (err) {
    if (err instanceof Rejected) return { ok: false, errors: err.errors };
    if (isUniqueViolation(err)) {
      return {
        ok: false,
        errors: [
          {
            line: 0,
            message: 'another change to the catalogue collided with this import; nothing was imported, run it again',
          },
        ],
      };
    }
    throw err;
  }
}
