import { ConflictError } from '../domain/errors.js';
import { channelOrThrow, liveAdapter, saveModelSettings, type ChannelModel } from './channel-model.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from './move-conversation.js';

/**
 * issue 13 item 4: the shadow adapter answers customers from now on; the one it replaces is kept
 * as `previous`, so one rollback goes back. The default model is named explicitly there, so a
 * rollback to it is possible too.
 */
export async function promoteShadowAdapter(deps: CoreDeps, actor: Actor, channelId: string): Promise<ChannelModel> {
  const channel = await channelOrThrow(deps, channelId);
  const to = channel.model.shadowName;
  if (!to) throw new ConflictError('MODEL.NO_SHADOW', 'this channel has no shadow adapter to promote');
  const from = liveAdapter(deps, channel);
  const model = { ...channel.model, name: to, previousName: from, shadowName: null, shadowSince: null };
  return saveModelSettings(deps, actor, channel, model, 'channel.promote', { from, to });
}
