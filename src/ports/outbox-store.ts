export interface ClaimedSend {
  outboxId: string;
  messageId: string;
  conversationId: string;
  channelId: string;
  contactExternalId: string;
  text: string;
  attempts: number;
}

/** Outgoing messages: pending → sending → sent | failed | unknown, retries with backoff. */
export interface OutboxStore {
  /** Marks a due pending row `sending` and returns it; null when another worker has it or it is not due. */
  claim(outboxId: string, leaseMs: number): Promise<ClaimedSend | null>;
  markSent(outboxId: string, platformMessageId: string | null): Promise<void>;
  /** Back to pending, due after `delayMs`. */
  markRetry(outboxId: string, error: string, delayMs: number): Promise<void>;
  markFailed(outboxId: string, error: string): Promise<void>;
  markUnknown(outboxId: string, error: string): Promise<void>;
  /** Pending rows that are due, and `sending` rows whose lease ran out (their worker died). */
  findDue(limit: number): Promise<{ outboxId: string; expiredLease: boolean }[]>;
  /** Puts a row whose sender died back to pending (only for platforms where resending is safe). */
  requeueExpired(outboxId: string): Promise<boolean>;
  pendingCount(): Promise<number>;
  /** The channel an outbox row belongs to. */
  channelOf(outboxId: string): Promise<string | null>;
}
