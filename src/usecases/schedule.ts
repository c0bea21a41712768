import type { CoreDeps } from './deps.js';

/**
 * Wake-ups after a commit. Failures are logged, not thrown: the rows are already durable and
 * the sweeper re-drives them (DESIGN.md §3.3), so a queue outage never fails an ack.
 */
export function scheduleTurn(deps: Pick<CoreDeps, 'queue' | 'log'>, conversationId: string, messageId: string, delayMs: number): void {
  // A delayed turn is one job per conversation: later messages of the burst find it waiting and
  // add nothing. Immediate re-schedules (after a turn, from the sweeper) get ids of their own.
  const jobId = delayMs > 0 ? `turn-${conversationId}` : `turn-${conversationId}-${messageId}`;
  deps.queue
    .enqueue('turn', { conversationId }, { jobId, delayMs })
    .catch((err: Error) => deps.log.warn({ err: err.message, conversationId }, 'turn not queued; the sweeper will pick it up'));
}

export function scheduleSend(deps: Pick<CoreDeps, 'queue' | 'log'>, outboxId: string, attempt: number, delayMs = 0): void {
  deps.queue
    .enqueue('send', { outboxId }, { jobId: `send-${outboxId}-${attempt}`, delayMs })
    .catch((err: Error) => deps.log.warn({ err: err.message, outboxId }, 'send not queued; the sweeper will pick it up'));
}

/** Jobs for the same source share an id while waiting: callbacks arriving together start one pull. */
export function schedulePull(deps: Pick<CoreDeps, 'queue' | 'log'>, channelId: string, source: string, suffix = ''): void {
  deps.queue
    .enqueue('pull', { channelId, source }, { jobId: `pull-${channelId}-${Buffer.from(source).toString('hex')}${suffix}` })
    .catch((err: Error) => deps.log.warn({ err: err.message, channelId }, 'pull not queued; the sweeper will pick it up'));
}
