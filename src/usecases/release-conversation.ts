import type { Conversation } from '../domain/conversation.js';
import type { CoreDeps } from './deps.js';
import { moveConversation, type Actor } from './move-conversation.js';

/** Hands a conversation back to the bot (assigned → bot): its next customer message gets a bot turn. */
export function releaseConversation(deps: CoreDeps, actor: Actor, conversationId: string): Promise<Conversation> {
  return moveConversation(deps, actor, conversationId, 'bot', { assigneeId: null, handoffReason: null });
}
