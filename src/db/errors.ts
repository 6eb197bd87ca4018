/** True when `err` is a unique-constraint violation, optionally on a column whose name is given. */
export function isUniqueViolation(err: unknown, column?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.code === '23505') {
    // PostgreSQL names the constraint; ours are named <table>_<column>_unique.
    return column === undefined || (typeof e.constraint === 'string' && e.constraint.includes(column));
  }
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return column === undefined || message.includes(`.${column}`);
  }
  return false;
}
