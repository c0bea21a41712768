import type { Channel, ModelSettings } from '../domain/channel.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { maskPii } from '../domain/pii.js';
import { shadowStats, type ShadowStats } from '../domain/shadow-stats.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

/** Stats read the channel's most recent shadow answers: enough to judge an adapter, bounded per request. */
export const SHADOW_STATS_WINDOW = 2000;

/** GET /api/channels/:id/model (issue 13 item 4). */
export interface ChannelModel {
  channelId: string;
  /** null: the deployment default (defaultModel) answers. */
  live: string | null;
  defaultModel: string;
  threshold: number;
  shadow: string | null;
  previous: string | null;
  shadow_stats: ShadowStats | null;
}

/** The adapter that answers the channel's customers now. */
export function liveAdapter(deps: CoreDeps, channel: Channel): string {
  return channel.model.name || deps.settings.defaultModelName;
}

export async function channelOrThrow(deps: CoreDeps, channelId: string): Promise<Channel> {
  const channel = await deps.channelRepository.get(channelId);
  if (!channel) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${channelId} does not exist`);
  return channel;
}

export async function channelModelView(deps: CoreDeps, channel: Channel): Promise<ChannelModel> {
  const shadow = channel.model.shadowName ?? null;
  let stats: ShadowStats | null = null;
  if (shadow) {
    // Set before shadowSince existed (cannot happen through the API): everything recorded counts.
    const since = channel.model.shadowSince ? new Date(channel.model.shadowSince) : new Date(0);
    const rows = await deps.shadowAnswers.recent(channel.id, shadow, since, SHADOW_STATS_WINDOW);
    // The agent's reply comes from the messages as sent: masked here like the stored shadow and live
    // texts (run-shadow-turn.ts), so the page shows no personal data and like is compared with like.
    stats = shadowStats(shadow, since, rows.map((r) => (r.agentText === null ? r : { ...r, agentText: maskPii(r.agentText).text })));
  }
  return {
    channelId: channel.id,
    live: channel.model.name ?? null,
    defaultModel: deps.settings.defaultModelName,
    threshold: channel.model.threshold,
    shadow,
    previous: channel.model.previousName ?? null,
    shadow_stats: stats,
  };
}

export async function getChannelModel(deps: CoreDeps, channelId: string): Promise<ChannelModel> {
  return channelModelView(deps, await channelOrThrow(deps, channelId));
}

/**
 * Writes `model` over the settings `channel` was read with, or nothing (issue 13 item 4, review
 * item 1). A 409 rather than a retry from a fresh read: the admin decided on the state the page
 * showed (promote this shadow, roll back to that previous), and once another write has changed it
 * the same click may mean something else; the page reloads and they click again.
 */
export async function replaceModelSettings(deps: CoreDeps, channel: Channel, model: ModelSettings): Promise<Channel> {
  const updated = await deps.channelRepository.update(channel.id, { model }, { model: channel.model });
  if (updated) return updated;
  if (!(await deps.channelRepository.get(channel.id))) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${channel.id} does not exist`);
  throw new ConflictError('CHANNEL.CHANGED', "the channel's model settings changed meanwhile: reload and try again");
}

/**
 * Stores the channel's new model settings and makes every process pick them up: this process at
 * once (invalidate), the others when their channel cache expires (≤ 1 s, cached-channel-directory.ts)
 * or on the channel.changed event, as calibrate-channel.ts does. Audited only once written.
 */
export async function saveModelSettings(
  deps: CoreDeps, actor: Actor, channel: Channel, model: ModelSettings, action: string, details: Record<string, unknown>,
): Promise<ChannelModel> {
  const updated = await replaceModelSettings(deps, channel, model);
  deps.channels.invalidate(channel.id);
  await deps.audit.record({ actor: actor.id, action, target: `channel:${channel.id}`, details });
  await deps.events.publish({ type: 'channel.changed', channelId: channel.id }).catch(() => undefined);
  return channelModelView(deps, updated);
}
