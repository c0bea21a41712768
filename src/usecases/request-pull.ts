import type { CoreDeps } from './deps.js';
import { schedulePull } from './schedule.js';

/**
 * A platform said it has news for `source` (WeCom 微信客服 kf_msg_or_event). The request and its
 * token are committed before the ack; the pull itself runs in a job, never inside the callback
 * (a sync there outlives WeCom's 5 s and earns retries and duplicate answers, wecom.md §7.2).
 */
export async function requestPull(deps: CoreDeps, channelId: string, source: string, token: string | null): Promise<void> {
  await deps.pulls.noteRequest(channelId, source, token);
  schedulePull(deps, channelId, source);
}
