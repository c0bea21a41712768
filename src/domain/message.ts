import { isStorableDate } from './dates.js';
import { PayloadError } from './errors.js';
import { isSafeText } from './text.js';

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

/**
 * Ids a platform gives us (message id, contact id) are unique keys in btree indexes, whose rows
 * must stay under ~2.7 KB (issue 11: a 6 KB DingTalk msgId answered 500). Real ones are far
 * shorter: WeCom userids ≤ 64, 微信客服 external_userid ~32, msgids ≤ 20 digits, DingTalk ids < 128.
 */
export const MAX_PLATFORM_ID_LENGTH = 256;
/** Where replies go (address values): ids, and DingTalk's sessionWebhook URL. Not indexed. */
const MAX_ADDRESS_VALUE_LENGTH = 2048;

const storableId = (id: string) => id.length > 0 && id.length <= MAX_PLATFORM_ID_LENGTH && isSafeText(id);
const storableValues = (record: Record<string, string> | undefined, max = Infinity) =>
  Object.values(record ?? {}).every((v) => typeof v !== 'string' || (v.length <= max && isSafeText(v)));
const storableText = (s: string | null | undefined) => s == null || isSafeText(s);

/**
 * Why an adapter's message cannot be stored, or null. The one rule for every channel (issue 11);
 * adapters make text safe where they parse it (text.ts), this is the net behind them.
 */
export function inboundProblem(m: InboundMessage): string | null {
  if (!storableId(m.platformMessageId)) return `message id is empty, longer than ${MAX_PLATFORM_ID_LENGTH} characters or not text`;
  if (!storableId(m.contact.externalId)) return `contact id is empty, longer than ${MAX_PLATFORM_ID_LENGTH} characters or not text`;
  if (!storableValues(m.address, MAX_ADDRESS_VALUE_LENGTH)) return `reply address longer than ${MAX_ADDRESS_VALUE_LENGTH} characters or not text`;
  if (!isStorableDate(m.sentAt)) return 'send time is not a date between the years 1 and 9999';
  const texts = [m.text, m.contact.name, m.refersTo, m.replyCode, m.agentRef];
  if (!texts.every(storableText) || !storableValues(m.attachment)) return 'text holds characters that cannot be stored';
  return null;
}

/** Refuses (400, nothing written) a message that cannot be stored. */
export function assertStorableInbound(m: InboundMessage): void {
  const problem = inboundProblem(m);
  if (problem !== null) throw new PayloadError(problem, 'MESSAGE.UNSTORABLE');
}
