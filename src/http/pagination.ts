import { AppError, type FieldProblems } from './errors.js';

export const DEFAULT_PER_PAGE = 10;
export const MAX_PER_PAGE = 100;

export interface PageRequest {
  page: number;
  perPage: number;
}

export interface PageMeta {
  current_page: number;
  per_page: number;
  total: number;
  last_page: number;
}

/**
 * The published document's own example is `?page=1?data=10`: a query parser reads that as
 * page = "1?data=10". Such a value's trailing `?key=value` parts are read as parameters too.
 */
function embeddedParams(query: Record<string, unknown>): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const value of Object.values(query)) {
    if (typeof value !== 'string' || !value.includes('?')) continue;
    for (const part of value.split('?').slice(1)) {
      const [key, val] = part.split('=');
      if (key && val !== undefined && !(key in query)) extra[key] = val;
    }
  }
  return extra;
}

/**
 * The largest page asked for: far past any list, and small enough that the row offset it makes
 * stays an integer every database takes (a page of 1e178 was a 500).
 */
export const MAX_PAGE = 1_000_000_000;

/** A positive whole number from a number or a string that starts with digits; else undefined. */
function leadingInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 1 ? Math.floor(value) : undefined;
  if (typeof value === 'string') {
    // All the leading digits: reading only the first nine made "1234567890" page 123456789.
    const m = /^\s*(\d+)/.exec(value);
    if (m && Number(m[1]) >= 1) return Number(m[1]);
  }
  return undefined;
}

/**
 * `data` (items a page) and `page`, from the query string or the JSON body, as numbers or
 * numeric strings. `data` above 100 is clamped; below 1 or not a number is a 422, as is such a
 * `page` or one above MAX_PAGE. Defaults: page 1, 10 items.
 */
export function readPagination(query: unknown, body: unknown): PageRequest {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const sources = { ...b, ...embeddedParams(q), ...q };
  const problems: FieldProblems = {};
  const pick = (name: 'page' | 'data', fallback: number): number => {
    const raw = sources[name];
    if (raw === undefined || raw === null || raw === '') return fallback;
    const n = leadingInteger(raw);
    if (n === undefined) {
      problems[name] = [{ key: 'minimum', params: { limit: 1 } }];
      return fallback;
    }
    if (name === 'page' && n > MAX_PAGE) {
      problems[name] = [{ key: 'maximum', params: { limit: MAX_PAGE } }];
      return fallback;
    }
    return n;
  };
  const page = pick('page', 1);
  const perPage = Math.min(MAX_PER_PAGE, pick('data', DEFAULT_PER_PAGE));
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
  return { page, perPage };
}

/** Whether the client asked for a page size at all (some lists are whole without one). */
export function asksForPage(query: unknown, body: unknown): boolean {
  const has = (o: unknown) => typeof o === 'object' && o !== null && ('data' in o || 'page' in o);
  return has(query) || has(body);
}

/** The `meta` of a page of `total` items: the one place its four fields are worked out. */
export const pageMeta = (page: PageRequest, total: number): PageMeta => ({
  current_page: page.page,
  per_page: page.perPage,
  total,
  last_page: Math.max(1, Math.ceil(total / page.perPage)),
});

export function paginate<T>(items: readonly T[], page: PageRequest): { data: T[]; meta: PageMeta } {
  const start = (page.page - 1) * page.perPage;
  return { data: items.slice(start, start + page.perPage), meta: pageMeta(page, items.length) };
}
