import type { DeliveryHealth } from './delivery-health.js';

export interface ClaimedSend {
  outboxId: string;
  messageId: string;
  sender: 'bot' | 'agent';
  conversationId: string;
  channelId: string;
  contactExternalId: string;
  /** Reply routing the adapter asked to keep for this contact. */
  contactAddress: Record<string, string>;
  text: string;
  /** One-time code to answer an event with (a welcome), when this message is such an answer. */
  replyCode: string | null;
  attempts: number;
  /** When the row was queued. */
  queuedAt: Date;
  /** Set for a row that waits out a platform outage past the usual retry window (a holding notice). */
  retryUntil: Date | null;
  /** Its channel's platform was failing at claim time (DeliveryHealth): only the probe calls it. */
  channelFailing: boolean;
  /** issue 15: the bot's confidence in this message, when it is a bot answer. */
  confidence?: number | null;
}

/** What a poll found for one customer message (OutboxStore.takeForPoll). */
export interface PollTake {
  conversationId: string;
  /** Outgoing messages handed over for this message, on this poll or an earlier one, oldest first. */
  delivered: { sender: 'bot' | 'agent'; text: string }[];
  /** The messages this poll marked sent (the others in `delivered` were sent before). */
  takenMessageIds: string[];
  /** The customer message is still waiting for its bot turn. */
  unanswered: boolean;
  /** A reply in its conversation is held by a sender right now (or was being claimed); the next poll gets it. */
  inFlight: boolean;
  conversationStatus: 'bot' | 'queued' | 'assigned' | 'closed';
  askedAt: Date;
}

/** Outgoing messages: pending → sending → sent | failed | unknown, retries with backoff. */
export interface OutboxStore extends DeliveryHealth {
  /** Marks a due pending row `sending` and returns it; null when another worker has it or it is not due. */
  claim(outboxId: string, leaseMs: number): Promise<ClaimedSend | null>;
  markSent(outboxId: string, platformMessageId: string | null): Promise<void>;
  /** Back to pending, due after `delayMs`. */
  markRetry(outboxId: string, error: string, delayMs: number): Promise<void>;
  /** Back to pending, due after `delayMs`, without counting the claim as an attempt (the platform was not called). */
  markWaiting(outboxId: string, reason: string, delayMs: number): Promise<void>;
  /** Lets a row wait for its platform until `until` rather than for the usual retry window. */
  setRetryUntil(outboxId: string, until: Date): Promise<void>;
  markFailed(outboxId: string, error: string): Promise<void>;
  markUnknown(outboxId: string, error: string): Promise<void>;
  /** Pending rows that are due, and `sending` rows whose lease ran out (their worker died). */
  findDue(limit: number): Promise<{ outboxId: string; expiredLease: boolean }[]>;
  /** Puts a row whose sender died back to pending (only for platforms where resending is safe). */
  requeueExpired(outboxId: string): Promise<boolean>;
  pendingCount(): Promise<number>;
  /**
   * Marks failed the message the platform reports it could not deliver, by the id the platform
   * gave it. Returns its conversation and message, or null when it is not ours.
   */
  failByPlatformId(channelId: string, platformMessageId: string, error: string): Promise<{ conversationId: string; messageId: string } | null>;
  /**
   * An agent's retry of a message whose delivery failed for good: the failed outbox row is
   * replaced by a fresh pending one (attempts 0, due now, a new id and so a new idempotency key)
   * and the message goes back to pending, in one transaction. `not_found` when the message is not
   * in that conversation; `not_failed` (nothing changed) when it has no outbox row (an inbound
   * message) or its delivery is not `failed`.
   */
  retryFailed(conversationId: string, messageId: string): Promise<{ outboxId: string } | 'not_found' | 'not_failed'>;
  /**
   * For platforms that fetch replies (ChannelAdapter.pollDelivery): marks sent, under `ref`, the
   * pending outgoing messages of the conversation of the customer message whose platform id is
   * `ref`, and returns them with those handed over under `ref` before. Null when no such customer
   * message is stored.
   */
  takeForPoll(channelId: string, ref: string): Promise<PollTake | null>;
  /** The channel an outbox row belongs to. */
  channelOf(outboxId: string): Promise<string | null>;
}
