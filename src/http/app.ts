import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import type { HttpDeps } from './deps.js';
import { errorHandler } from './middleware/error-handler.js';
import { requireAdmin } from './middleware/require-admin.js';
import { channelRoutes } from './routes/channel-routes.js';
import { conversationRoutes } from './routes/conversation-routes.js';
import { knowledgeRoutes } from './routes/knowledge-routes.js';
import { adminStreamRoutes, healthRoutes } from './routes/ops-routes.js';
import { channelKindRoutes } from './routes/channel-kind-routes.js';
import { consoleRoutes } from './routes/console-routes.js';
import { statsRoutes } from './routes/stats-routes.js';
import { platformWebhookRoutes } from './routes/platform-webhooks.js';
import { webchatRoutes } from './routes/webchat-routes.js';

/** Builds the Koa app without listening (tests use app.callback() or their own server). */
export function createApp(deps: HttpDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  app.on('error', (err: Error) => deps.core.log.warn({ err: err.message }, 'http error'));

  app.use(async (ctx, next) => {
    ctx.set('X-Request-Id', ctx.get('x-request-id') || randomUUID());
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  });

  // Platform routes answer platforms in their own terms, before the JSON error handler.
  const webhooks = platformWebhookRoutes(deps);
  app.use(webhooks.routes()).use(webhooks.allowedMethods());

  app.use(errorHandler(deps.core.log));
  for (const router of [healthRoutes(deps), webchatRoutes(deps), consoleRoutes(deps), landing(deps)]) app.use(router.routes()).use(router.allowedMethods());

  const admin = requireAdmin(deps.adminToken);
  app.use(async (ctx, next) => (ctx.path === '/api' || ctx.path.startsWith('/api/') ? admin(ctx, next) : next()));
  for (const router of [channelRoutes(deps), channelKindRoutes(deps), knowledgeRoutes(deps), conversationRoutes(deps), adminStreamRoutes(deps), statsRoutes(deps)]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}

/** `/`: where a newcomer finds the demo chats. */
function landing(deps: HttpDeps): Router {
  const router = new Router();
  router.get('/', async (ctx) => {
    const chats = (await deps.core.channelRepository.list()).filter((c) => c.kind === 'webchat' && c.enabled);
    if (chats.length > 0) return ctx.redirect(`/demo/${chats[0].id}`);
    ctx.body = { service: 'kefu-bridge', docs: 'see README.md', health: '/healthz' };
  });
  return router;
}

/**
 * What a process without the web role still serves: /healthz, /readyz and its own /metrics
 * (a worker's model latencies and handoffs are counted in the worker, not in the web process).
 */
export function createOpsApp(deps: HttpDeps): Koa {
  const app = new Koa();
  app.on('error', (err: Error) => deps.core.log.warn({ err: err.message }, 'http error'));
  const router = healthRoutes(deps);
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
