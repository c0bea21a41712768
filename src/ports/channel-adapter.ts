import type { Channel, ChannelKind } from '../domain/channel.js';
import type { ConfigField } from '../domain/config-fields.js';
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
  | { type: 'messages'; messages: InboundMessage[]; reply: WebhookReply }
  /**
   * The platform has news but sent no content (WeCom 微信客服): remember the pull token, ack,
   * and pull `source` in a job. Never pulled inside the callback (platform deadline).
   */
  | { type: 'pull'; source: string; token: string | null; reply: WebhookReply }
  /**
   * The platform asks for the replies to one of the customer's messages (WeCom 智能机器人 stream
   * refreshes): `ref` is that message's platform id. The core hands over what is ready and the
   * adapter wraps it; nothing is stored from the request itself.
   */
  | { type: 'poll'; ref: string; answer(ready: PolledReplies): WebhookReply };

/**
 * Replies for a poll: every text delivered on this poll or an earlier one of the same `ref`, in
 * order (the platform replaces what it showed, so repeating them is safe), and whether nothing
 * more will come for it.
 */
export interface PolledReplies {
  texts: string[];
  final: boolean;
}

/** One page of a pull: messages in platform order, and where the next pull starts. */
export interface PullPage {
  messages: InboundMessage[];
  nextCursor: string | null;
  /** More pages wait. An empty page with hasMore true is not the end. */
  hasMore: boolean;
}

export interface PullRequest {
  source: string;
  cursor: string | null;
  /** The token the callback carried, while it is still valid; null otherwise. */
  token: string | null;
}

export interface OutgoingMessage {
  /** Our outbox id: stable across retries, usable as an idempotency key where the platform has one. */
  outboxId: string;
  /** The stored message this sends, and who wrote it; a channel that shows history (web chat) names it. */
  messageId?: string;
  sender?: 'bot' | 'agent';
  text: string;
  /** Answer an event with its one-time code (a welcome) instead of a plain send. */
  replyCode?: string;
  /** issue 15: the bot's confidence in this answer (bot answers only), for a platform's 转人工 button. */
  confidence?: number;
}

export interface SendTarget {
  /** The contact's id on the platform. */
  externalId: string;
  /** What the adapter asked to keep for replies (InboundMessage.address); empty when none. */
  address?: Record<string, string>;
}

/** A live connection a platform delivers messages over (DingTalk Stream mode). */
export interface PlatformConnection {
  /** Closes the connection and stops reconnecting; resolves once the socket is closed. */
  close(): Promise<void>;
}

/**
 * Commits delivered messages. Resolves only after they are committed: the adapter acknowledges
 * the platform's frame then, never before (DESIGN.md §3.1). Rejects when they could not be stored.
 */
export type DeliverMessages = (messages: InboundMessage[]) => Promise<void>;

/**
 * issue 14 item 6: what a connection says about itself. connecting: the first attempt is under way;
 * connected: the socket is open; reconnecting: it dropped or an attempt failed (`error` says why),
 * and the adapter is trying again.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';
export interface ConnectionReport {
  state: ConnectionState;
  error?: string;
}
/** Called by the adapter on every change of its connection's state; never throws, never awaited. */
export type ReportConnection = (report: ConnectionReport) => void;

/**
 * issue 15: what a connection's platform events ask of the core beside storing messages (WeCom
 * 智能机器人: a member's 👍/👎 on one of our messages). Rejects when it could not be recorded.
 */
export interface ConnectionActions {
  /** `messageId`: our message the platform echoes back; `verdict` null: the member withdrew it. */
  customerFeedback(feedback: { messageId: string; verdict: 'good' | 'bad' | null; contactExternalId: string }): Promise<void>;
}

export type { ConfigField, ConfigFieldType } from '../domain/config-fields.js';

/** How long after the customer's last message the platform lets us write, and how many messages. */
export interface ReplyWindow {
  hours: number;
  maxMessages: number;
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
  /** What admins call this kind of channel (zh-CN first), for the channel form. */
  readonly label?: string;
  /** The config keys as the admin form shows them, derived from the config schema. */
  readonly configFields?: readonly ConfigField[];
  /**
   * Checks the stored credentials against the platform with a harmless call (an access token,
   * fetched fresh rather than from a cache). Resolves when they work; throws PlatformError (with
   * the platform's code and message, never a secret) or ValidationError (a config that no longer parses).
   */
  testConnection?(channel: Channel): Promise<void>;
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
  /**
   * issue 15: safeToResend decided per channel, for an adapter whose modes differ (WeCom 智能机器人:
   * callback mode's streams are replace-semantics, a long connection's proactive send is not).
   * Unset: safeToResend. Read through resendIsSafe().
   */
  resendSafeFor?(channel: Channel): boolean;
  /** Set when the platform limits replies to a window after the customer's last message. */
  readonly replyWindow?: ReplyWindow;
  /**
   * How long after a message is queued it is still worth delivering on this platform: transient
   * failures are retried until then (never longer than SEND_RETRY_WINDOW_S), then a person is
   * asked (issue 11). Unset: SEND_RETRY_WINDOW_S alone decides.
   */
  readonly retryWindowMs?: number;
  /**
   * Set when the platform fetches replies instead of taking sends (WeCom 智能机器人 in callback
   * mode): replies wait in the outbox until a `poll` callback takes them, and fail (flagged for a
   * person) when no poll took them within `windowMs` of being queued. `send` is never called.
   */
  readonly pollDelivery?: { windowMs: number };
  /**
   * Opens a connection the platform pushes messages over (connector role). The adapter owns
   * reconnecting; the core opens one per enabled channel and closes it when the channel is
   * turned off, changed or deleted. `report` (issue 14 item 6) hears of every state change, so
   * admins see a connection that keeps failing.
   */
  connect?(channel: Channel, deliver: DeliverMessages, report?: ReportConnection, actions?: ConnectionActions): Promise<PlatformConnection>;
  /**
   * issue 15: whether this channel opens a connection, for an adapter with both modes (WeCom
   * 智能机器人: callback or long connection). Unset: every enabled channel of a connecting adapter does.
   */
  connectsFor?(channel: Channel): boolean;
  /**
   * issue 15: the platform keeps one connection per channel (a newer one kicks the older out), so
   * the connector opens it on one process only, the holder of the channel's lease.
   */
  readonly exclusiveConnection?: boolean;
  /**
   * issue 15: replies go out over the channel's connection, so only the process holding it can
   * send; other processes leave the row waiting for it (the connector delivers its channels' rows).
   */
  sendsOverConnection?(channel: Channel): boolean;
  /** issue 15: whether this process holds the channel's connection now. */
  connectedHere?(channelId: string): boolean;
  /** Pulls one page of messages (platforms that notify instead of delivering). */
  pull?(channel: Channel, request: PullRequest): Promise<PullPage>;
  /**
   * After a handoff: hands the session to the platform's own human queue when the channel is
   * configured so; a no-op otherwise. Throws PlatformError.
   */
  transferToHuman?(channel: Channel, to: SendTarget): Promise<void>;
  /**
   * True when a handoff moved the session to the platform's own human queue, where the bot cannot
   * answer (protocols/wecom.md §4.3–4.4): such conversations never go back to the bot by
   * themselves (issue 11's model handback).
   */
  keepsHandedOffSessions?(channel: Channel): boolean;
  /** After a release: ends the platform session so the next message starts a bot session. */
  endSession?(channel: Channel, to: SendTarget): Promise<void>;
  /**
   * Streams a media file the customer sent, by the media id in the message attachment;
   * `fileName` when the platform named the file (issue 15 follow-up: sent as Content-Disposition).
   */
  fetchMedia?(channel: Channel, mediaId: string): Promise<{ contentType: string; body: Buffer; fileName?: string }>;
}

/** issue 15: whether a send of this channel whose outcome is unknown may be sent again. */
export const resendIsSafeOn = (adapter: ChannelAdapter, channel: Channel): boolean => adapter.resendSafeFor?.(channel) ?? adapter.safeToResend;
