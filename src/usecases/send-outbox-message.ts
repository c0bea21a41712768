import { PlatformError } from '../domain/errors.js';
import type { CoreDeps } from './deps.js';
import { scheduleSend } from './schedule.js';

export type SendResult = 'sent' | 'retry' | 'failed' | 'unknown' | 'skipped';

/** Capped exponential backoff with jitter: 1 s, 2 s, 4 s … up to 5 min. */
export function retryDelayMs(attempt: number, random = Math.random): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * Delivers one outbox row. Transient failures retry with backoff; permanent ones are marked
 * failed and shown to agents; an unknown outcome is resent only where the platform dedupes
 * resends (reliability.md §2.2), otherwise left `unknown` for a person to decide.
 */
export async function sendOutboxMessage(deps: CoreDeps, outboxId: string): Promise<SendResult> {
  const claimed = await deps.outbox.claim(outboxId, deps.settings.sendLeaseMs);
  if (!claimed) return 'skipped';
  const channel = await deps.channels.get(claimed.channelId);
  const adapter = channel ? deps.adapters.get(channel.kind) : undefined;
  const announce = (status: string) =>
    void deps.events
      .publish({ type: 'message.status', conversationId: claimed.conversationId, channelId: claimed.channelId, messageId: claimed.messageId, status })
      .catch(() => undefined);

  if (!channel || !adapter || !channel.enabled) {
    await deps.outbox.markFailed(outboxId, channel ? (adapter ? 'channel is turned off' : `no adapter for ${channel.kind}`) : 'channel deleted');
    announce('failed');
    return 'failed';
  }
  try {
    const receipt = await adapter.send(channel, { externalId: claimed.contactExternalId }, { outboxId, text: claimed.text });
    await deps.outbox.markSent(outboxId, receipt.platformMessageId ?? null);
    announce('sent');
    return 'sent';
  } catch (err) {
    const platformError = err instanceof PlatformError ? err : new PlatformError(String((err as Error)?.message ?? err), { retryable: true });
    const reason = platformError.message;
    if (platformError.outcomeUnknown && !adapter.safeToResend) {
      await deps.outbox.markUnknown(outboxId, reason);
      announce('unknown');
      return 'unknown';
    }
    if (platformError.retryable && claimed.attempts < deps.settings.maxSendAttempts) {
      const delay = retryDelayMs(claimed.attempts);
      await deps.outbox.markRetry(outboxId, reason, delay);
      scheduleSend(deps, outboxId, claimed.attempts + 1, delay);
      deps.log.warn({ outboxId, attempt: claimed.attempts, delay, code: platformError.platformCode }, 'send failed; retrying');
      return 'retry';
    }
    await deps.outbox.markFailed(outboxId, reason);
    deps.log.warn({ outboxId, code: platformError.platformCode }, 'send failed permanently');
    announce('failed');
    return 'failed';
  }
}
