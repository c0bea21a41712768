import type { JobHandler, JobName, JobOptions, JobQueue } from '../ports/job-queue.js';
import type { Log } from '../ports/logger.js';

interface Lane {
  handler?: JobHandler;
  concurrency: number;
  running: number;
  ready: { id: string; data: Record<string, string> }[];
}

/**
 * Dispatch inside one process, for the single-node default (no REDIS_URL). Jobs live in
 * memory only: after a crash the sweeper finds the pending rows in Postgres again.
 */
export function createInProcessQueue(log: Log): JobQueue {
  const lanes = new Map<JobName, Lane>();
  const known = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const idle: (() => void)[] = [];

  const lane = (name: JobName): Lane => {
    let l = lanes.get(name);
    if (!l) lanes.set(name, (l = { concurrency: 1, running: 0, ready: [] }));
    return l;
  };
  const running = () => [...lanes.values()].reduce((n, l) => n + l.running, 0);

  function pump(name: JobName): void {
    const l = lane(name);
    while (!closed && l.handler && l.running < l.concurrency && l.ready.length > 0) {
      const job = l.ready.shift()!;
      l.running++;
      l.handler(job.data)
        .catch((err: Error) => log.warn({ err: err.message, job: job.id }, 'job failed; the sweeper will retry its work'))
        .finally(() => {
          known.delete(job.id);
          l.running--;
          if (closed && running() === 0) idle.splice(0).forEach((resolve) => resolve());
          pump(name);
        });
    }
  }

  return {
    async enqueue(name, data, opts: JobOptions) {
      if (closed) throw new Error('queue is closed');
      if (known.has(opts.jobId)) return;
      known.add(opts.jobId);
      const ready = () => {
        lane(name).ready.push({ id: opts.jobId, data });
        pump(name);
      };
      if (!opts.delayMs) return ready();
      const timer = setTimeout(() => {
        timers.delete(timer);
        ready();
      }, opts.delayMs);
      timers.add(timer);
    },
    process(name, handler, concurrency) {
      Object.assign(lane(name), { handler, concurrency });
      pump(name);
    },
    async depth() {
      return timers.size + [...lanes.values()].reduce((n, l) => n + l.ready.length, 0);
    },
    async ping() {
      return true;
    },
    async close() {
      closed = true;
      timers.forEach(clearTimeout);
      timers.clear();
      if (running() > 0) await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
