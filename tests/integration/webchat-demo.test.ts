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

  test('the demo channel and knowledge base exist, and / leads to the chat page', async () => {
    assert.ok(channelId);
    const res = await fetch(`${svc.url}/`, { redirect: 'manual' });
    assert.equal(res.headers.get('location'), `/demo/${channelId}`);
    const page = await fetch(`${svc.url}/demo/${channelId}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(channelId));
    const kb = await svc.api('GET', '/api/knowledge?limit=500');
    assert.ok(kb.body.items.length >= 30);
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
