import type { Conversation, ConversationStatus, HandoffReason } from '../domain/conversation.js';
import { assertTransition } from '../domain/conversation.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { CoreDeps } from './deps.js';

export interface Actor {
  id: string;
}

/**
 * The one path by which people change a conversation's status: checked against the transition
 * table, applied as a conditional update (a concurrent change → 409), audited, announced.
 */
export async function moveConversation(
  deps: CoreDeps,
  actor: Actor,
  conversationId: string,
  to: ConversationStatus,
  fields: { assigneeId?: string | null; handoffReason?: HandoffReason | null } = {},
): Promise<Conversation> {
  const current = await deps.store.get(conversationId);
  if (!current) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${conversationId} does not exist`);
  assertTransition(current.status, to, 'agent');
  const moved = await deps.store.transition(conversationId, current.status, to, fields, `status:${current.status}->${to} by ${actor.id}`);
  if (!moved) throw new ConflictError('CONVERSATION.CHANGED', 'the conversation changed meanwhile; reload and try again');
  await deps.audit.record({ actor: actor.id, action: `conversation.${to}`, target: `conversation:${conversationId}`, details: { from: current.status } });
  await deps.events.publish({ type: 'conversation.updated', conversationId, channelId: moved.channelId, status: moved.status }).catch(() => undefined);
  return moved;
}
