import type { Conversation } from '../domain/conversation.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';
import { moveConversation } from './move-conversation.js';

/** Ends a conversation; the customer's next message reopens it with the bot. */
export function closeConversation(deps: CoreDeps, actor: Actor, conversationId: string): Promise<Conversation> {
  return moveConversation(deps, actor, conversationId, 'closed', { assigneeId: null });
}
