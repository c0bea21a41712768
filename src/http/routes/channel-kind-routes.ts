import Router from '@koa/router';
import { CHANNEL_KINDS } from '../../domain/channel.js';
import type { HttpDeps } from '../deps.js';
import { routeDocs } from '../openapi-route.js';

/**
 * GET /api/channel-kinds: the kinds this build can run, each with the config form its adapter
 * describes (secrets typed 'secret'). Kinds without an adapter are left out: a channel of that
 * kind could not be created.
 */
export function channelKindRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/channel-kinds' });
  router.get('/', (ctx) => {
    const items = CHANNEL_KINDS.flatMap((kind) => {
      const adapter = deps.core.adapters.get(kind);
      return adapter ? [{ kind, label: adapter.label ?? kind, fields: adapter.configFields ?? [] }] : [];
    });
    ctx.body = { items };
  });
  return router;
}

/** The OpenAPI description of this route (http/openapi.ts, issue 16 item 3). */
export const channelKindRouteDocs = routeDocs('Channels', [
  { method: 'get', path: '/api/channel-kinds', summary: 'Channel kinds this build runs, each with its config form' },
]);
