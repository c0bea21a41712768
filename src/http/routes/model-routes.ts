import Router from '@koa/router';
import { z } from 'zod';
import { ValidationError } from '../../domain/errors.js';
import { isTextId } from '../../domain/ids.js';
import { getChannelModel } from '../../usecases/channel-model.js';
import { listModels } from '../../usecases/list-models.js';
import { promoteShadowAdapter } from '../../usecases/promote-shadow-adapter.js';
import { rollBackAdapter } from '../../usecases/roll-back-adapter.js';
import { setShadowAdapter } from '../../usecases/set-shadow-adapter.js';
import { listModelReports, uploadModelReport } from '../../usecases/upload-model-report.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { adapterName, modelReportSchema } from '../model-report-schema.js';
import { idParam } from '../request-params.js';

const shadowSchema = z.object({ adapter: adapterName.nullable() }).strict();
const noBodySchema = z.object({}).strict();

/**
 * issue 13 item 4, the 模型 page (admin): the adapters the model node serves with their evaluation
 * reports, and per channel the live, shadow and previous adapters; promote and roll back.
 */
export function modelRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.param('id', idParam('text', 'CHANNEL.NOT_FOUND', 'channel'));
  // An adapter name that no adapter can have (NUL, > 200 characters) is a bad request, not a query.
  router.param('name', (value, _ctx, next) => {
    if (!isTextId(value)) throw new ValidationError('not an adapter name');
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
    const { adapter } = parseBody(shadowSchema, await readJson(ctx));
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
