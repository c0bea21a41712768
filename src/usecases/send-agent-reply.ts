import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from './move-conversation.js';
import { scheduleSend } from './schedule.js';

/** An agent's answer goes to the customer through the outbox, like the bot's. */
export async function sendAgentReply(deps: CoreDeps, actor: Actor, conversationId: string, text: string): Promise<{ messageId: string }> {
  const trimmed = text.trim();
  if (!trimmed) throw new ValidationError('text must not be empty');
  const conversation = await deps.store.get(conversationId);
  if (!conversation) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${conversationId} does not exist`);
  if (conversation.status !== 'assigned') {
    throw new ConflictError('CONVERSATION.NOT_ASSIGNED', 'take the conversation over before replying');
  }
  const added = await deps.store.addOutgoing({ conversationId, sender: 'agent', kind: 'text', text: trimmed });
  scheduleSend(deps, added.outboxId, 1);
  await deps.audit.record({ actor: actor.id, action: 'conversation.reply', target: `conversation:${conversationId}`, details: { messageId: added.messageId } });
  await deps.events
    .publish({ type: 'message.added', conversationId, channelId: conversation.channelId, messageId: added.messageId, sender: 'agent' })
    .catch(() => undefined);
  return { messageId: added.messageId };
}
