/**
 * A contact's earlier conversations (issue 14 item 1). DESIGN keeps ONE conversation row per
 * contact: closing and reopening moves the same row (DESIGN.md §4.4), so "earlier conversations"
 * are that row's visits, the stretches of its history between closes. A close leaves a system note
 * (`status:<from>->closed by <actor>` from the console, `platform:session_ended` when the platform
 * ended the session); the next message after one starts a new visit.
 */
import type { MessageKind, Sender } from './message.js';
import { SYSTEM_ACTOR } from './user.js';

/** What the visits are cut from: the conversation's messages, oldest first. */
export interface TimelineEntry {
  id: string;
  sender: Sender;
  kind: MessageKind;
  text: string | null;
  createdAt: Date;
  /**
   * On an assignment note: whom the audit log says it went to (`conversation.assigned` details.to:
   * an auto-assignment's agent, or the agent an admin assigned it to); null or absent when the
   * audit row names nobody else (the actor took it themselves).
   */
  assignedTo?: string | null;
}

export interface Visit {
  /** The visit's first message: the console opens the conversation scrolled to it. */
  firstMessageId: string;
  startedAt: Date;
  /** When it was closed; null while it is still going on. */
  endedAt: Date | null;
  /** What was said in it: customer, bot and agent messages (no system notes, no platform events). */
  messageCount: number;
  /** The customer's first words in it; null when they only sent media or events. */
  firstCustomerText: string | null;
  /** Who held it, in the order they got it (user ids). */
  agentIds: string[];
}

const CLOSE_NOTE = /^status:[a-z]+->closed by /;
const PLATFORM_CLOSE = 'platform:session_ended';
/**
 * `status:queued->assigned by u_1`: an assignment (a step-in from bot too, issue 14 item 2). It names
 * who did it, who is not always who got it: the system auto-assigns, an admin assigns someone else
 * (issue 14 review). Who got it comes with the entry (assignedTo) where the audit log says.
 */
const ASSIGN_NOTE = /^status:[a-z]+->assigned by (.+)$/;
/** `transfer:<holder>-><user id | queue> by <actor>` (transfer-conversation.ts): names both holders. */
const TRANSFER_NOTE = /^transfer:(.+?)->(\S+) by (.+)$/;
const TO_QUEUE = 'queue';

export function isCloseNote(entry: Pick<TimelineEntry, 'sender' | 'text'>): boolean {
  return entry.sender === 'system' && entry.text !== null && (CLOSE_NOTE.test(entry.text) || entry.text === PLATFORM_CLOSE);
}

/**
 * Cuts the timeline (oldest first) into visits, newest first. A visit holds at least one message
 * that is not a system note: two closes in a row make no empty visit. Who handled a visit is who
 * held it (issue 14 review): an assignment's assignee (assignedTo, else the person who took it), a
 * transfer's holder and target, and `currentAssignee`, the conversation's holder now, for the visit
 * still open. The system and the queue are nobody.
 */
export function visitsOf(timeline: readonly TimelineEntry[], currentAssignee: string | null = null): Visit[] {
  const visits: Visit[] = [];
  let open: Visit | null = null;
  for (const entry of timeline) {
    if (entry.sender === 'system') {
      if (open === null) continue;
      for (const holder of holdersNamedBy(entry)) addAgent(open, holder);
      if (isCloseNote(entry)) {
        open.endedAt = entry.createdAt;
        visits.push(open);
        open = null;
      }
      continue;
    }
    open ??= { firstMessageId: entry.id, startedAt: entry.createdAt, endedAt: null, messageCount: 0, firstCustomerText: null, agentIds: [] };
    if (entry.kind !== 'event') open.messageCount += 1;
    if (entry.sender === 'customer' && entry.kind !== 'event' && open.firstCustomerText === null && entry.text?.trim()) open.firstCustomerText = entry.text.trim();
  }
  if (open !== null) {
    if (currentAssignee !== null) addAgent(open, currentAssignee);
    visits.push(open);
  }
  return visits.reverse();
}

/** The holders a system note names: an assignment's assignee, a transfer's two ends. */
function holdersNamedBy(entry: TimelineEntry): string[] {
  if (entry.text === null) return [];
  const assigned = ASSIGN_NOTE.exec(entry.text);
  if (assigned) return [entry.assignedTo || assigned[1]];
  const transfer = TRANSFER_NOTE.exec(entry.text);
  if (transfer) return [transfer[1], transfer[2]];
  return [];
}

function addAgent(visit: Visit, id: string): void {
  if (id !== SYSTEM_ACTOR && id !== TO_QUEUE && !visit.agentIds.includes(id)) visit.agentIds.push(id);
}
