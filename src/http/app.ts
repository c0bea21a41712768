import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import type { HttpDeps } from './deps.js';
import { accessFor } from './middleware/api-access.js';
import { authenticate } from './middleware/authenticate.js';
import { csrfProtection } from './middleware/csrf.js';
import { errorHandler } from './middleware/error-handler.js';
import { requireRole } from './middleware/require-role.js';
import { safeRequestUrl } from './middleware/safe-request-url.js';
import { agentRoutes } from './routes/agent-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { calibrationRoutes } from './routes/calibration-routes.js';
import { channelRoutes } from './routes/channel-routes.js';
import { contactRoutes } from './routes/contact-routes.js';
import { conversationRoutes } from './routes/conversation-routes.js';
import { directoryRoutes } from './routes/directory-routes.js';
import { docsRoutes } from './routes/docs-routes.js';
import { knowledgeRoutes } from './routes/knowledge-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { modelRoutes } from './routes/model-routes.js';
import { adminStreamRoutes, healthRoutes } from './routes/ops-routes.js';
import { channelKindRoutes } from './routes/channel-kind-routes.js';
import { consoleRoutes } from './routes/console-routes.js';
import { statsRoutes } from './routes/stats-routes.js';
import { quickReplyRoutes } from './routes/quick-reply-routes.js';
import { suggestionRoutes } from './routes/suggestion-routes.js';
import { platformWebhookRoutes } from './routes/platform-webhooks.js';
import { userRoutes } from './routes/user-routes.js';
import { webchatRoutes } from './routes/webchat-routes.js';
import { NotFoundError } from '../domain/errors.js';

/** Builds the Koa app without listening (tests use app.callback() or their own server). */
export function createApp(deps: HttpDeps): Koa {
  const app = new Koa();
  // TRUST_PROXY: only behind our own proxy are X-Forwarded-For / -Host / -Proto believed (ctx.ip,
  // ctx.host, ctx.protocol); otherwise anyone could pick the address that login throttling and the
  // web chat limits key on (issue 11 item 5).
  app.proxy = deps.trustProxy ?? false;
  // With a proxy in front, the right-most X-Forwarded-For entry is the one it added; the left-most
  // is whatever the client claimed.
  app.maxIpsCount = 1;
  app.on('error', (err: Error) => deps.core.log.warn({ err: err.message }, 'http error'));

  app.use(async (ctx, next) => {
    ctx.set('X-Request-Id', ctx.get('x-request-id') || randomUUID());
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  });

  // A NUL or broken escape in the URL never reaches a route or the database (issue 11).
  app.use(safeRequestUrl());
  // Platform routes answer platforms in their own terms, before the JSON error handler.
  const webhooks = platformWebhookRoutes(deps);
  app.use(webhooks.routes()).use(webhooks.allowedMethods());

  app.use(errorHandler(deps.core.log));
  for (const router of [healthRoutes(deps), webchatRoutes(deps), consoleRoutes(deps), landing()]) app.use(router.routes()).use(router.allowedMethods());

  app.use(apiGuard(deps));
  app.use(apiNotFound());
  for (const router of [authRoutes(deps), userRoutes(deps), directoryRoutes(deps), calibrationRoutes(deps), modelRoutes(deps), channelRoutes(deps), channelKindRoutes(deps), suggestionRoutes(deps), knowledgeRoutes(deps), conversationRoutes(deps), contactRoutes(deps), messageRoutes(deps), adminStreamRoutes(deps), statsRoutes(deps), quickReplyRoutes(deps), agentRoutes(deps), docsRoutes()]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}

/**
 * Every /api request: who is calling (bearer token or session cookie), whether their role may use
 * the path (api-access.ts), then the CSRF check for cookie sessions. Login is the one public path
 * and needs no CSRF token: it acts on no existing session.
 */
function apiGuard(deps: HttpDeps): Koa.Middleware {
  const identify = authenticate(deps);
  const guards = { agent: requireRole('agent'), admin: requireRole('admin') };
  const csrf = csrfProtection();
  return async (ctx, next) => {
    const access = accessFor(ctx.path);
    if (access === null) {
      await next();
      return;
    }
    await identify(ctx, () => (access === 'public' ? next() : guards[access](ctx, () => csrf(ctx, next))));
  };
}

/** An /api path no route answers is a JSON 404 like every other API error, not Koa's plain-text one. */
function apiNotFound(): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body == null && (ctx.path === '/api' || ctx.path.startsWith('/api/'))) {
      throw new NotFoundError('ROUTE.NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
    }
    // A known path with another method: the router answered 405 with its Allow header and a text body;
    // API errors are JSON (issue 14 probe), in the shape the error middleware writes.
    if (ctx.status === 405 && (ctx.path === '/api' || ctx.path.startsWith('/api/'))) {
      ctx.body = { error: { code: 'ROUTE.METHOD_NOT_ALLOWED', message: `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('Allow')}` } };
      ctx.status = 405;
    }
    // A method no route knows at all (TRACE, PROPFIND): the router answered 501 in plain text.
    if (ctx.status === 501 && (ctx.path === '/api' || ctx.path.startsWith('/api/'))) {
      ctx.body = { error: { code: 'ROUTE.METHOD_NOT_IMPLEMENTED', message: `${ctx.method} is not implemented` } };
      ctx.status = 501;
    }
  };
}

/** `/`: the console; the demo chat is linked from there and printed on start. */
function landing(): Router {
  const router = new Router();
  router.get('/', (ctx) => ctx.redirect('/console/'));
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
