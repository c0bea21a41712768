export type Sender = 'customer' | 'bot' | 'agent' | 'system';

/** What a customer can send. `event` covers subscribe / enter-chat style notifications. */
export type MessageKind = 'text' | 'image' | 'voice' | 'video' | 'file' | 'location' | 'link' | 'event' | 'other';

/** Inbound: pending → done. Outbound: pending → sending → sent | failed | unknown. */
export type MessageStatus = 'pending' | 'done' | 'sending' | 'sent' | 'failed' | 'unknown';

/** Events the core reacts to; everything else an adapter reports as `other`. */
export type InboundEvent = 'enter' | 'leave' | 'other';

/** A platform message after an adapter translated it: no platform vocabulary past this point. */
export interface InboundMessage {
  /** Unique per channel: the platform's message id, or a key built from the event's fields. */
  platformMessageId: string;
  contact: { externalId: string; name?: string | null };
  kind: MessageKind;
  text: string | null;
  event?: InboundEvent;
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
  createdAt: Date;
}

/** Kinds the bot can read; anything else goes to a human (`unsupported_message`). */
export function isReadableByBot(kind: MessageKind): boolean {
  return kind === 'text';
}
