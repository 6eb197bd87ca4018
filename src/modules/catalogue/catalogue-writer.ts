import { CompiledQuery, PostgresAdapter, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Database } from '../../db/schema.js';
import { sanitizeArticleHtml } from './catalogue.service.js';

// The one writer of catalogue rows. The back office, the import and the demo seed all build and
// write their rows here, so what is stored for what is given (trimmed text, blank optional text
// as null, a doctor's name_search, an article's sanitised HTML, a new row's picture and
// publication columns) is decided once, and a field added later is added in one place.

/** The catalogue's tables with a slug. */
export type CatalogueTable = 'specialities' | 'hospitals' | 'doctors' | 'articles' | 'product_categories' | 'products';

/** What a writer gives for a row of each table; references are ids, already resolved. */
export interface CatalogueFields {
  specialities: { slug?: string; name?: string; description?: string | null };
  product_categories: { slug?: string; name?: string; description?: string | null };
  hospitals: {
    slug?: string;
    name?: string;
    address?: string | null;
    city?: string;
    province?: string | null;
    timezone?: string;
    phone?: string | null;
    description?: string | null;
    doctor_leave_allowed?: boolean;
  };
  doctors: {
    slug?: string;
    username?: string;
    name?: string;
    speciality_id?: string;
    about?: string | null;
    experience_years?: number;
  };
  /** `body` is HTML as given: it is stored sanitised. */
  articles: { slug?: string; title?: string; excerpt?: string | null; author?: string | null; body?: string };
  products: {
    slug?: string;
    name?: string;
    description?: string | null;
    price?: number;
    stock?: number;
    category_id?: string;
  };
}

/** Trimmed text. */
const text = (v: string): string => v.trim();
/** Trimmed optional text; blank is null. */
const optionalText = (v: string | null): string | null => (v === null || v.trim() === '' ? null : v.trim());

/** The fields each table takes; anything else a caller passes along is not a column and is left out. */
const FIELDS: Record<CatalogueTable, ReadonlySet<string>> = {
  specialities: new Set(['slug', 'name', 'description']),
  product_categories: new Set(['slug', 'name', 'description']),
  hospitals: new Set([
    'slug',
    'name',
    'address',
    'city',
    'province',
    'timezone',
    'phone',
    'description',
    'doctor_leave_allowed',
  ]),
  doctors: new Set(['slug', 'username', 'name', 'speciality_id', 'about', 'experience_years']),
  articles: new Set(['slug', 'title', 'excerpt', 'author', 'body']),
  products: new Set(['slug', 'name', 'description', 'price', 'stock', 'category_id']),
};

const TEXT = new Set(['name', 'city', 'title']);
const OPTIONAL_TEXT = new Set(['description', 'address', 'province', 'phone', 'about', 'excerpt', 'author']);

/** An article's stored HTML: sanitised, trimmed. */
export function articleHtml(body: string): string {
  return sanitizeArticleHtml(body).trim();
}

/** Whether stored article HTML shows nothing (it was all scripts and styles, or blank). */
export function articleHtmlIsEmpty(html: string): boolean {
  return html.replace(/<[^>]*>/g, '').trim() === '' && !/<img\s/i.test(html);
}

/**
 * The columns that the given fields set, as stored: absent fields set nothing, so this serves an
 * update (a patch) as well as a new row's columns. Only the table's own fields are taken (a
 * request body may carry others).
 */
export function catalogueColumns<T extends CatalogueTable>(
  table: T,
  fields: CatalogueFields[T],
): Updateable<Database[T]> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields as Record<string, unknown>)) {
    if (value === undefined || !FIELDS[table].has(field)) continue;
    if (TEXT.has(field)) out[field] = text(value as string);
    else if (OPTIONAL_TEXT.has(field)) out[field] = optionalText(value as string | null);
    else if (field === 'body') out.body_html = articleHtml(value as string);
    else if (field === 'doctor_leave_allowed') out.doctor_leave_allowed = value === true ? 1 : 0;
    else out[field] = value;
  }
  if (table === 'doctors' && typeof out.name === 'string') out.name_search = out.name.toLowerCase();
  return out as Updateable<Database[T]>;
}

/**
 * A new row: its id, the columns of `fields`, no pictures yet, its publication and its
 * timestamps (`created` defaults to `now`; the seed back-dates its articles).
 */
export function newCatalogueRow<T extends CatalogueTable>(
  table: T,
  id: string,
  fields: CatalogueFields[T],
  stamps: { now: number; created?: number; published?: boolean; publishedAt?: number | null },
): Insertable<Database[T]> {
  const published = stamps.published ?? true;
  const row: Record<string, unknown> = { id, ...catalogueColumns(table, fields) };
  if (table === 'hospitals' || table === 'doctors' || table === 'articles') row.image_id = null;
  if (table === 'products') row.image_ids = '[]';
  if (table === 'doctors') row.user_id = null;
  if (table === 'articles') row.published_at = published ? (stamps.publishedAt ?? stamps.now) : null;
  else row.unpublished_at = published ? null : stamps.now;
  row.created_at = stamps.created ?? stamps.now;
  row.updated_at = stamps.now;
  return row as Insertable<Database[T]>;
}

/** Parameters per statement, under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000;
const MAX_ROWS = 500;

/**
 * Multi-row inserts of at most MAX_ROWS rows and MAX_PARAMS parameters each. The statement text
 * is made here rather than by Kysely's builder, which makes a node per value: for the
 * 10,000-doctor seed's hundred thousand rows that was a good part of the time. Table and column
 * names come from the typed rows, values are always parameters. Every row must have the first
 * row's columns.
 */
export async function insertRows<T extends keyof Database & string>(
  db: Db,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  // A row with other columns would be written wrongly (nulls, or values dropped): refuse it.
  for (const row of rows) {
    const keys = Object.keys(row);
    if (keys.length !== columns.length || keys.some((k) => !(k in rows[0]!))) {
      throw new Error(`insertRows(${table}): every row must have the columns ${columns.join(', ')}`);
    }
  }
  const size = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / columns.length)));
  const numbered = db.getExecutor().adapter instanceof PostgresAdapter;
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values `;
  for (let i = 0; i < rows.length; i += size) {
    const batch = rows.slice(i, i + size) as readonly Record<string, unknown>[];
    const parameters: unknown[] = [];
    const tuples: string[] = [];
    for (const row of batch) {
      const marks: string[] = [];
      for (const column of columns) {
        parameters.push(row[column] ?? null);
        marks.push(numbered ? `$${parameters.length}` : '?');
      }
      tuples.push(`(${marks.join(', ')})`);
    }
    await db.executeQuery(CompiledQuery.raw(head + tuples.join(', '), parameters));
  }
}

/**
 * Changes one row (columns from `catalogueColumns`, or a publication or picture patch) and its
 * updated_at; returns the row as it now is (undefined when it is gone).
 */
export async function updateCatalogueRow<T extends CatalogueTable>(
  db: Db,
  table: T,
  id: string,
  patch: Updateable<Database[T]>,
  now: number,
): Promise<Selectable<Database[T]> | undefined> {
  // The six tables share id and updated_at; Kysely's types cannot follow a generic table name.
  return (await db
    .updateTable(table as 'specialities')
    .set({ ...(patch as Updateable<Database['specialities']>), updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()) as Selectable<Database[T]> | undefined;
}
