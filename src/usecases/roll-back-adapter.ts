import { ConflictError } from '../domain/errors.js';
import { channelOrThrow, liveAdapter, saveModelSettings, type ChannelModel } from './channel-model.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from './move-conversation.js';

/**
 * issue 13 item 4: the previous adapter answers again, and the one rolled back from becomes
 * `previous` (a second rollback goes forward again). The shadow stays as it is.
 */
export async function rollBackAdapter(deps: CoreDeps, actor: Actor, channelId: string): Promise<ChannelModel> {
  const channel = await channelOrThrow(deps, channelId);
  const to = channel.model.previousName;
  if (!to) throw new ConflictError('MODEL.NO_PREVIOUS', 'this channel has no previous adapter to roll back to');
  const from = liveAdapter(deps, channel);
  const model = { ...channel.model, name: to, previousName: from };
  return saveModelSettings(deps, actor, channel, model, 'channel.rollback', { from, to });
}
