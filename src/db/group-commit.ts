import { CompiledQuery } from 'kysely';
import type { Db, DialectName } from './index.js';

interface Pending {
  work: (trx: Db) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const SAVEPOINT = CompiledQuery.raw('SAVEPOINT unit');
const RELEASE = CompiledQuery.raw('RELEASE SAVEPOINT unit');
const ROLLBACK_TO = CompiledQuery.raw('ROLLBACK TO SAVEPOINT unit');

/**
 * Small write transactions that arrive together share one commit on SQLite.
 *
 * SQLite has one writer and a commit writes every page the transaction touched to the WAL,
 * which costs more than the inserts of a booking themselves. Units queued in the same turn of
 * the event loop run in one transaction, each in its own savepoint: a unit that fails (a taken
 * slot) is rolled back alone and only its caller sees the error; the others commit together,
 * and no caller hears of success before that commit. PostgreSQL runs each unit as its own
 * transaction, in parallel on the pool.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly dialect: DialectName,
    private readonly maxUnits = 100,
  ) {}

  run<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    if (this.dialect !== 'sqlite') return this.db.transaction().execute(work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    // After the current I/O callbacks, so the requests parsed in this turn join the batch.
    setImmediate(() => {
      void this.flush().finally(() => {
        this.scheduled = false;
        this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.maxUnits);
    if (batch.length === 1) {
      const [only] = batch;
      await this.db.transaction().execute(only!.work).then(only!.resolve, only!.reject);
      return;
    }
    let outcomes: { ok: boolean; value: unknown }[];
    try {
      outcomes = await this.db.transaction().execute(async (trx) => {
        const done: { ok: boolean; value: unknown }[] = [];
        for (const unit of batch) {
          await trx.executeQuery(SAVEPOINT);
          try {
            const value = await unit.work(trx);
            await trx.executeQuery(RELEASE);
            done.push({ ok: true, value });
          } catch (error) {
            await trx.executeQuery(ROLLBACK_TO);
            await trx.executeQuery(RELEASE);
            done.push({ ok: false, value: error });
          }
        }
        return done;
      });
    } catch (error) {
      // The commit itself failed: nothing of the batch was written.
      for (const unit of batch) unit.reject(error);
      return;
    }
    outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.value)));
  }
}
