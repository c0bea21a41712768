import Router from '@koa/router';
import { z } from 'zod';
import { applyCalibration, calibrateChannel } from '../../usecases/calibrate-channel.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';
import { idParam } from '../request-params.js';

const applySchema = z.object({}).strict();

/** issue 12 item 4: a channel's calibration curve, and applying its recommended threshold (admin). */
export function calibrationRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/channels' });
  router.param('id', idParam('text', 'CHANNEL.NOT_FOUND', 'channel'));
  router.get('/:id/calibration', async (ctx) => {
    ctx.body = await calibrateChannel(deps.core, ctx.params.id);
  });
  router.post('/:id/calibration/apply', async (ctx) => {
    if (ctx.request.length) parseBody(applySchema, await readJson(ctx));
    ctx.body = await applyCalibration(deps.core, actorOf(ctx), ctx.params.id);
  });
  return router;
}

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const calibrationRouteDocs = routeDocs('Calibration', [
  { method: 'get', path: '/api/channels/:id/calibration', summary: "A channel's confidence calibration curve and recommended threshold" },
  { method: 'post', path: '/api/channels/:id/calibration/apply', summary: 'Apply the recommended threshold to the channel', body: { schema: applySchema, example: {}, required: false } },
]);
