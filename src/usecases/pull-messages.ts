import { randomUUID } from 'node:crypto';
import type { Channel } from '../domain/channel.js';
import { inboundProblem, type InboundMessage } from '../domain/message.js';
import type { ChannelAdapter } from '../ports/channel-adapter.js';
import type { PullLease } from '../ports/pull-store.js';
import type { CoreDeps } from './deps.js';
import { afterCommit, shouldAnswer } from './receive-messages.js';

export type PullResult = { type: 'busy' } | { type: 'skipped'; why: string } | { type: 'done'; pages: number; stored: number };

/** Bounds one job: a source with more pages than this continues in the next job. */
const MAX_PAGES_PER_RUN = 200;

interface Run {
  pages: number;
  stored: number;
}

/**
 * The page's messages that can be stored. One that cannot (an oversized id: issue 11) is left out
 * and logged, and the page commits with its cursor: a strange message must never stall the
 * source for every later customer, as a NUL once did (adapters make text safe before this).
 */
function storable(deps: CoreDeps, channel: Channel, source: string, messages: InboundMessage[]): InboundMessage[] {
  return messages.filter((message) => {
    const problem = inboundProblem(message);
    if (problem !== null) deps.log.warn({ channelId: channel.id, source, problem }, 'pulled message skipped: it cannot be stored');
    return problem === null;
  });
}

/** Pages until the platform says there is no more; each page commits with its cursor. */
async function pullPages(deps: CoreDeps, channel: Channel, adapter: Required<Pick<ChannelAdapter, 'pull'>>, source: string, owner: string, lease: PullLease, run: Run): Promise<void> {
  const { pullLeaseMs, maxAnswerAgeMs } = deps.settings;
  let cursor = lease.cursor;
  // An empty page with more to come is not the end (protocols/wecom.md §4.2).
  for (let more = true; more && run.pages < MAX_PAGES_PER_RUN; run.pages++) {
    const page = await adapter.pull(channel, { source, cursor, token: lease.token });
    const now = deps.clock.now();
    const items = storable(deps, channel, source, page.messages).map((message) => ({ message, answer: shouldAnswer(message, now, maxAnswerAgeMs) }));
    const recorded = await deps.pulls.commitPage(channel.id, source, owner, pullLeaseMs, items, page.nextCursor);
    if (!recorded) return; // lease lost: whoever holds it now goes on from the saved cursor
    run.stored += recorded.filter((r) => r.recorded.inserted).length;
    await afterCommit(deps, channel, recorded);
    cursor = page.nextCursor ?? cursor;
    more = page.hasMore;
  }
}

/**
 * Pulls a notifying platform's messages for one source (a 微信客服 account), each page committed
 * together with its cursor, so a crash resumes exactly where the last committed page ended
 * (protocols/wecom.md §4.2, §7.2). One pull per source runs at a time across every process.
 */
export async function pullMessages(deps: CoreDeps, channelId: string, source: string): Promise<PullResult> {
  const channel = await deps.channels.get(channelId);
  const adapter = channel ? deps.adapters.get(channel.kind) : undefined;
  if (!channel || !channel.enabled || !adapter?.pull) return { type: 'skipped', why: 'channel gone, off, or not pullable' };
  const pull = { pull: adapter.pull.bind(adapter) };
  const owner = `${deps.workerId}:${randomUUID()}`;
  const run: Run = { pages: 0, stored: 0 };
  for (;;) {
    const lease = await deps.pulls.acquire(channelId, source, owner, deps.settings.pullLeaseMs, deps.settings.pullTokenTtlMs);
    if (!lease) return run.pages === 0 ? { type: 'busy' } : { type: 'done', ...run };
    let again = false;
    try {
      await pullPages(deps, channel, pull, source, owner, lease, run);
    } finally {
      // Released even when a page fails: the next callback or the sweeper resumes from the saved cursor.
      again = await deps.pulls.release(channelId, source, owner, lease.startedAt).catch(() => false);
    }
    // A callback that came in while we pulled may announce messages past our last page.
    if (!again || run.pages >= MAX_PAGES_PER_RUN) return { type: 'done', ...run };
  }
}
