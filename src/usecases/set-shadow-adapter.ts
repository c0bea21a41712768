import { assertAdapterName } from '../domain/adapter-name.js';
import { ValidationError } from '../domain/errors.js';
import { channelOrThrow, liveAdapter, saveModelSettings, type ChannelModel } from './channel-model.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

/**
 * issue 13 item 4: names the adapter that answers the channel's model turns in the background (or
 * none). Setting one starts its stats afresh, even when it is the same adapter again.
 */
export async function setShadowAdapter(deps: CoreDeps, actor: Actor, channelId: string, adapter: string | null): Promise<ChannelModel> {
  if (adapter !== null) assertAdapterName(adapter);
  const channel = await channelOrThrow(deps, channelId);
  if (adapter !== null && adapter === liveAdapter(deps, channel)) {
    throw new ValidationError(`${adapter} already answers this channel: a shadow must be another adapter`, 'MODEL.SHADOW_IS_LIVE');
  }
  const from = channel.model.shadowName ?? null;
  const model = { ...channel.model, shadowName: adapter, shadowSince: adapter === null ? null : deps.clock.now().toISOString() };
  return saveModelSettings(deps, actor, channel, model, 'channel.shadow', { from, to: adapter });
}
