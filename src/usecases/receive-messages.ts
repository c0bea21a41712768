import type { Channel } from '../domain/channel.js';
import type { InboundMessage } from '../domain/message.js';
import type { CoreDeps } from './deps.js';
import { scheduleTurn } from './schedule.js';

export interface ReceiveResult {
  stored: number;
  duplicates: number;
}

/**
 * Commits inbound messages; the caller acks the platform only after this resolves
 * (DESIGN.md §3.1). A redelivered platform id is stored once and wakes nothing.
 */
export async function receiveMessages(deps: CoreDeps, channel: Channel, messages: InboundMessage[]): Promise<ReceiveResult> {
  const result: ReceiveResult = { stored: 0, duplicates: 0 };
  for (const message of messages) {
    const recorded = await deps.store.recordInbound(channel.id, message);
    if (!recorded.inserted || !recorded.messageId) {
      result.duplicates++;
      continue;
    }
    result.stored++;
    scheduleTurn(deps, recorded.conversationId, recorded.messageId, deps.settings.coalesceMs);
    void deps.events
      .publish({ type: 'message.added', conversationId: recorded.conversationId, channelId: channel.id, messageId: recorded.messageId, sender: 'customer' })
      .catch(() => undefined);
  }
  return result;
}
