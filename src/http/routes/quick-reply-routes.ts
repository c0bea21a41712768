import Router from '@koa/router';
import { z } from 'zod';
import { isSafeText } from '../../domain/text.js';
import { createQuickReply, deleteQuickReply, listQuickReplies, updateQuickReply } from '../../usecases/manage-quick-replies.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';
import { idParam } from '../request-params.js';

/**
 * issue 14 item 3: quick replies (快捷回复) for every console user: the shared ones (admins manage
 * them) and the caller's own. Titles are one line of at most 40 characters, texts at most 2000;
 * both are trimmed and must not be blank.
 */
const text = (max: number) => z.string().trim().min(1).max(max).refine(isSafeText, 'must not contain NUL or lone surrogates');
const title = text(40).refine((s) => !/[\r\n]/.test(s), 'must be one line');
const createSchema = z.object({ title, text: text(2000), shared: z.boolean().optional() }).strict();
const patchSchema = z
  .object({ title, text: text(2000) })
  .partial()
  .strict()
  .refine((p) => p.title !== undefined || p.text !== undefined, 'give title or text');

export function quickReplyRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/quick-replies' });
  router.param('id', idParam('row', 'QUICK_REPLY.NOT_FOUND', 'quick reply'));

  router.get('/', async (ctx) => {
    ctx.body = { items: await listQuickReplies(deps.core, actorOf(ctx)) };
  });
  router.post('/', async (ctx) => {
    const input = parseBody(createSchema, await readJson(ctx));
    ctx.status = 201;
    ctx.body = await createQuickReply(deps.core, actorOf(ctx), input);
  });
  router.put('/:id', async (ctx) => {
    const patch = parseBody(patchSchema, await readJson(ctx));
    ctx.body = await updateQuickReply(deps.core, actorOf(ctx), ctx.params.id, patch);
  });
  router.delete('/:id', async (ctx) => {
    await deleteQuickReply(deps.core, actorOf(ctx), ctx.params.id);
    ctx.status = 204;
  });
  return router;
}

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const quickReplyRouteDocs = routeDocs('Quick replies', [
  { method: 'get', path: '/api/quick-replies', summary: "The shared quick replies and the caller's own" },
  {
    method: 'post', path: '/api/quick-replies', summary: 'Create a quick reply', description: '`shared: true` needs the admin role.',
    body: { schema: createSchema, example: { title: '问候', text: '{客户}您好，我是{客服}，请问有什么可以帮您？' } }, answer: { status: 201 },
  },
  { method: 'put', path: '/api/quick-replies/:id', summary: 'Change a quick reply', body: { schema: patchSchema, example: { text: '您好，请稍等，马上为您查询。' } } },
  { method: 'delete', path: '/api/quick-replies/:id', summary: 'Delete a quick reply', answer: { status: 204 } },
]);
