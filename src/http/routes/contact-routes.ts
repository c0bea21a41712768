import Router from '@koa/router';
import { z } from 'zod';
import type { Visit } from '../../domain/contact-visits.js';
import { MAX_CONTACT_NOTE_CHARS } from '../../ports/contact-directory.js';
import { getContactProfile, saveContactNote, type ContactProfile } from '../../usecases/contact-profile.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';
import { idParam } from '../request-params.js';

/** Characters as people count them (and PostgreSQL's char_length): an emoji is one. */
const noteSchema = z.object({
  note: z.string().refine((s) => [...s.trim()].length <= MAX_CONTACT_NOTE_CHARS, `must be at most ${MAX_CONTACT_NOTE_CHARS} characters`),
}).strict();

const visitView = (v: Visit) => ({
  firstMessageId: v.firstMessageId,
  startedAt: v.startedAt,
  endedAt: v.endedAt,
  messageCount: v.messageCount,
  firstCustomerText: v.firstCustomerText,
  agentIds: v.agentIds,
});

const profileView = (p: ContactProfile) => ({
  id: p.id,
  channel: p.channel,
  externalId: p.externalId,
  name: p.name,
  firstSeen: p.firstSeen,
  note: p.note,
  noteUpdatedBy: p.noteUpdatedBy,
  noteUpdatedAt: p.noteUpdatedAt,
  conversationId: p.conversation?.id ?? null,
  visits: p.visits.map(visitView),
});

/** The contact panel (issue 14 item 1): agents and admins read a customer's profile and share a note on them. */
export function contactRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/contacts' });
  router.param('id', idParam('row', 'CONTACT.NOT_FOUND', 'contact'));
  router.get('/:id', async (ctx) => {
    ctx.body = profileView(await getContactProfile(deps.core, ctx.params.id));
  });
  router.put('/:id/note', async (ctx) => {
    const { note } = parseBody(noteSchema, await readJson(ctx));
    ctx.body = profileView(await saveContactNote(deps.core, actorOf(ctx), ctx.params.id, note));
  });
  return router;
}

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const contactRouteDocs = routeDocs('Contacts', [
  { method: 'get', path: '/api/contacts/:id', summary: "A customer's profile: first seen, visits, the shared note" },
  { method: 'put', path: '/api/contacts/:id/note', summary: 'Replace the shared note on a customer', body: { schema: noteSchema, example: { note: '老客户，偏好电话联系' } } },
]);
