import Router, { type RouterContext } from '@koa/router';
import type { ChannelKind } from '../../domain/channel.js';
import type { WebhookReply } from '../../ports/channel-adapter.js';
import { AppError, NotFoundError } from '../../domain/errors.js';
import { answerPoll } from '../../usecases/answer-poll.js';
import { receiveMessages } from '../../usecases/receive-messages.js';
import { requestPull } from '../../usecases/request-pull.js';
import { readRawBody } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { routeDocs } from '../openapi-route.js';
import { statusOf } from '../middleware/error-handler.js';

/**
 * Platform callbacks: verify → parse → commit → ack (DESIGN.md §2). The ack (2xx) goes out
 * only after the messages are committed; anything else answers non-2xx so the platform retries.
 * Platforms get bare status codes, never our JSON errors.
 */
async function handle(deps: HttpDeps, ctx: RouterContext, platform: string, kinds: readonly ChannelKind[]): Promise<void> {
  const started = process.hrtime.bigint();
  let outcome = 'error';
  try {
    const channel = await deps.core.channels.get(ctx.params.channelId);
    const adapter = channel && channel.enabled && kinds.includes(channel.kind) ? deps.core.adapters.get(channel.kind) : undefined;
    if (!channel || !adapter?.handleWebhook) throw new NotFoundError('CHANNEL.NOT_FOUND', 'no such channel');
    const rawBody = ctx.method === 'POST' ? await readRawBody(ctx) : Buffer.alloc(0);
    const result = await adapter.handleWebhook(channel, {
      method: ctx.method === 'GET' ? 'GET' : 'POST',
      query: ctx.query as Record<string, string | undefined>,
      headers: ctx.headers as Record<string, string | undefined>,
      rawBody,
    });
    let reply: WebhookReply;
    if (result.type === 'messages') {
      const received = await receiveMessages(deps.core, channel, result.messages);
      outcome = received.stored > 0 ? 'stored' : received.duplicates > 0 ? 'duplicate' : 'ignored';
      reply = result.reply;
    } else if (result.type === 'pull') {
      await requestPull(deps.core, channel.id, result.source, result.token);
      outcome = 'pull';
      reply = result.reply;
    } else if (result.type === 'poll') {
      reply = result.answer(await answerPoll(deps.core, channel, result.ref, adapter.pollDelivery?.windowMs ?? 0));
      outcome = 'poll';
    } else {
      outcome = 'handshake';
      reply = result.reply;
    }
    ctx.status = reply.status;
    if (reply.contentType) ctx.type = reply.contentType;
    ctx.body = reply.body;
  } catch (err) {
    const status = statusOf(err);
    outcome = err instanceof AppError ? err.code : 'error';
    if (status >= 500) deps.core.log.error({ err: (err as Error)?.message, channelId: ctx.params.channelId }, 'callback not stored; the platform will retry');
    else deps.core.log.warn({ code: outcome, channelId: ctx.params.channelId }, 'callback refused');
    ctx.status = status;
    ctx.type = 'text/plain';
    ctx.body = '';
  } finally {
    deps.metrics.callbacks.inc({ kind: platform, outcome });
    deps.metrics.ackSeconds.observe({ kind: platform }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}

export function platformWebhookRoutes(deps: HttpDeps): Router {
  const router = new Router();
  const wecom = (ctx: RouterContext) => handle(deps, ctx, 'wecom', ['wecom_app', 'wecom_kf']);
  router.get('/webhooks/wecom/:channelId', wecom);
  router.post('/webhooks/wecom/:channelId', wecom);
  router.post('/webhooks/dingtalk/:channelId', (ctx) => handle(deps, ctx, 'dingtalk', ['dingtalk_http']));
  const wecomBot = (ctx: RouterContext) => handle(deps, ctx, 'wecom_bot', ['wecom_bot']);
  router.get('/webhooks/wecom-bot/:channelId', wecomBot);
  router.post('/webhooks/wecom-bot/:channelId', wecomBot);
  return router;
}

/**
 * The OpenAPI description of these routes (http/openapi.ts, issue 16 item 3). The bodies are the
 * platforms' own, signed and often encrypted; the channel's adapter checks and reads them, so the
 * document shows them as raw bytes rather than a schema of ours.
 */
const signed = "Verified by the channel's adapter against the channel's token and key; refused with a bare 4xx and no body.";
const answers = { type: 'text/plain', description: "the platform's expected acknowledgement (or encrypted reply), as its adapter writes it" };
export const platformWebhookRouteDocs = routeDocs('Platform webhooks', [
  { method: 'get', path: '/webhooks/wecom/:channelId', summary: 'WeCom app / 微信客服: the URL check when the callback is saved', description: signed, caller: 'platform', answer: answers },
  { method: 'post', path: '/webhooks/wecom/:channelId', summary: 'WeCom app / 微信客服: a message or event callback (encrypted XML)', description: signed, caller: 'platform', body: { contentTypes: ['text/xml', 'application/xml'], description: 'The encrypted XML envelope WeCom posts.' }, answer: answers },
  { method: 'post', path: '/webhooks/dingtalk/:channelId', summary: 'DingTalk robot (HTTP mode): a message callback (signed JSON)', description: signed, caller: 'platform', body: { contentTypes: ['application/json'], description: 'The JSON DingTalk posts; its signature headers are checked first.' }, answer: { ...answers, type: 'application/json' } },
  { method: 'get', path: '/webhooks/wecom-bot/:channelId', summary: 'WeCom 智能机器人 (callback mode): the URL check', description: signed, caller: 'platform', answer: answers },
  { method: 'post', path: '/webhooks/wecom-bot/:channelId', summary: 'WeCom 智能机器人 (callback mode): a message, or a poll for the streamed answer (encrypted JSON)', description: signed, caller: 'platform', body: { contentTypes: ['application/json'], description: 'The encrypted JSON envelope WeCom posts.' }, answer: answers },
]);
