import type { Channel } from '../domain/channel.js';
import type { ConversationStatus } from '../domain/conversation.js';
import type { InboundMessage } from '../domain/message.js';
import type { CoreDeps } from './deps.js';
import { flagForHuman } from './flag-for-human.js';

/** Platform-driven moves, through the transition table (bot reaches assigned via queued). */
const PATHS: Record<'assigned' | 'closed', Partial<Record<ConversationStatus, ConversationStatus[]>>> = {
  assigned: { bot: ['queued', 'assigned'], queued: ['assigned'], assigned: [], closed: ['bot', 'queued', 'assigned'] },
  closed: { bot: ['closed'], queued: ['closed'], assigned: ['closed'], closed: [] },
};

/** Our conversation follows what the platform says happened to its session. */
async function follow(deps: CoreDeps, conversationId: string, target: 'assigned' | 'closed', assigneeId: string | null, note: string): Promise<void> {
  const current = await deps.store.get(conversationId);
  if (!current) return;
  let from = current.status;
  for (const to of PATHS[target][from] ?? []) {
    const fields = to === 'assigned' ? { assigneeId } : to === 'queued' ? { handoffReason: current.handoffReason ?? 'customer_request' } : {};
    const moved = await deps.store.transition(conversationId, from, to, fields, to === target ? note : null);
    if (!moved) return;
    from = moved.status;
  }
  if (from !== current.status) {
    await deps.events.publish({ type: 'conversation.updated', conversationId, channelId: current.channelId, status: from }).catch(() => undefined);
  }
}

/** The effect of a platform event (DESIGN.md §2; issue 3): delivery failures, takeovers, session ends, recalls. */
export async function applyPlatformEvent(deps: CoreDeps, channel: Channel, conversationId: string, message: InboundMessage): Promise<void> {
  switch (message.event) {
    case 'send_failed': {
      if (!message.refersTo) return;
      const failed = await deps.outbox.failByPlatformId(channel.id, message.refersTo, `the platform could not deliver it: ${message.text ?? 'unknown reason'}`);
      if (!failed) return;
      await deps.events.publish({ type: 'message.status', conversationId: failed.conversationId, channelId: channel.id, messageId: failed.messageId, status: 'failed' }).catch(() => undefined);
      await flagForHuman(deps, failed.conversationId, 'delivery_failed', `platform:send_failed ${message.text ?? ''}`.trim());
      return;
    }
    case 'human_took_over':
      return follow(deps, conversationId, 'assigned', message.agentRef ? `platform:${message.agentRef}` : null, 'platform:human_took_over');
    case 'session_ended':
      return follow(deps, conversationId, 'closed', null, 'platform:session_ended');
    case 'recalled':
      {
        const recalled = message.refersTo ? await deps.store.markRecalled(channel.id, message.refersTo) : null;
        if (recalled) await deps.events.publish({ type: 'message.status', ...recalled, channelId: channel.id, status: 'recalled' }).catch(() => undefined);
      }
      return;
    default:
      return;
  }
}
