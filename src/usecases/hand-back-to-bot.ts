import type { Channel } from '../domain/channel.js';
import { assertTransition } from '../domain/conversation.js';
import { SYSTEM_ACTOR } from '../domain/user.js';
import type { HandbackCandidate, HandbackWindow } from '../ports/conversation-store.js';
import type { ResponderHealth } from '../ports/responder.js';
import type { CoreDeps } from './deps.js';
import { scheduleTurn } from './schedule.js';

/** Conversations handed back per run; the rest wait for the next run. */
const BATCH = 100;
/** A responder without a breaker (the knowledge base) is always there. */
const ALWAYS_AVAILABLE: ResponderHealth = { available: true, since: new Date(0) };

/**
 * Issue 11: a conversation handed off for `model_unavailable` that no agent has taken goes back to
 * the bot `modelHandbackMs` after the model is back (counted from max(handoff, model back)). The
 * customer then gets the answer to what the holding message covered; a handoff on that turn adds no
 * second holding message (decide-turn.ts). Returns how many went back.
 */
export async function handBackToBot(deps: CoreDeps): Promise<number> {
  const window = handbackWindow(deps);
  if (!window) return 0;
  assertTransition('queued', 'bot', SYSTEM_ACTOR);
  let handedBack = 0;
  for (const candidate of await deps.store.findHandbackCandidates(window, BATCH)) {
    if (await handBackOne(deps, candidate, window)) handedBack += 1;
  }
  return handedBack;
}

/**
 * Which handoffs may go back now; null while none may: handback off (0), the model down, or back
 * for less than the wait. Questions older than MAX_ANSWER_AGE_S stay with humans, as on arrival.
 */
export function handbackWindow(deps: Pick<CoreDeps, 'settings' | 'responder' | 'clock'>): HandbackWindow | null {
  const { modelHandbackMs, maxAnswerAgeMs } = deps.settings;
  if (modelHandbackMs <= 0) return null;
  const health = deps.responder.health?.() ?? ALWAYS_AVAILABLE;
  if (!health.available) return null;
  const now = deps.clock.now().getTime();
  const handedOffBefore = new Date(now - modelHandbackMs);
  if (health.since > handedOffBefore) return null;
  return { handedOffBefore, customerWroteSince: new Date(now - maxAnswerAgeMs) };
}

async function handBackOne(deps: CoreDeps, candidate: HandbackCandidate, window: HandbackWindow): Promise<boolean> {
  const { conversationId, channelId } = candidate;
  const channel = await deps.channels.get(channelId);
  if (!channel || !botMayAnswer(deps, channel)) return false;
  const returned = await deps.store.returnToBot(conversationId, window);
  if (!returned) return false;
  // The turn first: the messages are pending and committed, so the sweeper re-drives them if this wake-up is lost.
  if (returned.firstPendingId) scheduleTurn(deps, conversationId, `${returned.firstPendingId}-handback${returned.noteId}`, 0);
  deps.log.info({ conversationId }, 'the model is back and no agent took the conversation; it returns to the bot');
  await deps.events.publish({ type: 'conversation.updated', conversationId, channelId, status: returned.conversation.status }).catch(() => undefined);
  await deps.audit.record({
    actor: SYSTEM_ACTOR, action: 'conversation.bot', target: `conversation:${conversationId}`,
    details: { from: 'queued', reason: 'model_available' },
  });
  return true;
}

/** A channel turned off, with its bot off, or whose platform holds the handed-off session keeps it with humans. */
function botMayAnswer(deps: CoreDeps, channel: Channel): boolean {
  if (!channel.enabled || !channel.botEnabled) return false;
  const adapter = deps.adapters.get(channel.kind);
  return !(adapter?.keepsHandedOffSessions?.(channel) ?? false);
}
