import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { createStorage, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createWecomChannel, newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';
import { createBotChannel, newBotKeys, newMsgid, WecomBotClient } from '../support/wecom-bot.js';

/** Two service instances on one Postgres and one Redis: nothing correctness needs lives in process memory. */
describe('two processes, one Postgres and one Redis', { skip: mode !== 'real' && 'needs a shared PostgreSQL' }, () => {
  const app = newWecomApp();
  let storage: Storage;
  let fake: FakeWecomApi;
  let model: FakeModelServer;
  let a: TestService;
  let b: TestService;
  let channelId: string;

  before(async () => {
    fake = await startFakeWecom(app);
    model = await new FakeModelServer().start();
    model.reply = (body) => ({ content: `答复：${body.messages.at(-1)!.content}`, logprobs: -0.01 });
    storage = await createStorage();
    a = await startTestService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url });
    b = await startTestService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url });
    channelId = await createWecomChannel(a, app);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await model?.close();
    await fake?.close();
    await storage?.dispose();
  });

  test('the same MsgId delivered to both processes at once is answered once', async () => {
    for (let i = 0; i < 5; i++) {
      const msg = { from: `m${i}`, content: `问题${i}`, msgId: `91000${i}` };
      const results = await Promise.all([postText(a, channelId, app, msg), postText(b, channelId, app, msg), postText(a, channelId, app, msg)]);
      assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
    }
    for (let i = 0; i < 5; i++) await waitFor(`reply to m${i}`, () => fake.sent.some((m) => m.touser === `m${i}`));
    await sleep(1500);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => fake.sent.filter((m) => m.touser === `m${i}`).length), [1, 1, 1, 1, 1]);
  });

  test('a 智能机器人 stream opened on one process is filled by polls that land on either', async () => {
    const keys = newBotKeys();
    const botChannel = await createBotChannel(a, keys);
    const [onA, onB] = [new WecomBotClient(a, botChannel, keys), new WecomBotClient(b, botChannel, keys)];
    const msgid = newMsgid();
    const opened = await onA.say('bot-member', msgid, '几天发货');
    assert.equal((await onB.say('bot-member', msgid, '几天发货')).stream.id, opened.stream.id, 'the redelivery to the other process gets the same stream');
    let polls = 0;
    const done = await waitFor('the stream to finish', async () => {
      const r = await (polls++ % 2 === 0 ? onB : onA).refresh('bot-member', opened.stream.id);
      return r.stream.finish ? r : null;
    });
    assert.equal(done.stream.content, '答复：几天发货');
    assert.deepEqual(await onA.refresh('bot-member', opened.stream.id), done);
    assert.deepEqual(await onB.refresh('bot-member', opened.stream.id), done);
    const conv = (await a.api('GET', '/api/conversations?limit=100')).body.items.find((c: any) => c.contact.externalId === 'bot-member');
    const messages = (await b.api('GET', `/api/conversations/${conv.id}`)).body.messages;
    assert.deepEqual(messages.map((m: any) => [m.sender, m.status]), [['customer', 'done'], ['bot', 'sent']]);
  });

  test('turning the channel off on one process refuses callbacks on the other within 2 s', async () => {
    assert.equal((await a.api('PATCH', `/api/channels/${channelId}`, { enabled: false })).status, 200);
    await sleep(2000);
    assert.equal((await postText(b, channelId, app, { from: 'm9', content: '在吗', msgId: '919999' })).status, 404);
    assert.equal((await b.api('PATCH', `/api/channels/${channelId}`, { enabled: true })).status, 200);
    await sleep(2000);
    assert.equal((await postText(a, channelId, app, { from: 'm9', content: '在吗', msgId: '919999' })).status, 200);
  });

  test('Postgres dropping idle connections does not crash the process', async () => {
    await sleep(200);
    const killed = await a.service.db.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'kefu-bridge' AND state = 'idle' AND pid <> pg_backend_pid()`,
    );
    assert.ok(killed.rows[0].n > 0, 'some idle connections were terminated');
    await sleep(300);
    for (const svc of [a, b]) assert.equal((await svc.api('GET', '/readyz')).status, 200);
    await postText(b, channelId, app, { from: 'm10', content: '还在吗', msgId: '920000' });
    await waitFor('reply after the connection loss', () => fake.sent.some((m) => m.touser === 'm10'));
  });
});
