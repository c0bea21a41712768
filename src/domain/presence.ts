/**
 * Agent presence and capacity (issue 14 item 4, fair assignment). An agent says whether they take
 * new chats; auto-assignment offers a channel's new handoffs to the online agent with the fewest
 * open chats below their capacity. Away and offline agents keep the chats they hold. Who gets a
 * chat is decided in one place, the SQL of src/db/assignment-queries.ts (it must, under its lock);
 * tests/integration/auto-assignment.test.ts checks that order against it (issue 14: a JS copy here
 * was tested instead, and could not catch a bug in the SQL).
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
 * it again (a colleague may take it by hand meanwhile); after that it goes to anyone but the agent
 * who let it go (src/db/assignment-queries.ts, issue 14).
 */
export const MANUAL_REQUEUE_HOLD_MS = 60_000;

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
