import type { Conversation } from '../domain/conversation.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';
import { moveConversation } from './move-conversation.js';

/**
 * Hands a conversation back to the bot (assigned → bot): its next customer message gets a bot
 * turn. Where the platform keeps its own session with a human (WeCom 微信客服 in `wecom` mode),
 * that session is ended so the next message starts a new bot session (protocols/wecom.md §4.4).
 */
export async function releaseConversation(deps: CoreDeps, actor: Actor, conversationId: string): Promise<Conversation> {
  const moved = await moveConversation(deps, actor, conversationId, 'bot', { assigneeId: null, handoffReason: null });
  const summary = await deps.store.get(conversationId);
  const channel = summary ? await deps.channels.get(summary.channelId) : null;
  const adapter = channel ? deps.adapters.get(channel.kind) : undefined;
  if (summary && channel && adapter?.endSession) {
    await adapter.endSession(channel, { externalId: summary.contact.externalId, address: summary.contact.address })
      .catch((err: Error) => deps.log.warn({ err: err.message, conversationId }, 'ending the platform session failed'));
  }
  return moved;
}
