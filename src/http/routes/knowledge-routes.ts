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
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';
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
    ctx.body = await importKnowledge(core, actorOf(ctx), (await readRawBody(ctx)).toString('utf8'), channelIdOf(ctx));
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
    ctx.body = entryView(await createKnowledgeEntry(core, actorOf(ctx), channelId, entry));
  });
  router.put('/:id', async (ctx) => {
    const entry = parseBody(entrySchema, await readJson(ctx));
    ctx.body = entryView(await updateKnowledgeEntry(core, actorOf(ctx), ctx.params.id, entry));
  });
  router.delete('/:id', async (ctx) => {
    await deleteKnowledgeEntry(core, actorOf(ctx), ctx.params.id);
    ctx.status = 204;
  });
  return router;
}

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const knowledgeRouteDocs = routeDocs('Knowledge', [
  {
    method: 'post', path: '/api/knowledge/import', summary: 'Import entries, one JSON object per line; `?channelId=` scopes them to one channel',
    query: { schema: scopeSchema, example: { channelId: 'ch_1' } },
    body: { contentTypes: ['application/x-ndjson', 'application/jsonl', 'text/plain'], description: 'One {"instruction","input","output"} object per line, the format GET /api/knowledge/export.jsonl writes.' },
  },
  { method: 'get', path: '/api/knowledge/export.jsonl', summary: 'Export entries as NDJSON', query: { schema: scopeSchema, example: { channelId: 'ch_1' } }, answer: { type: 'application/x-ndjson' } },
  { method: 'get', path: '/api/knowledge', summary: 'Entries, searched and paged', query: { schema: listSchema, example: { q: '退货', limit: '20', offset: '0' } } },
  {
    method: 'post', path: '/api/knowledge', summary: 'Create an entry; `channelId` null or absent makes it shared by every channel',
    body: { schema: createSchema, example: { instruction: '怎么退货？', output: '签收后 7 天内可在订单页申请退货。', channelId: null } }, answer: { status: 201 },
  },
  { method: 'put', path: '/api/knowledge/:id', summary: 'Replace an entry', body: { schema: entrySchema, example: { instruction: '怎么退货？', input: '', output: '签收后 7 天内可在订单页申请退货。', stage: 'basic' } } },
  { method: 'delete', path: '/api/knowledge/:id', summary: 'Delete an entry', answer: { status: 204 } },
]);
