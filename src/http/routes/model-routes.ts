import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { assertAdapterName } from '../../domain/adapter-name.js';
import { ValidationError } from '../../domain/errors.js';
import { getChannelModel } from '../../usecases/channel-model.js';
import { listModels } from '../../usecases/list-models.js';
import { promoteShadowAdapter } from '../../usecases/promote-shadow-adapter.js';
import { rollBackAdapter } from '../../usecases/roll-back-adapter.js';
import { setShadowAdapter } from '../../usecases/set-shadow-adapter.js';
import { listModelReports, uploadModelReport } from '../../usecases/upload-model-report.js';
import { parseBody, readJson, readRawBody } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';
import { modelReportSchema } from '../model-report-schema.js';
import { idParam } from '../request-params.js';

// The name's rule is checked by the use case (domain/adapter-name.ts), answering MODEL.INVALID_NAME.
const shadowSchema = z.object({ adapter: z.string().nullable() }).strict();
const noBodySchema = z.object({}).strict();

/**
 * The body exactly as sent. readJson drops NUL from every string, which would turn the name
 * `x\u0000y` into the valid `xy` and store that (review item 5); an adapter name is refused by its
 * rule instead, which admits no control character. The shadow body holds nothing but that name.
 */
async function readJsonAsSent(ctx: Context): Promise<unknown> {
  if (!ctx.is('application/json')) throw new ValidationError('expected Content-Type: application/json', 'REQUEST.UNSUPPORTED_MEDIA');
  const raw = await readRawBody(ctx);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('body is not valid JSON', 'REQUEST.MALFORMED_JSON');
  }
}

/**
 * issue 13 item 4, the 模型 page (admin): the adapters the model node serves with their evaluation
 * reports, and per channel the live, shadow and previous adapters; promote and roll back.
 */
export function modelRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.param('id', idParam('text', 'CHANNEL.NOT_FOUND', 'channel'));
  // A name no adapter can have (` `, `../..`, NUL, > 200 characters) is a 400 before the body is read (review item 5).
  router.param('name', (value, _ctx, next) => {
    assertAdapterName(value);
    return next();
  });

  router.get('/models', async (ctx) => {
    ctx.body = await listModels(deps.core);
  });
  router.post('/models/:name/reports', async (ctx) => {
    const report = parseBody(modelReportSchema, await readJson(ctx));
    ctx.status = 201;
    ctx.body = await uploadModelReport(deps.core, actorOf(ctx), ctx.params.name, report);
  });
  router.get('/models/:name/reports', async (ctx) => {
    ctx.body = { items: await listModelReports(deps.core, ctx.params.name) };
  });

  router.get('/channels/:id/model', async (ctx) => {
    ctx.body = await getChannelModel(deps.core, ctx.params.id);
  });
  router.put('/channels/:id/model/shadow', async (ctx) => {
    const { adapter } = parseBody(shadowSchema, await readJsonAsSent(ctx));
    ctx.body = await setShadowAdapter(deps.core, actorOf(ctx), ctx.params.id, adapter);
  });
  router.post('/channels/:id/model/promote', async (ctx) => {
    if (ctx.request.length) parseBody(noBodySchema, await readJson(ctx));
    ctx.body = await promoteShadowAdapter(deps.core, actorOf(ctx), ctx.params.id);
  });
  router.post('/channels/:id/model/rollback', async (ctx) => {
    if (ctx.request.length) parseBody(noBodySchema, await readJson(ctx));
    ctx.body = await rollBackAdapter(deps.core, actorOf(ctx), ctx.params.id);
  });
  return router;
}

/** What `npm run eval` writes, as an example upload. */
const reportExample = {
  version: 1, model: 'kefu-lora-v3', baseModel: 'Qwen/Qwen2.5-7B-Instruct', data: 'tests/eval/eval-test.jsonl', createdAt: '2025-06-01T08:00:00Z', threshold: 0.62,
  counts: { total: 200, answerable: 160, outOfScope: 40 },
  rates: { answeredCorrectly: 0.71, wrong: 0.008, handedOff: 0.28, outOfScopeHandedOff: 0.95 },
  auroc: 0.91, ece: 0.04, thresholdForWrongUnder1pct: 0.6,
  disagreements: [{ question: '能开发票吗？', expected: '可以，下单时选择开票即可。', got: '请联系人工客服。', confidence: 0.41 }],
};

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const modelRouteDocs = routeDocs('Models', [
  { method: 'get', path: '/api/models', summary: 'Adapters the model node serves, with their evaluation reports' },
  { method: 'post', path: '/api/models/:name/reports', summary: "Upload an adapter's evaluation report (npm run eval)", body: { schema: modelReportSchema, example: reportExample }, answer: { status: 201 } },
  { method: 'get', path: '/api/models/:name/reports', summary: "An adapter's evaluation reports" },
  { method: 'get', path: '/api/channels/:id/model', summary: "A channel's live, shadow and previous adapters" },
  { method: 'put', path: '/api/channels/:id/model/shadow', summary: 'Set (or with null clear) the shadow adapter', body: { schema: shadowSchema, example: { adapter: 'kefu-lora-v3' } } },
  { method: 'post', path: '/api/channels/:id/model/promote', summary: 'Make the shadow adapter the live one', body: { schema: noBodySchema, example: {}, required: false } },
  { method: 'post', path: '/api/channels/:id/model/rollback', summary: 'Go back to the previous live adapter', body: { schema: noBodySchema, example: {}, required: false } },
]);
