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
    ctx.body = await uploadModelReport(deps.core, ctx.state.actor, ctx.params.name, report);
  });
  router.get('/models/:name/reports', async (ctx) => {
    ctx.body = { items: await listModelReports(deps.core, ctx.params.name) };
  });

  router.get('/channels/:id/model', async (ctx) => {
    ctx.body = await getChannelModel(deps.core, ctx.params.id);
  });
  router.put('/channels/:id/model/shadow', async (ctx) => {
    const { adapter } = parseBody(shadowSchema, await readJsonAsSent(ctx));
    ctx.body = await setShadowAdapter(deps.core, ctx.state.actor, ctx.params.id, adapter);
  });
  router.post('/channels/:id/model/promote', async (ctx) => {
    if (ctx.request.length) parseBody(noBodySchema, await readJson(ctx));
    ctx.body = await promoteShadowAdapter(deps.core, ctx.state.actor, ctx.params.id);
  });
  router.post('/channels/:id/model/rollback', async (ctx) => {
    if (ctx.request.length) parseBody(noBodySchema, await readJson(ctx));
    ctx.body = await rollBackAdapter(deps.core, ctx.state.actor, ctx.params.id);
  });
  return router;
}
