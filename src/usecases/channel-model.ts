import type { Channel, ModelSettings } from '../domain/channel.js';
import { NotFoundError } from '../domain/errors.js';
import { shadowStats, type ShadowStats } from '../domain/shadow-stats.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from './move-conversation.js';

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
    stats = shadowStats(shadow, since, await deps.shadowAnswers.recent(channel.id, shadow, since, SHADOW_STATS_WINDOW));
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
 * Stores the channel's new model settings and makes every process pick them up: this process at
 * once (invalidate), the others when their channel cache expires (≤ 1 s, cached-channel-directory.ts)
 * or on the channel.changed event, as calibrate-channel.ts does. Audited.
 */
export async function saveModelSettings(
  deps: CoreDeps, actor: Actor, channel: Channel, model: ModelSettings, action: string, details: Record<string, unknown>,
): Promise<ChannelModel> {
  const updated = await deps.channelRepository.update(channel.id, { model });
  if (!updated) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${channel.id} does not exist`);
  deps.channels.invalidate(channel.id);
  await deps.audit.record({ actor: actor.id, action, target: `channel:${channel.id}`, details });
  await deps.events.publish({ type: 'channel.changed', channelId: channel.id }).catch(() => undefined);
  return channelModelView(deps, updated);
}
