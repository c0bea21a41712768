import type { Contact, Conversation, ConversationStatus, HandoffReason } from '../domain/conversation.js';
import type { InboundMessage, Message, MessageKind, Sender } from '../domain/message.js';
import type { ConversationNote } from './conversation-notes.js';

export interface RecordedInbound {
  /** False when the platform message id was already stored: a redelivery, answer nothing. */
  inserted: boolean;
  conversationId: string;
  messageId: string | null;
}

export interface TurnContext {
  conversation: Conversation;
  contact: Contact;
  /** Customer messages not yet answered, oldest first. */
  pending: Message[];
  /** Recent messages before the pending ones, oldest first. */
  history: Message[];
  /**
   * The customer already had a holding message for these messages: they came back to the bot
   * after a model outage (issue 11), so a handoff now adds none.
   */
  holdingSent?: boolean;
}

/** Which handoffs a model handback may take (issue 11); both bounds included. */
export interface HandbackWindow {
  /** Handed off at or before this: the model has been back long enough since. */
  handedOffBefore: Date;
  /** The customer last wrote at or after this: older questions are never answered by the bot (MAX_ANSWER_AGE_S). */
  customerWroteSince: Date;
}

/** A `model_unavailable` handoff nobody has taken (issue 11). */
export interface HandbackCandidate {
  conversationId: string;
  channelId: string;
}

export interface ReturnedToBot {
  conversation: Conversation;
  /** The system note recording the handback. */
  noteId: string;
  /** The first customer message the bot now owes an answer; null when there is none. */
  firstPendingId: string | null;
}

/**
 * The responder's unsent answer to a turn handed off for low confidence (issue 13 item 5): shown to
 * the agent, who sends it as is, edits it or discards it.
 */
export interface TurnDraft {
  /** The customer turn the responder answered (the pending texts, joined). */
  question: string;
  text: string;
  confidence: number;
  /** The adapter (or model) that wrote it. */
  model: string;
}

export type DraftStatus = 'open' | 'sent' | 'edited' | 'discarded' | 'superseded';

/** A stored draft (migrations/012_agent_drafts.sql). */
export interface AgentDraft extends TurnDraft {
  id: string;
  conversationId: string;
  channelId: string;
  status: DraftStatus;
  /** The text that went out (sent or edited); null otherwise. */
  finalText: string | null;
  /** The agent message it became. */
  messageId: string | null;
  actedBy: string | null;
  actedAt: Date | null;
  createdAt: Date;
}

/** What an agent did with an open draft. */
export interface DraftAction {
  status: 'sent' | 'edited' | 'discarded';
  finalText: string | null;
  actedBy: string;
}

export type TurnOutcome =
  | { type: 'answer'; text: string; confidence: number }
  /** `draft` only on a low_confidence handoff whose answer is worth sending (issue 13 item 5). */
  | { type: 'handoff'; reason: HandoffReason; confidence: number | null; holdingMessage: string | null; draft?: TurnDraft }
  /** The conversation is with a human (or closed): store only, tell the console. */
  | { type: 'store_only' }
  /** An event that wants the channel's welcome message (or nothing, when text is null). */
  | { type: 'welcome'; text: string | null; replyCode?: string }
  /** A customer already waiting for a person asked for one again: tell them they are in the queue (issue 12). */
  | { type: 'acknowledge'; text: string };

export interface CompletedTurn {
  /** Outbox rows to send, in order. */
  outboxIds: string[];
  status: ConversationStatus;
  /** Messages added by the turn (bot answers, holding messages, system notes). */
  addedMessageIds: string[];
}

export interface ConversationFilter {
  status?: ConversationStatus;
  channelId?: string;
  /** An agent's id; null: nobody's (the unclaimed queue). */
  assigneeId?: string | null;
  /**
   * issue 14 item 1: a search text, matched (case-insensitively, as a plain substring: `%` and `_`
   * are literal) against the contact's name, their external id and what anyone said in the chat.
   */
  q?: string;
  limit: number;
}

export interface ConversationSummary extends Conversation {
  contact: Contact;
  lastMessage: Message | null;
  /** When the customer last wrote and how many of our messages went out since. */
  replyWindow: { lastCustomerAt: Date | null; sentSince: number };
  /** When the bot handed it to humans, while it is queued or assigned; null otherwise. */
  waitingSince: Date | null;
  /** With a search (`q`): the latest message whose text matched; null when the name or id did (issue 14 item 1). */
  match?: { messageId: string; sender: Sender; text: string } | null;
}

export interface NewOutgoing {
  conversationId: string;
  sender: Sender;
  kind: MessageKind;
  text: string;
  /** An agent message that sends this (closed) draft: linked to it in the message's transaction (issue 13 item 5). */
  draftId?: string;
  /**
   * issue 14 review: the agent the caller read as holding the conversation (for an admin's reply, the
   * holder they read). The message is added only while the conversation is still assigned to them:
   * a reply racing a transfer, release or close is refused, not sent in the next holder's name.
   */
  holderId?: string;
}

/** A transfer of an assigned conversation (issue 14 item 3). */
export interface TransferRequest {
  /** The agent holding it, as the caller read it: the transfer applies only while they still do. */
  fromAssigneeId: string;
  /** The agent who gets it; null: back to the queue (assigned → queued). */
  toAssigneeId: string | null;
  /** The system note in the timeline saying who transferred it to whom. */
  systemNote: string;
  /** A note for whoever gets it, stored as an internal note (kind 'transfer') in the same transaction. */
  note: { authorId: string; text: string } | null;
}

export interface Transferred {
  conversation: Conversation;
  note: ConversationNote | null;
}

/**
 * Conversations, their messages and the turn lease. Every method is one transaction:
 * the invariants of DESIGN.md §3 are kept here, not in the queue.
 */
export interface ConversationStore {
  /**
   * Upserts contact and conversation (a closed one reopens to `bot` when the customer says
   * something), inserts the message unless its id is known. `answer` false stores it as handled.
   */
  recordInbound(channelId: string, message: InboundMessage, answer: boolean): Promise<RecordedInbound>;
  /** Marks a customer message the customer withdrew; null when it is not known. */
  markRecalled(channelId: string, platformMessageId: string): Promise<{ conversationId: string; messageId: string } | null>;
  /** When the customer last wrote, and how many of our messages went out since (platform reply windows). */
  replyWindow(conversationId: string): Promise<{ lastCustomerAt: Date | null; sentSince: number }>;
  /** Takes the conversation's turn lease if free; null when another worker holds it or nothing is pending. */
  acquireTurn(conversationId: string, owner: string, leaseMs: number, historyLimit: number): Promise<TurnContext | null>;
  /**
   * Stores the outcome, marks exactly the given pending messages done and releases the lease.
   * Returns null (and changes nothing) when the lease was lost or a message was already answered.
   */
  completeTurn(conversationId: string, owner: string, pendingIds: string[], outcome: TurnOutcome): Promise<CompletedTurn | null>;
  releaseTurn(conversationId: string, owner: string): Promise<void>;
  /** Conversations with customer messages still pending after `olderThanMs`, for the sweeper. */
  findStalledTurns(olderThanMs: number, limit: number): Promise<{ conversationId: string; messageId: string }[]>;
  /** Whether pending customer messages remain (checked after a turn commits). */
  firstPendingMessageId(conversationId: string): Promise<string | null>;

  get(id: string): Promise<ConversationSummary | null>;
  /** The conversation of one contact of a channel, if they ever wrote. */
  findByContact(channelId: string, externalId: string): Promise<ConversationSummary | null>;
  list(filter: ConversationFilter): Promise<ConversationSummary[]>;
  messages(conversationId: string, limit: number): Promise<Message[]>;
  /**
   * Moves a conversation from one status to another in one conditional update.
   * Returns null when its status was no longer `from` (someone else moved it first).
   * Moving to `bot` or `closed` supersedes the open draft in the same transaction (issue 13 item 5).
   * `holderId` (issue 14 review): the agent the caller read as holding it; the move then applies only
   * while it is still assigned to them, so an unassign, close or release racing a transfer changes nothing.
   */
  transition(
    id: string,
    from: ConversationStatus,
    to: ConversationStatus,
    fields: { assigneeId?: string | null; handoffReason?: HandoffReason | null },
    note: string | null,
    holderId?: string | null,
  ): Promise<Conversation | null>;
  /**
   * Conversations queued for `model_unavailable` within `window` that no person has touched since
   * the handoff (no assignee, no agent message, no status change), oldest handoff first.
   */
  findHandbackCandidates(window: HandbackWindow, limit: number): Promise<HandbackCandidate[]>;
  /**
   * queued → bot (the system's own transition, issue 11) for a candidate that still qualifies and
   * whose turn lease is free, in one transaction: the customer messages the holding message covered,
   * and those written since, are pending again; a MODEL_HANDBACK_NOTE system note is added; an open
   * draft is superseded (issue 13 item 5).
   * Null when it no longer qualifies.
   */
  returnToBot(conversationId: string, window: HandbackWindow): Promise<ReturnedToBot | null>;
  /**
   * Adds an agent or system message and, for those that go out, its outbox row. An agent message
   * settles the drafts in the same transaction (issue 13 item 5): `draftId` is linked to it, any
   * other open draft is superseded.
   * With `holderId`, throws ConflictError CONVERSATION.CHANGED and stores nothing when the
   * conversation is no longer assigned to that agent (issue 14 review).
   */
  addOutgoing(input: NewOutgoing): Promise<{ messageId: string; outboxId: string }>;

  /** The conversation's open draft (issue 13 item 5); completeTurn stores them. */
  openDraft(conversationId: string): Promise<AgentDraft | null>;
  /** One draft of the conversation, in any status; null when the id is not one of its drafts. */
  findDraft(conversationId: string, draftId: string): Promise<AgentDraft | null>;
  /** Closes a draft that is still open, in one conditional update; null when it was not open (someone acted first). */
  closeDraft(draftId: string, action: DraftAction): Promise<AgentDraft | null>;
  /**
   * Undoes closeDraft by `actedBy` when what it was closed for failed (the reply was refused).
   * A no-op once a message links the draft: that reply was committed and goes to the customer.
   */
  reopenDraft(draftId: string, actedBy: string): Promise<void>;
  /**
   * issue 14 item 3: moves an assigned conversation from its holder to another agent or to the
   * queue in one conditional update, with the system note and the transfer's note in the same
   * transaction. Null (and nothing changed) when it is no longer assigned to `fromAssigneeId`.
   */
  transfer(conversationId: string, request: TransferRequest): Promise<Transferred | null>;
}
