import Router from '@koa/router';
import type { HttpDeps } from '../deps.js';
import { routeDocs } from '../openapi-route.js';
import type { Channel } from '../../domain/channel.js';

/**
 * Names for the console's filters and labels, for agents as well as admins: no channel config,
 * no user state beyond the role. Disabled users stay listed, since old conversations still name them.
 */
export function directoryRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/directory' });
  /** issue 15: whether replies wait for the platform to poll (智能机器人 callback mode), not its mode or config. */
  const pollsReplies = (c: Channel) => {
    const adapter = deps.core.adapters.get(c.kind);
    return Boolean(adapter?.pollDelivery) && !adapter?.sendsOverConnection?.(c);
  };
  router.get('/', async (ctx) => {
    const [channels, users] = await Promise.all([deps.core.channelRepository.list(), deps.core.users.list()]);
    ctx.body = {
      channels: channels.map((c) => ({ id: c.id, name: c.name, kind: c.kind, enabled: c.enabled, botEnabled: c.botEnabled, pollsReplies: pollsReplies(c) })),
      users: users.map((u) => ({ id: u.id, name: u.name, email: u.email, role: u.role })),
    };
  });
  return router;
}

/** The OpenAPI description of this route (http/openapi.ts, issue 16 item 3). */
export const directoryRouteDocs = routeDocs('Directory', [
  { method: 'get', path: '/api/directory', summary: "Channel and user names for the console's filters and labels" },
]);
