import Router from '@koa/router';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { importKnowledge } from '../../usecases/import-knowledge.js';
import { parseBody, readJson, readRawBody } from '../body.js';
import type { HttpDeps } from '../deps.js';

const entrySchema = z.object({ instruction: z.string().trim().min(1).max(2000), input: z.string().max(2000).default(''), output: z.string().trim().min(1).max(8000) }).strict();

export function knowledgeRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/knowledge' });

  router.post('/import', async (ctx) => {
    if (!ctx.is('application/x-ndjson', 'application/jsonl', 'text/plain')) {
      throw new ValidationError('expected Content-Type: application/x-ndjson', 'REQUEST.UNSUPPORTED_MEDIA');
    }
    const channelId = typeof ctx.query.channelId === 'string' && ctx.query.channelId ? ctx.query.channelId : null;
    ctx.body = await importKnowledge(deps.core, ctx.state.actor, (await readRawBody(ctx)).toString('utf8'), channelId);
  });
  router.get('/', async (ctx) => {
    const channelId = typeof ctx.query.channelId === 'string' && ctx.query.channelId ? ctx.query.channelId : null;
    const limit = Math.min(500, Math.max(1, Number(ctx.query.limit ?? 100) || 100));
    const offset = Math.max(0, Number(ctx.query.offset ?? 0) || 0);
    const query = typeof ctx.query.q === 'string' && ctx.query.q ? ctx.query.q : undefined;
    ctx.body = { items: await deps.core.knowledge.listFor(channelId, { query, limit, offset }) };
  });
  router.put('/:id', async (ctx) => {
    const entry = parseBody(entrySchema, await readJson(ctx));
    const updated = await deps.core.knowledge.update(ctx.params.id, entry);
    if (!updated) throw new NotFoundError('KNOWLEDGE.NOT_FOUND', `entry ${ctx.params.id} does not exist`);
    await deps.core.audit.record({ actor: ctx.state.actor.id, action: 'knowledge.update', target: `knowledge:${ctx.params.id}` });
    ctx.body = updated;
  });
  router.delete('/:id', async (ctx) => {
    if (!(await deps.core.knowledge.delete(ctx.params.id))) throw new NotFoundError('KNOWLEDGE.NOT_FOUND', `entry ${ctx.params.id} does not exist`);
    await deps.core.audit.record({ actor: ctx.state.actor.id, action: 'knowledge.delete', target: `knowledge:${ctx.params.id}` });
    ctx.status = 204;
  });
  return router;
}
