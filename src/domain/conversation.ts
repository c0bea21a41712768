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
] as const;
export type HandoffReason = (typeof HANDOFF_REASONS)[number];

/** DESIGN.md §4.4: the only transitions there are. */
const TRANSITIONS: Record<ConversationStatus, readonly ConversationStatus[]> = {
  bot: ['queued', 'closed'],
  queued: ['assigned', 'closed'],
  assigned: ['queued', 'bot', 'closed'],
  closed: ['bot'],
};

export function canTransition(from: ConversationStatus, to: ConversationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: ConversationStatus, to: ConversationStatus): void {
  if (!canTransition(from, to)) {
    throw new ConflictError('CONVERSATION.INVALID_TRANSITION', `a conversation cannot go from ${from} to ${to}`);
  }
}

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
