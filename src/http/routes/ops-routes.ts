import Router from '@koa/router';
import { ValidationError } from '../../domain/errors.js';
import { exportTrainingData } from '../../usecases/export-training-data.js';
import type { HttpDeps } from '../deps.js';
import { sessionDeadline } from '../../usecases/resolve-session.js';
import { sessionTokenHash } from '../../usecases/session-token.js';
import type { AuthState } from '../middleware/authenticate.js';
import { openEventStream } from '../sse.js';

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
    let expiry: NodeJS.Timeout | undefined;
    let closed = false;
    const stream = openEventStream(ctx, () => {
      closed = true;
      clearTimeout(expiry);
      unsubscribe();
    });
    // A cookie session's stream ends with the session: at once on logout, a disabled user or a
    // new password (the event below), and when it times out, checked at its deadline.
    const session = (ctx.state as AuthState).session;
    const watchDeadline = async () => {
      const deadline = session ? await sessionDeadline(deps.core, session.token).catch(() => new Date()) : null;
      if (!session || closed) return;
      if (!deadline || deadline.getTime() <= Date.now()) return stream.end();
      expiry = setTimeout(() => void watchDeadline(), Math.min(deadline.getTime() - Date.now() + 1000, 2 ** 31 - 1));
      expiry.unref();
    };
    void watchDeadline();
    const mine = session ? { userId: session.user.id, tokenHash: sessionTokenHash(session.token) } : null;
    unsubscribe = deps.core.events.subscribe((event) => {
      if (event.type === 'sessions.ended') {
        if (mine && event.userId === mine.userId && (event.tokenHash === null || event.tokenHash === mine.tokenHash)) stream.end();
        return;
      }
      // Web chat replies carry customer-facing text for one visitor; the console has no use for them.
      if (event.type !== 'webchat.reply') stream.write(event.type, event);
    });
  });
  router.get('/export/training.jsonl', async (ctx) => {
    const since = typeof ctx.query.since === 'string' && ctx.query.since ? new Date(ctx.query.since) : new Date(0);
    if (Number.isNaN(since.getTime())) throw new ValidationError('since must be an ISO date');
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
