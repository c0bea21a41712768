import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseIsoDate } from '../../domain/training/since.js';
import { TRAINING_STAGES } from '../../domain/training/types.js';
import { exportTrainingData, toJsonl, type TrainingExportPart } from '../../usecases/export-training-data.js';
import { parseBody } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { routeDocs } from '../openapi-route.js';
import { actorOf, type AuthState } from '../middleware/authenticate.js';
import { optionalParam } from '../request-params.js';
import { createConsoleStreams } from '../console-streams.js';
import { watchSessionEnd } from '../session-watch.js';
import { openEventStream } from '../sse.js';

/** `?since=`: an ISO 8601 date or date-time only (issue 13 item 1: `?since=0` meant 2000-01-01). */
const isoSince = z
  .string()
  .max(64)
  .transform((s, ctx) => parseIsoDate(s) ?? (ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be an ISO 8601 date or date-time, e.g. 2025-01-01 or 2025-01-01T08:00:00+08:00' }), z.NEVER));

/**
 * `?stage=basic|promotion|emotion&since=ISO` (issue 13 item 1); anything else is a 400 before any
 * work: a repeated key (an array), and unknown keys too (`?stage[]=basic`, `?since[]=2026` were
 * dropped, and the full export answered as if nothing had been asked).
 */
const exportSchema = z.object({ since: optionalParam(isoSince), stage: optionalParam(z.enum(TRAINING_STAGES)) }).strict();

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
  const consoleStreams = createConsoleStreams(deps.core);
  router.get('/events', (ctx) => {
    let unsubscribe = () => {};
    let stopWatching = () => {};
    let endTab = () => {};
    const stream = openEventStream(ctx, () => {
      stopWatching();
      unsubscribe();
      endTab();
    });
    // A cookie session's stream ends with the session; the bearer token has none.
    const session = (ctx.state as AuthState).session;
    if (session) stopWatching = watchSessionEnd(deps.core, { token: session.token, userId: session.user.id }, () => stream.end());
    // issue 14 item 4: a signed-in user's stream is one of their console tabs; when the last one
    // closes they drop to offline. The bearer token is automation, with no presence.
    if (session) endTab = consoleStreams.open(session.user.id);
    unsubscribe = deps.core.events.subscribe((event) => {
      // Web chat replies carry customer-facing text for one visitor; the console has no use for them.
      if (event.type !== 'webchat.reply' && event.type !== 'sessions.ended') stream.write(event.type, event);
    });
  });
  // issue 13 item 1: the cleaned export in three parts (admin only, api-access.ts; audited as training.export).
  const sendExport = (part: TrainingExportPart, filename: string) => async (ctx: Context) => {
    const { since, stage } = parseBody(exportSchema, ctx.query);
    const result = await exportTrainingData(deps.core, actorOf(ctx), { since: since ?? new Date(0), stage: stage ?? null }, part);
    ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
    if (part === 'report') {
      ctx.body = result.report;
      return;
    }
    ctx.type = 'application/x-ndjson; charset=utf-8';
    ctx.body = toJsonl(part === 'train' ? result.train : result.heldout);
  };
  router.get('/export/training/train.jsonl', sendExport('train', 'train.jsonl'));
  router.get('/export/training/heldout.jsonl', sendExport('heldout', 'heldout.jsonl'));
  router.get('/export/training/report.json', sendExport('report', 'report.json'));
  // Before issue 13 this was the only export: it stays, as the train split.
  router.get('/export/training.jsonl', sendExport('train', 'training.jsonl'));
  router.get('/audit', async (ctx) => {
    const limit = Math.min(1000, Math.max(1, Number(ctx.query.limit ?? 200) || 200));
    ctx.body = { items: await deps.core.audit.list(limit) };
  });
  return router;
}

/** The OpenAPI description of these routes, with the schema above (http/openapi.ts, issue 16 item 3). */
export const healthRouteDocs = routeDocs('Operations', [
  { method: 'get', path: '/healthz', summary: 'Liveness: the process answers', caller: 'anyone' },
  { method: 'get', path: '/readyz', summary: 'Readiness: each dependency and whether it answers (503 when one does not)', caller: 'anyone' },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics; serve on a port the public ingress does not expose', caller: 'anyone', answer: { type: 'text/plain; version=0.0.4' } },
]);

export const adminStreamRouteDocs = routeDocs('Events and exports', [
  { method: 'get', path: '/api/events', summary: 'Server-sent events for the console: conversation, message and channel changes', answer: { type: 'text/event-stream' } },
  { method: 'get', path: '/api/export/training/train.jsonl', summary: 'Training data export, train split', query: { schema: exportSchema, example: { stage: 'basic', since: '2025-01-01' } }, answer: { type: 'application/x-ndjson' } },
  { method: 'get', path: '/api/export/training/heldout.jsonl', summary: 'Training data export, held-out split', query: { schema: exportSchema, example: { since: '2025-01-01T08:00:00+08:00' } }, answer: { type: 'application/x-ndjson' } },
  { method: 'get', path: '/api/export/training/report.json', summary: 'Training data export, the cleaning report', query: { schema: exportSchema, example: {} } },
  { method: 'get', path: '/api/export/training.jsonl', summary: 'Training data export, train split (the name before issue 13)', query: { schema: exportSchema }, answer: { type: 'application/x-ndjson' } },
  { method: 'get', path: '/api/audit', summary: 'The audit log, newest first', description: '`?limit=` 1–1000, default 200.' },
]);
