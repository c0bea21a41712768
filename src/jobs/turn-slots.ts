import type { TurnGate } from '../ports/turn-gate.js';

/**
 * At most `size` bot turns of a process do their CPU and database work at once; a turn gives its
 * slot back while it waits for the model or a platform's API (TurnGate), so WORKER_CONCURRENCY
 * still bounds those waits. Without it, the turns a burst window released together ran as one
 * burst that held the event loop and Postgres while callbacks waited for their ack (issue #2's
 * bench, 2 cores, 8 turns in flight: ack p50 13–18 ms at 1,000 callbacks/s; with 2 slots 9–10 ms,
 * and 24–40 % more acks/s at c = 32, as a busy service's bursts coalesce into fewer, larger turns).
 */
export interface TurnSlots extends TurnGate {
  /** Runs one turn inside a slot; inside it, `outside` frees the slot for the length of a wait. */
  run<T>(turn: () => Promise<T>): Promise<T>;
}

export function createTurnSlots(size: number): TurnSlots {
  let free = size;
  const waiting: (() => void)[] = [];
  const acquire = async (): Promise<void> => {
    if (free > 0) {
      free -= 1;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    async run(turn) {
      await acquire();
      try {
        return await turn();
      } finally {
        release();
      }
    },
    async outside(wait) {
      release();
      try {
        return await wait();
      } finally {
        await acquire();
      }
    },
  };
}
