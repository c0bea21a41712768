import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStorage, mode, startTestService, waitFor, ADMIN_TOKEN, type Storage, type TestService } from '../support/harness.js';
import { openSse, type SseClient } from '../support/sse-client.js';

/** `npm start` on an empty database: a web chat channel and the demo knowledge base, nothing to configure. */
describe(`the zero-setup demo: web chat + console events (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  let consoleEvents: SseClient;
  const visitor = 'visitor0123456789abcdef';

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { DEMO: 'true' });
    channelId = svc.service.demoChannelId!;
    consoleEvents = await openSse(`${svc.url}/api/events`, { authorization: `Bearer ${ADMIN_TOKEN}` });
  });
  after(async () => {
    consoleEvents?.close();
    await svc?.close();
    await storage?.dispose();
  });

  test('the demo channel and knowledge base exist, with a chat page that embeds the widget', async () => {
    assert.ok(channelId);
    const page = await fetch(`${svc.url}/demo/${channelId}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, new RegExp(`data-channel="${channelId}"`));
    // The widget tag when dist/console/widget.js is built, a plain notice when it is not.
    assert.ok(html.includes('<script src="/widget.js"') || html.includes('dist/console/widget.js'));
    assert.doesNotMatch(html, /__[A-Z_]+__/, 'every placeholder is filled in');
    const kb = await svc.api('GET', '/api/knowledge?limit=500');
    assert.ok(kb.body.items.length >= 30);
  });

  test('a $ in ?name= or in the channel name is text, not a replacement pattern', async () => {
    // issue 14 review: the page was filled with String.replace's replacement strings, where $` is
    // "everything before the match" and $$ is one $: a$`b copied the page's start into data-name.
    const pageFor = async (query: string) => {
      const res = await fetch(`${svc.url}/demo/${channelId}${query}`);
      assert.equal(res.status, 200);
      return res.text();
    };
    const starts = (html: string) => html.split('<!doctype html>').length - 1;
    const built = (await pageFor('')).includes('src="/widget.js"');
    if (built) {
      const html = await pageFor(`?name=${encodeURIComponent('a$`b$$c')}`);
      assert.match(html, /data-name="a\$`b\$\$c"/);
      assert.equal(starts(html), 1, 'the page appears once');
    }
    const before = (await svc.api('GET', `/api/channels/${channelId}`)).body.name;
    const renamed = await svc.api('PATCH', `/api/channels/${channelId}`, { name: '小店$`$$' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    try {
      const html = await waitFor('the new channel name (channel cache)', async () => {
        const page = await pageFor('');
        return page.includes('小店$`$$') ? page : null;
      });
      assert.equal(starts(html), 1);
      assert.doesNotMatch(html, /__[A-Z_]+__/);
    } finally {
      await svc.api('PATCH', `/api/channels/${channelId}`, { name: before });
    }
  });

  test('a visitor asks "包邮吗" and gets the shop answer over SSE; the console hears about it', async () => {
    const stream = await openSse(`${svc.url}/webchat/${channelId}/events?visitorId=${visitor}`);
    const post = await fetch(`${svc.url}/webchat/${channelId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ visitorId: visitor, text: '包邮吗', clientMessageId: 'c1' }),
    });
    assert.equal(post.status, 202);
    const reply = await waitFor('reply over SSE', () => stream.events.find((e) => e.event === 'reply'));
    assert.match(reply.data.text, /299/);
    stream.close();
    await waitFor('console event', () => consoleEvents.events.find((e) => e.event === 'message.added' && e.data.sender === 'customer'));
    assert.ok(!consoleEvents.events.some((e) => e.event === 'webchat.reply'), 'customer-facing replies stay off the console stream');
  });

  test('a listed site may use the reply stream across origins; others get no CORS header', async () => {
    const shop = 'https://shop.example';
    await svc.api('PATCH', `/api/channels/${channelId}`, { config: { allowedOrigins: [shop] } });
    const allowOrigin = async (origin: string) => {
      const res = await fetch(`${svc.url}/webchat/${channelId}/events?visitorId=${visitor}`, { headers: { origin } });
      await res.body?.cancel();
      return res.headers.get('access-control-allow-origin');
    };
    await waitFor('the new origin list (channel cache)', async () => (await allowOrigin(shop)) === shop);
    assert.equal(await allowOrigin('https://elsewhere.example'), null);
    await svc.api('PATCH', `/api/channels/${channelId}`, { config: { allowedOrigins: [] } });
  });

  test('a reply on the stream names the stored message, as history does', async () => {
    const other = 'visitor-two-0123456789';
    const stream = await openSse(`${svc.url}/webchat/${channelId}/events?visitorId=${other}`);
    await fetch(`${svc.url}/webchat/${channelId}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ visitorId: other, text: '包邮吗', clientMessageId: 'c1' }),
    });
    const reply = await waitFor('reply over SSE', () => stream.events.find((e) => e.event === 'reply'));
    stream.close();
    assert.equal(reply.data.from, 'bot');
    const history = await (await fetch(`${svc.url}/webchat/${channelId}/messages?visitorId=${other}`)).json();
    assert.ok(history.items.some((m: any) => m.id === reply.data.id && m.text === reply.data.text));
  });

  test('the same client message id sent twice is stored once', async () => {
    const send = () => fetch(`${svc.url}/webchat/${channelId}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ visitorId: visitor, text: '发不发欧洲', clientMessageId: 'c2' }),
    }).then((r) => r.json());
    const [first, second] = [await send(), await send()];
    assert.equal(first.duplicate, false);
    assert.equal(second.duplicate, true);
  });

  test('history shows the visitor the whole chat, without system notes', async () => {
    const history = await waitFor('both answers', async () => {
      const res = await (await fetch(`${svc.url}/webchat/${channelId}/messages?visitorId=${visitor}`)).json();
      return res.items.filter((m: any) => m.from === 'bot').length >= 2 ? res.items : null;
    });
    assert.deepEqual(history.filter((m: any) => m.from === 'visitor').map((m: any) => m.text), ['包邮吗', '发不发欧洲']);
    assert.ok(history.every((m: any) => ['visitor', 'bot', 'agent'].includes(m.from)));
  });

  test('asking for a human queues the conversation and the console is told', async () => {
    await fetch(`${svc.url}/webchat/${channelId}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ visitorId: visitor, text: '我要投诉', clientMessageId: 'c3' }),
    });
    const update = await waitFor('queued event', () => consoleEvents.events.find((e) => e.event === 'conversation.updated' && e.data.status === 'queued'));
    const conv = await svc.api('GET', `/api/conversations/${update.data.conversationId}`);
    assert.equal(conv.body.handoffReason, 'keyword');
  });

  test('bad web chat input is refused', async () => {
    const post = (body: unknown, id = channelId) => fetch(`${svc.url}/webchat/${id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post({ visitorId: 'short', text: 'hi' })).status, 400);
    assert.equal((await post({ visitorId: visitor, text: '' })).status, 400);
    assert.equal((await post({ visitorId: visitor, text: 'x'.repeat(2001) })).status, 400);
    assert.equal((await post({ visitorId: visitor, text: 'hi' }, 'ch_nope')).status, 404);
  });
});
