import type { Conversation, ConversationStatus, HandoffReason } from '../domain/conversation.js';
import { assertTransition } from '../domain/conversation.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { CoreDeps } from './deps.js';

export interface Actor {
  id: string;
}

/**
 * The one path by which people change a conversation's status: checked against the transition
 * table, applied as a conditional update (a concurrent change → 409), audited (`details.from`: a
 * step-in reads `{ from: 'bot' }`), announced. A transfer between agents keeps the status and has
 * its own path (transfer-conversation.ts).
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
  // A step-in (bot → assigned, issue 14 item 2) is no handoff: it has no reason, and the console
  // shows it as 客服主动接管.
  if (current.status === 'bot' && to === 'assigned') fields = { ...fields, handoffReason: null };
  const moved = await deps.store.transition(conversationId, current.status, to, fields, `status:${current.status}->${to} by ${actor.id}`);
  if (!moved) throw new ConflictError('CONVERSATION.CHANGED', 'the conversation changed meanwhile; reload and try again');
  await deps.audit.record({ actor: actor.id, action: `conversation.${to}`, target: `conversation:${conversationId}`, details: { from: current.status } });
  await deps.events.publish({ type: 'conversation.updated', conversationId, channelId: moved.channelId, status: moved.status }).catch(() => undefined);
  return moved;
}
