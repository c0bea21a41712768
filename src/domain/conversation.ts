import { ConflictError } from './errors.js';

/** Mirrored by the CHECK constraint on conversations.status (migrations/001_init.sql). */
export const CONVERSATION_STATUSES = ['bot', 'queued', 'assigned', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const HANDOFF_REASONS = [
  'low_confidence',
  'customer_request',
  'keyword',
  'model_unavailable',
  'unsupported_message',
  'repeat_question',
  'bot_disabled',
  /** The platform refused our reply (window closed, a human holds the session there). */
  'delivery_failed',
  /** The model's reply only promised a person (为您转接人工客服): the promise is kept (issue 13). */
  'model_declined',
] as const;
export type HandoffReason = (typeof HANDOFF_REASONS)[number];

/** Who asks for a transition: a person (console, API, platform human) or the service itself. */
export type TransitionActor = 'agent' | 'system';

/**
 * DESIGN.md §4.4: the only transitions anyone may make. `bot → assigned` is an agent stepping in
 * (issue 14 item 2): a chat the bot holds can be taken over at any time, with no handoff reason;
 * from that moment the bot is silent (an in-flight turn's answer is dropped by completeTurn, and
 * later customer messages are stored for the agent only). Releasing it (assigned → bot) gives it
 * back. A transfer to another agent keeps the status (assigned), so it is no transition here.
 */
const TRANSITIONS: Record<ConversationStatus, readonly ConversationStatus[]> = {
  bot: ['queued', 'assigned', 'closed'],
  queued: ['assigned', 'closed'],
  assigned: ['queued', 'bot', 'closed'],
  closed: ['bot'],
};

/**
 * Transitions only the service makes (issue 11): a `model_unavailable` handoff nobody took goes
 * back to the bot once the model is back. An agent who wants the bot back takes the chat and releases it.
 */
const SYSTEM_TRANSITIONS: Partial<Record<ConversationStatus, readonly ConversationStatus[]>> = {
  queued: ['bot'],
};

export function canTransition(from: ConversationStatus, to: ConversationStatus, by: TransitionActor = 'agent'): boolean {
  if (TRANSITIONS[from].includes(to)) return true;
  return by === 'system' && (SYSTEM_TRANSITIONS[from]?.includes(to) ?? false);
}

export function assertTransition(from: ConversationStatus, to: ConversationStatus, by: TransitionActor = 'agent'): void {
  if (!canTransition(from, to, by)) {
    throw new ConflictError('CONVERSATION.INVALID_TRANSITION', `a conversation cannot go from ${from} to ${to}`);
  }
}

/**
 * The system note of a model handback (queued → bot, issue 11), in the console's
 * `status:<from>-><to> by <actor>` form. Customer messages before it already had a holding message.
 */
export const MODEL_HANDBACK_NOTE = 'status:queued->bot by system';

export interface Conversation {
  id: string;
  channelId: string;
  contactId: string;
  status: ConversationStatus;
  handoffReason: HandoffReason | null;
  assigneeId: string | null;
  lastConfidence: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Contact {
  id: string;
  channelId: string;
  externalId: string;
  name: string | null;
  /** Reply routing a platform adapter asked to keep (e.g. which customer-service account). */
  address: Record<string, string>;
}
