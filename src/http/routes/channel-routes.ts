import Router from '@koa/router';
import { z } from 'zod';
import { ASSIGNMENT_MODES, CHANNEL_KINDS, MAX_TARGET_WRONG_RATE, type Channel } from '../../domain/channel.js';
import { NotFoundError } from '../../domain/errors.js';
import { createChannel, deleteChannel, updateChannel } from '../../usecases/manage-channels.js';
import { testChannelConnection } from '../../usecases/test-channel-connection.js';
import { parseBody, readJson } from '../body.js';
import { channelView, CONNECTION_STALE_AFTER_MS, connectionView } from '../channel-view.js';
import type { ConnectionStatus } from '../../ports/connection-status.js';
import type { HttpDeps } from '../deps.js';
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';
import { idParam } from '../request-params.js';

const modelSchema = z.object({ name: z.string().min(1).max(200).nullable().optional(), threshold: z.number().min(0).max(1).optional(), systemPrompt: z.string().max(8000).optional(), targetWrongRate: z.number().min(0).max(MAX_TARGET_WRONG_RATE).optional() }).strict();
const handoffSchema = z.object({ keywords: z.array(z.string().min(1).max(100)).max(200).optional(), holdingMessage: z.string().max(2000).optional(), assignment: z.enum(ASSIGNMENT_MODES).optional() }).strict();
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
  // issue 14 item 6: a kind whose adapter connects (DingTalk Stream) shows its connection's live state.
  const connects = (channel: Channel) => deps.core.adapters.get(channel.kind)?.connect !== undefined;
  const statusOf = async (channel: Channel) => (connects(channel) ? deps.core.connectionStatus.get(channel.id, CONNECTION_STALE_AFTER_MS) : null);
  const view = (channel: Channel, status: ConnectionStatus | null = null) =>
    channelView(channel, deps.core.adapters.get(channel.kind)?.secretFields ?? [], deps.publicUrl, connectionView(channel, connects(channel), status));

  router.post('/', async (ctx) => {
    const { kind, ...input } = parseBody(createSchema, await readJson(ctx));
    ctx.status = 201;
    ctx.body = view(await createChannel(deps.core, actorOf(ctx), kind, input));
  });
  router.get('/', async (ctx) => {
    const [channels, statuses] = await Promise.all([deps.core.channelRepository.list(), deps.core.connectionStatus.list(CONNECTION_STALE_AFTER_MS)]);
    const byChannel = new Map(statuses.map((s) => [s.channelId, s]));
    ctx.body = { items: channels.map((c) => view(c, byChannel.get(c.id) ?? null)) };
  });
  router.get('/:id', async (ctx) => {
    const channel = await deps.core.channelRepository.get(ctx.params.id);
    if (!channel) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${ctx.params.id} does not exist`);
    ctx.body = view(channel, await statusOf(channel));
  });
  // issue 14 item 6: the live connection state alone, for a page that polls it; null for webhook kinds.
  router.get('/:id/connection', async (ctx) => {
    const channel = await deps.core.channelRepository.get(ctx.params.id);
    if (!channel) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${ctx.params.id} does not exist`);
    ctx.body = { channelId: channel.id, connection: connectionView(channel, connects(channel), await statusOf(channel)) };
  });
  router.patch('/:id', async (ctx) => {
    const input = parseBody(patchSchema, await readJson(ctx));
    const updated = await updateChannel(deps.core, actorOf(ctx), ctx.params.id, input);
    ctx.body = view(updated, await statusOf(updated));
  });
  // 200 either way: a refused credential is the answer the admin asked for, not a failed request.
  router.post('/:id/test', async (ctx) => {
    ctx.body = await testChannelConnection(deps.core, actorOf(ctx), ctx.params.id);
  });
  router.delete('/:id', async (ctx) => {
    await deleteChannel(deps.core, actorOf(ctx), ctx.params.id);
    ctx.status = 204;
  });
  return router;
}

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const channelRouteDocs = routeDocs('Channels', [
  {
    method: 'post', path: '/api/channels', summary: 'Create a channel', description: "`config` is checked against the kind's own form (GET /api/channel-kinds).",
    body: { schema: createSchema, example: { kind: 'webchat', name: '官网客服', config: { allowedOrigins: ['https://shop.example.com'] }, welcomeMessage: '您好，有什么可以帮您？' } },
    answer: { status: 201 },
  },
  { method: 'get', path: '/api/channels', summary: 'All channels, secrets masked, with live connection state' },
  { method: 'get', path: '/api/channels/:id', summary: 'One channel, secrets masked' },
  { method: 'get', path: '/api/channels/:id/connection', summary: "The channel's live connection state (null for webhook kinds)" },
  { method: 'patch', path: '/api/channels/:id', summary: 'Change a channel', body: { schema: patchSchema, example: { botEnabled: true, model: { threshold: 0.7 }, handoff: { keywords: ['转人工'] } } } },
  { method: 'post', path: '/api/channels/:id/test', summary: "Try the channel's credentials against its platform", description: 'Answers 200 either way; `ok` says whether the platform accepted them.' },
  { method: 'delete', path: '/api/channels/:id', summary: 'Delete a channel', answer: { status: 204 } },
]);
