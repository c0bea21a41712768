import Router from '@koa/router';
import { z } from 'zod';
import { rateBotAnswer } from '../../usecases/rate-bot-answer.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { idParam } from '../request-params.js';

/** issue 12 item 4: 👍/👎 with an optional corrected answer. `correction: null` counts as none. */
const feedbackSchema = z.object({
  verdict: z.enum(['good', 'bad']),
  correction: z.string().trim().min(1).max(8000).nullable().optional(),
}).strict();

/** /api/messages: any signed-in console user (api-access.ts). */
export function messageRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/messages' });
  router.param('id', idParam('row', 'MESSAGE.NOT_FOUND', 'message'));
  router.post('/:id/feedback', async (ctx) => {
    const { verdict, correction } = parseBody(feedbackSchema, await readJson(ctx));
    ctx.body = await rateBotAnswer(deps.core, ctx.state.actor, ctx.params.id, { verdict, ...(correction ? { correction } : {}) });
  });
  return router;
}
