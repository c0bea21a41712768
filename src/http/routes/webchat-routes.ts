import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
import { openEventStream } from '../sse.js';

/** Visitor ids are random and act as the visitor's only credential: long, opaque, URL-safe. */
const visitorId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'visitorId must be 16-64 characters of [A-Za-z0-9_-]');
const postSchema = z.object({ visitorId, text: z.string().trim().min(1).max(2000), clientMessageId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional() }).strict();

const demoPage = readFileSync(join(projectRoot, 'src', 'console', 'demo.html'), 'utf8');

/** The built-in web chat: a customer-facing channel with nothing to install (DESIGN.md §4.3 `webchat`). */
export function webchatRoutes(deps: HttpDeps): Router {
  const router = new Router();
  const core = deps.core;

  async function webchatChannel(ctx: Context): Promise<Channel> {
    const channel = await core.channels.get(ctx.params.channelId);
    if (!channel || channel.kind !== 'webchat' || !channel.enabled) throw new NotFoundError('CHANNEL.NOT_FOUND', 'no such chat');
    return channel;
  }

  /** Cross-origin embedding only for origins the admin listed. */
  async function cors(ctx: Context, next: Next) {
    const channel = await webchatChannel(ctx);
    const origin = ctx.get('origin');
    const allowed = (channel.config.allowedOrigins as string[] | undefined) ?? [];
    if (origin && (allowed.includes('*') || allowed.includes(origin))) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Vary', 'Origin');
      ctx.set('Access-Control-Allow-Headers', 'Content-Type');
    }
    if (ctx.method === 'OPTIONS') ctx.status = 204;
    else await next();
  }

  router.options('/webchat/:channelId/messages', cors);
  router.post('/webchat/:channelId/messages', cors, async (ctx) => {
    const channel = await webchatChannel(ctx);
    const body = parseBody(postSchema, await readJson(ctx));
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
    const write = openEventStream(ctx, () => unsubscribe());
    unsubscribe = core.events.subscribe((event) => {
      if (event.type === 'webchat.reply' && event.channelId === channel.id && event.visitorId === id) {
        write('reply', { id: event.messageId, text: event.text, at: event.at });
      }
    });
  });

  router.get('/demo/:channelId', async (ctx) => {
    const channel = await webchatChannel(ctx);
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'");
    ctx.body = demoPage.replace('__CHANNEL_ID__', channel.id).replace('__CHANNEL_NAME__', escapeHtml(channel.name));
  });
  return router;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
