/**
 * A contact's earlier conversations (issue 14 item 1). DESIGN keeps ONE conversation row per
 * contact: closing and reopening moves the same row (DESIGN.md §4.4), so "earlier conversations"
 * are that row's visits, the stretches of its history between closes. A close leaves a system note
 * (`status:<from>->closed by <actor>` from the console, `platform:session_ended` when the platform
 * ended the session); the next message after one starts a new visit.
 */
import type { MessageKind, Sender } from './message.js';

/** What the visits are cut from: the conversation's messages, oldest first. */
export interface TimelineEntry {
  id: string;
  sender: Sender;
  kind: MessageKind;
  text: string | null;
  createdAt: Date;
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
  /** Who took it over, in the order they did (user ids). */
  agentIds: string[];
}

const CLOSE_NOTE = /^status:[a-z]+->closed by /;
const PLATFORM_CLOSE = 'platform:session_ended';
/** `status:queued->assigned by u_1`: the person who took the chat (a step-in from bot too, issue 14 item 2). */
const TAKEOVER_NOTE = /^status:[a-z]+->assigned by (.+)$/;
/** The service's own moves are not a person handling the chat. */
const NOT_A_PERSON = new Set(['system']);

export function isCloseNote(entry: Pick<TimelineEntry, 'sender' | 'text'>): boolean {
  return entry.sender === 'system' && entry.text !== null && (CLOSE_NOTE.test(entry.text) || entry.text === PLATFORM_CLOSE);
}

/**
 * Cuts the timeline (oldest first) into visits, newest first. A visit holds at least one message
 * that is not a system note: two closes in a row make no empty visit. `currentAssignee`, the
 * conversation's holder now, counts as handling the visit still open (a transfer names them only
 * in the assignee column).
 */
export function visitsOf(timeline: readonly TimelineEntry[], currentAssignee: string | null = null): Visit[] {
  const visits: Visit[] = [];
  let open: Visit | null = null;
  for (const entry of timeline) {
    if (entry.sender === 'system') {
      if (open === null) continue;
      const takeover = entry.text ? TAKEOVER_NOTE.exec(entry.text) : null;
      if (takeover) addAgent(open, takeover[1]);
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

function addAgent(visit: Visit, id: string): void {
  if (!NOT_A_PERSON.has(id) && !visit.agentIds.includes(id)) visit.agentIds.push(id);
}
