import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { ValidationError } from '../../domain/errors.js';
import { TRAINING_STAGES } from '../../domain/training/types.js';
import type { KnowledgeRecord } from '../../ports/knowledge-repository.js';
import { importKnowledge } from '../../usecases/import-knowledge.js';
import { createKnowledgeEntry, deleteKnowledgeEntry, exportKnowledge, updateKnowledgeEntry } from '../../usecases/manage-knowledge.js';
import { parseBody, readJson, readRawBody } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { idParam, optionalParam, pagination, searchQuery, textIdQuery } from '../request-params.js';

const entrySchema = z.object({ instruction: z.string().trim().min(1).max(2000), input: z.string().max(2000).default(''), output: z.string().trim().min(1).max(8000), stage: z.enum(TRAINING_STAGES).optional() }).strict();
const createSchema = entrySchema.extend({ channelId: z.string().min(1).max(200).nullable().optional() }).strict();

const scopeSchema = z.object({ channelId: optionalParam(textIdQuery) });
const listSchema = scopeSchema.extend({ q: searchQuery.optional(), ...pagination(100, 500) });

const entryView = (e: KnowledgeRecord) => ({ id: e.id, channelId: e.channelId, instruction: e.instruction, input: e.input, output: e.output, stage: e.stage ?? 'basic', updatedAt: e.updatedAt });
/** `?channelId=`: one channel's entries (and the shared ones); absent or empty, all of them. */
const channelIdOf = (ctx: Context) => parseBody(scopeSchema, ctx.query).channelId ?? null;

export function knowledgeRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/knowledge' });
  router.param('id', idParam('row', 'KNOWLEDGE.NOT_FOUND', 'knowledge entry'));
  const core = deps.core;

  router.post('/import', async (ctx) => {
    if (!ctx.is('application/x-ndjson', 'application/jsonl', 'text/plain')) {
      throw new ValidationError('expected Content-Type: application/x-ndjson', 'REQUEST.UNSUPPORTED_MEDIA');
    }
    ctx.body = await importKnowledge(core, ctx.state.actor, (await readRawBody(ctx)).toString('utf8'), channelIdOf(ctx));
  });
  router.get('/export.jsonl', async (ctx) => {
    const channelId = channelIdOf(ctx);
    const body = await exportKnowledge(core, channelId);
    ctx.type = 'application/x-ndjson; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="knowledge-${channelId ? channelId.replace(/[^A-Za-z0-9_-]/g, '_') : 'all'}.jsonl"`);
    ctx.body = body;
  });
  router.get('/', async (ctx) => {
    const { channelId = null, q, limit, offset } = parseBody(listSchema, ctx.query);
    ctx.body = { items: (await core.knowledge.listFor(channelId, { query: q || undefined, limit, offset })).map(entryView) };
  });
  router.post('/', async (ctx) => {
    const { channelId = null, ...entry } = parseBody(createSchema, await readJson(ctx));
    ctx.status = 201;
    ctx.body = entryView(await createKnowledgeEntry(core, ctx.state.actor, channelId, entry));
  });
  router.put('/:id', async (ctx) => {
    const entry = parseBody(entrySchema, await readJson(ctx));
    ctx.body = entryView(await updateKnowledgeEntry(core, ctx.state.actor, ctx.params.id, entry));
  });
  router.delete('/:id', async (ctx) => {
    await deleteKnowledgeEntry(core, ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  return router;
}
