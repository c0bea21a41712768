import type { Conversation } from '../domain/conversation.js';
import type { CoreDeps } from './deps.js';
import { moveConversation, type Actor } from './move-conversation.js';

/** An agent takes over a queued conversation (queued → assigned). */
export function assignConversation(deps: CoreDeps, actor: Actor, conversationId: string, assigneeId?: string): Promise<Conversation> {
  return moveConversation(deps, actor, conversationId, 'assigned', { assigneeId: assigneeId ?? actor.id });
}

/** An agent gives a conversation back to the queue (assigned → queued). */
export function unassignConversation(deps: CoreDeps, actor: Actor, conversationId: string): Promise<Conversation> {
  return moveConversation(deps, actor, conversationId, 'queued', { assigneeId: null });
}
