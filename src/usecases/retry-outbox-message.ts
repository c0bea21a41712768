import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';
import { scheduleSend } from './schedule.js';

/**
 * An agent sends a failed reply again (the platform refused it for good: a closed window, an
 * invalid user, a message the platform later reported undeliverable). Only `failed` messages:
 * an `unknown` one may have arrived, and resending it is a decision this button must not make.
 */
export async function retryOutboxMessage(deps: CoreDeps, actor: Actor, conversationId: string, messageId: string): Promise<{ messageId: string; status: 'pending' }> {
  const conversation = await deps.store.get(conversationId);
  if (!conversation) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${conversationId} does not exist`);
  const retried = await deps.outbox.retryFailed(conversationId, messageId);
  if (retried === 'not_found') throw new NotFoundError('MESSAGE.NOT_FOUND', `message ${messageId} is not in conversation ${conversationId}`);
  if (retried === 'not_failed') throw new ConflictError('CONVERSATION.MESSAGE_NOT_FAILED', 'only a message whose delivery failed can be sent again');
  // A fresh outbox row: its first job id cannot collide with an earlier one.
  scheduleSend(deps, retried.outboxId, 1);
  await deps.audit.record({ actor: actor.id, action: 'message.retry', target: `conversation:${conversationId}`, details: { messageId } });
  await deps.events
    .publish({ type: 'message.status', conversationId, channelId: conversation.channelId, messageId, status: 'pending' })
    .catch(() => undefined);
  return { messageId, status: 'pending' };
}
