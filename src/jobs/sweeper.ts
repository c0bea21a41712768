import type { CoreDeps } from '../usecases/deps.js';
import { every } from './every.js';
import { schedulePull, scheduleSend, scheduleTurn } from '../usecases/schedule.js';

/**
 * Re-drives what a lost job, a dead worker or a Redis outage left behind (DESIGN.md §3.3):
 * customer messages still pending, outbox rows due, sends whose worker died mid-call, pull
 * requests nobody served.
 */
export async function sweepOnce(deps: CoreDeps, stalledAfterMs: number): Promise<{ turns: number; sends: number }> {
  const bucket = Math.floor(deps.clock.now().getTime() / stalledAfterMs);
  const stalled = await deps.store.findStalledTurns(stalledAfterMs, 200);
  for (const s of stalled) scheduleTurn(deps, s.conversationId, `${s.messageId}-sweep${bucket}`, 0);
  const due = await deps.outbox.findDue(200);
  let sends = 0;
  for (const row of due) {
    if (row.expiredLease && !(await resendIsSafe(deps, row.outboxId))) {
      await deps.outbox.markUnknown(row.outboxId, 'the sender stopped mid-call; delivery unknown');
      continue;
    }
    if (row.expiredLease && !(await deps.outbox.requeueExpired(row.outboxId))) continue;
    scheduleSend(deps, row.outboxId, bucket);
    sends++;
  }
  const unserved = await deps.pulls.findUnserved(stalledAfterMs, 100);
  for (const p of unserved) schedulePull(deps, p.channelId, p.source, `-sweep${bucket}`);
  return { turns: stalled.length, sends };
}

async function resendIsSafe(deps: CoreDeps, outboxId: string): Promise<boolean> {
  const claimedChannel = await deps.outbox.channelOf(outboxId);
  const channel = claimedChannel ? await deps.channels.get(claimedChannel) : null;
  return Boolean(channel && deps.adapters.get(channel.kind)?.safeToResend);
}

/** Starts sweeping every `intervalMs`; the returned stop waits for a sweep in progress. */
export function startSweeper(deps: CoreDeps, intervalMs: number, stalledAfterMs: number): () => Promise<void> {
  return every(intervalMs, 'sweep', deps.log, () => sweepOnce(deps, stalledAfterMs));
}
