import type { JobName, JobQueue } from '../ports/job-queue.js';
import type { Log } from '../ports/logger.js';

/**
 * BullMQ while Redis answers, this process's own dispatch while it does not (issue 11: with Redis
 * down, acks went on but nothing was answered until it came back). Postgres stays the record: the
 * turn lease and the outbox claim make a job that runs twice harmless, so a job BullMQ still
 * delivers after Redis returns finds its work done. Only job names this process handles fall back;
 * a web-only process lets the rejection through, and a worker's sweeper picks the rows up
 * (sweeper.ts) and dispatches them here.
 */
export function withLocalFallback(primary: JobQueue, local: JobQueue, log: Log): JobQueue {
  const handled = new Set<JobName>();
  let fallingBack = false;
  const note = (down: boolean, err?: Error) => {
    if (down === fallingBack) return;
    fallingBack = down;
    if (down) log.warn({ err: err?.message }, 'job queue unavailable: dispatching in this process until it answers');
    else log.info({}, 'job queue answers again: dispatching through it');
  };
  return {
    async enqueue(name, data, opts) {
      try {
        await primary.enqueue(name, data, opts);
        note(false);
      } catch (err) {
        if (!handled.has(name)) throw err;
        note(true, err as Error);
        await local.enqueue(name, data, opts);
      }
    },
    process(name, handler, concurrency) {
      handled.add(name);
      primary.process(name, handler, concurrency);
      local.process(name, handler, concurrency);
    },
    async depth() {
      const [remote, own] = await Promise.all([primary.depth().catch(() => 0), local.depth()]);
      return remote + own;
    },
    ping: () => primary.ping(),
    async close() {
      await Promise.all([primary.close(), local.close()]);
    },
  };
}
