import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Actor } from '../domain/user.js';
import type { Transferred } from '../ports/conversation-store.js';
import { MAX_NOTE_LENGTH } from './add-conversation-note.js';
import { assertAssignable } from './assign-conversation.js';
import type { CoreDeps } from './deps.js';

/** Where a transfer sends a conversation: another agent's user id, or back to the queue. */
export type TransferTarget = { assigneeId: string } | 'queue';

/**
 * The system note of a transfer, in the console's note forms (cf. `status:<from>-><to> by <actor>`):
 * `transfer:<holder>-><user id | queue> by <actor>` (src/console/format.ts words it).
 */
export function transferNote(from: string, to: string, actorId: string): string {
  return `transfer:${from}->${to} by ${actorId}`;
}

/**
 * Transfer (issue 14 item 3): the agent holding a conversation (or an admin) hands it to another
 * agent (assigned → assigned, a new assignee) or back to the queue (assigned → queued), with an
 * optional note for whoever picks it up. Checks, in order: the conversation exists (404), is
 * assigned (409), the caller holds it or is an admin (403), the target may take chats and is not the
 * holder (400). Then one conditional update on the holder that was read: a concurrent transfer,
 * take-over, release or close makes it a 409 CONVERSATION.CHANGED and changes nothing. Audited as
 * `conversation.transfer` {from, to}; announced, so the receiving console notices.
 */
export async function transferConversation(deps: CoreDeps, actor: Actor, conversationId: string, to: TransferTarget, note?: string): Promise<Transferred> {
  const text = note?.trim() ?? '';
  if (text.length > MAX_NOTE_LENGTH) throw new ValidationError(`note must be at most ${MAX_NOTE_LENGTH} characters`);
  const current = await deps.store.get(conversationId);
  if (!current) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${conversationId} does not exist`);
  if (current.status !== 'assigned' || !current.assigneeId) {
    throw new ConflictError('CONVERSATION.NOT_ASSIGNED', 'only a conversation an agent holds can be transferred');
  }
  const holder = current.assigneeId;
  if (actor.id !== holder && actor.role !== 'admin') {
    throw new ForbiddenError('only the agent holding the conversation, or an admin, may transfer it', 'TRANSFER.NOT_HOLDER');
  }
  if (to !== 'queue') {
    if (to.assigneeId === holder) throw new ValidationError('the conversation is already with this agent', 'TRANSFER.SAME_ASSIGNEE');
    await assertAssignable(deps, to.assigneeId);
  }
  const target = to === 'queue' ? 'queue' : to.assigneeId;
  const transferred = await deps.store.transfer(conversationId, {
    fromAssigneeId: holder,
    toAssigneeId: to === 'queue' ? null : to.assigneeId,
    systemNote: transferNote(holder, target, actor.id),
    note: text ? { authorId: actor.id, text } : null,
  });
  if (!transferred) throw new ConflictError('CONVERSATION.CHANGED', 'the conversation changed meanwhile; reload and try again');
  await deps.audit.record({
    actor: actor.id,
    action: 'conversation.transfer',
    target: `conversation:${conversationId}`,
    details: { from: holder, to: target, ...(transferred.note ? { noteId: transferred.note.id } : {}) },
  });
  await deps.events
    .publish({ type: 'conversation.updated', conversationId, channelId: transferred.conversation.channelId, status: transferred.conversation.status })
    .catch(() => undefined);
  return transferred;
}
