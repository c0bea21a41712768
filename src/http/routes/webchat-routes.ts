import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router, { type RouterContext } from '@koa/router';
import type { Next } from 'koa';
import { z } from 'zod';
import type { Channel } from '../../domain/channel.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { projectRoot } from '../../paths.js';
import { receiveMessages } from '../../usecases/receive-messages.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { routeDocs } from '../openapi-route.js';
import { createWebchatLimiter } from '../rate-limit-webchat.js';
import { openEventStream } from '../sse.js';

/** Visitor ids are random and act as the visitor's only credential: long, opaque, URL-safe. */
const visitorId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'visitorId must be 16-64 characters of [A-Za-z0-9_-]');
/**
 * The name the embedding page knows the visitor by (widget `data-name`, the demo's `?name=`; issue
 * 14 item 1): shown to agents instead of 访客 n. One line of 1-40 characters; control characters
 * (newlines, escapes, bidi overrides) are refused, not stripped, so what the page sent is what agents see.
 */
const visitorName = z.string().trim().min(1).max(160)
  .refine((s) => [...s].length <= 40, 'name must be at most 40 characters')
  .refine((s) => !/[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(s), 'name must not contain control characters');
const postSchema = z.object({
  visitorId,
  text: z.string().trim().min(1).max(2000),
  clientMessageId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  name: visitorName.optional(),
}).strict();

const demoPage = readFileSync(join(projectRoot, 'src', 'console', 'demo.html'), 'utf8');
/**
 * What a visitor reads while the channel is disabled, when the admin left the channel's
 * offlineMessage empty; the same default the form names (adapters/webchat/config.ts). Issue 14 item 5.
 */
export const DEFAULT_OFFLINE_MESSAGE = '在线客服暂停服务，请稍后再来~';

function offlineMessage(channel: Channel): string {
  const own = channel.config.offlineMessage;
  return (typeof own === 'string' && own.trim()) || DEFAULT_OFFLINE_MESSAGE;
}

/** A web chat channel's public state: all a visitor may learn, whatever its kind of other channels. */
function chatStatus(channel: Channel) {
  return { online: channel.enabled, offlineMessage: offlineMessage(channel) };
}

/**
 * A disabled chat is known but paused (409, not a 5xx: nothing is broken, and the log stays quiet):
 * the widget keeps what the visitor typed and sends it once the channel is back (issue 14 item 5),
 * instead of failing it as it would on a 404.
 */
const chatPaused = () => new ConflictError('CHANNEL.PAUSED', 'this chat is paused; try again later');

/** Built by `vite build -c src/console/widget/vite.config.ts` (scripts/build-console.mjs); served at /widget.js. */
const widgetFile = join(projectRoot, 'dist', 'console', 'widget.js');
/** `name`: already HTML-escaped; the demo's `?name=` plays a shop page that knows its customer (issue 14 item 1). */
const widgetTag = (channelId: string, name: string | null) =>
  `<script src="/widget.js" data-channel="${channelId}" data-open="true"${name ? ` data-name="${name}"` : ''} async></script>`;
const widgetMissing = `<p class="missing" role="alert">聊天组件还没有构建（缺少 dist/console/widget.js）。请运行 <code>node scripts/build-console.mjs</code> 后刷新本页。<br>The chat widget is not built yet (dist/console/widget.js is missing): run <code>node scripts/build-console.mjs</code>, then reload.</p>`;

/** The built-in web chat: a customer-facing channel with nothing to install (DESIGN.md §4.3 `webchat`). */
export function webchatRoutes(deps: HttpDeps): Router {
  const router = new Router();
  const core = deps.core;
  const limiter = createWebchatLimiter();

  /** Any web chat channel, enabled or not; every other kind answers as if it did not exist. */
  async function knownChat(ctx: RouterContext): Promise<Channel> {
    const channel = await core.channels.get(ctx.params.channelId);
    if (!channel || channel.kind !== 'webchat') throw new NotFoundError('CHANNEL.NOT_FOUND', 'no such chat');
    return channel;
  }

  /** A web chat channel that takes messages now. */
  async function webchatChannel(ctx: RouterContext): Promise<Channel> {
    const channel = await knownChat(ctx);
    if (!channel.enabled) throw chatPaused();
    return channel;
  }

  /**
   * Cross-origin embedding (the widget on a shop's site) only for origins the admin listed. The
   * reply stream needs it as much as the POST: a cross-origin EventSource is a CORS request.
   */
  async function cors(ctx: RouterContext, next: Next) {
    // A paused chat keeps its CORS: the widget must be able to read that it is paused.
    const channel = await knownChat(ctx);
    const origin = ctx.get('origin');
    const allowed = (channel.config.allowedOrigins as string[] | undefined) ?? [];
    ctx.vary('Origin');
    if (origin && (allowed.includes('*') || allowed.includes(origin))) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Allow-Methods', 'GET, POST');
      ctx.set('Access-Control-Allow-Headers', 'Content-Type');
      // The widget waits as long as a 429 asks (issue 11), and may only read that if told so.
      ctx.set('Access-Control-Expose-Headers', 'Retry-After');
      ctx.set('Access-Control-Max-Age', '600');
    }
    if (ctx.method === 'OPTIONS') ctx.status = 204;
    else await next();
  }

  router.options('/webchat/:channelId/messages', cors);
  router.post('/webchat/:channelId/messages', cors, async (ctx) => {
    const channel = await webchatChannel(ctx);
    const body = parseBody(postSchema, await readJson(ctx));
    // Before anything is stored: a refused message leaves no trace.
    const isNewVisitor = async () => !(await core.store.findByContact(channel.id, body.visitorId));
    await limiter.admit({ channelId: channel.id, address: ctx.ip, visitorId: body.visitorId }, core.clock.now().getTime(), isNewVisitor);
    const result = await receiveMessages(core, channel, [{
      platformMessageId: `${body.visitorId}:${body.clientMessageId ?? randomUUID()}`,
      contact: { externalId: body.visitorId, name: body.name ?? null },
      kind: 'text',
      text: body.text,
      sentAt: core.clock.now(),
    }]);
    ctx.status = 202;
    ctx.body = { accepted: true, duplicate: result.stored === 0 };
  });

  router.get('/webchat/:channelId/status', cors, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = chatStatus(await knownChat(ctx));
  });

  // History stays readable while paused: a reload shows the visitor their chat so far.
  router.get('/webchat/:channelId/messages', cors, async (ctx) => {
    const channel = await knownChat(ctx);
    const id = parseBody(visitorId, ctx.query.visitorId);
    const conversation = await core.store.findByContact(channel.id, id);
    const messages = conversation ? await core.store.messages(conversation.id, 200) : [];
    ctx.body = {
      items: messages
        .filter((m) => m.sender !== 'system' && m.kind !== 'event')
        .map((m) => ({ id: m.id, from: m.sender === 'customer' ? 'visitor' : m.sender, text: m.text, at: m.createdAt })),
    };
  });

  router.get('/webchat/:channelId/events', cors, async (ctx) => {
    const channel = await knownChat(ctx);
    const id = parseBody(visitorId, ctx.query.visitorId);
    let unsubscribe = () => {};
    const { write } = openEventStream(ctx, () => unsubscribe());
    // The chat's state first and on every change, so an open widget pauses and resumes without a reload.
    write('status', chatStatus(channel));
    let last = JSON.stringify(chatStatus(channel));
    const statusChanged = async () => {
      // Another process may have changed it: this process's cached copy can be a second old.
      core.channels.invalidate(channel.id);
      const now = await core.channels.get(channel.id).catch(() => null);
      if (!now || now.kind !== 'webchat') return;
      const next = JSON.stringify(chatStatus(now));
      if (next !== last) write('status', chatStatus(now));
      last = next;
    };
    unsubscribe = core.events.subscribe((event) => {
      if (event.type === 'channel.changed' && event.channelId === channel.id) void statusChanged();
      if (event.type === 'webchat.reply' && event.channelId === channel.id && event.visitorId === id) {
        // Named by the stored message, as the history names it, so the widget shows it once.
        write('reply', { id: event.messageId, from: event.sender, text: event.text, at: event.at });
      }
    });
  });

  router.get('/demo/:channelId', async (ctx) => {
    const channel = await knownChat(ctx);
    ctx.type = 'html';
    // No inline script: the page is explanation, the chat is the widget.
    ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'");
    const id = escapeHtml(channel.id);
    // A name the chat would refuse is left out: the page still works, the visitor is 访客 n.
    const named = visitorName.safeParse(ctx.query.name);
    const name = named.success ? escapeHtml(named.data) : null;
    // Every value goes in through a replacer function (issue 14 review): as a replacement string,
    // `$&`, `$\`` and `$'` in a visitor's ?name= or a channel's name would expand (a$`b copied the
    // page's start into data-name). escapeHtml leaves `$` alone, and it has no business there.
    const literal = (value: string) => () => value;
    ctx.body = demoPage
      .replace('<!--WIDGET-->', literal(existsSync(widgetFile) ? widgetTag(id, name) : widgetMissing))
      // A paused chat says so in words (issue 14 item 5); the widget below resumes by itself.
      .replace('<!--PAUSED-->', literal(channel.enabled ? '' : pausedNotice(offlineMessage(channel))))
      .replaceAll('__CHANNEL_NAME__', literal(escapeHtml(channel.name)))
      .replaceAll('__CHANNEL_ID__', literal(id))
      // The address this page was opened at, for the embed snippet a newcomer copies.
      .replaceAll('__ORIGIN__', literal(escapeHtml(`${ctx.protocol}://${ctx.host}`)));
  });
  return router;
}

function pausedNotice(message: string): string {
  return `<section class="paused" role="status" data-testid="chat-paused"><h2>暂停服务</h2><p>${escapeHtml(message)}</p><p class="hint">恢复服务后，右下角的聊天窗口会自动重新连接，无需刷新页面。</p></section>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The handlers read `?visitorId=` alone with the `visitorId` schema; as a query object, for the document. */
const visitorQuery = { schema: z.object({ visitorId }), example: { visitorId: 'v_3f9a1c2b7d4e8f60' } };
const corsNote = 'Cross-origin callers: only origins the channel lists in allowedOrigins.';
/** The OpenAPI description of these routes, with the schemas above (http/openapi.ts, issue 16 item 3). */
export const webchatRouteDocs = routeDocs('Web chat', [
  { method: 'options', path: '/webchat/:channelId/messages', summary: "CORS preflight for the widget on a shop's site", description: corsNote, caller: 'visitor', answer: { status: 204 } },
  {
    method: 'post', path: '/webchat/:channelId/messages', summary: 'A visitor sends a message (409 CHANNEL.PAUSED while the chat is paused)', description: corsNote, caller: 'visitor',
    body: { schema: postSchema, example: { visitorId: 'v_3f9a1c2b7d4e8f60', text: '你好，请问今天能发货吗？', clientMessageId: 'm1', name: '王女士' } }, answer: { status: 202 },
  },
  { method: 'get', path: '/webchat/:channelId/status', summary: 'Whether the chat is online, and the offline message', description: corsNote, caller: 'visitor' },
  { method: 'get', path: '/webchat/:channelId/messages', summary: "The visitor's chat so far", description: corsNote, caller: 'visitor', query: visitorQuery },
  { method: 'get', path: '/webchat/:channelId/events', summary: "Server-sent events: the chat's status and replies to this visitor", description: corsNote, caller: 'visitor', query: visitorQuery, answer: { type: 'text/event-stream' } },
  { method: 'get', path: '/demo/:channelId', summary: 'A demo page with the widget on it; `?name=` plays a shop that knows its customer', caller: 'anyone', answer: { type: 'text/html' } },
]);
