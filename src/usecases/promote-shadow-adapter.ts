import { ConflictError } from '../domain/errors.js';
import { channelOrThrow, liveAdapter, saveModelSettings, type ChannelModel } from './channel-model.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

/**
 * issue 13 item 4: the shadow adapter answers customers from now on; the one it replaces is kept
 * as `previous`, so one rollback goes back. The default model is named explicitly there, so a
 * rollback to it is possible too.
 */
export async function promoteShadowAdapter(deps: CoreDeps, actor: Actor, channelId: string): Promise<ChannelModel> {
  const channel = await channelOrThrow(deps, channelId);
  const to = channel.model.shadowName;
  if (!to) throw new ConflictError('MODEL.NO_SHADOW', 'this channel has no shadow adapter to promote');
  await assertServed(deps, to);
  const from = liveAdapter(deps, channel);
  const model = { ...channel.model, name: to, previousName: from, shadowName: null, shadowSince: null };
  return saveModelSettings(deps, actor, channel, model, 'channel.promote', { from, to });
}

/**
 * Review item 2: a node that answers its listing without the adapter would fail every live turn
 * after the promote, so that is refused. A node that is down or not configured cannot say: the
 * promote goes ahead (the knowledge-base responder ignores adapter names; a node that is away
 * must not block the page's safety net).
 */
async function assertServed(deps: CoreDeps, adapter: string): Promise<void> {
  const listing = await deps.models.list();
  if (listing.configured && listing.available && !listing.models.some((m) => m.name === adapter)) {
    throw new ConflictError('MODEL.NOT_SERVED', `the model node does not serve ${adapter}: load the adapter there before promoting it`);
  }
}
