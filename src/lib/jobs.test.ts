import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobRunner, yieldToEventLoop, type Step } from './jobs.js';

test('a round at a time; a failure is reported and the next round runs; stop waits for the round under way', async () => {
  const results: unknown[] = [];
  const errors: string[] = [];
  const runner = new JobRunner(
    (job, result) => results.push([job, result]),
    (job, err) => errors.push(`${job}: ${(err as Error).message}`),
  );
  let release!: () => void;
  let runs = 0;
  const job = {
    name: 'slow',
    everyMs: 0,
    run: async () => {
      runs += 1;
      await new Promise<void>((resolve) => (release = resolve));
      return runs;
    },
  };
  const first = runner.round(job);
  const again = runner.round(job);
  assert.equal(again, first, 'a round under way is not doubled');
  assert.equal(runs, 1);
  const stopped = runner.stop();
  let done = false;
  void stopped.then(() => (done = true));
  await yieldToEventLoop();
  assert.equal(done, false, 'stop waits for the round');
  release();
  await stopped;
  assert.deepEqual(results, [['slow', 1]]);

  await runner.round({
    name: 'failing',
    everyMs: 0,
    run: async () => {
      throw new Error('database gone');
    },
  });
  assert.deepEqual(errors, ['failing: database gone']);
  await runner.round({ name: 'failing', everyMs: 0, run: async () => 'recovered' });
  assert.deepEqual(results.at(-1), ['failing', 'recovered']);
});

test('the step gives the event loop a turn between units of work: waiting callbacks run in between', async () => {
  const order: string[] = [];
  const runner = new JobRunner(
    () => {},
    () => {},
  );
  const job = {
    name: 'units',
    everyMs: 0,
    run: async (step: Step) => {
      for (let unit = 1; unit <= 3; unit++) {
        await step();
        order.push(`unit ${unit}`);
      }
    },
  };
  // A "request" arriving while the job runs: it must not wait for the whole round.
  setImmediate(() => order.push('request'));
  await runner.round(job);
  assert.ok(order.indexOf('request') < order.indexOf('unit 3'), order.join(', '));
  assert.deepEqual(
    order.filter((o) => o.startsWith('unit')),
    ['unit 1', 'unit 2', 'unit 3'],
  );
});

test('a job every 0 ms does not run', async () => {
  let ran = false;
  const runner = new JobRunner(
    () => {},
    () => {},
  );
  runner.start({
    name: 'off',
    everyMs: 0,
    run: async () => {
      ran = true;
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  await runner.stop();
  assert.equal(ran, false);
});
