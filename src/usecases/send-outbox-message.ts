import { PlatformError } from '../domain/errors.js';
import type { ReplyWindow } from '../ports/channel-adapter.js';
import type { ClaimedSend } from '../ports/outbox-store.js';
import type { CoreDeps } from './deps.js';
import { flagForHuman } from './flag-for-human.js';
import { scheduleSend } from './schedule.js';
import { waitOutside } from './wait-outside.js';

/** `waiting`: the platform fetches replies itself (ChannelAdapter.pollDelivery) and has not yet. */
export type SendResult = 'sent' | 'retry' | 'failed' | 'unknown' | 'skipped' | 'waiting';

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
  if (adapter.pollDelivery) return waitForPoll(deps, claimed, adapter.pollDelivery.windowMs, announce);
  const closed = adapter.replyWindow && !claimed.replyCode ? await windowClosed(deps, claimed, adapter.replyWindow) : null;
  if (closed) {
    await deps.outbox.markFailed(outboxId, closed);
    announce('failed');
    await flagForHuman(deps, claimed.conversationId, 'delivery_failed', `send refused: ${closed}`);
    return 'failed';
  }
  try {
    // A bot turn's slot is free while the platform answers (ports/turn-gate.ts).
    const receipt = await waitOutside(deps, () => adapter.send(
      channel,
      { externalId: claimed.contactExternalId, address: claimed.contactAddress },
      { outboxId, messageId: claimed.messageId, sender: claimed.sender, text: claimed.text, replyCode: claimed.replyCode ?? undefined },
    ));
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
    // Only a person can go on (window closed, a human holds the platform session): flag, never loop.
    if (platformError.needsHuman) await flagForHuman(deps, claimed.conversationId, 'delivery_failed', `send refused: ${reason}`);
    return 'failed';
  }
}

/**
 * Why the platform's reply window is closed for this conversation, or null when it is open
 * (WeCom 微信客服: 48 hours and 5 messages after the customer's last message, protocols/wecom.md §4.3).
 */
async function windowClosed(deps: CoreDeps, claimed: ClaimedSend, window: ReplyWindow): Promise<string | null> {
  const { lastCustomerAt, sentSince } = await deps.store.replyWindow(claimed.conversationId);
  if (!lastCustomerAt || deps.clock.now().getTime() - lastCustomerAt.getTime() > window.hours * 3600_000) {
    return `outside the platform's ${window.hours}-hour reply window`;
  }
  if (sentSince >= window.maxMessages) return `the platform allows ${window.maxMessages} messages per customer message`;
  return null;
}

/**
 * A platform that fetches replies (WeCom 智能机器人 streams) takes the row itself when it polls
 * (answer-poll.ts); until then it waits as pending, looked at again when its window ends. A reply
 * no poll took in time cannot reach the customer any more: failed, and a person is told.
 */
async function waitForPoll(deps: CoreDeps, claimed: ClaimedSend, windowMs: number, announce: (status: string) => void): Promise<SendResult> {
  const left = windowMs - (deps.clock.now().getTime() - claimed.queuedAt.getTime());
  if (left > 0) {
    await deps.outbox.markRetry(claimed.outboxId, 'waiting for the platform to fetch it', left);
    scheduleSend(deps, claimed.outboxId, claimed.attempts + 1, left);
    return 'waiting';
  }
  const reason = 'the platform did not fetch this reply in time (the customer\'s chat no longer waits for it)';
  await deps.outbox.markFailed(claimed.outboxId, reason);
  announce('failed');
  await flagForHuman(deps, claimed.conversationId, 'delivery_failed', `send refused: ${reason}`);
  return 'failed';
}
