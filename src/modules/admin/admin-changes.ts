import { PostgresAdapter } from 'kysely';
import type { Db } from '../../db/index.js';
import { AppError, type ErrorCode } from '../../http/errors.js';
import { VersionedCache } from '../../lib/cache.js';
import { CATALOGUE_VERSION } from '../catalogue/index.js';
import * as repo from './admin.repository.js';
import type { Row, SlugTable } from './admin.repository.js';
import { systemClock } from '../../clock.js';
import { writeAudit, type Change } from './admin-audit.js';

/**
 * How the back office changes the catalogue, for its areas (admin-catalogue.ts,
 * admin-practices.ts): every change writes its audit row and bumps the catalogue version in the
 * change's own transaction, then tells this process's caches (`onChange`) so it shows here at once.
 */
export class AdminChanges {
  readonly isPostgres: boolean;

  constructor(
    readonly db: Db,
    private readonly options: { onChange: () => void; now?: () => number },
  ) {
    this.isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /** The clock (tests move it). */
  now(): number {
    return (this.options.now ?? systemClock)();
  }

  /** Runs a change in a transaction with its audit rows and the version bump. */
  async change<T>(actorId: string, work: (trx: Db) => Promise<{ changes: Change[]; result: T }>): Promise<T> {
    const { changes, result } = await this.db.transaction().execute(async (trx) => {
      const done = await work(trx);
      if (done.changes.length > 0) {
        await writeAudit(trx, actorId, done.changes, this.now());
        await VersionedCache.bump(trx, CATALOGUE_VERSION);
      }
      return done;
    });
    if (changes.length > 0) this.options.onChange();
    return result;
  }

  /** The row of a slug, locked for the rest of the transaction on PostgreSQL. */
  async rowOf<T extends SlugTable>(trx: Db, def: { table: T; notFound: ErrorCode }, slug: string): Promise<Row<T>> {
    const found = this.isPostgres
      ? ((await trx
          .selectFrom(def.table as 'specialities')
          .selectAll()
          .where('slug', '=', slug)
          .forUpdate()
          .executeTakeFirst()) as Row<T> | undefined)
      : await repo.findBySlug(trx, def.table, slug);
    if (found === undefined) throw new AppError(def.notFound);
    return found;
  }
}
