import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { AppEvent, EventBus } from '../ports/event-bus.js';
import type { Log } from '../ports/logger.js';
import { closeGently } from './bullmq-queue.js';

/** Single-process bus for the embedded default. */
export function createLocalEventBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async publish(event) {
      emitter.emit('event', event);
    },
    subscribe(listener) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/**
 * Redis pub/sub, so an agent's console on one web process hears what a worker on another did.
 * Best effort by nature: the console reloads state from the API on reconnect.
 */
export function createRedisEventBus(url: string, prefix: string, log: Log): EventBus {
  const channel = `${prefix}:events`;
  // Events go out in small batches (one PUBLISH per tick), not one Redis write per message.
  let batch: AppEvent[] = [];
  let flushing: Promise<void> | null = null;
  const flush = async () => {
    const events = batch;
    batch = [];
    flushing = null;
    try {
      await publisher.publish(channel, JSON.stringify(events));
    } catch (err) {
      // Redis down or hung: this process's own consoles still hear it (issue 11); the others
      // reload from the API when their stream reconnects. Every publisher of the batch is told.
      for (const event of events) void local.publish(event);
      throw err;
    }
  };
  // A command timeout too: a hung Redis (accepting, never answering) must not hold up a publisher.
  const publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true, commandTimeout: 1000 });
  const subscriber = new Redis(url, { maxRetriesPerRequest: null });
  for (const c of [publisher, subscriber]) c.on('error', (err) => log.warn({ err: err.message }, 'redis (events) error'));
  const local = createLocalEventBus();
  void subscriber.subscribe(channel).catch((err: Error) => log.warn({ err: err.message }, 'event subscription failed'));
  subscriber.on('message', (_channel, payload: string) => {
    try {
      for (const event of JSON.parse(payload) as AppEvent[]) void local.publish(event);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'unreadable event dropped');
    }
  });
  return {
    async publish(event) {
      batch.push(event);
      flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush);
      await flushing;
    },
    subscribe: (listener) => local.subscribe(listener),
    async close() {
      await flushing?.catch(() => undefined);
      await local.close();
      await Promise.allSettled([closeGently(publisher), closeGently(subscriber)]);
    },
  };
}
