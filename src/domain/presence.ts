/**
 * Agent presence and capacity (issue 14 item 4, fair assignment). An agent says whether they take
 * new chats; auto-assignment offers a channel's new handoffs to the online agent with the fewest
 * open chats below their capacity. Away and offline agents keep the chats they hold.
 */
import type { Role } from './user.js';

/** Mirrored by the CHECK constraint on users.presence (migrations/017_agent_presence.sql). */
export const PRESENCES = ['online', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

/** Mirrored by the CHECK constraint on users.capacity. */
export const MIN_CAPACITY = 1;
export const MAX_CAPACITY = 100;
export const DEFAULT_CAPACITY = 5;

/** How often an open console stream says it is still there (console_streams.seen_at). */
export const STREAM_HEARTBEAT_MS = 15_000;
/** A stream not heard from for this long belongs to a process that died: it counts as closed. */
export const STREAM_STALE_MS = 45_000;
/**
 * A closed stream still counts for this long, so a reload (the old tab's stream closes, the new
 * one opens a moment later) does not drop the agent offline; the last tab really closed drops
 * them once it has passed.
 */
export const STREAM_GRACE_MS = 5_000;
/**
 * A chat an agent put back in the queue by hand waits this long before auto-assignment may offer
 * it again: otherwise it could land straight back with the agent who just let it go.
 */
export const MANUAL_REQUEUE_HOLD_MS = 60_000;

/** Only online agents get new chats; away and offline ones keep theirs. */
export function takesNewChats(presence: Presence): boolean {
  return presence === 'online';
}

/** One agent as the console and the dashboard see them (GET /api/agents). */
export interface AgentStatus {
  id: string;
  name: string;
  email: string;
  role: Role;
  presence: Presence;
  /** When the presence last changed; null when never set. */
  presenceSince: Date | null;
  capacity: number;
  /** Conversations assigned to them and not closed. */
  openChats: number;
}

/** What auto-assignment weighs for one agent. */
export interface AssignmentCandidate {
  id: string;
  presence: Presence;
  disabled: boolean;
  capacity: number;
  openChats: number;
  /** Their last auto-assignment; null when never. */
  lastAssignedAt: Date | null;
}

/**
 * Who gets the next chat: among enabled online agents below capacity, the one with the fewest open
 * chats; ties go to the one whose last assignment is oldest (never first), then to the smaller id.
 * Null when nobody may take it: the chat stays in the queue. The SQL in
 * src/db/assignment-queries.ts applies this same order inside its lock; this is its reference.
 */
export function pickAssignee(candidates: readonly AssignmentCandidate[]): string | null {
  const eligible = candidates.filter((c) => !c.disabled && takesNewChats(c.presence) && c.openChats < c.capacity);
  eligible.sort((a, b) =>
    a.openChats - b.openChats
    || (a.lastAssignedAt?.getTime() ?? -Infinity) - (b.lastAssignedAt?.getTime() ?? -Infinity)
    || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return eligible[0]?.id ?? null;
}
