import type { Channel } from '../domain/channel.js';
import { assertStorableInbound, type InboundMessage } from '../domain/message.js';
import type { RecordedItem } from '../ports/pull-store.js';
import { applyPlatformEvent } from './apply-platform-event.js';
import type { CoreDeps } from './deps.js';
import { scheduleTurn } from './schedule.js';

export interface ReceiveResult {
  stored: number;
  duplicates: number;
}

/**
 * Whether the bot should answer: something the customer said (or their entering the chat),
 * recent enough. Older messages are stored as history only, so a first pull after install
 * or a long outage never answers yesterday's questions.
 */
export function shouldAnswer(message: InboundMessage, now: Date, maxAgeMs: number): boolean {
  if ((message.sender ?? 'customer') !== 'customer') return false;
  if (message.kind === 'event' && message.event !== 'enter') return false;
  return now.getTime() - message.sentAt.getTime() <= maxAgeMs;
}

/**
 * Commits inbound messages; the caller acks the platform only after this resolves
 * (DESIGN.md §3.1). A redelivered platform id is stored once and wakes nothing. A message that
 * cannot be stored (an oversized id, a date out of range: issue 11) is a PayloadError, a 400.
 */
export async function receiveMessages(deps: CoreDeps, channel: Channel, messages: InboundMessage[]): Promise<ReceiveResult> {
  // All checked before any is written: a callback is stored whole or refused whole (DESIGN.md §3.7).
  messages.forEach(assertStorableInbound);
  const recorded: RecordedItem[] = [];
  const now = deps.clock.now();
  for (const message of messages) {
    const answer = shouldAnswer(message, now, deps.settings.maxAnswerAgeMs);
    recorded.push({ message, answer, recorded: await deps.store.recordInbound(channel.id, message, answer) });
  }
  await afterCommit(deps, channel, recorded);
  const stored = recorded.filter((r) => r.recorded.inserted).length;
  return { stored, duplicates: recorded.length - stored };
}

/** Wakes what newly stored messages need: a bot turn, a platform event's effect, the console. */
export async function afterCommit(deps: CoreDeps, channel: Channel, recorded: RecordedItem[]): Promise<void> {
  for (const { message, answer, recorded: r } of recorded) {
    if (!r.inserted || !r.messageId) continue;
    if (answer) scheduleTurn(deps, r.conversationId, r.messageId, deps.settings.coalesceMs);
    if (message.kind === 'event') {
      await applyPlatformEvent(deps, channel, r.conversationId, message).catch((err: Error) =>
        deps.log.warn({ err: err.message, conversationId: r.conversationId, event: message.event }, 'platform event not applied'));
    }
    void deps.events
      .publish({ type: 'message.added', conversationId: r.conversationId, channelId: channel.id, messageId: r.messageId, sender: message.sender ?? 'customer' })
      .catch(() => undefined);
  }
}
