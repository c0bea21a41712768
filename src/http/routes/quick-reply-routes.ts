import Router from '@koa/router';
import { z } from 'zod';
import { isSafeText } from '../../domain/text.js';
import { createQuickReply, deleteQuickReply, listQuickReplies, updateQuickReply } from '../../usecases/manage-quick-replies.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
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
    ctx.body = { items: await listQuickReplies(deps.core, ctx.state.actor) };
  });
  router.post('/', async (ctx) => {
    const input = parseBody(createSchema, await readJson(ctx));
    ctx.status = 201;
    ctx.body = await createQuickReply(deps.core, ctx.state.actor, input);
  });
  router.put('/:id', async (ctx) => {
    const patch = parseBody(patchSchema, await readJson(ctx));
    ctx.body = await updateQuickReply(deps.core, ctx.state.actor, ctx.params.id, patch);
  });
  router.delete('/:id', async (ctx) => {
    await deleteQuickReply(deps.core, ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  return router;
}
