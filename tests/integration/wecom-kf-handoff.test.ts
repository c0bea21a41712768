import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import type { FakeWecomKfApi } from '../fakes/fake-wecom-kf-api.js';
import { createStorage, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createKfChannel, newKfApp, notifyKf, startFakeKf } from '../support/kf-channel.js';

/** 微信客服 sending, session state and handoff modes (issue 3, protocols/wecom.md §4.3–4.4). */
describe(`微信客服 handoff and sending (${mode})`, () => {
  const consoleApp = newKfApp();
  const wecomApp = newKfApp();
  const KF = 'wkAJ2GCAAAhandoff';
  let storage: Storage;
  let fake: FakeWecomKfApi;
  let fakeW: FakeWecomKfApi;
  let model: FakeModelServer;
  let svc: TestService;
  let consoleChannel: string;
  let wecomChannel: string;

  before(async () => {
    fake = await startFakeKf(consoleApp);
    fakeW = await startFakeKf(wecomApp);
    model = await new FakeModelServer().start();
    model.reply = (body) => {
      const q = body.messages.at(-1)!.content;
      return { content: `答复：${q}`, logprobs: q.includes('不确定') ? -2 : -0.01 };
    };
    storage = await createStorage();
    svc = await startTestService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url });
    consoleChannel = await createKfChannel(svc, consoleApp);
  });
  after(async () => {
    await svc?.close();
    await model?.close();
    await fake?.close();
    await fakeW?.close();
    await storage?.dispose();
  });

  const ask = async (user: string, text: string) => {
    fake.customerText({ openKfId: KF, externalUserId: user }, text);
    assert.equal(await notifyKf(svc, consoleChannel, fake, KF), 200);
  };
  const conversationOf = async (user: string) => {
    const list = await svc.api('GET', '/api/conversations');
    const c = list.body.items.find((i: any) => i.contact.externalId === user);
    return c ? (await svc.api('GET', `/api/conversations/${c.id}`)).body : null;
  };
  const sentTo = (user: string) => fake.sent.filter((m) => m.touser === user);

  test('console mode: a request for a human queues it; the agent reply goes out through kf/send_msg', async () => {
    await ask('c1', '转人工');
    await waitFor('holding message', () => sentTo('c1').length === 1);
    const conv = await conversationOf('c1');
    assert.equal(conv.status, 'queued');
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/assign`)).status, 200);
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/messages`, { text: '您好，我是人工客服小李' })).status, 201);
    const reply = await waitFor('agent reply', () => sentTo('c1').find((m) => m.content.includes('小李')));
    assert.equal(reply.path, '/cgi-bin/kf/send_msg');
    assert.match(reply.msgid, /^[0-9A-Za-z_-]{1,32}$/);
    assert.equal(fake.sessions.transCalls.length, 0, 'console mode never moves the WeCom session');
  });

  test('a human holding the session in WeCom (state 3): no send attempt, no retry loop, the conversation is flagged', async () => {
    fake.sessions.set(KF, 'c2', 3, 'zhangsan');
    const attempts = fake.sendAttempts.length;
    await ask('c2', '包邮吗');
    const conv = await waitFor('flagged', async () => {
      const c = await conversationOf('c2');
      return c?.status === 'queued' ? c : null;
    });
    assert.equal(conv.handoffReason, 'delivery_failed');
    assert.equal(conv.messages.find((m: any) => m.sender === 'bot').status, 'failed');
    await sleep(1500);
    assert.equal(fake.sendAttempts.length, attempts, 'send_msg was never called (no 95018)');
  });

  test('95001 (the platform counts five messages already) fails the message once and flags the conversation', async () => {
    fake.customerText({ openKfId: KF, externalUserId: 'c3' }, '在吗');
    for (let i = 0; i < 5; i++) fake.sessions.admitSend(KF, 'c3');
    await notifyKf(svc, consoleChannel, fake, KF);
    const conv = await waitFor('flagged', async () => {
      const c = await conversationOf('c3');
      return c?.status === 'queued' ? c : null;
    });
    assert.equal(conv.handoffReason, 'delivery_failed');
    await sleep(1500);
    assert.equal(fake.sendAttempts.filter((a) => a.touser === 'c3').length, 1, 'tried once, never again');
  });

  test('WeCom events: a servicer taking over assigns it, the session ending closes it, a recall marks the message', async () => {
    await ask('c4', '你好');
    await waitFor('bot answer', () => sentTo('c4').length === 1);
    fake.sessionChange({ openKfId: KF, externalUserId: 'c4' }, 1, 'lisi');
    await notifyKf(svc, consoleChannel, fake, KF);
    let conv = await waitFor('assigned', async () => ((await conversationOf('c4'))?.status === 'assigned' ? conversationOf('c4') : null));
    assert.equal(conv.assigneeId, 'platform:lisi');

    const recalled = fake.customerText({ openKfId: KF, externalUserId: 'c4' }, '说错了');
    fake.userRecall({ openKfId: KF, externalUserId: 'c4' }, String(recalled.msgid));
    fake.sessionChange({ openKfId: KF, externalUserId: 'c4' }, 3);
    await notifyKf(svc, consoleChannel, fake, KF);
    conv = await waitFor('closed', async () => ((await conversationOf('c4'))?.status === 'closed' ? conversationOf('c4') : null));
    assert.equal(conv.messages.find((m: any) => m.text === '说错了').status, 'recalled');
  });

  test('msg_send_fail marks our message failed and flags the conversation', async () => {
    await ask('c5', '你好呀');
    const sent = await waitFor('bot answer', () => sentTo('c5')[0]);
    fake.sendFail({ openKfId: KF, externalUserId: 'c5' }, sent.msgid, 10);
    await notifyKf(svc, consoleChannel, fake, KF);
    const conv = await waitFor('flagged', async () => ((await conversationOf('c5'))?.status === 'queued' ? conversationOf('c5') : null));
    const bot = conv.messages.find((m: any) => m.sender === 'bot');
    assert.equal(bot.status, 'failed');
    assert.match(bot.error, /拒收/);
  });

  test('wecom mode: a low-confidence answer hands the session to the 接待池 with service_state/trans; release ends it', async () => {
    // The wecom-mode corp has its own fake API, so it gets its own service instance and storage.
    const otherStorage = await createStorage();
    const other = await startTestService(otherStorage, { WECOM_API_BASE: fakeW.url, MODEL_BASE_URL: model.url });
    try {
      wecomChannel = await createKfChannel(other, wecomApp, {}, { handoffMode: 'wecom' });
      fakeW.customerText({ openKfId: KF, externalUserId: 'w1' }, '这个我不确定能不能退');
      assert.equal(await notifyKf(other, wecomChannel, fakeW, KF), 200);
      await waitFor('transfer', () => fakeW.sessions.transCalls.length > 0);
      assert.deepEqual(fakeW.sessions.transCalls.map((t) => [t.externalUserId, t.serviceState]), [['w1', 2]]);
      assert.equal(fakeW.sent.filter((m) => m.touser === 'w1').map((m) => m.content).join(), '已为您转接人工客服，请稍候~');
      const list = await other.api('GET', `/api/conversations?channelId=${wecomChannel}`);
      const conv = list.body.items[0];
      assert.equal(conv.status, 'queued');
      assert.equal(conv.handoffReason, 'low_confidence');
      // The 接待池 hands it to a servicer; the release ends the WeCom session (state 4).
      fakeW.sessions.set(KF, 'w1', 3, 'wangwu');
      assert.equal((await other.api('POST', `/api/conversations/${conv.id}/assign`)).status, 200);
      assert.equal((await other.api('POST', `/api/conversations/${conv.id}/release`)).status, 200);
      await waitFor('end session', () => fakeW.sessions.transCalls.some((t) => t.serviceState === 4));
      assert.equal(fakeW.sessions.state(KF, 'w1'), 4);
    } finally {
      await other.close();
      await otherStorage.dispose();
    }
  });
});
