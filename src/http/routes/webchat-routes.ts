import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import type { Channel } from '../../domain/channel.js';
import { NotFoundError } from '../../domain/errors.js';
import { projectRoot } from '../../paths.js';
import { receiveMessages } from '../../usecases/receive-messages.js';
import { parseBody, readJson } from '../body.js';
import type { HttpDeps } from '../deps.js';
import { createWebchatLimiter } from '../rate-limit-webchat.js';
import { openEventStream } from '../sse.js';

/** Visitor ids are random and act as the visitor's only credential: long, opaque, URL-safe. */
const visitorId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'visitorId must be 16-64 characters of [A-Za-z0-9_-]');
const postSchema = z.object({ visitorId, text: z.string().trim().min(1).max(2000), clientMessageId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional() }).strict();

const demoPage = readFileSync(join(projectRoot, 'src', 'console', 'demo.html'), 'utf8');
/** Built by `vite build -c src/console/widget/vite.config.ts` (scripts/build-console.mjs); served at /widget.js. */
const widgetFile = join(projectRoot, 'dist', 'console', 'widget.js');
const widgetTag = (channelId: string) => `<script src="/widget.js" data-channel="${channelId}" data-open="true" async></script>`;
const widgetMissing = `<p class="missing" role="alert">聊天组件还没有构建（缺少 dist/console/widget.js）。请运行 <code>node scripts/build-console.mjs</code> 后刷新本页。<br>The chat widget is not built yet (dist/console/widget.js is missing): run <code>node scripts/build-console.mjs</code>, then reload.</p>`;

/** The built-in web chat: a customer-facing channel with nothing to install (DESIGN.md §4.3 `webchat`). */
export function webchatRoutes(deps: HttpDeps): Router {
  const router = new Router();
  const core = deps.core;
  const limiter = createWebchatLimiter();

  async function webchatChannel(ctx: Context): Promise<Channel> {
    const channel = await core.channels.get(ctx.params.channelId);
    if (!channel || channel.kind !== 'webchat' || !channel.enabled) throw new NotFoundError('CHANNEL.NOT_FOUND', 'no such chat');
    return channel;
  }

  /**
   * Cross-origin embedding (the widget on a shop's site) only for origins the admin listed. The
   * reply stream needs it as much as the POST: a cross-origin EventSource is a CORS request.
   */
  async function cors(ctx: Context, next: Next) {
    const channel = await webchatChannel(ctx);
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
      contact: { externalId: body.visitorId },
      kind: 'text',
      text: body.text,
      sentAt: core.clock.now(),
    }]);
    ctx.status = 202;
    ctx.body = { accepted: true, duplicate: result.stored === 0 };
  });

  router.get('/webchat/:channelId/messages', cors, async (ctx) => {
    const channel = await webchatChannel(ctx);
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
    const channel = await webchatChannel(ctx);
    const id = parseBody(visitorId, ctx.query.visitorId);
    let unsubscribe = () => {};
    const { write } = openEventStream(ctx, () => unsubscribe());
    unsubscribe = core.events.subscribe((event) => {
      if (event.type === 'webchat.reply' && event.channelId === channel.id && event.visitorId === id) {
        // Named by the stored message, as the history names it, so the widget shows it once.
        write('reply', { id: event.messageId, from: event.sender, text: event.text, at: event.at });
      }
    });
  });

  router.get('/demo/:channelId', async (ctx) => {
    const channel = await webchatChannel(ctx);
    ctx.type = 'html';
    // No inline script: the page is explanation, the chat is the widget.
    ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'");
    const id = escapeHtml(channel.id);
    ctx.body = demoPage
      .replace('<!--WIDGET-->', existsSync(widgetFile) ? widgetTag(id) : widgetMissing)
      .replaceAll('__CHANNEL_NAME__', escapeHtml(channel.name))
      .replaceAll('__CHANNEL_ID__', id)
      // The address this page was opened at, for the embed snippet a newcomer copies.
      .replaceAll('__ORIGIN__', escapeHtml(`${ctx.protocol}://${ctx.host}`));
  });
  return router;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
