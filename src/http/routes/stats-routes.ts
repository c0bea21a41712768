import Router from '@koa/router';
import { z } from 'zod';
import { STATS_RANGES } from '../../ports/conversation-stats.js';
import { getDashboardStats } from '../../usecases/get-dashboard-stats.js';
import { parseBody } from '../body.js';
import type { HttpDeps } from '../deps.js';

const querySchema = z.object({ range: z.enum(STATS_RANGES).default('24h') });

/** GET /api/stats?range=24h|7d: the admin dashboard's figures. */
export function statsRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/stats' });
  router.get('/', async (ctx) => {
    const { range } = parseBody(querySchema, ctx.query);
    ctx.body = await getDashboardStats(deps.core, range);
  });
  return router;
}
