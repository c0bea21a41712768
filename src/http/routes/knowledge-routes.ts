import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { KnowledgeRecord } from '../../ports/knowledge-repository.js';
import { importKnowledge } from '../../usecases/import-knowledge.js';
import { parseBody, readJson, readRawBody } from '../body.js';
import type { HttpDeps } from '../deps.js';

const entrySchema = z.object({ instruction: z.string().trim().min(1).max(2000), input: z.string().max(2000).default(''), output: z.string().trim().min(1).max(8000) }).strict();
const createSchema = entrySchema.extend({ channelId: z.string().min(1).max(200).nullable().optional() }).strict();

const entryView = (e: KnowledgeRecord) => ({ id: e.id, channelId: e.channelId, instruction: e.instruction, input: e.input, output: e.output, updatedAt: e.updatedAt });
const channelIdOf = (ctx: Context) => (typeof ctx.query.channelId === 'string' && ctx.query.channelId ? ctx.query.channelId : null);
/** Ids are bigserial: anything else cannot exist (and must not reach a bigint cast). */
const knownShape = (id: string) => /^\d{1,18}$/.test(id);
const notFound = (id: string) => new NotFoundError('KNOWLEDGE.NOT_FOUND', `entry ${id} does not exist`);

export function knowledgeRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/knowledge' });
  const core = deps.core;
  const requireChannel = async (channelId: string | null) => {
    if (channelId && !(await core.channelRepository.get(channelId))) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${channelId} does not exist`);
  };

  router.post('/import', async (ctx) => {
    if (!ctx.is('application/x-ndjson', 'application/jsonl', 'text/plain')) {
      throw new ValidationError('expected Content-Type: application/x-ndjson', 'REQUEST.UNSUPPORTED_MEDIA');
    }
    ctx.body = await importKnowledge(core, ctx.state.actor, (await readRawBody(ctx)).toString('utf8'), channelIdOf(ctx));
  });
  /**
   * The training-data format, one entry per line. With ?channelId= only that channel's own
   * entries (so importing the file into another channel copies exactly them); without, every entry.
   */
  router.get('/export.jsonl', async (ctx) => {
    const channelId = channelIdOf(ctx);
    await requireChannel(channelId);
    const entries = await core.knowledge.listFor(channelId, { own: channelId !== null, limit: 1_000_000 });
    ctx.type = 'application/x-ndjson; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="knowledge-${channelId ? channelId.replace(/[^A-Za-z0-9_-]/g, '_') : 'all'}.jsonl"`);
    ctx.body = entries.map((e) => JSON.stringify({ instruction: e.instruction, input: e.input, output: e.output }) + '\n').join('');
  });
  router.get('/', async (ctx) => {
    const limit = Math.min(500, Math.max(1, Number(ctx.query.limit ?? 100) || 100));
    const offset = Math.max(0, Number(ctx.query.offset ?? 0) || 0);
    const query = typeof ctx.query.q === 'string' && ctx.query.q ? ctx.query.q : undefined;
    ctx.body = { items: (await core.knowledge.listFor(channelIdOf(ctx), { query, limit, offset })).map(entryView) };
  });
  router.post('/', async (ctx) => {
    const { channelId = null, ...entry } = parseBody(createSchema, await readJson(ctx));
    await requireChannel(channelId);
    const created = await core.knowledge.create({ channelId, ...entry, input: entry.input.trim() });
    await core.audit.record({ actor: ctx.state.actor.id, action: 'knowledge.create', target: `knowledge:${created.id}`, details: { channelId } });
    ctx.status = 201;
    ctx.body = entryView(created);
  });
  router.put('/:id', async (ctx) => {
    const entry = parseBody(entrySchema, await readJson(ctx));
    const updated = knownShape(ctx.params.id) ? await core.knowledge.update(ctx.params.id, entry) : null;
    if (!updated) throw notFound(ctx.params.id);
    await core.audit.record({ actor: ctx.state.actor.id, action: 'knowledge.update', target: `knowledge:${ctx.params.id}` });
    ctx.body = entryView(updated);
  });
  router.delete('/:id', async (ctx) => {
    if (!knownShape(ctx.params.id) || !(await core.knowledge.delete(ctx.params.id))) throw notFound(ctx.params.id);
    await core.audit.record({ actor: ctx.state.actor.id, action: 'knowledge.delete', target: `knowledge:${ctx.params.id}` });
    ctx.status = 204;
  });
  return router;
}
