import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { RedisInstance } from '../support/redis-instance.js';
import { createStorage, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createWecomChannel, newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';

/** DESIGN.md §3.3: Redis is a wake-up channel, never the record. */
describe('Redis down: callbacks acked and answered through Postgres, nothing twice when it returns', { skip: mode !== 'real' && 'needs real Redis' }, () => {
  const app = newWecomApp();
  let storage: Storage;
  let fake: FakeWecomApi;
  let model: FakeModelServer;
  let svc: TestService;
  let redis: RedisInstance;
  let channelId: string;

  before(async () => {
    redis = await RedisInstance.create();
    fake = await startFakeWecom(app);
    model = await new FakeModelServer().start();
    model.reply = (body) => ({ content: `答复：${body.messages.at(-1)!.content}`, logprobs: -0.01 });
    storage = await createStorage();
    svc = await startTestService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url, REDIS_URL: redis.url });
    channelId = await createWecomChannel(svc, app);
  });
  after(async () => {
    await svc?.close();
    await redis?.dispose();
    await model?.close();
    await fake?.close();
    await storage?.dispose();
  });

  test('answers through BullMQ while Redis is up', async () => {
    await postText(svc, channelId, app, { from: 'r0', content: '在吗', msgId: '810000' });
    await waitFor('reply', () => fake.sent.some((m) => m.touser === 'r0'));
  });

  test('with Redis killed, callbacks are acked and answered through Postgres, once each', async () => {
    await redis.kill9();
    await sleep(300);
    for (const i of [1, 2, 3]) {
      const res = await postText(svc, channelId, app, { from: `r${i}`, content: `问题${i}`, msgId: `81000${i}` });
      assert.equal(res.status, 200);
    }
    const ready = await svc.api('GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.checks.redis, false);
    // Issue 11: before, nothing was answered until Redis returned.
    for (const user of ['r1', 'r2', 'r3']) await waitFor(`reply to ${user} with Redis down`, () => fake.sent.some((m) => m.touser === user), 20000);
  });

  test('when Redis comes back (empty), nothing is answered twice and new messages go through it', async () => {
    await redis.start();
    await waitFor('readiness with Redis back', async () => (await svc.api('GET', '/readyz')).status === 200, 20000);
    assert.equal((await postText(svc, channelId, app, { from: 'r4', content: '问题4', msgId: '810004' })).status, 200);
    await waitFor('reply to r4', () => fake.sent.some((m) => m.touser === 'r4'), 20000);
    await sleep(2000);
    assert.deepEqual(['r1', 'r2', 'r3', 'r4'].map((u) => fake.sent.filter((m) => m.touser === u).length), [1, 1, 1, 1]);
  });
});
