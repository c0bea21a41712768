import { ForbiddenError } from '../domain/errors.js';
import { STREAM_GRACE_MS, STREAM_STALE_MS, type Presence } from '../domain/presence.js';
import type { Actor } from '../domain/user.js';
import type { PresenceState } from '../ports/presence.js';
import type { CoreDeps } from './deps.js';

/** The stream timing of migrations/017 (domain/presence.ts): a stream counts while heard from, and briefly after it closed. */
export const STREAM_TIMING = { staleMs: STREAM_STALE_MS, graceMs: STREAM_GRACE_MS };

function announce(deps: CoreDeps, state: PresenceState): Promise<void> {
  return deps.events
    .publish({ type: 'agent.presence', userId: state.userId, presence: state.presence, since: state.since?.toISOString() ?? null })
    .catch((err: Error) => deps.log.warn({ err: err.message }, 'presence event not published'));
}

/**
 * issue 14 item 4: an agent says whether they take new chats (online), are away (keep theirs, get no
 * new ones) or offline. Announced to every console, not audited: agents flip it many times a shift
 * and it changes nothing anyone could undo. Coming online offers them the chats waiting in
 * auto-assigned channels, though not here: the agent.presence event this announces starts a round
 * in the sweeper (jobs/sweeper.ts, mayFreeAnAgent), and the sweep's periodic round covers a lost
 * event. issue 14: running it here too made every PUT, even one that changed nothing, wait for up
 * to a hundred assignments before answering.
 */
export async function setPresence(deps: CoreDeps, actor: Actor, presence: Presence): Promise<PresenceState> {
  const state = await deps.presence.set(actor.id, presence);
  // The ADMIN_TOKEN bearer is automation, not a person who could take chats.
  if (!state) throw new ForbiddenError('presence belongs to a signed-in user; the admin token has none', 'PRESENCE.NOT_A_USER');
  if (state.changed) await announce(deps, state);
  return { userId: state.userId, presence: state.presence, since: state.since };
}

/** An agent's presence; the ADMIN_TOKEN bearer has none (403 like setPresence). */
export async function getPresence(deps: CoreDeps, actor: Actor): Promise<PresenceState> {
  const state = await deps.presence.get(actor.id);
  if (!state) throw new ForbiddenError('presence belongs to a signed-in user; the admin token has none', 'PRESENCE.NOT_A_USER');
  return state;
}

/**
 * Drops to offline the given users (all when null) who have no console stream that still counts
 * (their last tab closed, or its process died), and announces each. Called after a stream closes
 * and from the sweeper. Returns who dropped.
 */
export async function dropAbsentAgents(deps: CoreDeps, userIds: string[] | null): Promise<PresenceState[]> {
  const dropped = await deps.presence.dropWithoutStreams(userIds, STREAM_TIMING);
  for (const state of dropped) await announce(deps, state);
  return dropped;
}
