import type { Conversation } from '../domain/conversation.js';
import { ForbiddenError, ValidationError } from '../domain/errors.js';
import { isTextId } from '../domain/ids.js';
import { roleAllows, type Actor } from '../domain/user.js';
import type { CoreDeps } from './deps.js';
import { moveConversation } from './move-conversation.js';

/**
 * Only an existing, enabled user who may work the queue can hold a conversation (issue 11 item 7:
 * `ghost-user-123` was accepted, and the conversation dropped out of every agent's view). A
 * transfer's target is checked the same way (issue 14 item 3).
 */
export async function assertAssignable(deps: CoreDeps, assigneeId: string): Promise<void> {
  if (!isTextId(assigneeId)) throw new ValidationError('assigneeId is not a user id', 'ASSIGNEE.INVALID');
  const user = await deps.users.get(assigneeId);
  if (!user) throw new ValidationError(`no user ${assigneeId}`, 'ASSIGNEE.NOT_FOUND');
  if (user.disabled) throw new ValidationError(`user ${assigneeId} is disabled`, 'ASSIGNEE.DISABLED');
  if (!roleAllows(user.role, 'agent')) throw new ValidationError(`user ${assigneeId} may not take conversations`, 'ASSIGNEE.NOT_AGENT');
}

/**
 * An agent takes over a queued conversation (queued → assigned), or steps into one the bot is
 * handling (bot → assigned, issue 14 item 2: the bot is silent from then on), for themselves or
 * for another user. Taking it oneself needs no check: the caller is signed in with a role that may
 * (the ADMIN_TOKEN bearer, `admin-token`, included).
 */
export async function assignConversation(deps: CoreDeps, actor: Actor, conversationId: string, assigneeId?: string): Promise<Conversation> {
  const assignee = assigneeId ?? actor.id;
  if (assignee !== actor.id) {
    // Handing a chat to someone else bypasses their presence and capacity (issue 14 probe): an agent
    // takes chats for themselves and passes on the ones they hold by transfer; admins may assign anyone.
    if (actor.role !== 'admin') throw new ForbiddenError('agents take conversations for themselves; transfer one you hold instead', 'ASSIGNEE.NOT_SELF');
    await assertAssignable(deps, assignee);
  }
  return moveConversation(deps, actor, conversationId, 'assigned', { assigneeId: assignee });
}

/** An agent gives a conversation back to the queue (assigned → queued). */
export function unassignConversation(deps: CoreDeps, actor: Actor, conversationId: string): Promise<Conversation> {
  return moveConversation(deps, actor, conversationId, 'queued', { assigneeId: null });
}
