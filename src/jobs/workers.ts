import type { CoreDeps } from '../usecases/deps.js';
import type { Metrics } from '../metrics.js';
import { pullMessages } from '../usecases/pull-messages.js';
import { runBotTurn } from '../usecases/run-bot-turn.js';
import { sendOutboxMessage, type SendResult } from '../usecases/send-outbox-message.js';
import { createTurnSlots } from './turn-slots.js';

/** Thin shells: pull ids off the job, call one use case, count what happened. */
export function startWorkers(deps: CoreDeps, metrics: Metrics, concurrency: number, turnSlots: number): void {
  const slots = createTurnSlots(turnSlots);
  const turnDeps: CoreDeps = { ...deps, turnGate: slots };
  deps.queue.process(
    'turn',
    async ({ conversationId }) => {
      const result = await slots.run(() => runBotTurn(turnDeps, conversationId));
      if (result.type !== 'done') return;
      metrics.turns.inc({ outcome: result.outcome, channel_id: result.channelId });
      if (typeof result.confidence === 'number') metrics.confidence.observe(result.confidence);
      if (result.reason) metrics.handoffs.inc({ reason: result.reason, channel_id: result.channelId });
      result.sends.forEach((send) => countSend(metrics, send));
    },
    concurrency,
  );
  deps.queue.process('pull', async ({ channelId, source }) => {
    const result = await pullMessages(deps, channelId, source);
    if (result.type === 'done') metrics.pulls.inc({ result: 'done' }, result.pages);
    else metrics.pulls.inc({ result: result.type });
  }, concurrency);
  deps.queue.process(
    'send',
    async ({ outboxId }) => {
      countSend(metrics, await sendOutboxMessage(deps, outboxId));
    },
    concurrency,
  );
}

function countSend(metrics: Metrics, result: SendResult): void {
  metrics.sends.inc({ result });
  if (result === 'failed' || result === 'unknown') metrics.outboxFailures.inc({ result });
}
