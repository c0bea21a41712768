/**
 * Group commit of inbound messages against a real database: concurrent records are written in
 * shared statements, and each caller still learns exactly what happened to its own message:
 * stored once per platform id (redeliveries in the same batch included), the right conversation,
 * a closed conversation reopened only by something the customer said.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Queryable } from '../../src/db/database.js';
import { createInboundRecorder } from '../../src/db/inbound-batch.js';
import type { InboundMessage } from '../../src/domain/message.js';
import type { ConversationStore } from '../../src/ports/conversation-store.js';
import { createStorage, startTestService, type Storage, type TestService } from '../support/harness.js';

describe('recording inbound messages in batches', () => {
  let storage: Storage;
  let svc: TestService;
  let store: ConversationStore;
  let channelId: string;
  let statements: string[];
  let record: ReturnType<typeof createInboundRecorder>;

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { SWEEP_INTERVAL_MS: '600000' });
    store = svc.service.core.store;
    const created = await svc.api('POST', '/api/channels', { kind: 'webchat', name: 'batch', botEnabled: false });
    channelId = created.body.id;
    const db = svc.service.db;
    // The real database, with the statement names written down: how many round trips it took.
    const counting: Queryable = { query: (sql, params, name) => (statements.push(name ?? 'unnamed'), db.acks.query(sql, params, name)) };
    record = createInboundRecorder(counting, { maxInFlight: 1 });
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  const text = (externalId: string, id: string, extra: Partial<InboundMessage> = {}): InboundMessage =>
    ({ platformMessageId: id, contact: { externalId }, kind: 'text', text: `said ${id}`, sentAt: new Date(), ...extra });

  test('concurrent messages share statements; each platform id is stored once and reported once', async () => {
    statements = [];
    const messages: InboundMessage[] = [];
    for (let i = 0; i < 60; i++) messages.push(text(`contact-${i % 7}`, `m-${i}`, { contact: { externalId: `contact-${i % 7}`, name: `name-${i}` } }));
    // Three deliveries of the same message, two of them in the same instant.
    messages.push(text('contact-0', 'm-0'), text('contact-0', 'm-0'));
    // A new message delivered twice into the same batch.
    messages.push(text('contact-1', 'm-new'), text('contact-1', 'm-new'));
    const results = await Promise.all(messages.map((m) => record(channelId, m, true)));

    assert.ok(statements.length < messages.length / 4, `batched: ${statements.length} statements for ${messages.length} messages`);
    assert.ok(statements.includes('record_inbound_many'));
    const inserted = results.filter((r) => r.inserted);
    assert.equal(inserted.length, 61, 'every new platform id stored, the redeliveries not');
    assert.equal(new Set(inserted.map((r) => r.messageId)).size, 61);
    assert.deepEqual(results.slice(-2).map((r) => r.inserted), [true, false], 'the first copy in the batch stored it');
    const m0 = results.filter((_, i) => messages[i].platformMessageId === 'm-0');
    assert.equal(m0.filter((r) => r.inserted).length, 1);
    assert.deepEqual(m0.filter((r) => !r.inserted).map((r) => r.messageId), [null, null], 'redeliveries are reported as duplicates');

    // One conversation per contact; every message landed in its contact's conversation.
    for (let c = 0; c < 7; c++) {
      const conv = await store.findByContact(channelId, `contact-${c}`);
      assert.ok(conv);
      const stored = await store.messages(conv.id, 100);
      const expected = messages.filter((m, i) => m.contact.externalId === `contact-${c}` && results[i].inserted).map((m) => m.platformMessageId);
      assert.equal(stored.length, expected.length);
      assert.ok(results.every((r, i) => messages[i].contact.externalId !== `contact-${c}` || r.conversationId === conv.id));
      // The latest name in the batch wins.
      const last = messages.filter((m) => m.contact.externalId === `contact-${c}` && m.contact.name).at(-1);
      assert.equal(conv.contact.name, last?.contact.name);
    }
  });

  test('in a batch, a closed conversation reopens for what the customer said, not for an event', async () => {
    const first = await record(channelId, text('reopen-said', 'rs-1'), true);
    const second = await record(channelId, text('reopen-event', 're-1'), true);
    assert.ok(await store.transition(first.conversationId, 'bot', 'closed', {}, null));
    assert.ok(await store.transition(second.conversationId, 'bot', 'closed', {}, null));
    statements = [];
    const results = await Promise.all([
      record(channelId, text('filler', 'f-1'), true),
      record(channelId, { ...text('reopen-event', 're-2'), kind: 'event', event: 'enter', text: null }, true),
      record(channelId, { ...text('reopen-said', 'rs-2'), kind: 'event', event: 'enter', text: null }, true),
      record(channelId, text('reopen-said', 'rs-3'), true),
    ]);
    assert.ok(results.every((r) => r.inserted));
    assert.ok(statements.includes('record_inbound_many'), 'the four were written together');
    assert.equal((await store.get(first.conversationId))?.status, 'bot');
    assert.equal((await store.get(second.conversationId))?.status, 'closed');
  });

  test('a message for a channel that no longer exists fails alone; the rest of its batch is stored', async () => {
    statements = [];
    const results = await Promise.allSettled([
      record(channelId, text('ok-1', 'ok-1'), true),
      record('no-such-channel', text('ghost', 'ghost-1'), true),
      record(channelId, text('ok-2', 'ok-2'), true),
      record(channelId, text('ok-3', 'ok-3'), true),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    for (const id of ['ok-1', 'ok-2', 'ok-3']) assert.ok(await store.findByContact(channelId, id), `${id} stored`);
  });
});
