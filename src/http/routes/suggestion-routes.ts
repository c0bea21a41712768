import Router from '@koa/router';
import { z } from 'zod';
import type { KnowledgeRecord } from '../../ports/knowledge-repository.js';
import { SUGGESTION_STATUSES, type KnowledgeSuggestion } from '../../ports/knowledge-suggestions.js';
import { acceptSuggestion, rejectSuggestion } from '../../usecases/review-knowledge-suggestion.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';
import { idParam } from '../request-params.js';

const LIST_LIMIT = 200;
const listSchema = z.object({ status: z.preprocess((v) => (v === '' ? undefined : v), z.enum(SUGGESTION_STATUSES).default('open')) });
/** The edited entry: the same limits as a knowledge entry (knowledge-routes.ts); a field left out keeps the suggestion's. */
const editSchema = z.object({
  instruction: z.string().trim().min(1).max(2000).optional(),
  input: z.string().max(2000).optional(),
  output: z.string().trim().min(1).max(8000).optional(),
}).strict();

export const suggestionView = (s: KnowledgeSuggestion) => ({
  id: s.id,
  channelId: s.channelId,
  conversationId: s.conversationId,
  question: s.question,
  answer: s.answer,
  entryId: s.entryId,
  entry: s.entry ? { instruction: s.entry.instruction, output: s.entry.output } : null,
  source: s.source,
  status: s.status,
  createdAt: s.createdAt,
});
const entryView = (e: KnowledgeRecord) => ({ id: e.id, channelId: e.channelId, instruction: e.instruction, input: e.input, output: e.output, updatedAt: e.updatedAt });

/**
 * issue 12 item 5: knowledge suggestions (admin, under /api/knowledge). Mounted before
 * knowledge-routes.ts so `/suggestions` is never read as an entry id.
 */
export function suggestionRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/knowledge/suggestions' });
  router.param('id', idParam('row', 'SUGGESTION.NOT_FOUND', 'suggestion'));
  router.get('/', async (ctx) => {
    const { status } = parseBody(listSchema, ctx.query);
    ctx.body = { items: (await deps.core.suggestions.list(status, LIST_LIMIT)).map(suggestionView) };
  });
  router.post('/:id/accept', async (ctx) => {
    const edit = ctx.request.length ? parseBody(editSchema, await readJson(ctx)) : {};
    const { suggestion, entry } = await acceptSuggestion(deps.core, actorOf(ctx), ctx.params.id, edit);
    ctx.body = { suggestion: suggestionView(suggestion), entry: entryView(entry) };
  });
  router.post('/:id/reject', async (ctx) => {
    ctx.body = { suggestion: suggestionView(await rejectSuggestion(deps.core, actorOf(ctx), ctx.params.id)) };
  });
  return router;
}

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const suggestionRouteDocs = routeDocs('Knowledge', [
  { method: 'get', path: '/api/knowledge/suggestions', summary: 'Knowledge suggestions learned from agent replies', query: { schema: listSchema, example: { status: 'open' } } },
  {
    method: 'post', path: '/api/knowledge/suggestions/:id/accept', summary: 'Accept a suggestion as a knowledge entry, optionally edited',
    body: { schema: editSchema, example: { output: '工作日 9:00–18:00 在线。' }, required: false },
  },
  { method: 'post', path: '/api/knowledge/suggestions/:id/reject', summary: 'Reject a suggestion' },
]);
