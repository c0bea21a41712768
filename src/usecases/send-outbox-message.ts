import type { Channel } from '../domain/channel.js';
import { PlatformError } from '../domain/errors.js';
import type { ChannelAdapter, ReplyWindow } from '../ports/channel-adapter.js';
import { resendIsSafeOn } from '../ports/channel-adapter.js';
import type { ClaimedSend } from '../ports/outbox-store.js';
import type { CoreDeps } from './deps.js';
import { retryDeadline, retryDelayMs, retryWindowMs, waitDelayMs } from './delivery-policy.js';
import { flagForHuman } from './flag-for-human.js';
import { giveUpDelivery, publishDeliveryStatus } from './give-up-delivery.js';
import { scheduleSend } from './schedule.js';
import { waitOutside } from './wait-outside.js';

/**
 * `waiting`: not sent, nothing failed: the platform fetches replies itself (ChannelAdapter.pollDelivery)
 * and has not yet, or the channel's platform is failing and another message probes it (issue 11).
 */
export type SendResult = 'sent' | 'retry' | 'failed' | 'unknown' | 'skipped' | 'waiting';

/** One claimed row on its way out, with the retry deadline its channel allows. */
interface Delivery {
  claimed: ClaimedSend;
  channel: Channel;
  adapter: ChannelAdapter;
  windowMs: number;
  deadline: number;
}

/**
 * Delivers one outbox row. Transient failures retry with capped backoff until the row's retry
 * window closes, then a person is asked (issue 11); while the channel's platform keeps failing
 * only one row at a time probes it, and the first success makes the others due. Permanent
 * failures are marked failed and shown to agents; an unknown outcome is resent only where the
 * platform dedupes resends (reliability.md §2.2), otherwise left `unknown` for a person to decide.
 */
export async function sendOutboxMessage(deps: CoreDeps, outboxId: string): Promise<SendResult> {
  const claimed = await deps.outbox.claim(outboxId, deps.settings.sendLeaseMs);
  if (!claimed) return 'skipped';
  const channel = await deps.channels.get(claimed.channelId);
  const adapter = channel ? deps.adapters.get(channel.kind) : undefined;
  if (!channel || !adapter || !channel.enabled) {
    await deps.outbox.markFailed(outboxId, channel ? (adapter ? 'channel is turned off' : `no adapter for ${channel.kind}`) : 'channel deleted');
    publishDeliveryStatus(deps, claimed, 'failed');
    return 'failed';
  }
  if (adapter.sendsOverConnection?.(channel) && !adapter.connectedHere?.(channel.id)) return waitForConnection(deps, claimed, channel, adapter);
  if (adapter.pollDelivery && !adapter.sendsOverConnection?.(channel)) return waitForPoll(deps, claimed, adapter.pollDelivery.windowMs);
  const closed = adapter.replyWindow && !claimed.replyCode ? await windowClosed(deps, claimed, adapter.replyWindow) : null;
  if (closed) {
    await deps.outbox.markFailed(outboxId, closed);
    publishDeliveryStatus(deps, claimed, 'failed');
    await flagForHuman(deps, claimed.conversationId, 'delivery_failed', `send refused: ${closed}`);
    return 'failed';
  }
  const windowMs = retryWindowMs(adapter, deps.settings);
  return deliver(deps, { claimed, channel, adapter, windowMs, deadline: retryDeadline(claimed, windowMs) });
}

async function deliver(deps: CoreDeps, d: Delivery): Promise<SendResult> {
  const { claimed, channel, adapter } = d;
  const left = d.deadline - deps.clock.now().getTime();
  if (left <= 0) return giveUpDelivery(deps, channel, claimed, notDeliveredInTime(d));
  if (claimed.channelFailing && !(await deps.outbox.takeProbe(claimed.channelId, claimed.outboxId, deps.settings.sendLeaseMs))) {
    // No job: the sweeper wakes it when due, the drain sooner.
    await deps.outbox.markWaiting(claimed.outboxId, 'the platform is failing; another message probes it', Math.min(waitDelayMs(), left));
    return 'waiting';
  }
  let platformMessageId: string | null;
  try {
    // A bot turn's slot is free while the platform answers (ports/turn-gate.ts).
    const receipt = await waitOutside(deps, () => adapter.send(
      channel,
      { externalId: claimed.contactExternalId, address: claimed.contactAddress },
      { outboxId: claimed.outboxId, messageId: claimed.messageId, sender: claimed.sender, text: claimed.text, replyCode: claimed.replyCode ?? undefined, ...(claimed.confidence != null ? { confidence: claimed.confidence } : {}) },
    ));
    platformMessageId = receipt.platformMessageId ?? null;
  } catch (err) {
    return onSendError(deps, d, err instanceof PlatformError ? err : new PlatformError(String((err as Error)?.message ?? err), { retryable: true }));
  }
  await deps.outbox.markSent(claimed.outboxId, platformMessageId);
  publishDeliveryStatus(deps, claimed, 'sent');
  if (claimed.channelFailing) await drain(deps, claimed.channelId);
  return 'sent';
}

async function onSendError(deps: CoreDeps, d: Delivery, error: PlatformError): Promise<SendResult> {
  const { claimed } = d;
  const now = deps.clock.now().getTime();
  // A resend is safe only where the platform dedupes, and WeCom's message/send does so for a
  // limited time: never past the usual window (a holding notice may wait longer).
  if (error.outcomeUnknown && !(resendIsSafeOn(d.adapter, d.channel) && now < claimed.queuedAt.getTime() + d.windowMs)) {
    await deps.outbox.markUnknown(claimed.outboxId, error.message);
    publishDeliveryStatus(deps, claimed, 'unknown');
    return 'unknown';
  }
  if (error.retryable) return retryLater(deps, d, error, d.deadline - now);
  await deps.outbox.markFailed(claimed.outboxId, error.message);
  deps.log.warn({ outboxId: claimed.outboxId, code: error.platformCode }, 'send failed permanently');
  publishDeliveryStatus(deps, claimed, 'failed');
  // A refusal is an answer: the platform is reachable again.
  if (claimed.channelFailing) await drain(deps, claimed.channelId);
  // Only a person can go on (window closed, a human holds the platform session): flag, never loop.
  if (error.needsHuman) await flagForHuman(deps, claimed.conversationId, 'delivery_failed', `send refused: ${error.message}`);
  return 'failed';
}

/** A transient failure: the channel is failing. Its probe retries with backoff; any other row waits. */
async function retryLater(deps: CoreDeps, d: Delivery, error: PlatformError, left: number): Promise<SendResult> {
  const { claimed } = d;
  const delay = Math.min(retryDelayMs(claimed.attempts), Math.max(0, left));
  const probing = await deps.outbox.recordFailure(claimed.channelId, claimed.outboxId, error.message, delay + deps.settings.sendLeaseMs);
  if (left <= 0) return giveUpDelivery(deps, d.channel, claimed, error.message);
  if (!probing) {
    await deps.outbox.markRetry(claimed.outboxId, error.message, Math.min(waitDelayMs(), left));
    return 'retry';
  }
  await deps.outbox.markRetry(claimed.outboxId, error.message, delay);
  scheduleSend(deps, claimed.outboxId, claimed.attempts + 1, delay);
  deps.log.warn({ outboxId: claimed.outboxId, attempt: claimed.attempts, delay, code: error.platformCode }, 'send failed; retrying');
  return 'retry';
}

function notDeliveredInTime(d: Delivery): string {
  return d.claimed.retryUntil
    ? `not delivered before ${d.claimed.retryUntil.toISOString()}`
    : `not delivered within its retry window (${Math.round(d.windowMs / 1000)} s)`;
}

/** The platform answers again: the messages that waited for it are due now (issue 11). */
async function drain(deps: CoreDeps, channelId: string): Promise<void> {
  const woken = await deps.outbox.recordRecovery(channelId);
  if (woken > 0) deps.log.info({ channelId, woken }, 'platform answers again; waiting messages are due');
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
async function waitForPoll(deps: CoreDeps, claimed: ClaimedSend, windowMs: number): Promise<SendResult> {
  const left = windowMs - (deps.clock.now().getTime() - claimed.queuedAt.getTime());
  if (left > 0) {
    await deps.outbox.markRetry(claimed.outboxId, 'waiting for the platform to fetch it', left);
    scheduleSend(deps, claimed.outboxId, claimed.attempts + 1, left);
    return 'waiting';
  }
  const reason = 'the platform did not fetch this reply in time (the customer\'s chat no longer waits for it)';
  await deps.outbox.markFailed(claimed.outboxId, reason);
  publishDeliveryStatus(deps, claimed, 'failed');
  await flagForHuman(deps, claimed.conversationId, 'delivery_failed', `send refused: ${reason}`);
  return 'failed';
}

/**
 * issue 15: the channel's replies go out over its connection (WeCom 智能机器人 long connection), and
 * another process holds it. The row waits, due at once and without counting an attempt; the
 * connector holding the connection claims and sends its channel's due rows (jobs/connector.ts).
 * When nobody sends it within the retry window, a person is asked, as for any undelivered row.
 */
async function waitForConnection(deps: CoreDeps, claimed: ClaimedSend, channel: Channel, adapter: ChannelAdapter): Promise<SendResult> {
  const windowMs = retryWindowMs(adapter, deps.settings);
  const left = retryDeadline(claimed, windowMs) - deps.clock.now().getTime();
  if (left <= 0) return giveUpDelivery(deps, channel, claimed, 'the connection it goes out over was not up in time');
  await deps.outbox.markWaiting(claimed.outboxId, 'waiting for the process that holds the channel\'s connection', 0);
  return 'waiting';
}
