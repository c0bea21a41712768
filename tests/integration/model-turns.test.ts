import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createWecomChannel, newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';

/** The bot turn against an OpenAI-compatible model node (vLLM) over a real socket. */
describe(`bot turns with a model node (${mode})`, () => {
  const app = newWecomApp();
  let storage: Storage;
  let fake: FakeWecomApi;
  let model: FakeModelServer;
  let svc: TestService;
  let channelId: string;

  before(async () => {
    fake = await startFakeWecom(app);
    model = await new FakeModelServer().start();
    storage = await createStorage();
    svc = await startTestService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url, MODEL_TIMEOUT_MS: '800' });
    channelId = await createWecomChannel(svc, app, { model: { name: 'shop-lora-v3', threshold: 0.7, systemPrompt: '你是测试店铺的客服' } });
    const kb = JSON.stringify({ instruction: '客户问是否包邮', input: '', output: '亲，订单满299元包邮哦~' });
    await svc.api('POST', '/api/knowledge/import', kb, { 'content-type': 'application/x-ndjson' });
  });
  after(async () => {
    await svc?.close();
    await model?.close();
    await fake?.close();
    await storage?.dispose();
  });

  const conversationOf = async (externalId: string) => {
    const list = await svc.api('GET', '/api/conversations');
    const conv = list.body.items.find((c: any) => c.contact.externalId === externalId);
    return (await svc.api('GET', `/api/conversations/${conv.id}`)).body;
  };

  test('a confident answer goes out; the request names the LoRA adapter, asks for logprobs and carries the knowledge', async () => {
    model.reply = { content: '亲，满299元就包邮哦~', logprobs: -0.01 };
    await postText(svc, channelId, app, { from: 'u1', content: '包邮吗', msgId: '5000000001' });
    const sent = await waitFor('reply', () => fake.sent.find((m) => m.touser === 'u1'));
    assert.equal(sent.content, '亲，满299元就包邮哦~');
    const request = model.requests.at(-1)!;
    assert.equal(request.model, 'shop-lora-v3');
    assert.equal(request.logprobs, true);
    assert.match(request.messages[0].content, /你是测试店铺的客服/);
    assert.match(request.messages[0].content, /满299元包邮/);
    assert.equal(request.messages.at(-1)!.content, '包邮吗');
    const conv = await conversationOf('u1');
    const bot = conv.messages.find((m: any) => m.sender === 'bot');
    assert.ok(bot.confidence > 0.9);
  });

  test('an unsure answer (low logprobs) is not sent: handoff with low_confidence and the confidence kept', async () => {
    model.reply = { content: '可能包邮吧，我也不太确定', logprobs: -1.5 };
    await postText(svc, channelId, app, { from: 'u2', content: '包邮吗', msgId: '5000000002' });
    const sent = await waitFor('holding message', () => fake.sent.find((m) => m.touser === 'u2'));
    assert.equal(sent.content, '已为您转接人工客服，请稍候~');
    const conv = await conversationOf('u2');
    assert.equal(conv.status, 'queued');
    assert.equal(conv.handoffReason, 'low_confidence');
    assert.ok(conv.lastConfidence < 0.7);
    assert.ok(!fake.sent.some((m) => m.content.includes('不太确定')));
  });

  test('a model 500 hands off with model_unavailable', async () => {
    model.reply = { content: '不会发出去', logprobs: -0.01 };
    model.failStatus = 500;
    await postText(svc, channelId, app, { from: 'u3', content: '包邮吗', msgId: '5000000003' });
    await waitFor('holding message', () => fake.sent.find((m) => m.touser === 'u3'));
    model.failStatus = null;
    const conv = await conversationOf('u3');
    assert.equal(conv.handoffReason, 'model_unavailable');
  });

  test('a model timeout hands off with model_unavailable and the slow answer never goes out', async () => {
    model.reply = { content: '太慢的回答', logprobs: -0.01 };
    model.delayMs = 3000;
    await postText(svc, channelId, app, { from: 'u4', content: '包邮吗', msgId: '5000000004' });
    await waitFor('holding message', () => fake.sent.find((m) => m.touser === 'u4'));
    const conv = await conversationOf('u4');
    assert.equal(conv.handoffReason, 'model_unavailable');
    await waitFor('the timed-out request to be aborted', () => model.abortedRequests > 0);
    model.delayMs = 0;
    assert.ok(!fake.sent.some((m) => m.content === '太慢的回答'));
  });

  test('an image goes to a human (unsupported_message) without asking the model', async () => {
    const before = model.requests.length;
    const { buildCallback } = await import('../fakes/fake-wecom-api.js');
    const xml = `<xml><ToUserName><![CDATA[${app.corpId}]]></ToUserName><FromUserName><![CDATA[u5]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://example.invalid/a.jpg]]></PicUrl><MediaId><![CDATA[media-1]]></MediaId><MsgId>5000000005</MsgId><AgentID>1000002</AgentID></xml>`;
    const cb = buildCallback(app, xml);
    const res = await fetch(`${svc.url}/webhooks/wecom/${channelId}?${cb.search}`, { method: 'POST', body: cb.body });
    assert.equal(res.status, 200);
    await waitFor('holding message', () => fake.sent.find((m) => m.touser === 'u5'));
    assert.equal((await conversationOf('u5')).handoffReason, 'unsupported_message');
    assert.equal(model.requests.length, before);
  });
});
