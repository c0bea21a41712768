import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import type { FakeWecomKfApi } from '../fakes/fake-wecom-kf-api.js';
import { customerText } from '../fakes/fake-wecom-kf-messages.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { FUZZ_SEED, hostileId, hostileJsonValue, hostileNumber, hostileString } from '../support/hostile-input.js';
import { createKfChannel, newKfApp, notifyKf, startFakeKf } from '../support/kf-channel.js';

/**
 * Issue 11, item 1: a NUL in one 微信客服 message failed its page for good, the cursor never moved,
 * and no later customer of the account was ever stored. Now a page with an odd message stores the
 * rest and moves on, and so does any page the fuzzer can make.
 */
describe(`微信客服: an odd message never stalls the account (${mode})`, () => {
  const app = newKfApp();
  const KF = 'wkAJ2GCAAAhostile';
  let storage: Storage;
  let fake: FakeWecomKfApi;
  let model: FakeModelServer;
  let svc: TestService;
  let channelId: string;

  before(async () => {
    fake = await startFakeKf(app);
    model = await new FakeModelServer().start();
    model.reply = (body) => ({ content: `答复：${body.messages.at(-1)!.content}`, logprobs: -0.01 });
    storage = await createStorage();
    svc = await startTestService(storage, { WECOM_API_BASE: fake.url, MODEL_BASE_URL: model.url });
    channelId = await createKfChannel(svc, app);
  });
  after(async () => {
    await svc?.close();
    await model?.close();
    await fake?.close();
    await storage?.dispose();
  });

  const conversationOf = async (externalId: string) => {
    const list = await svc.api('GET', `/api/conversations?channelId=${channelId}&limit=500`);
    return list.body.items.find((c: { contact: { externalId: string } }) => c.contact.externalId === externalId);
  };
  const textsOf = async (externalId: string): Promise<(string | null)[]> => {
    const found = await conversationOf(externalId);
    if (!found) return [];
    const messages = (await svc.api('GET', `/api/conversations/${found.id}`)).body.messages as { sender: string; text: string | null }[];
    return messages.filter((m) => m.sender === 'customer').map((m) => m.text);
  };
  const sentTo = (user: string) => fake.sent.filter((m) => m.touser === user);

  test('a page holding `has\\u0000nul` then a normal message stores both, moves the cursor, and a later customer still arrives', async () => {
    fake.nicknames.set('kf-nul', '小\u0000明');
    fake.customerText({ openKfId: KF, externalUserId: 'kf-nul' }, 'has\u0000nul');
    fake.customerText({ openKfId: KF, externalUserId: 'kf-after' }, '包邮吗');
    assert.equal(await notifyKf(svc, channelId, fake, KF), 200);
    await waitFor('both stored', async () => (await textsOf('kf-after')).length === 1);
    assert.deepEqual(await textsOf('kf-nul'), ['hasnul']);
    assert.equal((await conversationOf('kf-nul')).contact.name, '小明');

    fake.customerText({ openKfId: KF, externalUserId: 'kf-later' }, '发不发欧洲');
    assert.equal(await notifyKf(svc, channelId, fake, KF), 200);
    await waitFor('the later customer answered', () => sentTo('kf-later').length > 0);
    assert.equal(sentTo('kf-later')[0].content, '答复：发不发欧洲');
    const cursors = fake.syncRequests.filter((r) => r.open_kfid === KF).map((r) => r.cursor);
    assert.ok(cursors.at(-1), 'the last pull started from a saved cursor');
  });

  test('oversized ids and unknown shapes in a page: the message with a long msgid is kept, the unfileable one skipped, the rest stored', async () => {
    const long = 'x'.repeat(6000);
    fake.append(customerText({ openKfId: KF, externalUserId: 'kf-long-msgid', msgid: long }, '长编号'));
    fake.append(customerText({ openKfId: KF, externalUserId: long }, '谁都不是'));
    fake.append({ msgid: 'odd-1', open_kfid: KF, external_userid: 'kf-odd', origin: 3, msgtype: 'text', text: 'not an object', send_time: 1e20 });
    fake.append({ msgid: 'odd-2', open_kfid: KF, origin: 4, msgtype: 'event', event: [] });
    fake.customerText({ openKfId: KF, externalUserId: 'kf-after-odd' }, '还在吗');
    assert.equal(await notifyKf(svc, channelId, fake, KF), 200);
    await waitFor('the message after the odd ones', async () => (await textsOf('kf-after-odd')).length === 1);
    assert.deepEqual(await textsOf('kf-long-msgid'), ['长编号']);
    assert.equal(await conversationOf(long), undefined);
    const odd = await conversationOf('kf-odd');
    assert.equal(odd.lastMessage.kind, 'other', 'an item of unknown shape reaches a person as unsupported');

    // A re-pull of the same page (WeCom resends from an older cursor) stores the long-msgid message once.
    fake.append(customerText({ openKfId: KF, externalUserId: 'kf-long-msgid', msgid: long }, '长编号'));
    fake.customerText({ openKfId: KF, externalUserId: 'kf-after-odd' }, '又来了');
    assert.equal(await notifyKf(svc, channelId, fake, KF), 200);
    await waitFor('the second message', async () => (await textsOf('kf-after-odd')).length === 2);
    assert.deepEqual(await textsOf('kf-long-msgid'), ['长编号']);
  });

  test('fuzzed sync_msg items: the account always goes on to the next message', async () => {
    const item = fc.record({
      msgid: fc.option(hostileId, { nil: undefined }), external_userid: fc.option(hostileId, { nil: undefined }),
      origin: fc.constantFrom(3, 4, 5, '3', null), msgtype: fc.constantFrom('text', 'image', 'location', 'link', 'event', 'bogus'),
      text: fc.record({ content: hostileJsonValue, menu_id: hostileJsonValue }), image: fc.record({ media_id: hostileJsonValue }),
      location: fc.record({ latitude: hostileNumber, name: hostileString() }), link: fc.record({ title: hostileString(), url: hostileString() }),
      event: fc.record({ event_type: fc.constantFrom('enter_session', 'msg_send_fail', 'session_status_change', 'user_recall_msg', 'x'), external_userid: hostileId, open_kfid: hostileString(8), welcome_code: hostileJsonValue, fail_msgid: hostileJsonValue, change_type: hostileNumber, recall_msgid: hostileJsonValue }),
      send_time: hostileNumber, servicer_userid: hostileJsonValue,
    });
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 3 }), async (items) => {
      for (const it of items) fake.append({ ...it, open_kfid: KF });
      const text = `第${(run += 1)}次`;
      fake.customerText({ openKfId: KF, externalUserId: 'kf-steady' }, text);
      assert.equal(await notifyKf(svc, channelId, fake, KF), 200);
      await waitFor(`the message after ${JSON.stringify(items).slice(0, 200)}`, async () => (await textsOf('kf-steady')).includes(text), 10_000);
    }), { seed: FUZZ_SEED, numRuns: 15, endOnFailure: true }); // no shrinking: each try waits on a pull
  });
});
