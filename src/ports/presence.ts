import type { Conversation } from '../domain/conversation.js';
import type { AgentStatus, Presence } from '../domain/presence.js';

/** An agent's presence as stored (users.presence, users.presence_since). */
export interface PresenceState {
  userId: string;
  presence: Presence;
  /** When it last changed; null when never set. */
  since: Date | null;
}

/**
 * Agent presence and the console streams that keep it (issue 14 item 4; migrations/017). A console
 * tab is one row of console_streams, whichever web process holds it, so "the last tab closed" is
 * known across processes: a row counts while it is open and heard from within `staleMs`, or closed
 * within `graceMs` (a reload is not a departure).
 */
export interface PresenceStore {
  /** Null when there is no such user. */
  get(userId: string): Promise<PresenceState | null>;
  /** Sets it; `changed` false when it was that already (the stored `since` is kept then). Null: no such user. */
  set(userId: string, presence: Presence): Promise<(PresenceState & { changed: boolean }) | null>;
  /** A console tab of `userId` opened a stream on `instance` (this process). */
  openStream(streamId: string, userId: string, instance: string): Promise<void>;
  /** Still open: refreshes seen_at of these streams. */
  touchStreams(streamIds: string[]): Promise<void>;
  /** The stream ended; its row counts for the grace period, then goes. */
  closeStream(streamId: string): Promise<void>;
  /**
   * Sets offline, in one conditional update, each user given (all users when `userIds` is null) who
   * is not offline, has no stream that still counts, and whose presence is older than `graceMs`.
   * Returns who dropped.
   */
  dropWithoutStreams(userIds: string[] | null, timing: StreamTiming): Promise<PresenceState[]>;
  /** Deletes stream rows that no longer count (stale, or closed before the grace period); returns how many. */
  deleteDeadStreams(timing: StreamTiming): Promise<number>;
  /** Every enabled user who may take chats (agents and admins), with presence, capacity and open chats. */
  listAgents(): Promise<AgentStatus[]>;
}

export interface StreamTiming {
  staleMs: number;
  graceMs: number;
}

/** One conversation auto-assignment moved (queued → assigned) to `assigneeId`. */
export interface AutoAssigned {
  conversation: Conversation;
  assigneeId: string;
}

/** Auto-assignment's one statement (src/db/assignment-queries.ts). */
export interface AssignmentStore {
  /**
   * Offers one waiting conversation of an `auto` channel (`conversationId`, or the longest waiting
   * one when null) to the online agent with the fewest open chats below capacity (ties: oldest last
   * assignment, then id), serialised across processes so capacity holds. A chat put back in the
   * queue by hand within `requeueHoldMs` is left alone, and after that never goes to the agent who
   * put it back (issue 14). Null when nothing moved: no such waiting
   * chat, or nobody may take it (it stays queued).
   */
  assignNext(conversationId: string | null, requeueHoldMs: number): Promise<AutoAssigned | null>;
}
