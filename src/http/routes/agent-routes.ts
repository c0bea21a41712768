import Router from '@koa/router';
import { z } from 'zod';
import { PRESENCES, type AgentStatus } from '../../domain/presence.js';
import type { PresenceState } from '../../ports/presence.js';
import { getPresence, setPresence } from '../../usecases/set-presence.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';

const presenceSchema = z.object({ presence: z.enum(PRESENCES) }).strict();

const presenceView = (s: PresenceState) => ({ userId: s.userId, presence: s.presence, since: s.since });
const agentView = (a: AgentStatus) => ({
  id: a.id, name: a.name, email: a.email, role: a.role,
  presence: a.presence, presenceSince: a.presenceSince, capacity: a.capacity, openChats: a.openChats,
});

/**
 * issue 14 item 4, for every console user (api-access.ts):
 * GET /api/agents: who may take chats now and how busy they are;
 * GET / PUT /api/me/presence: the caller's own presence (online / away / offline).
 */
export function agentRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.get('/agents', async (ctx) => {
    ctx.body = { items: (await deps.core.presence.listAgents()).map(agentView) };
  });
  router.get('/me/presence', async (ctx) => {
    ctx.body = presenceView(await getPresence(deps.core, actorOf(ctx)));
  });
  router.put('/me/presence', async (ctx) => {
    const { presence } = parseBody(presenceSchema, await readJson(ctx));
    ctx.body = presenceView(await setPresence(deps.core, actorOf(ctx), presence));
  });
  return router;
}

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const agentRouteDocs = routeDocs('Agents', [
  { method: 'get', path: '/api/agents', summary: 'Agents who may take chats, with presence and open chats' },
  { method: 'get', path: '/api/me/presence', summary: "The caller's own presence" },
  { method: 'put', path: '/api/me/presence', summary: "Set the caller's presence", body: { schema: presenceSchema, example: { presence: 'away' } } },
]);
