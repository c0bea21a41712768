import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import type { FakeWecomKfApi } from '../fakes/fake-wecom-kf-api.js';
import { createStorage, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createKfChannel, newKfApp, notifyKf, startFakeKf } from '../support/kf-channel.js';

/** 微信客服 ingest (issue 3): notify → pull pages with a persisted cursor → answer once. */
describe(`微信客服 sync (${mode})`, () => {
  const app = newKfApp();
  const KF = 'wkAJ2GCAAASSm4_sync';
  let storage: Storage;
  let fake: FakeWecomKfApi;
  let model: FakeModelServer;
  let svc: TestService;
  let channelId: string;

  before(async () => {
    fake = await startFakeKf(app, 2);
    model = await new FakeModelServer().start();
    model.reply = (body) => ({ content: `答复：${body.messages.at(-1)!.content}`, logprobs: -0.01 });
    storage = await createStorage();
    svc = await startTestService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url });
    channelId = await createKfChannel(svc, app, { welcomeMessage: '您好，欢迎咨询小店~' });
  });
  after(async () => {
    await svc?.close();
    await model?.close();
    await fake?.close();
    await storage?.dispose();
  });

  const sentTo = (user: string) => fake.sent.filter((m) => m.touser === user);
  const conversationOf = async (user: string) => {
    const list = await svc.api('GET', '/api/conversations');
    const c = list.body.items.find((i: any) => i.contact.externalId === user);
    return c ? (await svc.api('GET', `/api/conversations/${c.id}`)).body : null;
  };

  test('a callback is acked at once; three pages arrive in order, each message answered once', async () => {
    const users = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
    fake.nicknames.set('p1', '小明');
    users.forEach((u, i) => fake.customerText({ openKfId: KF, externalUserId: u }, `第${i + 1}个问题`));
    fake.injectEmptyPage(KF); // an empty page with has_more 1 is not the end
    assert.equal(await notifyKf(svc, channelId, fake, KF), 200);
    for (const u of users) await waitFor(`reply to ${u}`, () => sentTo(u).length > 0);
    await sleep(800);
    assert.deepEqual(users.map((u) => sentTo(u).length), [1, 1, 1, 1, 1, 1]);
    assert.equal(sentTo('p4')[0].content, '答复：第4个问题');
    assert.equal(sentTo('p4')[0].path, '/cgi-bin/kf/send_msg');
    assert.equal(sentTo('p4')[0].openKfId, KF);
    // Cursor paging: every request after the first carries the cursor the previous page returned.
    const cursors = fake.syncRequests.filter((r) => r.open_kfid === KF).map((r) => r.cursor ?? null);
    assert.equal(cursors[0], null);
    assert.ok(cursors.length >= 4, `pages pulled: ${cursors.length}`);
    assert.ok(cursors.slice(1).every((c) => typeof c === 'string' && c.length > 0));
    const ids = await Promise.all(users.map(async (u) => Number((await conversationOf(u)).messages[0].id)));
    assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'stored in platform order');
  });

  test('callbacks for the same account arriving together start one sync at a time', async () => {
    fake.syncDelayMs = 200;
    fake.customerText({ openKfId: KF, externalUserId: 'burst' }, '在吗');
    const statuses = await Promise.all([1, 2, 3, 4, 5].map(() => notifyKf(svc, channelId, fake, KF)));
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    await waitFor('reply', () => sentTo('burst').length > 0);
    await sleep(800);
    fake.syncDelayMs = 0;
    assert.equal(fake.maxConcurrentSync(KF), 1);
    assert.equal(sentTo('burst').length, 1);
  });

  test('a first sync of an account answers none of its old history, only what is recent', async () => {
    const OLD = 'wkAJ2GCAAAold_history';
    const dayAgo = Math.floor(Date.now() / 1000) - 86400;
    for (const u of ['h1', 'h2', 'h3']) fake.customerText({ openKfId: OLD, externalUserId: u, sendTime: dayAgo }, '昨天的问题');
    fake.customerText({ openKfId: OLD, externalUserId: 'h4' }, '刚刚的问题');
    assert.equal(await notifyKf(svc, channelId, fake, OLD), 200);
    await waitFor('reply to the recent one', () => sentTo('h4').length > 0);
    await sleep(1000);
    assert.deepEqual(['h1', 'h2', 'h3'].map((u) => sentTo(u).length), [0, 0, 0]);
    const old = await conversationOf('h1');
    assert.equal(old.messages[0].text, '昨天的问题', 'old history is stored for agents');
    assert.equal(old.messages[0].status, 'done');
  });

  test('enter_session gets exactly one welcome, through send_msg_on_event with its code', async () => {
    fake.enterSession({ openKfId: KF, externalUserId: 'newbie' }, 'WELCOME_CODE_1');
    await notifyKf(svc, channelId, fake, KF);
    await notifyKf(svc, channelId, fake, KF);
    const welcome = await waitFor('welcome', () => sentTo('newbie')[0] ?? fake.sent.find((m) => m.code === 'WELCOME_CODE_1'));
    await sleep(800);
    assert.equal(welcome.path, '/cgi-bin/kf/send_msg_on_event');
    assert.equal(welcome.content, '您好，欢迎咨询小店~');
    assert.equal(fake.sent.filter((m) => m.code === 'WELCOME_CODE_1').length, 1);
  });

  test('a servicer typing in the WeCom client (origin 5) is stored as an agent message and not answered', async () => {
    fake.customerText({ openKfId: KF, externalUserId: 'mixed' }, '你好');
    fake.servicerText({ openKfId: KF, externalUserId: 'mixed' }, 'zhangsan', '您好，我是张三');
    await notifyKf(svc, channelId, fake, KF);
    await waitFor('bot reply', () => sentTo('mixed').length > 0);
    const conv = await waitFor('agent message stored', async () => {
      const c = await conversationOf('mixed');
      return c?.messages.some((m: any) => m.sender === 'agent') ? c : null;
    });
    const agent = conv.messages.find((m: any) => m.sender === 'agent');
    assert.equal(agent.text, '您好，我是张三');
    await sleep(500);
    assert.equal(sentTo('mixed').length, 1);
  });

  test('the conversation list shows the kf account, the customer and the reply window', async () => {
    const list = await svc.api('GET', `/api/conversations?channelId=${channelId}`);
    const item = list.body.items.find((i: any) => i.contact.externalId === 'p1');
    assert.equal(item.contact.address.openKfId, KF, JSON.stringify(item));
    assert.equal(item.contact.name, '小明', 'nickname from kf/customer/batchget');
    assert.equal(list.body.items.find((i: any) => i.contact.externalId === 'p2').contact.name, null, 'unknown stays unknown');
    assert.equal(item.replyWindow.open, true, JSON.stringify(item));
    assert.equal(item.replyWindow.messagesLeft, 4);
    assert.ok(item.replyWindow.secondsLeft > 47 * 3600);
  });

  test('an image is stored with its media id, handed to a person, and fetched through media/get for agents', async () => {
    fake.addMedia('MEDIA_PHOTO_1', Buffer.from('jpeg-bytes'), 'image/jpeg');
    fake.customerImage({ openKfId: KF, externalUserId: 'photo' }, 'MEDIA_PHOTO_1');
    await notifyKf(svc, channelId, fake, KF);
    const conv = await waitFor('queued', async () => {
      const c = await conversationOf('photo');
      return c?.status === 'queued' ? c : null;
    });
    assert.equal(conv.handoffReason, 'unsupported_message');
    const image = conv.messages.find((m: any) => m.kind === 'image');
    assert.equal(image.attachment.mediaId, 'MEDIA_PHOTO_1');
    const res = await fetch(`${svc.url}/api/conversations/${conv.id}/messages/${image.id}/media`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    assert.equal(Buffer.from(await res.arrayBuffer()).toString(), 'jpeg-bytes');
    const text = conv.messages.find((m: any) => m.kind !== 'image');
    assert.equal((await svc.api('GET', `/api/conversations/${conv.id}/messages/${text?.id ?? '0'}/media`)).status, 404);
  });
});
