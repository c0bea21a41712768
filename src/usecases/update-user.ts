import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { MAX_CAPACITY, MIN_CAPACITY } from '../domain/presence.js';
import type { Actor, Role, User } from '../domain/user.js';
import { offerWaiting } from './auto-assign.js';
import type { CoreDeps } from './deps.js';
import { checkPassword } from './create-user.js';
import { moveConversation } from './move-conversation.js';

/** How many of a disabled agent's chats are read per page; every page is gone through. */
const REQUEUE_PAGE = 100;

export interface UserChanges {
  name?: string;
  role?: Role;
  disabled?: boolean;
  password?: string;
  /** issue 14 item 4: open chats auto-assignment gives them at most. */
  capacity?: number;
}

/**
 * Role, name, disabled, password. Disabling or a new password ends every session of the user
 * (theirs included when an admin changes their own password); a role change applies on the next
 * request without one, because sessions read the role from the users row.
 */
export async function updateUser(deps: CoreDeps, actor: Actor, id: string, changes: UserChanges): Promise<User> {
  const current = await deps.users.get(id);
  if (!current) throw new NotFoundError('USER.NOT_FOUND', `user ${id} does not exist`);
  if (changes.password !== undefined) checkPassword(changes.password);
  if (changes.capacity !== undefined && !(Number.isInteger(changes.capacity) && changes.capacity >= MIN_CAPACITY && changes.capacity <= MAX_CAPACITY)) {
    throw new ValidationError(`capacity must be a whole number from ${MIN_CAPACITY} to ${MAX_CAPACITY}`, 'USER.CAPACITY');
  }
  const losesAdmin = current.role === 'admin' && !current.disabled && (changes.role === 'agent' || changes.disabled === true);
  // Someone must be able to sign in and manage users; ADMIN_TOKEN is for automation, not people.
  if (losesAdmin && (await deps.users.countActiveAdmins()) <= 1) throw new ConflictError('USER.LAST_ADMIN', 'the last enabled admin cannot be demoted or disabled');

  const passwordHash = changes.password === undefined ? undefined : await deps.passwords.hash(changes.password);
  const updated = await deps.users.update(id, { name: changes.name?.trim() || undefined, role: changes.role, disabled: changes.disabled, passwordHash, capacity: changes.capacity });
  if (!updated) throw new NotFoundError('USER.NOT_FOUND', `user ${id} does not exist`);
  const endsSessions = changes.disabled === true || passwordHash !== undefined;
  const sessionsEnded = endsSessions ? await deps.sessions.deleteForUser(id) : 0;
  // Open console streams outlive the rows they were opened with: tell every process to close them.
  if (endsSessions) await deps.events.publish({ type: 'sessions.ended', userId: id, tokenHash: null }).catch(() => undefined);

  const fields = Object.keys(changes).filter((k) => (changes as Record<string, unknown>)[k] !== undefined);
  const details: Record<string, unknown> = { fields, sessionsEnded };
  if (changes.role !== undefined && changes.role !== current.role) details.role = { from: current.role, to: changes.role };
  if (changes.disabled !== undefined && changes.disabled !== current.disabled) details.disabled = changes.disabled;
  if (changes.capacity !== undefined && changes.capacity !== current.capacity) details.capacity = { from: current.capacity, to: changes.capacity };
  await deps.audit.record({ actor: actor.id, action: 'user.update', target: `user:${id}`, details });
  // A disabled agent's chats were in nobody's queue (probe: "must not miss a flagged chat").
  if (changes.disabled === true && !current.disabled) {
    const requeued = await requeueChatsOf(deps, actor, id).catch((err: Error) => {
      deps.log.warn({ err: err.message, userId: id }, "a disabled user's chats could not all go back to the queue");
      return 0;
    });
    // Like any unassign, the chats wait MANUAL_REQUEUE_HOLD_MS for a person first (issue 14); this
    // round serves what else waits, the sweeper offers these once the hold ends.
    if (requeued > 0) await offerWaiting(deps).catch((err: Error) => deps.log.warn({ err: err.message }, 'auto-assignment after disabling a user failed'));
  }
  // issue 14 item 4: room for more chats is offered at once to what waits in auto-assigned channels.
  if (changes.capacity !== undefined && changes.capacity > (current.capacity ?? 0)) {
    await offerWaiting(deps).catch((err: Error) => deps.log.warn({ err: err.message }, 'auto-assignment after a capacity change failed'));
  }
  return updated;
}

/**
 * Puts every chat the user holds back in the queue as an admin's unassign does (moveConversation,
 * the admin as actor, reason `user_disabled`), but only while the disabled user still holds it: a
 * chat an admin transferred meanwhile stays with its new holder. A chat that moved is skipped: the
 * disable has already happened and must not fail. Returns how many moved.
 */
async function requeueChatsOf(deps: CoreDeps, actor: Actor, userId: string): Promise<number> {
  const tried = new Set<string>();
  let moved = 0;
  for (;;) {
    const page = await deps.store.list({ status: 'assigned', assigneeId: userId, limit: REQUEUE_PAGE });
    const fresh = page.filter((c) => !tried.has(c.id));
    if (fresh.length === 0) return moved;
    for (const { id } of fresh) {
      tried.add(id);
      try {
        await moveConversation(deps, actor, id, 'queued', { assigneeId: null }, { holder: userId, reason: 'user_disabled' });
        moved++;
      } catch (err) {
        const changed = err instanceof ConflictError;
        deps.log[changed ? 'info' : 'warn']({ err: (err as Error).message, conversationId: id, userId }, "a disabled user's chat did not go back to the queue");
      }
    }
  }
}
