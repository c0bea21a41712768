import Router from '@koa/router';
import { z } from 'zod';
import { rateBotAnswer } from '../../usecases/rate-bot-answer.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';
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
    ctx.body = await rateBotAnswer(deps.core, actorOf(ctx), ctx.params.id, { verdict, ...(correction ? { correction } : {}) });
  });
  return router;
}

/** The OpenAPI description of this route, with the schema above (http/openapi.ts, issue 16 item 3). */
export const messageRouteDocs = routeDocs('Messages', [
  {
    method: 'post', path: '/api/messages/:id/feedback', summary: "Rate a bot answer (👍/👎), optionally with the corrected answer",
    body: { schema: feedbackSchema, example: { verdict: 'bad', correction: '退货请在签收后 7 天内申请。' } },
  },
]);
