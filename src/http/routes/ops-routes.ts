import Router from '@koa/router';
import { z } from 'zod';
import { exportTrainingData } from '../../usecases/export-training-data.js';
import { parseBody } from '../body.js';
import type { HttpDeps } from '../deps.js';
import type { AuthState } from '../middleware/authenticate.js';
import { dateQuery, optionalParam } from '../request-params.js';
import { watchSessionEnd } from '../session-watch.js';
import { openEventStream } from '../sse.js';

const exportSchema = z.object({ since: optionalParam(dateQuery) });

/** Health for orchestrators, Prometheus text for scrapers (bind /metrics to a private port in production). */
export function healthRoutes(deps: HttpDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = await deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'unavailable', checks };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}

/** Admin-side streams and logs under /api (auth applied by the app). */
export function adminStreamRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.get('/events', (ctx) => {
    let unsubscribe = () => {};
    let stopWatching = () => {};
    const stream = openEventStream(ctx, () => {
      stopWatching();
      unsubscribe();
    });
    // A cookie session's stream ends with the session; the bearer token has none.
    const session = (ctx.state as AuthState).session;
    if (session) stopWatching = watchSessionEnd(deps.core, { token: session.token, userId: session.user.id }, () => stream.end());
    unsubscribe = deps.core.events.subscribe((event) => {
      // Web chat replies carry customer-facing text for one visitor; the console has no use for them.
      if (event.type !== 'webchat.reply' && event.type !== 'sessions.ended') stream.write(event.type, event);
    });
  });
  router.get('/export/training.jsonl', async (ctx) => {
    const since = parseBody(exportSchema, ctx.query).since ?? new Date(0);
    const examples = await exportTrainingData(deps.core, ctx.state.actor, since);
    ctx.type = 'application/x-ndjson; charset=utf-8';
    ctx.set('Content-Disposition', 'attachment; filename="training.jsonl"');
    ctx.body = examples.map((e) => JSON.stringify(e)).join('\n') + (examples.length ? '\n' : '');
  });
  router.get('/audit', async (ctx) => {
    const limit = Math.min(1000, Math.max(1, Number(ctx.query.limit ?? 200) || 200));
    ctx.body = { items: await deps.core.audit.list(limit) };
  });
  return router;
}
