import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobName, JobQueue } from '../ports/job-queue.js';
import type { Log } from '../ports/logger.js';
import { within } from '../deadline.js';

/** How long close() waits for this process's running jobs: a model turn's timeout and its send. */
const DRAIN_MS = 22_000;

/**
 * BullMQ on Redis: wakes workers on any process. The producer connection fails fast (no offline
 * queue, and a command timeout for a Redis that accepts connections but never answers) so a Redis
 * outage never holds up an ack; the sweeper re-adds what was lost.
 */
export function createBullmqQueue(url: string, prefix: string, log: Log): JobQueue {
  const producer = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true, commandTimeout: 1000 });
  producer.on('error', (err) => log.warn({ err: err.message }, 'redis (producer) error'));
  const queues = new Map<JobName, Queue>();
  const workers: Worker[] = [];
  const connections: Redis[] = [producer];
  let closed = false;
  // Our handlers' own work, counted apart from BullMQ's bookkeeping: a drain waits for the work
  // (it commits to Postgres), not for Redis to record that it finished.
  const running = new Set<Promise<void>>();
  // Delayed jobs this process added and that are certainly still waiting: adding them again
  // would be a Redis round trip BullMQ answers with "exists" (a burst's later messages).
  const waitingUntil = new Map<string, number>();

  const queue = (name: JobName): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: producer, prefix });
      q.on('error', (err) => log.warn({ err: err.message, queue: name }, 'queue error'));
      queues.set(name, q);
    }
    return q;
  };

  return {
    async enqueue(name, data, opts) {
      // A Queue created after close would start on a closed connection and reject unobserved.
      if (closed) throw new Error('queue is closed');
      const now = Date.now();
      if ((waitingUntil.get(opts.jobId) ?? 0) > now + 100) return;
      if (opts.delayMs) {
        if (waitingUntil.size > 10_000) for (const [id, until] of waitingUntil) if (until <= now) waitingUntil.delete(id);
        waitingUntil.set(opts.jobId, now + opts.delayMs);
      }
      // Completed and failed jobs are dropped at once, so a later job with the same id (a
      // sweeper re-drive) is never ignored because of an old record.
      await queue(name).add(name, data, { jobId: opts.jobId, delay: opts.delayMs, removeOnComplete: true, removeOnFail: true, attempts: 1 });
    },
    process(name, handler, concurrency) {
      // Workers block on Redis; they need their own connection that waits through outages.
      const connection = new Redis(url, { maxRetriesPerRequest: null });
      connection.on('error', (err) => log.warn({ err: err.message }, 'redis (worker) error'));
      connections.push(connection);
      const worker = new Worker(name, async (job) => {
        const work = handler(job.data as Record<string, string>);
        const tracked = work.catch(() => undefined);
        running.add(tracked);
        try {
          await work;
        } finally {
          running.delete(tracked);
        }
      }, { connection, concurrency, prefix });
      worker.on('error', (err) => log.warn({ err: err.message, queue: name }, 'worker error'));
      worker.on('failed', (job, err) => log.warn({ job: job?.id, err: err.message }, 'job failed; the sweeper will retry its work'));
      workers.push(worker);
    },
    async depth() {
      let total = 0;
      for (const q of queues.values()) {
        const counts = await q.getJobCounts('waiting', 'delayed', 'prioritized');
        total += Object.values(counts).reduce((a, b) => a + b, 0);
      }
      return total;
    },
    async ping() {
      // Bounded by the producer's command timeout; /readyz puts its own deadline around it (main.ts).
      try {
        return (await producer.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      closed = true;
      // Every wait is bounded: with Redis down or hung BullMQ would wait for it forever (issue 11),
      // and what its bookkeeping tracks is already in Postgres.
      // A worker closed while still starting leaves a BullMQ command to reject unobserved.
      await within(2000, Promise.allSettled(workers.map((w) => w.waitUntilReady())), []);
      const closing = Promise.allSettled(workers.map((w) => w.close()));
      await within(DRAIN_MS, Promise.allSettled([...running]), []);
      await within(2000, closing, []);
      await within(1000, Promise.allSettled([...queues.values()].map((q) => q.close())), []);
      await Promise.allSettled(connections.map(closeGently));
    },
  };
}

/**
 * QUIT lets commands still in flight (BullMQ's own bookkeeping) finish; a hard disconnect would
 * reject them with "Connection is closed" where nobody listens. Cut after a second regardless.
 */
export async function closeGently(connection: Redis): Promise<void> {
  const timer = setTimeout(() => connection.disconnect(), 1000);
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
