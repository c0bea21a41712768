import type { Channel, ChannelKind } from '../domain/channel.js';
import type { InboundMessage } from '../domain/message.js';

/** A platform request as the HTTP edge saw it; the raw body is what signatures cover. */
export interface WebhookRequest {
  method: 'GET' | 'POST';
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

/** What to answer the platform with, once the messages (if any) are committed. */
export interface WebhookReply {
  status: number;
  contentType?: string;
  body: string;
}

export type WebhookOutcome =
  /** A URL check: answer at once, store nothing. */
  | { type: 'handshake'; reply: WebhookReply }
  /** Messages to commit; the reply goes out only after they are. May be empty (ignored events). */
  | { type: 'messages'; messages: InboundMessage[]; reply: WebhookReply };

export interface OutgoingMessage {
  /** Our outbox id: stable across retries, usable as an idempotency key where the platform has one. */
  outboxId: string;
  text: string;
}

export interface SendTarget {
  /** The contact's id on the platform. */
  externalId: string;
}

export interface SendReceipt {
  /** The platform's id for what it delivered, when it returns one. */
  platformMessageId?: string;
}

/**
 * One per channel kind (adapters/<platform>/). A translator: it verifies and parses platform
 * payloads and performs platform calls, and holds no business rules and no persistence.
 */
export interface ChannelAdapter {
  readonly kind: ChannelKind;
  /** Config keys that are secrets: encrypted at rest, never returned by the API. */
  readonly secretFields: readonly string[];
  /** Validates and normalizes an admin-supplied config; throws ValidationError. */
  parseConfig(config: unknown): Record<string, unknown>;
  /**
   * Verifies, decrypts and parses a callback. Throws InvalidSignatureError (→ 401) or
   * PayloadError (→ 400); never writes anything.
   */
  handleWebhook?(channel: Channel, request: WebhookRequest): Promise<WebhookOutcome> | WebhookOutcome;
  /**
   * Delivers one message. Throws PlatformError: `retryable` for transient trouble,
   * `outcomeUnknown` when the request may have gone through.
   */
  send(channel: Channel, to: SendTarget, message: OutgoingMessage): Promise<SendReceipt>;
  /**
   * Whether resending after an unknown outcome cannot deliver twice (WeCom dedupes identical
   * requests; DingTalk has no idempotency key, so it must not be resent blindly).
   */
  readonly safeToResend: boolean;
}
