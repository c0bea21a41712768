import { assertTransition } from '../domain/conversation.js';
import { MANUAL_REQUEUE_HOLD_MS } from '../domain/presence.js';
import { SYSTEM_ACTOR } from '../domain/user.js';
import type { AutoAssigned } from '../ports/presence.js';
import type { CoreDeps } from './deps.js';
/** At most this many chats move in one round (an agent coming online with a long queue waiting). */
const ROUND_LIMIT = 100;

/**
 * The one move auto-assignment makes, checked against the transition table like every other
 * (issue 14: it bypassed it; hand-back-to-bot.ts checks its own the same way), then made.
 */
function assignNext(deps: CoreDeps, conversationId: string | null): Promise<AutoAssigned | null> {
  assertTransition('queued', 'assigned', SYSTEM_ACTOR);
  return deps.assignments.assignNext(conversationId, MANUAL_REQUEUE_HOLD_MS);
}

/** Audited and announced like a person's assignment (moveConversation), with the system as actor. */
async function recordAssignment(deps: CoreDeps, assigned: AutoAssigned): Promise<void> {
  const { conversation, assigneeId } = assigned;
  await deps.audit.record({
    actor: SYSTEM_ACTOR,
    action: 'conversation.assigned',
    target: `conversation:${conversation.id}`,
    // `to`: whom it went to, as a transfer's details name them (the audit page words both alike).
    details: { auto: true, from: 'queued', to: assigneeId },
  });
  await deps.events.publish({ type: 'conversation.updated', conversationId: conversation.id, channelId: conversation.channelId, status: conversation.status }).catch(() => undefined);
}

/**
 * issue 14 item 4: offers one queued conversation of an `auto` channel to the online agent with the
 * fewest open chats below capacity. Null when it did not move: its channel is manual, it is no
 * longer waiting, or nobody may take it now (it stays in the queue; offerWaiting picks it up later):
 * nobody but the agent who put it back in the queue counts as somebody (issue 14).
 */
export async function offerConversation(deps: CoreDeps, conversationId: string): Promise<AutoAssigned | null> {
  const assigned = await assignNext(deps, conversationId);
  if (assigned) await recordAssignment(deps, assigned);
  return assigned;
}

/**
 * Offers every waiting chat of `auto` channels, longest waiting first, until none is left or
 * nobody may take more: when an agent comes online, when a chat closes or leaves an agent, and
 * periodically from the sweeper (so a crash between a handoff and its offer loses nothing).
 * Returns how many moved.
 */
export async function offerWaiting(deps: CoreDeps): Promise<number> {
  let moved = 0;
  while (moved < ROUND_LIMIT) {
    const assigned = await assignNext(deps, null);
    if (!assigned) break;
    await recordAssignment(deps, assigned);
    moved++;
  }
  return moved;
}

/**
 * Runs offerWaiting when asked, never two at once in this process: a request that comes while a
 * round runs makes one more round after it (the round it came during may have missed its cause).
 * For triggers that fire often (events, the sweeper); failures are logged, never thrown.
 */
export function createOfferTrigger(deps: CoreDeps): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async (): Promise<void> => {
    do {
      again = false;
      await offerWaiting(deps).catch((err: Error) => deps.log.warn({ err: err.message }, 'auto-assignment failed; the next round retries'));
    } while (again);
  };
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = run().finally(() => (running = null));
    return running;
  };
}
