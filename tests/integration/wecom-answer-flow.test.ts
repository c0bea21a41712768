import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FakeWecomApi, buildUrlVerification } from '../fakes/fake-wecom-api.js';
import { createStorage, mode, startTestService, waitFor, sleep, type Storage, type TestService } from '../support/harness.js';
import { createWecomChannel, newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';

describe(`WeCom app channel end to end (${mode})`, () => {
  const app = newWecomApp();
  let storage: Storage;
  let fake: FakeWecomApi;
  let svc: TestService;
  let channelId: string;

  before(async () => {
    fake = await startFakeWecom(app);
    storage = await createStorage();
    svc = await startTestService(storage, { WECOM_API_BASE: fake.url });
    channelId = await createWecomChannel(svc, app);
    const kb = readFileSync(new URL('../../src/demo/demo-kb.jsonl', import.meta.url), 'utf8');
    const imported = await svc.api('POST', '/api/knowledge/import', kb, { 'content-type': 'application/x-ndjson' });
    assert.equal(imported.status, 200);
  });
  after(async () => {
    await svc?.close();
    await fake?.close();
    await storage?.dispose();
  });

  test('URL verification answers the exact plaintext', async () => {
    const v = buildUrlVerification(app, '1288432023552776189');
    const res = await fetch(`${svc.url}/webhooks/wecom/${channelId}?${v.search}`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '1288432023552776189');
  });

  test('a customer question is acked empty and answered from the knowledge base through message/send', async () => {
    const res = await postText(svc, channelId, app, { from: 'zhangsan', content: '包邮吗？', msgId: '9000000000000000001' });
    assert.deepEqual(res, { status: 200, body: '' });
    const reply = await waitFor('the reply', () => fake.sent.find((m) => m.touser === 'zhangsan'));
    assert.match(reply.content, /299/);
    assert.equal(reply.agentid, app.agentId);
    const list = await svc.api('GET', '/api/conversations');
    const conv = list.body.items.find((c: any) => c.contact.externalId === 'zhangsan');
    assert.equal(conv.status, 'bot');
    const detail = await svc.api('GET', `/api/conversations/${conv.id}`);
    const bot = detail.body.messages.find((m: any) => m.sender === 'bot');
    assert.ok(bot.confidence > 0 && bot.confidence <= 1, 'confidence stored on the bot message');
    assert.equal(bot.status, 'sent');
  });

  test('a MsgId delivered three times (two at once) is stored once and answered once', async () => {
    const msg = { from: 'lisi', content: '发不发欧洲', msgId: '9000000000000000002' };
    const [a, b] = await Promise.all([postText(svc, channelId, app, msg), postText(svc, channelId, app, msg)]);
    const c = await postText(svc, channelId, app, msg);
    for (const r of [a, b, c]) assert.equal(r.status, 200);
    await waitFor('the reply', () => fake.sent.find((m) => m.touser === 'lisi'));
    await sleep(1500); // room for a duplicate to show up, if there were one
    assert.equal(fake.sent.filter((m) => m.touser === 'lisi').length, 1);
    const list = await svc.api('GET', '/api/conversations');
    const conv = list.body.items.find((c: any) => c.contact.externalId === 'lisi');
    const detail = await svc.api('GET', `/api/conversations/${conv.id}`);
    assert.equal(detail.body.messages.filter((m: any) => m.sender === 'customer').length, 1);
  });

  test('a burst of messages inside the coalescing window is answered as one turn', async () => {
    await postText(svc, channelId, app, { from: 'wangwu', content: '你好', msgId: '9000000000000000003' });
    await postText(svc, channelId, app, { from: 'wangwu', content: '支持PayPal付款吗', msgId: '9000000000000000004' });
    await waitFor('the reply', () => fake.sent.find((m) => m.touser === 'wangwu'));
    await sleep(1000);
    const replies = fake.sent.filter((m) => m.touser === 'wangwu');
    assert.equal(replies.length, 1);
    assert.match(replies[0].content, /PayPal/);
  });

  test('a request for a human hands off with the holding message; the agent takes over, replies, releases, and the bot answers again', async () => {
    await postText(svc, channelId, app, { from: 'zhaoliu', content: '转人工', msgId: '9000000000000000005' });
    const holding = await waitFor('holding message', () => fake.sent.find((m) => m.touser === 'zhaoliu'));
    assert.equal(holding.content, '已为您转接人工客服，请稍候~');
    const queued = await svc.api('GET', '/api/conversations?status=queued');
    const conv = queued.body.items.find((c: any) => c.contact.externalId === 'zhaoliu');
    assert.equal(conv.handoffReason, 'customer_request');

    // While queued the bot stays silent.
    await postText(svc, channelId, app, { from: 'zhaoliu', content: '包邮吗', msgId: '9000000000000000006' });
    await sleep(800);
    assert.equal(fake.sent.filter((m) => m.touser === 'zhaoliu').length, 1);

    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/release`)).status, 409, 'queued → bot is not a transition');
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/messages`, { text: '您好' })).status, 409, 'reply needs a takeover');
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/assign`)).status, 200);
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/assign`)).status, 409, 'already assigned');
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/messages`, { text: '您好，我是客服小王，满299包邮哦' })).status, 201);
    await waitFor('agent reply', () => fake.sent.find((m) => m.touser === 'zhaoliu' && m.content.includes('小王')));
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/release`)).status, 200);

    await postText(svc, channelId, app, { from: 'zhaoliu', content: '你们从哪里发货', msgId: '9000000000000000007' });
    const botAgain = await waitFor('bot answer after release', () => fake.sent.find((m) => m.touser === 'zhaoliu' && m.content.includes('深圳')));
    assert.ok(botAgain);
    const detail = await svc.api('GET', `/api/conversations/${conv.id}`);
    assert.equal(detail.body.status, 'bot');
    assert.deepEqual(
      detail.body.messages.filter((m: any) => m.sender === 'agent').map((m: any) => m.status),
      ['sent'],
    );
  });

  test('turning the bot off sends every new message to humans (bot_disabled)', async () => {
    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { botEnabled: false })).status, 200);
    await sleep(1100); // the channel cache lives ≤ 1 s
    await postText(svc, channelId, app, { from: 'sunqi', content: '包邮吗', msgId: '9000000000000000008' });
    await waitFor('holding message', () => fake.sent.find((m) => m.touser === 'sunqi'));
    const queued = await svc.api('GET', '/api/conversations?status=queued');
    assert.equal(queued.body.items.find((c: any) => c.contact.externalId === 'sunqi').handoffReason, 'bot_disabled');
    await svc.api('PATCH', `/api/channels/${channelId}`, { botEnabled: true });
  });

  test('a disabled channel refuses callbacks within 2 s and stores nothing', async () => {
    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { enabled: false })).status, 200);
    await sleep(1100);
    const res = await postText(svc, channelId, app, { from: 'zhouba', content: '包邮吗', msgId: '9000000000000000009' });
    assert.equal(res.status, 404);
    const list = await svc.api('GET', '/api/conversations');
    assert.equal(list.body.items.filter((c: any) => c.contact.externalId === 'zhouba').length, 0);
    await svc.api('PATCH', `/api/channels/${channelId}`, { enabled: true });
    const audit = await svc.api('GET', '/api/audit');
    assert.ok(audit.body.items.some((a: any) => a.action === 'channel.update' && a.details.fields.includes('enabled')));
  });
});
