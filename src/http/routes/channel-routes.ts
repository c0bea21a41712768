import Router from '@koa/router';
import { z } from 'zod';
import { CHANNEL_KINDS, MAX_TARGET_WRONG_RATE, type Channel } from '../../domain/channel.js';
import { NotFoundError } from '../../domain/errors.js';
import { createChannel, deleteChannel, updateChannel } from '../../usecases/manage-channels.js';
import { testChannelConnection } from '../../usecases/test-channel-connection.js';
import { parseBody, readJson } from '../body.js';
import { channelView } from '../channel-view.js';
import type { HttpDeps } from '../deps.js';
import { idParam } from '../request-params.js';

const modelSchema = z.object({ name: z.string().min(1).max(200).nullable().optional(), threshold: z.number().min(0).max(1).optional(), systemPrompt: z.string().max(8000).optional(), targetWrongRate: z.number().min(0).max(MAX_TARGET_WRONG_RATE).optional() }).strict();
const handoffSchema = z.object({ keywords: z.array(z.string().min(1).max(100)).max(200).optional(), holdingMessage: z.string().max(2000).optional() }).strict();
const editable = {
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean(),
  botEnabled: z.boolean(),
  config: z.record(z.unknown()),
  model: modelSchema,
  handoff: handoffSchema,
  welcomeMessage: z.string().max(2000).nullable(),
};
const createSchema = z.object({ kind: z.enum(CHANNEL_KINDS), ...editable, enabled: editable.enabled.optional(), botEnabled: editable.botEnabled.optional(), config: editable.config.default({}), model: modelSchema.optional(), handoff: handoffSchema.optional(), welcomeMessage: editable.welcomeMessage.optional() }).strict();
const patchSchema = z.object(editable).partial().strict();

export function channelRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/channels' });
  router.param('id', idParam('text', 'CHANNEL.NOT_FOUND', 'channel'));
  const view = (channel: Channel) => channelView(channel, deps.core.adapters.get(channel.kind)?.secretFields ?? [], deps.publicUrl);

  router.post('/', async (ctx) => {
    const { kind, ...input } = parseBody(createSchema, await readJson(ctx));
    ctx.status = 201;
    ctx.body = view(await createChannel(deps.core, ctx.state.actor, kind, input));
  });
  router.get('/', async (ctx) => {
    ctx.body = { items: (await deps.core.channelRepository.list()).map(view) };
  });
  router.get('/:id', async (ctx) => {
    const channel = await deps.core.channelRepository.get(ctx.params.id);
    if (!channel) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${ctx.params.id} does not exist`);
    ctx.body = view(channel);
  });
  router.patch('/:id', async (ctx) => {
    const input = parseBody(patchSchema, await readJson(ctx));
    ctx.body = view(await updateChannel(deps.core, ctx.state.actor, ctx.params.id, input));
  });
  // 200 either way: a refused credential is the answer the admin asked for, not a failed request.
  router.post('/:id/test', async (ctx) => {
    ctx.body = await testChannelConnection(deps.core, ctx.state.actor, ctx.params.id);
  });
  router.delete('/:id', async (ctx) => {
    await deleteChannel(deps.core, ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  return router;
}
