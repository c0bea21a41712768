import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { startChildService, type ChildService } from '../support/child-service.js';
import { ADMIN_TOKEN, createStorage, mode, sleep, waitFor, type Storage } from '../support/harness.js';
import { newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';
import { newBotKeys, newMsgid, WecomBotClient } from '../support/wecom-bot.js';

/** DESIGN.md §3.1–3.3: kill -9 after the ack loses nothing and answers nothing twice. */
describe(`kill -9 and restart (${mode})`, () => {
  const app = newWecomApp();
  let storage: Storage;
  let fake: FakeWecomApi;
  let model: FakeModelServer;
  let svc: ChildService | null = null;
  let channelId: string;
  const botKeys = newBotKeys();
  let botChannelId: string;

  const start = async (overrides: Record<string, string> = {}) => {
    svc = await startChildService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url, MODEL_TIMEOUT_MS: '1500', ...overrides });
    return svc;
  };

  before(async () => {
    fake = await startFakeWecom(app);
    model = await new FakeModelServer().start();
    model.reply = (body) => ({ content: `答复：${body.messages.at(-1)!.content}`, logprobs: -0.01 });
    storage = await createStorage();
    const first = await start();
    const createChannel = async (channel: Record<string, unknown>): Promise<string> => {
      const res = await fetch(`${first.url}/api/channels`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(channel),
      });
      return (await res.json()).id;
    };
    channelId = await createChannel({ kind: 'wecom_app', name: 'crash test', config: { corpId: app.corpId, agentId: app.agentId, secret: app.secret, token: app.token, encodingAesKey: app.encodingAesKey } });
    botChannelId = await createChannel({ kind: 'wecom_bot', name: 'crash test bot', config: botKeys });
    await first.stop();
  });
  after(async () => {
    await svc?.stop();
    await model?.close();
    await fake?.close();
    await storage?.dispose();
  });

  const repliesTo = (user: string) => fake.sent.filter((m) => m.touser === user);

  test('messages acked but not yet answered are answered once after a kill -9', async () => {
    // A long burst window holds the turns back, so the kill lands between ack and answer.
    const first = await start({ TURN_COALESCE_MS: '20000' });
    const users = ['k1', 'k2', 'k3'];
    for (const [i, user] of users.entries()) {
      const res = await postText(first, channelId, app, { from: user, content: `问题${i}`, msgId: `71000${i}` });
      assert.equal(res.status, 200);
    }
    await first.kill9();
    assert.equal(users.map(repliesTo).flat().length, 0, 'nothing answered before the crash');

    const second = await start();
    // WeCom retries whatever it did not see acked; a retry of an acked message must change nothing.
    await postText(second, channelId, app, { from: 'k1', content: '问题0', msgId: '710000' });
    for (const user of users) await waitFor(`reply to ${user}`, () => repliesTo(user).length > 0, 30000);
    await sleep(2000);
    assert.deepEqual(users.map((u) => repliesTo(u).length), [1, 1, 1]);
    assert.equal(repliesTo('k2')[0].content, '答复：问题1');
    await second.stop();
  });

  test('a 智能机器人 message acked with its stream is answered on that stream after a kill -9, once', async () => {
    const first = await start({ TURN_COALESCE_MS: '20000' });
    const msgid = newMsgid();
    const opened = await new WecomBotClient(first, botChannelId, botKeys).say('bot-k1', msgid, '几天到货');
    assert.equal(opened.stream.finish, false);
    await first.kill9();

    const second = await start();
    const bot = new WecomBotClient(second, botChannelId, botKeys);
    // WeCom's retry of the acked message gets the same stream and stores nothing new.
    assert.equal((await bot.say('bot-k1', msgid, '几天到货')).stream.id, opened.stream.id);
    const done = await waitFor('the stream to finish', async () => {
      const r = await bot.refresh('bot-k1', opened.stream.id);
      return r.stream.finish ? r : null;
    }, 30000);
    assert.equal(done.stream.content, '答复：几天到货');
    await sleep(1500);
    assert.deepEqual(await bot.refresh('bot-k1', opened.stream.id), done, 'no second answer appears');
    await second.stop();
  });

  test('a worker killed while the model is answering: the turn is redone after its lease and answered once', async () => {
    const first = await start();
    model.delayMs = 1200;
    const asked = model.requests.length;
    assert.equal((await postText(first, channelId, app, { from: 'k4', content: '还在吗', msgId: '7200001' })).status, 200);
    await waitFor('the model request', () => model.requests.length > asked);
    await first.kill9();
    model.delayMs = 0;
    assert.equal(repliesTo('k4').length, 0);

    const second = await start();
    await waitFor('reply after the lease ran out', () => repliesTo('k4').length > 0, 40000);
    await sleep(2000);
    assert.equal(repliesTo('k4').length, 1);
    assert.equal(repliesTo('k4')[0].content, '答复：还在吗');
    await second.stop();
  });

  test('SIGTERM while the model is answering: the turn finishes, its reply goes out, the process exits 0', async () => {
    const first = await start();
    model.delayMs = 800;
    const asked = model.requests.length;
    assert.equal((await postText(first, channelId, app, { from: 'k5', content: '晚安', msgId: '7300001' })).status, 200);
    await waitFor('the model request', () => model.requests.length > asked);
    first.process.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => first.process.once('exit', (c) => resolve(c)));
    model.delayMs = 0;
    assert.equal(code, 0, first.output());
    assert.equal(repliesTo('k5').length, 1, 'the in-flight turn was drained, not dropped');
    assert.equal(repliesTo('k5')[0].content, '答复：晚安');
  });
});
