import type { Conversation, ConversationStatus, HandoffReason } from '../domain/conversation.js';
import { assertTransition } from '../domain/conversation.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { Actor } from '../domain/user.js';
import type { CoreDeps } from './deps.js';

/**
 * The one path by which people change a conversation's status: checked against the transition
 * table, applied as a conditional update (a concurrent change → 409), audited (`details.from`: a
 * step-in reads `{ from: 'bot' }`), announced. A transfer between agents keeps the status and has
 * its own path (transfer-conversation.ts).
 *
 * A conversation an agent holds is theirs (issue 14 review): only its holder or an admin (the
 * ADMIN_TOKEN bearer included) may unassign, close or release it, else 403 CONVERSATION.NOT_HOLDER,
 * as for a reply or a transfer; otherwise any agent could unassign a colleague's chat and take it.
 * The update applies only while the holder read is still the holder, so a move racing a transfer
 * is a 409 and changes nothing. Taking a queued chat and stepping into a bot chat stay open to all.
 */
export async function moveConversation(
  deps: CoreDeps,
  actor: Actor,
  conversationId: string,
  to: ConversationStatus,
  fields: { assigneeId?: string | null; handoffReason?: HandoffReason | null } = {},
  /**
   * `holder`: move only while this user holds the chat (a disabled agent's chats, update-user.ts:
   * one an admin transferred meanwhile stays with its new holder); `reason` goes to the audit entry.
   */
  only: { holder?: string; reason?: string } = {},
): Promise<Conversation> {
  const current = await deps.store.get(conversationId);
  if (!current) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${conversationId} does not exist`);
  assertTransition(current.status, to, 'agent');
  const holder = current.status === 'assigned' ? current.assigneeId : null;
  if (only.holder !== undefined && holder !== only.holder) throw new ConflictError('CONVERSATION.CHANGED', 'the conversation changed meanwhile; reload and try again');
  if (holder && holder !== actor.id && actor.role !== 'admin') {
    throw new ForbiddenError('another agent holds this conversation', 'CONVERSATION.NOT_HOLDER');
  }
  // A step-in (bot → assigned, issue 14 item 2) is no handoff: it has no reason, and the console
  // shows it as 客服主动接管.
  if (current.status === 'bot' && to === 'assigned') fields = { ...fields, handoffReason: null };
  const moved = await deps.store.transition(conversationId, current.status, to, fields, `status:${current.status}->${to} by ${actor.id}`, holder);
  if (!moved) throw new ConflictError('CONVERSATION.CHANGED', 'the conversation changed meanwhile; reload and try again');
  // `to`: an assignment to someone else (an admin's) names its assignee, as auto-assignment's do:
  // the contact's visits list who held the chat, not who clicked (issue 14 review, contact-store.ts).
  const assignee = to === 'assigned' && fields.assigneeId && fields.assigneeId !== actor.id ? { to: fields.assigneeId } : {};
  await deps.audit.record({ actor: actor.id, action: `conversation.${to}`, target: `conversation:${conversationId}`, details: { from: current.status, ...assignee, ...(only.reason ? { reason: only.reason } : {}) } });
  await deps.events.publish({ type: 'conversation.updated', conversationId, channelId: moved.channelId, status: moved.status }).catch(() => undefined);
  return moved;
}
