import type { ChannelAdapter } from '../ports/channel-adapter.js';
import type { ClaimedSend } from '../ports/outbox-store.js';
import type { CoreSettings } from './deps.js';

/**
 * The longest wait between two attempts of a failing send (issue 11): short enough that a
 * platform's recovery is noticed within a minute, long enough not to hammer it while it is down.
 */
export const BACKOFF_CAP_MS = 60_000;

/** Capped exponential backoff with jitter: 1 s, 2 s, 4 s … up to BACKOFF_CAP_MS, each in its upper half. */
export function retryDelayMs(attempt: number, random = Math.random): number {
  const base = Math.min(BACKOFF_CAP_MS, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * How long a row waits while another row probes its failing platform before it looks again:
 * about the cap, jittered so the waiting rows of an outage do not all wake together. The drain
 * (DeliveryHealth.recordRecovery) makes them due sooner when the platform answers.
 */
export function waitDelayMs(random = Math.random): number {
  return Math.round(BACKOFF_CAP_MS / 2 + (random() * BACKOFF_CAP_MS) / 2);
}

/**
 * How long after being queued a send is still worth retrying: SEND_RETRY_WINDOW_S, or the
 * channel's own platform window where that is shorter (ChannelAdapter.retryWindowMs).
 */
export function retryWindowMs(adapter: Pick<ChannelAdapter, 'retryWindowMs'>, settings: Pick<CoreSettings, 'sendRetryWindowMs'>): number {
  return Math.min(adapter.retryWindowMs ?? Infinity, settings.sendRetryWindowMs);
}

/** When a row stops being retried: its own retryUntil (a holding notice), else the window after it was queued. */
export function retryDeadline(claimed: Pick<ClaimedSend, 'queuedAt' | 'retryUntil'>, windowMs: number): number {
  return claimed.retryUntil?.getTime() ?? claimed.queuedAt.getTime() + windowMs;
}
