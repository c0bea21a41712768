import type { AppEvent } from '../ports/event-bus.js';
import { resendIsSafeOn } from '../ports/channel-adapter.js';
import { createOfferTrigger, offerWaiting } from '../usecases/auto-assign.js';
import type { CoreDeps } from '../usecases/deps.js';
import type { MediaFiles } from '../ports/media-files.js';
import { dropAbsentAgents, STREAM_TIMING } from '../usecases/set-presence.js';
import { every } from './every.js';
import { schedulePull, scheduleSend, scheduleTurn } from '../usecases/schedule.js';

/**
 * Re-drives what a lost job, a dead worker or a Redis outage left behind (DESIGN.md §3.3):
 * customer messages still pending, outbox rows due, sends whose worker died mid-call, pull
 * requests nobody served. Also (issue 14 item 4) console streams of processes that died, the
 * presence of agents left without a tab, and chats of auto-assigned channels still waiting for
 * an agent (a crash between a handoff and its offer loses nothing).
 */
export async function sweepOnce(deps: CoreDeps, stalledAfterMs: number, offer: () => Promise<unknown> = () => offerWaiting(deps)): Promise<{ turns: number; sends: number }> {
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
  await deps.presence.deleteDeadStreams(STREAM_TIMING);
  await dropAbsentAgents(deps, null);
  await offer();
  return { turns: stalled.length, sends };
}

/**
 * issue 14 item 4: events after which a waiting chat may now have an agent: a chat closed, went
 * back to the bot or to the queue (it left an agent, or is new there), or an agent came online.
 */
function mayFreeAnAgent(event: AppEvent): boolean {
  if (event.type === 'conversation.updated') return event.status === 'closed' || event.status === 'bot' || event.status === 'queued';
  return event.type === 'agent.presence' && event.presence === 'online';
}

async function resendIsSafe(deps: CoreDeps, outboxId: string): Promise<boolean> {
  const claimedChannel = await deps.outbox.channelOf(outboxId);
  const channel = claimedChannel ? await deps.channels.get(claimedChannel) : null;
  const adapter = channel ? deps.adapters.get(channel.kind) : undefined;
  return Boolean(channel && adapter && resendIsSafeOn(adapter, channel));
}

/**
 * Starts sweeping every `intervalMs`; the returned stop waits for a sweep in progress.
 * `media`: files still to fetch whose link expired are given up (issue 15 item 2, review item 5),
 * whichever process sweeps, so one a crashed process left shows as unavailable.
 */
export function startSweeper(deps: CoreDeps, intervalMs: number, stalledAfterMs: number, media?: Pick<MediaFiles, 'giveUpExpired'>): () => Promise<void> {
  // One auto-assignment round at a time in this process, whether the sweep or an event asks.
  const offer = createOfferTrigger(deps);
  let offering: Promise<void> = Promise.resolve();
  const unsubscribe = deps.events.subscribe((event) => {
    if (mayFreeAnAgent(event)) offering = offer();
  });
  const stop = every(intervalMs, 'sweep', deps.log, async () => {
    const swept = await sweepOnce(deps, stalledAfterMs, offer);
    await media?.giveUpExpired(deps.clock.now(), 200);
    return swept;
  });
  return async () => {
    unsubscribe();
    await stop();
    await offering;
  };
}
