/**
 * Per channel: whether its platform keeps failing transiently, and which outbox row probes it
 * (issue 11). Kept in Postgres so every worker process agrees: while a channel fails, one row at a
 * time calls the platform and the others wait; the first answer makes the waiting rows due.
 */
export interface DeliveryHealth {
  /**
   * Whether `outboxId` may call the platform now: yes when the channel is not failing, or when no
   * other row holds a live probe (it then holds the probe for `holdMs`).
   */
  takeProbe(channelId: string, outboxId: string, holdMs: number): Promise<boolean>;
  /**
   * Marks the channel failing after a transient error of `outboxId`. That row becomes the probe,
   * held for `holdMs`, unless another row already holds a live one. Returns whether it probes.
   */
  recordFailure(channelId: string, outboxId: string, error: string, holdMs: number): Promise<boolean>;
  /**
   * The platform answered again: the channel is no longer failing, and its waiting outbox rows
   * become due at once (the sweeper sends them). Returns how many were made due.
   */
  recordRecovery(channelId: string): Promise<number>;
  /** A probe row that is done without an answer (given up) lets the next waiting row probe. */
  releaseProbe(channelId: string, outboxId: string): Promise<void>;
}
