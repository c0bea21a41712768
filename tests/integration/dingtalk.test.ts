import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { buildRobotPayload, signHeaders } from '../fakes/fake-dingtalk-openapi.js';
import { DingtalkFakes, createDingtalkChannel, newDingtalkApp } from '../support/dingtalk-fakes.js';
import { createStorage, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';

/** Issue 4: DingTalk robots in HTTP and Stream mode, one reply per message. */
describe(`DingTalk robots (${mode})`, () => {
  const httpApp = newDingtalkApp();
  const streamApp = newDingtalkApp();
  let storage: Storage;
  let httpFakes: DingtalkFakes;
  let streamFakes: DingtalkFakes;
  let model: FakeModelServer;
  let svc: TestService;
  let streamSvc: TestService;
  let streamStorage: Storage;
  let httpChannel: string;

  before(async () => {
    httpFakes = await new DingtalkFakes(httpApp).start();
    streamFakes = await new DingtalkFakes(streamApp).start();
    model = await new FakeModelServer().start();
    model.reply = (body) => ({ content: `答复：${body.messages.at(-1)!.content}`, logprobs: -0.01 });
    storage = await createStorage();
    svc = await startTestService(storage, { DINGTALK_API_BASE: httpFakes.url, MODEL_BASE_URL: model.url });
    httpChannel = await createDingtalkChannel(svc, 'dingtalk_http', httpApp);
  });
  after(async () => {
    await streamSvc?.close();
    await svc?.close();
    await model?.close();
    await httpFakes?.close();
    await streamFakes?.close();
    await storage?.dispose();
    await streamStorage?.dispose();
  });

  const post = (payload: unknown, headers: Record<string, string>) =>
    fetch(`${svc.url}/webhooks/dingtalk/${httpChannel}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
  const delivered = (fakes: DingtalkFakes, text: string) => fakes.openapi.deliveries.filter((d) => d.text.includes(text));

  test('HTTP mode: a signed message is acked and answered once through its sessionWebhook, even when redelivered', async () => {
    const payload = buildRobotPayload({ text: '包邮吗', msgId: 'msgHTTP1==', senderStaffId: 'staffA', sessionWebhook: httpFakes.sessionWebhook('sA') });
    for (let i = 0; i < 2; i++) assert.equal((await post(payload, signHeaders(httpApp.clientSecret, Date.now()))).status, 200);
    await waitFor('reply', () => delivered(httpFakes, '答复：包邮吗').length > 0);
    await sleep(800);
    assert.equal(delivered(httpFakes, '答复：包邮吗').length, 1);
    assert.equal(delivered(httpFakes, '答复：包邮吗')[0].via, 'session');
  });

  test('HTTP mode: forged, stale and unsigned callbacks get 401 and store nothing', async () => {
    const payload = buildRobotPayload({ text: '伪造', msgId: 'msgHTTP2==', senderStaffId: 'mallory' });
    assert.equal((await post(payload, signHeaders('not-the-secret', Date.now()))).status, 401);
    assert.equal((await post(payload, signHeaders(httpApp.clientSecret, Date.now() - 3_600_000))).status, 401);
    assert.equal((await post(payload, {})).status, 401);
    await sleep(300);
    const list = await svc.api('GET', '/api/conversations');
    assert.ok(!list.body.items.some((c: any) => c.contact.name === '张三' && c.lastMessage?.text === '伪造'));
    assert.equal(delivered(httpFakes, '伪造').length, 0);
  });

  test('HTTP mode: in a group the robot answers only when @-mentioned', async () => {
    const quiet = buildRobotPayload({ group: true, atRobot: false, text: '大家好', msgId: 'msgGRP1==', conversationId: 'cidG1==', sessionWebhook: httpFakes.sessionWebhook('g1') });
    const asked = buildRobotPayload({ group: true, atRobot: true, text: '发不发欧洲', msgId: 'msgGRP2==', conversationId: 'cidG1==', sessionWebhook: httpFakes.sessionWebhook('g1') });
    assert.equal((await post(quiet, signHeaders(httpApp.clientSecret, Date.now()))).status, 200);
    assert.equal((await post(asked, signHeaders(httpApp.clientSecret, Date.now()))).status, 200);
    await waitFor('group reply', () => delivered(httpFakes, '发不发欧洲').length > 0);
    await sleep(500);
    assert.equal(delivered(httpFakes, '大家好').length, 0);
  });

  test('an agent takes over a DingTalk conversation and the reply goes out through DingTalk; release gives it back', async () => {
    const payload = buildRobotPayload({ text: '转人工', msgId: 'msgHTTP3==', senderStaffId: 'staffB', sessionWebhook: httpFakes.sessionWebhook('sB') });
    await post(payload, signHeaders(httpApp.clientSecret, Date.now()));
    const conv = await waitFor('queued', async () => (await svc.api('GET', '/api/conversations?status=queued')).body.items.find((c: any) => c.contact.externalId.includes('staffB')));
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/assign`)).status, 200);
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/messages`, { text: '您好，我是人工客服' })).status, 201);
    await waitFor('agent reply', () => delivered(httpFakes, '我是人工客服').length > 0);
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/release`)).status, 200);
  });

  test('Stream mode: the connector connects, every robot frame is committed, acked and answered once, also after a redelivery and a reconnect', async () => {
    streamStorage = await createStorage();
    streamSvc = await startTestService(streamStorage, { DINGTALK_API_BASE: streamFakes.url, MODEL_BASE_URL: model.url });
    const channelId = await createDingtalkChannel(streamSvc, 'dingtalk_stream', streamApp);
    await streamFakes.gateway.waitForConnections(1, 5000);
    const payload = buildRobotPayload({ text: '有现货吗', msgId: 'msgSTREAM1==', senderStaffId: 'staffS', sessionWebhook: streamFakes.sessionWebhook('sS') });
    const ack = await streamFakes.gateway.deliverRobotMessage(payload, { timeoutMs: 5000 });
    assert.ok(ack, 'the frame was acked');
    assert.equal(ack.code, 200);
    assert.equal((await streamFakes.gateway.deliverRobotMessage(payload, { timeoutMs: 5000 }))?.code, 200, 'a redelivery is acked too');
    await streamFakes.gateway.dropAll();
    await streamFakes.gateway.waitForConnections(1, 10000);
    assert.ok(await streamFakes.gateway.deliverRobotMessage(payload, { timeoutMs: 5000 }), 'acked after the reconnect');
    await waitFor('reply', () => delivered(streamFakes, '答复：有现货吗').length > 0);
    await sleep(800);
    assert.equal(delivered(streamFakes, '答复：有现货吗').length, 1);
    assert.ok(streamFakes.gateway.registrations <= 4, `no reconnect storm: ${streamFakes.gateway.registrations} registrations`);

    // Turning the channel off closes the socket within 2 s, and it stays closed.
    assert.equal((await streamSvc.api('PATCH', `/api/channels/${channelId}`, { enabled: false })).status, 200);
    await waitFor('socket closed', () => streamFakes.gateway.openConnections() === 0, 3000);
    await sleep(2000);
    assert.equal(streamFakes.gateway.openConnections(), 0);
  });

  test('Stream mode with two service processes connected: DingTalk gives each message to one of them, each is answered once', { skip: mode !== 'real' && 'needs a shared PostgreSQL' }, async () => {
    const app = newDingtalkApp();
    const fakes = await new DingtalkFakes(app).start();
    const shared = await createStorage();
    const env = { DINGTALK_API_BASE: fakes.url, MODEL_BASE_URL: model.url };
    const a = await startTestService(shared, env);
    const b = await startTestService(shared, env);
    try {
      await createDingtalkChannel(a, 'dingtalk_stream', app);
      await fakes.gateway.waitForConnections(2, 8000);
      const texts = ['问题一', '问题二', '问题三', '问题四'];
      for (const [i, text] of texts.entries()) {
        const payload = buildRobotPayload({ text, msgId: `msgTWO${i}==`, senderStaffId: `two${i}`, sessionWebhook: fakes.sessionWebhook(`two${i}`) });
        assert.ok(await fakes.gateway.deliverRobotMessage(payload, { timeoutMs: 5000 }));
        // DingTalk redelivers when an ACK is late; the other process may get the copy.
        assert.ok(await fakes.gateway.deliverRobotMessage(payload, { timeoutMs: 5000 }));
      }
      for (const text of texts) await waitFor(`reply to ${text}`, () => delivered(fakes, `答复：${text}`).length > 0);
      await sleep(1000);
      assert.deepEqual(texts.map((t) => delivered(fakes, `答复：${t}`).length), [1, 1, 1, 1]);
    } finally {
      await a.close();
      await b.close();
      await fakes.close();
      await shared.dispose();
    }
  });
});
