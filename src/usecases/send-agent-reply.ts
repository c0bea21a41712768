import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Actor } from '../domain/user.js';
import type { CoreDeps } from './deps.js';
import { learnFromAgentReply } from './learn-from-agent-reply.js';
import { scheduleSend } from './schedule.js';

/**
 * An agent's answer goes to the customer through the outbox, like the bot's. Committing it settles
 * the conversation's drafts (issue 13 item 5): `draftId`, the draft this reply sends, is linked to
 * it; any other open draft is superseded, the agent having answered in their own words.
 */
export async function sendAgentReply(
  deps: CoreDeps,
  actor: Actor,
  conversationId: string,
  text: string,
  options: { draftId?: string } = {},
): Promise<{ messageId: string }> {
  const trimmed = text.trim();
  if (!trimmed) throw new ValidationError('text must not be empty');
  const conversation = await deps.store.get(conversationId);
  if (!conversation) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${conversationId} does not exist`);
  if (conversation.status !== 'assigned') {
    throw new ConflictError('CONVERSATION.NOT_ASSIGNED', 'take the conversation over before replying');
  }
  // issue 14 item 3: after a transfer the previous holder must not go on answering; an admin may step in.
  if (conversation.assigneeId && conversation.assigneeId !== actor.id && actor.role !== 'admin') {
    throw new ForbiddenError('another agent holds this conversation', 'CONVERSATION.NOT_HOLDER');
  }
  // issue 14 review: the check above is a read; the insert is conditional on the holder read (an
  // admin's reply too), so a reply racing a transfer, release or close is a 409
  // CONVERSATION.CHANGED with nothing stored, never a message in the next holder's chat.
  const added = await deps.store.addOutgoing({
    conversationId,
    sender: 'agent',
    kind: 'text',
    text: trimmed,
    ...(options.draftId ? { draftId: options.draftId } : {}),
    ...(conversation.assigneeId ? { holderId: conversation.assigneeId } : {}),
  });
  scheduleSend(deps, added.outboxId, 1);
  await deps.audit.record({ actor: actor.id, action: 'conversation.reply', target: `conversation:${conversationId}`, details: { messageId: added.messageId } });
  await deps.events
    .publish({ type: 'message.added', conversationId, channelId: conversation.channelId, messageId: added.messageId, sender: 'agent' })
    .catch(() => undefined);
  // issue 12 items 4, 5: what the reply teaches is worked out after it is committed, off the
  // request's path; a failure there is logged and never reaches the agent.
  void learnFromAgentReply(deps, actor, conversation, added.messageId, trimmed).catch((err: Error) =>
    deps.log.warn({ err: err.message, conversationId }, 'learning from an agent reply failed'),
  );
  return { messageId: added.messageId };
}
