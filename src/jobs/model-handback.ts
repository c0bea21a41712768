import { handBackToBot } from '../usecases/hand-back-to-bot.js';
import type { CoreDeps } from '../usecases/deps.js';
import { every } from './every.js';

/**
 * Every `intervalMs`, returns to the bot the `model_unavailable` handoffs nobody took once the
 * model has been back long enough (issue 11). Safe in every worker process at once: each
 * conversation moves in one conditional transaction. The returned stop waits for a run in progress.
 */
export function startModelHandback(deps: CoreDeps, intervalMs: number): () => Promise<void> {
  return every(intervalMs, 'model handback', deps.log, async () => {
    if (deps.settings.modelHandbackMs > 0) await handBackToBot(deps);
  });
}
