import Router from '@koa/router';
import { z } from 'zod';
import { CONVERSATION_STATUSES } from '../../domain/conversation.js';
import { NotFoundError } from '../../domain/errors.js';
import { isRowId } from '../../domain/ids.js';
import type { Message } from '../../domain/message.js';
import type { ReplyWindow } from '../../ports/channel-adapter.js';
import type { ConversationNote } from '../../ports/conversation-notes.js';
import type { AgentDraft, ConversationSummary } from '../../ports/conversation-store.js';
import { discardDraft, sendDraft, type DraftOutcome } from '../../usecases/act-on-draft.js';
import { addConversationNote, MAX_NOTE_LENGTH } from '../../usecases/add-conversation-note.js';
import { assignConversation, unassignConversation } from '../../usecases/assign-conversation.js';
import { closeConversation } from '../../usecases/close-conversation.js';
import { fetchMedia } from '../../usecases/fetch-media.js';
import { releaseConversation } from '../../usecases/release-conversation.js';
import { retryOutboxMessage } from '../../usecases/retry-outbox-message.js';
import { sendAgentReply } from '../../usecases/send-agent-reply.js';
import { transferConversation } from '../../usecases/transfer-conversation.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { actorOf } from '../middleware/authenticate.js';
import { routeDocs } from '../openapi-route.js';
import { idParam, optionalParam, pagination, textIdQuery } from '../request-params.js';
import { isSafeText } from '../../domain/text.js';

const listSchema = z.object({
  status: z.enum(CONVERSATION_STATUSES).optional(),
  channelId: textIdQuery.optional(),
  assignee: textIdQuery.optional(),
  limit: pagination(100, 500).limit,
  /** issue 14 item 1: name, external id or message text; blank is no search. */
  q: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().trim().max(100).refine(isSafeText, 'must not contain NUL or lone surrogates').optional()),
});
/** `?assignee=`: a user id, `me` (the caller) or `none` (nobody's: the unclaimed queue). */
function assigneeFilter(assignee: string | undefined, actorId: string): string | null | undefined {
  if (assignee === 'me') return actorId;
  if (assignee === 'none') return null;
  return assignee;
}

const replySchema = z.object({ text: z.string().trim().min(1).max(4000) }).strict();
const assignSchema = z.object({ assigneeId: z.string().min(1).max(200).optional() }).strict();
/** Agent assist (issue 13 item 5): `text` absent sends the draft as is; a draft id of no row is a 404 below. */
const draftIdSchema = z.string().min(1).max(32);
const draftSendSchema = z.object({ draftId: draftIdSchema, text: z.string().trim().min(1).max(4000).optional() }).strict();
const draftDiscardSchema = z.object({ draftId: draftIdSchema }).strict();
const draftView = (d: AgentDraft) => ({ id: d.id, text: d.text, confidence: d.confidence, model: d.model, createdAt: d.createdAt });
const draftOutcomeView = (o: DraftOutcome) => ({
  draft: { ...draftView(o.draft), status: o.draft.status, finalText: o.draft.finalText, actedBy: o.draft.actedBy, actedAt: o.draft.actedAt },
  messageId: o.messageId,
});
/** issue 14 items 2, 3: internal notes (never sent) and transfers, `to` a user id or `queue`. */
const noteSchema = z.object({ text: z.string().trim().min(1).max(MAX_NOTE_LENGTH) }).strict();
const transferSchema = z.object({ to: z.string().min(1).max(200), note: z.string().trim().max(MAX_NOTE_LENGTH).optional() }).strict();
const noteView = (n: ConversationNote) => ({ id: n.id, authorId: n.authorId, kind: n.kind, text: n.text, createdAt: n.createdAt });
/** A draft id that cannot name a row answers like one of no row. */
function rowDraftId(id: string): string {
  if (!isRowId(id)) throw new NotFoundError('DRAFT.NOT_FOUND', 'no such draft');
  return id;
}

/** issue 15 follow-up: `?item=n` opens file n (0-based) of a message with several; absent is item 0. */
// Digits only: `0x1`, `1e3` or ` 1` are not an item number (outside probe); given twice is an array, a 400.
const mediaQuery = z.object({ item: optionalParam(z.string().regex(/^\d{1,4}$/, 'must be a whole number (0-based)').transform(Number)) });
/**
 * What a browser may show on our origin: these types run nothing. Anything else a customer sent
 * (HTML, SVG, XML…) is a download, so it can never run as a page holding the agent's session.
 */
const INLINE_MEDIA = /^(image\/(jpeg|png|gif|webp|bmp)|application\/pdf|audio\/[\w.+-]+|video\/[\w.+-]+)$/;
/** RFC 8187 ext-value: encodeURIComponent leaves `'()*` as is, which attr-char does not allow. */
const rfc8187 = (name: string) => `UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
function mediaHeaders(contentType: string, fileName: string | undefined): { type: string; disposition: string | null } {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const inline = INLINE_MEDIA.test(type);
  const name = fileName ? `; filename*=${rfc8187(fileName)}` : '';
  if (!inline) return { type: 'application/octet-stream', disposition: `attachment${name}` };
  return { type, disposition: name ? `inline${name}` : null };
}

const messageView = (m: Message) => ({ id: m.id, sender: m.sender, kind: m.kind, text: m.text, attachment: m.attachment, confidence: m.confidence, status: m.status, error: m.error, createdAt: m.createdAt });
type Feedback = { verdict: string; correction: string | null };
/** Bot messages carry their rating (issue 12 item 4): `feedback` null until an agent rates one. */
/** issue 15: and `customerFeedback`, the member's own 👍/👎 on the platform ('good' | 'bad'), null when none. */
const withFeedback = (m: Message, feedback: Map<string, Feedback>, customer?: Map<string, string>) =>
  m.sender === 'bot' ? { ...messageView(m), feedback: feedback.get(m.id) ?? null, customerFeedback: customer?.get(m.id) ?? null } : messageView(m);
/** For platforms with a reply window (微信客服: 48 h, 5 messages): what is left of it. */
function windowView(c: ConversationSummary, window: ReplyWindow | undefined, now: Date) {
  if (!window) return null;
  const last = c.replyWindow.lastCustomerAt;
  const msLeft = last ? Math.max(0, last.getTime() + window.hours * 3600_000 - now.getTime()) : 0;
  return { open: msLeft > 0 && c.replyWindow.sentSince < window.maxMessages, secondsLeft: Math.floor(msLeft / 1000), messagesLeft: Math.max(0, window.maxMessages - c.replyWindow.sentSince) };
}

const summaryView = (c: ConversationSummary, window?: ReplyWindow, now = new Date(), channelKind?: string) => ({
  id: c.id,
  channelId: c.channelId,
  status: c.status,
  // channelKind: the console names a nameless web chat visitor 访客 n (issue 14 item 1).
  contact: { id: c.contact.id, externalId: c.contact.externalId, name: c.contact.name, address: c.contact.address, channelKind: channelKind ?? null },
  replyWindow: windowView(c, window, now),
  lastMessage: c.lastMessage ? messageView(c.lastMessage) : null,
  handoffReason: c.handoffReason,
  assigneeId: c.assigneeId,
  lastConfidence: c.lastConfidence,
  waitingSince: c.waitingSince,
  // With ?q=: the latest message whose text matched (issue 14 item 1).
  ...(c.match !== undefined ? { match: c.match } : {}),
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

export function conversationRoutes(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/api/conversations' });
  router.param('id', idParam('row', 'CONVERSATION.NOT_FOUND', 'conversation'));
  router.param('messageId', idParam('row', 'MESSAGE.NOT_FOUND', 'message'));
  const core = deps.core;
  const windowOf = async (c: ConversationSummary) => {
    const channel = await core.channels.get(c.channelId);
    return channel ? core.adapters.get(channel.kind)?.replyWindow : undefined;
  };
  const view = async (c: ConversationSummary) => summaryView(c, await windowOf(c), core.clock.now(), (await core.channels.get(c.channelId))?.kind);
  const messagesWithFeedback = async (conversationId: string) => {
    const messages = await core.store.messages(conversationId, 500);
    const botIds = messages.filter((m) => m.sender === 'bot').map((m) => m.id);
    const feedback = await core.answerLabels.feedbackFor(botIds);
    const customer = await core.answerLabels.customerFeedbackFor(botIds);
    return messages.map((m) => withFeedback(m, feedback, customer));
  };

  router.get('/', async (ctx) => {
    const q = parseBody(listSchema, ctx.query);
    const assigneeId = assigneeFilter(q.assignee, actorOf(ctx).id);
    const items = await core.store.list({ status: q.status, channelId: q.channelId, assigneeId, q: q.q, limit: q.limit });
    ctx.body = { items: await Promise.all(items.map(view)) };
  });
  router.get('/:id', async (ctx) => {
    // Messages first: a turn commits its messages and the status they lead to together, so the status
    // read after them is never older than they are (read the other way, a handoff's note could come
    // with the status from before it).
    const messages = await messagesWithFeedback(ctx.params.id);
    const conversation = await core.store.get(ctx.params.id);
    if (!conversation) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${ctx.params.id} does not exist`);
    const draft = await core.store.openDraft(ctx.params.id);
    const notes = await core.notes.list(ctx.params.id, 500);
    ctx.body = { ...(await view(conversation)), messages, draft: draft ? draftView(draft) : null, notes: notes.map(noteView) };
  });
  router.get('/:id/messages', async (ctx) => {
    if (!(await core.store.get(ctx.params.id))) throw new NotFoundError('CONVERSATION.NOT_FOUND', `conversation ${ctx.params.id} does not exist`);
    ctx.body = { items: await messagesWithFeedback(ctx.params.id) };
  });
  router.get('/:id/messages/:messageId/media', async (ctx) => {
    const { item } = parseBody(mediaQuery, ctx.query);
    const media = await fetchMedia(core, ctx.params.id, ctx.params.messageId, item);
    const served = mediaHeaders(media.contentType, media.fileName);
    ctx.type = served.type;
    if (served.disposition) ctx.set('Content-Disposition', served.disposition);
    // Customer uploads are shown, never run: no inline scripts (X-Content-Type-Options: nosniff is set app-wide).
    ctx.set('Content-Security-Policy', "default-src 'none'");
    ctx.body = media.body;
  });
  router.post('/:id/assign', async (ctx) => {
    const body = ctx.request.length ? parseBody(assignSchema, await readJson(ctx)) : {};
    ctx.body = await assignConversation(core, actorOf(ctx), ctx.params.id, body.assigneeId);
  });
  router.post('/:id/unassign', async (ctx) => {
    ctx.body = await unassignConversation(core, actorOf(ctx), ctx.params.id);
  });
  router.post('/:id/messages', async (ctx) => {
    const { text } = parseBody(replySchema, await readJson(ctx));
    ctx.status = 201;
    ctx.body = await sendAgentReply(core, actorOf(ctx), ctx.params.id, text);
  });
  router.post('/:id/draft/send', async (ctx) => {
    const body = parseBody(draftSendSchema, await readJson(ctx));
    ctx.body = draftOutcomeView(await sendDraft(core, actorOf(ctx), ctx.params.id, rowDraftId(body.draftId), body.text));
  });
  router.post('/:id/draft/discard', async (ctx) => {
    const body = parseBody(draftDiscardSchema, await readJson(ctx));
    ctx.body = draftOutcomeView(await discardDraft(core, actorOf(ctx), ctx.params.id, rowDraftId(body.draftId)));
  });
  router.post('/:id/messages/:messageId/retry', async (ctx) => {
    ctx.body = await retryOutboxMessage(core, actorOf(ctx), ctx.params.id, ctx.params.messageId);
  });
  router.post('/:id/release', async (ctx) => {
    ctx.body = await releaseConversation(core, actorOf(ctx), ctx.params.id);
  });
  router.post('/:id/notes', async (ctx) => {
    const { text } = parseBody(noteSchema, await readJson(ctx));
    ctx.status = 201;
    ctx.body = { note: noteView(await addConversationNote(core, actorOf(ctx), ctx.params.id, text)) };
  });
  router.post('/:id/transfer', async (ctx) => {
    const body = parseBody(transferSchema, await readJson(ctx));
    const to = body.to === 'queue' ? 'queue' : { assigneeId: body.to };
    const done = await transferConversation(core, actorOf(ctx), ctx.params.id, to, body.note);
    ctx.body = { conversation: done.conversation, note: done.note ? noteView(done.note) : null };
  });
  router.post('/:id/close', async (ctx) => {
    ctx.body = await closeConversation(core, actorOf(ctx), ctx.params.id);
  });
  return router;
}

/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const conversationRouteDocs = routeDocs('Conversations', [
  {
    method: 'get', path: '/api/conversations', summary: 'Conversations, most recent first',
    description: '`assignee`: a user id, `me` or `none` (the unclaimed queue); `q` searches names, external ids and message text.',
    query: { schema: listSchema, example: { status: 'queued', assignee: 'none', limit: '50' } },
  },
  { method: 'get', path: '/api/conversations/:id', summary: 'One conversation with its messages, open draft and notes' },
  { method: 'get', path: '/api/conversations/:id/messages', summary: "A conversation's messages, bot answers with their ratings" },
  {
    method: 'get', path: '/api/conversations/:id/messages/:messageId/media', summary: "A message's attachment, fetched from its platform",
    description: '`item`: which file of a message with several (0-based, as listed in `attachment.mediaIds`; default 0, a missing one is 404 `MEDIA.NOT_FOUND`). '
      + 'Images (JPEG, PNG, GIF, WebP, BMP), PDF, audio and video come in their own type, with `Content-Disposition: inline; filename*=` when the platform named the file; anything else comes as `application/octet-stream` with `Content-Disposition: attachment`.',
    query: { schema: mediaQuery, example: { item: '1' } },
    answer: { type: 'application/octet-stream', description: 'the attachment, in its own content type or as a download' },
  },
  { method: 'post', path: '/api/conversations/:id/assign', summary: 'Assign to the caller, or (admins) to `assigneeId`', body: { schema: assignSchema, example: { assigneeId: 'u_2' }, required: false } },
  { method: 'post', path: '/api/conversations/:id/unassign', summary: 'Put the conversation back in the queue' },
  { method: 'post', path: '/api/conversations/:id/messages', summary: 'Send an agent reply', body: { schema: replySchema, example: { text: '您好，已为您查询，订单今天发货。' } }, answer: { status: 201 } },
  { method: 'post', path: '/api/conversations/:id/draft/send', summary: "Send the bot's draft, as is or edited", body: { schema: draftSendSchema, example: { draftId: '42', text: '您好，退货请在签收后 7 天内申请。' } } },
  { method: 'post', path: '/api/conversations/:id/draft/discard', summary: "Discard the bot's draft", body: { schema: draftDiscardSchema, example: { draftId: '42' } } },
  { method: 'post', path: '/api/conversations/:id/messages/:messageId/retry', summary: 'Send a failed outgoing message again' },
  { method: 'post', path: '/api/conversations/:id/release', summary: 'Hand the conversation back to the bot' },
  { method: 'post', path: '/api/conversations/:id/notes', summary: 'Add an internal note (never sent to the customer)', body: { schema: noteSchema, example: { text: '客户要求明天上午回电' } }, answer: { status: 201 } },
  { method: 'post', path: '/api/conversations/:id/transfer', summary: 'Transfer to another agent or to the queue, with an optional note', body: { schema: transferSchema, example: { to: 'queue', note: '需要售后同事处理' } } },
  { method: 'post', path: '/api/conversations/:id/close', summary: 'Close the conversation' },
]);
