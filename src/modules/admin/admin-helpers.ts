// Small helpers every back-office area shares. This file imports no other file of the module, so
// the audit (which the change machinery of admin-changes.ts runs) can use them without a cycle.
import { AppError } from '../../http/errors.js';
import type { FieldMessageKey } from '../../http/i18n.js';
import { pageMeta, type PageMeta, type PageRequest } from '../../http/pagination.js';

export interface Page<T> {
  data: T[];
  meta: PageMeta;
}

export { pageMeta };
export const limits = (page: PageRequest) => ({ limit: page.perPage, offset: (page.page - 1) * page.perPage });

export function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export const fail = (field: string, key: FieldMessageKey, params?: Record<string, string | number>): AppError =>
  AppError.field(field, key, params);

/** Timestamps as the API writes them. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A product's image ids, as kept in `image_ids` (a JSON array); anything else in there is skipped. */
export function productImageIds(raw: string): string[] {
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
