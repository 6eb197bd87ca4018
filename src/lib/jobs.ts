import { setImmediate } from 'node:timers/promises';

/**
 * What a job awaits between two units of its work (an order moved, a batch of deliveries): a
 * turn of the event loop, so requests waiting are answered in between. SQLite answers
 * synchronously: without it a round would run as one chain of microtasks and hold every request
 * back until it ends.
 */
export type Step = () => Promise<void>;
export const yieldToEventLoop: Step = () => setImmediate();

export interface Job {
  name: string;
  /** 0 or less: the job does not run in this process. */
  everyMs: number;
  run(step: Step): Promise<unknown>;
}

/**
 * The server's interval jobs, run the same way: one round of a job at a time (a round still
 * under way when the next tick comes is not doubled), its failure logged without stopping the
 * others, the event loop given a turn between every unit of work, and on stop every round under
 * way awaited so a shutdown closes nothing a job still uses.
 */
export class JobRunner {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly rounds = new Map<string, Promise<void>>();

  constructor(
    private readonly onResult: (job: string, result: unknown) => void,
    private readonly onError: (job: string, err: unknown) => void,
    private readonly step: Step = yieldToEventLoop,
  ) {}

  start(job: Job): void {
    if (job.everyMs <= 0) return;
    this.timers.push(setInterval(() => this.round(job), job.everyMs));
  }

  /** One round now, unless one is under way; resolves when it ends (never rejects). */
  round(job: Job): Promise<void> {
    const running = this.rounds.get(job.name);
    if (running !== undefined) return running;
    const round = job
      .run(this.step)
      .then(
        (result) => this.onResult(job.name, result),
        (err: unknown) => this.onError(job.name, err),
      )
      .finally(() => this.rounds.delete(job.name));
    this.rounds.set(job.name, round);
    return round;
  }

  /** No more rounds; those under way finish. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    await Promise.allSettled([...this.rounds.values()]);
  }
}
