import type { Log } from '../ports/logger.js';

/**
 * Runs `work` every `intervalMs`, never two at once (a slow run skips ticks), logging a failure
 * under `what`. The returned stop waits for a run in progress.
 */
export function every(intervalMs: number, what: string, log: Log, work: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = work()
      .then(() => undefined, (err: Error) => log.warn({ err: err.message }, `${what} failed`))
      .finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
