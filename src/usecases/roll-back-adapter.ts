import { ConflictError } from '../domain/errors.js';
import { channelOrThrow, liveAdapter, saveModelSettings, type ChannelModel } from './channel-model.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

/**
 * issue 13 item 4: the previous adapter answers again, and the one rolled back from becomes
 * `previous` (a second rollback goes forward again). The shadow stays as it is, unless it is the
 * adapter that now answers live (review item 3): a shadow is always another adapter than the live one.
 */
export async function rollBackAdapter(deps: CoreDeps, actor: Actor, channelId: string): Promise<ChannelModel> {
  const channel = await channelOrThrow(deps, channelId);
  const to = channel.model.previousName;
  if (!to) throw new ConflictError('MODEL.NO_PREVIOUS', 'this channel has no previous adapter to roll back to');
  const from = liveAdapter(deps, channel);
  const shadowIsNewLive = channel.model.shadowName === to;
  const model = {
    ...channel.model,
    name: to,
    previousName: from,
    ...(shadowIsNewLive ? { shadowName: null, shadowSince: null } : {}),
  };
  return saveModelSettings(deps, actor, channel, model, 'channel.rollback', { from, to });
}
