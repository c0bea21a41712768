import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import type { FakeWecomKfApi } from '../fakes/fake-wecom-kf-api.js';
import { startChildService, type ChildService } from '../support/child-service.js';
import { ADMIN_TOKEN, createStorage, mode, sleep, startTestService, waitFor, type Storage } from '../support/harness.js';
import { createKfChannel, newKfApp, notifyKf, startFakeKf } from '../support/kf-channel.js';

/** Issue 3: the cursor survives kill -9; one sync per account across processes. */
describe(`微信客服 sync under crashes and several processes (${mode})`, () => {
  const app = newKfApp();
  const KF = 'wkAJ2GCAAAcrash';
  let storage: Storage;
  let fake: FakeWecomKfApi;
  let model: FakeModelServer;
  let channelId: string;
  let child: ChildService | null = null;

  before(async () => {
    fake = await startFakeKf(app, 2);
    model = await new FakeModelServer().start();
    model.reply = (body) => ({ content: `答复：${body.messages.at(-1)!.content}`, logprobs: -0.01 });
    storage = await createStorage();
    const env = { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url };
    const setup = await startTestService(storage, env);
    channelId = await createKfChannel(setup, app);
    await setup.close();
  });
  after(async () => {
    await child?.stop();
    await model?.close();
    await fake?.close();
    await storage?.dispose();
  });

  const sentTo = (user: string) => fake.sent.filter((m) => m.touser === user);
  const start = (extra: Record<string, string> = {}) =>
    startChildService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url, PULL_LEASE_MS: '3000', ...extra });

  test('kill -9 in the middle of a sync: the restart resumes from the saved cursor, nothing lost, nothing answered twice', async () => {
    const users = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'];
    users.forEach((u, i) => fake.customerText({ openKfId: KF, externalUserId: u }, `问题${i + 1}`));
    fake.syncDelayMs = 600;
    child = await start();
    const before = fake.syncRequests.length;
    assert.equal(await notifyKf(child, channelId, fake, KF), 200);
    await waitFor('two pages pulled', () => fake.syncRequests.length >= before + 3);
    await child.kill9();
    child = null;
    const pulledBeforeCrash = fake.syncRequests.length - before;
    fake.syncDelayMs = 0;

    child = await start();
    // The next callback (or the sweeper) starts a pull that continues from the stored cursor.
    await notifyKf(child, channelId, fake, KF);
    for (const u of users) await waitFor(`reply to ${u}`, () => sentTo(u).length > 0, 30000);
    await sleep(1500);
    assert.deepEqual(users.map((u) => sentTo(u).length), users.map(() => 1));
    const resumed = fake.syncRequests.slice(before + pulledBeforeCrash).find((r) => r.open_kfid === KF);
    assert.ok(resumed?.cursor, 'the first pull after the restart carried a saved cursor');
    await child.stop();
    child = null;
  });

  test('two processes receiving callbacks together run one sync at a time for the account', { skip: mode !== 'real' && 'needs a shared PostgreSQL' }, async () => {
    const a = await start({ ADMIN_TOKEN });
    const b = await start({ ADMIN_TOKEN });
    try {
      const users = ['t1', 't2', 't3', 't4', 't5'];
      users.forEach((u) => fake.customerText({ openKfId: 'wkTwoProcs', externalUserId: u }, '在吗'));
      fake.syncDelayMs = 150;
      const statuses = await Promise.all([a, b, a, b, a, b].map((svc) => notifyKf(svc, channelId, fake, 'wkTwoProcs')));
      assert.ok(statuses.every((s) => s === 200));
      for (const u of users) await waitFor(`reply to ${u}`, () => sentTo(u).length > 0, 30000);
      await sleep(1500);
      fake.syncDelayMs = 0;
      assert.equal(fake.maxConcurrentSync('wkTwoProcs'), 1);
      assert.deepEqual(users.map((u) => sentTo(u).length), users.map(() => 1));
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
