/**
 * The turn's commit against a real database: exactly one reply per customer message, the lease
 * guard, an agent (or a close) winning over a reply still being written, and the handoff fields.
 * The store is driven directly so each race can be staged between acquire and complete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConversationStore } from '../../src/ports/conversation-store.js';
import { createStorage, startTestService, type Storage, type TestService } from '../support/harness.js';

describe('completing a bot turn', () => {
  let storage: Storage;
  let svc: TestService;
  let store: ConversationStore;
  let channelId: string;
  let contacts = 0;

  before(async () => {
    storage = await createStorage();
    // No sweeps during the test: turns are staged by hand.
    svc = await startTestService(storage, { SWEEP_INTERVAL_MS: '600000' });
    store = svc.service.core.store;
    const created = await svc.api('POST', '/api/channels', { kind: 'webchat', name: 'turns', botEnabled: true });
    assert.equal(created.status, 201);
    channelId = created.body.id;
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  /** A conversation with `n` pending customer messages and its turn lease taken. */
  async function staged(n: number) {
    const externalId = `visitor-${++contacts}-aaaaaaaaaaaa`;
    let conversationId = '';
    for (let i = 0; i < n; i++) {
      const r = await store.recordInbound(channelId, { platformMessageId: `${externalId}:${i}`, contact: { externalId }, kind: 'text', text: `question ${i}`, sentAt: new Date() }, true);
      conversationId = r.conversationId;
    }
    const owner = `test:${contacts}`;
    const ctx = await store.acquireTurn(conversationId, owner, 30_000, 20);
    assert.ok(ctx, 'lease taken');
    return { conversationId, owner, pendingIds: ctx.pending.map((m) => m.id) };
  }

  const messagesOf = (id: string) => store.messages(id, 100);

  test('an answer marks every answered message done, adds one reply with an outbox row and frees the lease', async () => {
    const t = await staged(2);
    const done = await store.completeTurn(t.conversationId, t.owner, t.pendingIds, { type: 'answer', text: 'yes', confidence: 0.9 });
    assert.ok(done);
    assert.equal(done.status, 'bot');
    assert.equal(done.outboxIds.length, 1);
    assert.equal(done.addedMessageIds.length, 1);
    const msgs = await messagesOf(t.conversationId);
    assert.deepEqual(msgs.map((m) => [m.sender, m.status]), [['customer', 'done'], ['customer', 'done'], ['bot', 'pending']]);
    assert.equal(msgs[2].confidence, 0.9);
    assert.equal((await store.get(t.conversationId))?.lastConfidence, 0.9);
    assert.ok(await store.acquireTurn(t.conversationId, 'other', 30_000, 20) === null, 'nothing pending, nothing to acquire');
    assert.equal(await store.firstPendingMessageId(t.conversationId), null);
  });

  test('a second completion of the same messages adds nothing (one reply per message)', async () => {
    const t = await staged(1);
    assert.ok(await store.completeTurn(t.conversationId, t.owner, t.pendingIds, { type: 'answer', text: 'first', confidence: 0.9 }));
    assert.equal(await store.completeTurn(t.conversationId, t.owner, t.pendingIds, { type: 'answer', text: 'second', confidence: 0.9 }), null);
    const bot = (await messagesOf(t.conversationId)).filter((m) => m.sender === 'bot');
    assert.deepEqual(bot.map((m) => m.text), ['first']);
  });

  test('a turn whose lease was taken over adds nothing and marks nothing', async () => {
    const t = await staged(1);
    assert.equal(await store.completeTurn(t.conversationId, 'not-the-owner', t.pendingIds, { type: 'answer', text: 'late', confidence: 0.9 }), null);
    const msgs = await messagesOf(t.conversationId);
    assert.deepEqual(msgs.map((m) => [m.sender, m.status]), [['customer', 'pending']]);
  });

  test('when one answered message was already handled, the whole turn adds nothing and frees its lease', async () => {
    const t = await staged(2);
    // Another owner answered the first message in between (the lease had lapsed).
    await store.releaseTurn(t.conversationId, t.owner);
    const other = await store.acquireTurn(t.conversationId, 'other-owner', 30_000, 20);
    assert.ok(other);
    assert.ok(await store.completeTurn(t.conversationId, 'other-owner', [t.pendingIds[0]], { type: 'answer', text: 'other', confidence: 0.8 }));
    const again = await store.acquireTurn(t.conversationId, t.owner, 30_000, 20);
    assert.ok(again);
    assert.equal(await store.completeTurn(t.conversationId, t.owner, t.pendingIds, { type: 'answer', text: 'stale', confidence: 0.9 }), null);
    const msgs = await messagesOf(t.conversationId);
    assert.deepEqual(msgs.filter((m) => m.sender === 'bot').map((m) => m.text), ['other']);
    assert.equal(msgs.find((m) => m.id === t.pendingIds[1])?.status, 'pending', 'the unanswered message stays pending');
    assert.ok(await store.acquireTurn(t.conversationId, 'third', 30_000, 20), 'lease freed for the next turn');
  });

  test('a conversation closed mid-turn keeps the customer messages answered but gets no bot reply', async () => {
    const t = await staged(1);
    assert.ok(await store.transition(t.conversationId, 'bot', 'closed', {}, null));
    const done = await store.completeTurn(t.conversationId, t.owner, t.pendingIds, { type: 'answer', text: 'too late', confidence: 0.9 });
    assert.ok(done);
    assert.equal(done.status, 'closed');
    assert.deepEqual(done.outboxIds, []);
    const msgs = await messagesOf(t.conversationId);
    assert.deepEqual(msgs.map((m) => [m.sender, m.status]), [['customer', 'done']]);
  });

  test('a handoff adds the system note and the holding message, queues the conversation with its reason', async () => {
    const t = await staged(1);
    const done = await store.completeTurn(t.conversationId, t.owner, t.pendingIds, { type: 'handoff', reason: 'low_confidence', confidence: 0.2, holdingMessage: '请稍候' });
    assert.ok(done);
    assert.equal(done.status, 'queued');
    assert.equal(done.outboxIds.length, 1, 'only the holding message goes out');
    const msgs = await messagesOf(t.conversationId);
    assert.deepEqual(msgs.map((m) => [m.sender, m.text, m.status]), [['customer', 'question 0', 'done'], ['system', 'handoff:low_confidence', 'done'], ['bot', '请稍候', 'pending']]);
    const summary = await store.get(t.conversationId);
    assert.equal(summary?.handoffReason, 'low_confidence');
    assert.equal(summary?.lastConfidence, 0.2);
  });

  test('a welcome goes out even while a human holds the conversation', async () => {
    const t = await staged(1);
    await store.completeTurn(t.conversationId, t.owner, t.pendingIds, { type: 'handoff', reason: 'customer_request', confidence: null, holdingMessage: null });
    assert.ok(await store.transition(t.conversationId, 'queued', 'assigned', { assigneeId: 'agent-1' }, null));
    const r = await store.recordInbound(channelId, { platformMessageId: `enter-${t.conversationId}`, contact: { externalId: `visitor-${contacts}-aaaaaaaaaaaa` }, kind: 'event', event: 'enter', text: null, sentAt: new Date() }, true);
    const ctx = await store.acquireTurn(t.conversationId, 'welcomer', 30_000, 20);
    assert.ok(ctx);
    assert.deepEqual(ctx.pending.map((m) => m.id), [r.messageId]);
    const done = await store.completeTurn(t.conversationId, 'welcomer', [r.messageId!], { type: 'welcome', text: '欢迎', replyCode: 'code-1' });
    assert.ok(done);
    assert.equal(done.status, 'assigned');
    assert.equal(done.outboxIds.length, 1);
    const welcome = (await messagesOf(t.conversationId)).at(-1);
    assert.equal(welcome?.text, '欢迎');
    assert.equal((welcome?.attachment)?.replyCode, 'code-1');
  });
});
