export type Sender = 'customer' | 'bot' | 'agent' | 'system';

/** What a customer can send. `event` covers subscribe / enter-chat style notifications. */
export type MessageKind = 'text' | 'image' | 'voice' | 'video' | 'file' | 'location' | 'link' | 'event' | 'other';

/** Inbound: pending → done (or recalled). Outbound: pending → sending → sent | failed | unknown. */
export type MessageStatus = 'pending' | 'done' | 'sending' | 'sent' | 'failed' | 'unknown' | 'recalled';

/**
 * Events the core reacts to; everything else an adapter reports as `other`.
 * - `enter`: the customer opened the chat (welcome time); `leave`: they left.
 * - `send_failed`: the platform could not deliver one of our messages (`refersTo` = its id).
 * - `human_took_over`: a person took the session in the platform's own client (`agentRef`).
 * - `session_ended`: the platform closed the session.
 * - `recalled`: the customer withdrew a message (`refersTo` = its platform id).
 */
export type InboundEvent = 'enter' | 'leave' | 'send_failed' | 'human_took_over' | 'session_ended' | 'recalled' | 'other';

/** A platform message after an adapter translated it: no platform vocabulary past this point. */
export interface InboundMessage {
  /** Unique per channel: the platform's message id, or a key built from the event's fields. */
  platformMessageId: string;
  contact: { externalId: string; name?: string | null };
  /**
   * Where the adapter must send replies for this contact (e.g. which customer-service account
   * they wrote to). Kept on the contact, handed back in SendTarget.
   */
  address?: Record<string, string>;
  /** `agent`: a person answering from the platform's own client; stored, never answered. Default customer. */
  sender?: 'customer' | 'agent';
  kind: MessageKind;
  text: string | null;
  event?: InboundEvent;
  /** For send_failed / recalled: the platform id of the message concerned. */
  refersTo?: string;
  /** A one-time code the platform lets us answer this event with (a welcome). */
  replyCode?: string;
  /** For human_took_over: who took it, in the platform's terms. */
  agentRef?: string;
  /** Media id, file name, coordinates...: kept for agents, never followed blindly. */
  attachment?: Record<string, string>;
  sentAt: Date;
}

export interface Message {
  id: string;
  conversationId: string;
  sender: Sender;
  kind: MessageKind;
  text: string | null;
  confidence: number | null;
  status: MessageStatus;
  error: string | null;
  /** Media ids, event details (`replyCode`, `refersTo`, `agentRef`), as the adapter reported them. */
  attachment: Record<string, string> | null;
  createdAt: Date;
}

/** Kinds the bot can read; anything else goes to a human (`unsupported_message`). */
export function isReadableByBot(kind: MessageKind): boolean {
  return kind === 'text';
}
