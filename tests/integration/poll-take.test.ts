/**
 * OutboxStore.takeForPoll against a real database: what a WeCom 智能机器人 stream poll hands over,
 * that a repeated poll shows the same text without sending it twice, and the race with a sender
 * claiming the reply while the poll waits for its row lock. The store is driven directly so the
 * race can be staged; the HTTP flow is in wecom-bot.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConversationStore } from '../../src/ports/conversation-store.js';
import type { OutboxStore } from '../../src/ports/outbox-store.js';
import { deferred } from '../support/deferred.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { newBotKeys, createBotChannel } from '../support/wecom-bot.js';

describe(`a stream poll taking replies (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let store: ConversationStore;
  let outbox: OutboxStore;
  let channelId: string;
  let members = 0;

  before(async () => {
    storage = await createStorage();
    // No sweeps: nothing but the test touches the outbox rows.
    svc = await startTestService(storage, { SWEEP_INTERVAL_MS: '600000' });
    store = svc.service.core.store;
    outbox = svc.service.core.outbox;
    channelId = await createBotChannel(svc, newBotKeys());
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  /** A member's message answered by a bot turn whose reply waits in the outbox. */
  async function answered(text: string) {
    const externalId = `member-${++members}`;
    const msgid = `msgid-${members}`;
    const r = await store.recordInbound(channelId, { platformMessageId: msgid, contact: { externalId }, kind: 'text', text: 'q', sentAt: new Date() }, true);
    const ctx = await store.acquireTurn(r.conversationId, 'test', 30_000, 20);
    assert.ok(ctx);
    const done = await store.completeTurn(r.conversationId, 'test', ctx.pending.map((m) => m.id), { type: 'answer', text, confidence: 0.9 });
    assert.equal(done?.outboxIds.length, 1);
    return { msgid, conversationId: r.conversationId, outboxId: done.outboxIds[0] };
  }

  test('a poll takes the waiting reply once; the next poll shows the same text and sends nothing new', async () => {
    const a = await answered('满299包邮');
    const first = await outbox.takeForPoll(channelId, a.msgid);
    assert.deepEqual(first && { delivered: first.delivered, unanswered: first.unanswered, inFlight: first.inFlight, status: first.conversationStatus },
      { delivered: [{ sender: 'bot', text: '满299包邮' }], unanswered: false, inFlight: false, status: 'bot' });
    const msgs = await store.messages(a.conversationId, 10);
    assert.deepEqual(first?.takenMessageIds, [msgs[1].id]);
    assert.equal(first?.conversationId, a.conversationId);
    const again = await outbox.takeForPoll(channelId, a.msgid);
    assert.deepEqual(again?.delivered, first?.delivered);
    assert.deepEqual(again?.takenMessageIds, [], 'nothing taken twice');
    assert.deepEqual((await store.messages(a.conversationId, 10)).map((m) => [m.sender, m.status]), [['customer', 'done'], ['bot', 'sent']]);
    assert.equal(await outbox.claim(a.outboxId, 1000), null, 'a sender finds nothing left to send');
  });

  test('a message that is not stored, or is another channel\'s, is not found', async () => {
    const a = await answered('hi');
    assert.equal(await outbox.takeForPoll(channelId, 'never-stored'), null);
    assert.equal(await outbox.takeForPoll('some-other-channel', a.msgid), null);
  });

  test('a sender claiming the reply while the poll waits for it: the poll reports it in flight, never "nothing more"', { skip: mode === 'embedded' ? 'PGlite has one connection: a held transaction would block the poll for good' : false }, async () => {
    const a = await answered('稍等');
    const release = deferred();
    const claimed = deferred();
    // A sender's claim, held open: the row is locked and about to become `sending`.
    const sender = svc.service.db.transaction(async (tx) => {
      await tx.query(`UPDATE outbox SET status = 'sending', lease_until = now() + interval '1 minute' WHERE id = $1`, [a.outboxId]);
      claimed.resolve();
      await release.promise;
    });
    await claimed.promise;
    const poll = outbox.takeForPoll(channelId, a.msgid);
    await waitFor('the poll to wait for the row lock', async () => {
      const r = await svc.service.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return r.rows[0].n > 0 || null;
    });
    release.resolve();
    await sender;
    const seen = await poll;
    assert.deepEqual(seen && { delivered: seen.delivered, inFlight: seen.inFlight }, { delivered: [], inFlight: true });
  });
});
