import { handBackToBot } from '../usecases/hand-back-to-bot.js';
import type { CoreDeps } from '../usecases/deps.js';

/**
 * Every `intervalMs`, returns to the bot the `model_unavailable` handoffs nobody took once the
 * model has been back long enough (issue 11). Safe in every worker process at once: each
 * conversation moves in one conditional transaction. The returned stop waits for a run in progress.
 */
export function startModelHandback(deps: CoreDeps, intervalMs: number): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running || deps.settings.modelHandbackMs <= 0) return;
    running = handBackToBot(deps)
      .then(() => undefined, (err: Error) => deps.log.warn({ err: err.message }, 'model handback failed'))
      .finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
