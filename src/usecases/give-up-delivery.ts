import type { Channel } from '../domain/channel.js';
import type { ClaimedSend } from '../ports/outbox-store.js';
import type { CoreDeps } from './deps.js';
import { flagForHuman } from './flag-for-human.js';
import { scheduleSend } from './schedule.js';

/**
 * How long the holding notice of an undelivered reply waits for its platform to answer again
 * (issue 11). It is the customer's only word that a person took over, so it outlasts the usual
 * retry window and goes out with the drain when the platform recovers; after a day the
 * conversation is the agents' to pick up, and the notice is failed rather than pending for ever.
 */
export const NOTICE_WAIT_MS = 24 * 3_600_000;

/** Tells the console a message's delivery state changed (agents see failed rows). */
export function publishDeliveryStatus(deps: Pick<CoreDeps, 'events'>, claimed: ClaimedSend, status: string): void {
  void deps.events
    .publish({ type: 'message.status', conversationId: claimed.conversationId, channelId: claimed.channelId, messageId: claimed.messageId, status })
    .catch(() => undefined);
}

/**
 * A send still failing when its retry window closed (issue 11): failed, shown to agents, and the
 * conversation goes to a person (bot → queued, `delivery_failed`). The customer is told with the
 * channel's holding message, queued only when this moved the conversation, so an undelivered
 * notice or agent reply never queues another one.
 */
export async function giveUpDelivery(deps: CoreDeps, channel: Channel, claimed: ClaimedSend, reason: string): Promise<'failed'> {
  await deps.outbox.markFailed(claimed.outboxId, reason);
  publishDeliveryStatus(deps, claimed, 'failed');
  // The next waiting row of the channel probes now instead of waiting for this one's lease to lapse.
  await deps.outbox.releaseProbe(claimed.channelId, claimed.outboxId);
  deps.log.warn({ outboxId: claimed.outboxId, channelId: claimed.channelId }, 'send not delivered within its retry window; handed to a person');
  const moved = await flagForHuman(deps, claimed.conversationId, 'delivery_failed', `send failed: ${reason}`);
  if (moved && claimed.sender === 'bot') await queueHoldingNotice(deps, channel, claimed.conversationId);
  return 'failed';
}

async function queueHoldingNotice(deps: CoreDeps, channel: Channel, conversationId: string): Promise<void> {
  const text = channel.handoff.holdingMessage;
  if (!text) return;
  const notice = await deps.store.addOutgoing({ conversationId, sender: 'bot', kind: 'text', text });
  await deps.outbox.setRetryUntil(notice.outboxId, new Date(deps.clock.now().getTime() + NOTICE_WAIT_MS));
  void deps.events
    .publish({ type: 'message.added', conversationId, channelId: channel.id, messageId: notice.messageId, sender: 'bot' })
    .catch(() => undefined);
  scheduleSend(deps, notice.outboxId, 1);
}
