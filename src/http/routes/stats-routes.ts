import Router from '@koa/router';
import { z } from 'zod';
import { STATS_RANGES } from '../../ports/conversation-stats.js';
import { getDashboardStats } from '../../usecases/get-dashboard-stats.js';
import { parseBody } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { routeDocs } from '../openapi-route.js';

const querySchema = z.object({
  range: z.enum(STATS_RANGES).default('24h'),
  // Minutes east of UTC where the viewer is (the console sends its browser's); UTC-12 to UTC+14.
  utcOffset: z.coerce.number().int().min(-720).max(840).default(0),
});

/** GET /api/stats?range=24h|7d[&utcOffset=480]: the admin dashboard's figures. */
export function statsRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/stats' });
  router.get('/', async (ctx) => {
    const { range, utcOffset } = parseBody(querySchema, ctx.query);
    ctx.body = await getDashboardStats(deps.core, range, utcOffset);
  });
  return router;
}

/** The OpenAPI description of this route, with the schema above (http/openapi.ts, issue 16 item 3). */
export const statsRouteDocs = routeDocs('Stats', [
  { method: 'get', path: '/api/stats', summary: "The admin dashboard's figures", query: { schema: querySchema, example: { range: '7d', utcOffset: '480' } } },
]);
