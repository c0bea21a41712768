import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Channel } from '../../src/domain/channel.js';
import type { ConversationStore, HandbackCandidate, HandbackWindow, ReturnedToBot } from '../../src/ports/conversation-store.js';
import type { Responder, ResponderHealth } from '../../src/ports/responder.js';
import { handBackToBot } from '../../src/usecases/hand-back-to-bot.js';
import {
  FakeAdapterRegistry, FakeAuditLog, FakeChannelAdapter, FakeChannelDirectory, FakeEventBus, FakeJobQueue, FakeResponder,
  fakeDeps, fixedClock, makeChannel, makeConversation,
} from '../support/fake-ports.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const WAIT_MS = 120_000;
const MAX_AGE_MS = 600_000;
/** Handed off at least the wait ago; the customer wrote within the answerable age. */
const WINDOW: HandbackWindow = { handedOffBefore: new Date(NOW.getTime() - WAIT_MS), customerWroteSince: new Date(NOW.getTime() - MAX_AGE_MS) };
const ago = (ms: number) => new Date(NOW.getTime() - ms);

/** The two store methods the handback uses; any other store call fails the test. */
class FakeHandbackStore {
  readonly asked: HandbackWindow[] = [];
  readonly returned: { conversationId: string; window: HandbackWindow }[] = [];
  constructor(
    public candidates: HandbackCandidate[] = [{ conversationId: 'conv-1', channelId: 'ch-1' }],
    public outcome: (conversationId: string) => ReturnedToBot | null = (id) => ({
      conversation: makeConversation({ id, status: 'bot' }), noteId: `note-${id}`, firstPendingId: `msg-${id}`,
    }),
  ) {}
  async findHandbackCandidates(window: HandbackWindow): Promise<HandbackCandidate[]> {
    this.asked.push(window);
    return this.candidates;
  }
  async returnToBot(conversationId: string, window: HandbackWindow): Promise<ReturnedToBot | null> {
    this.returned.push({ conversationId, window });
    return this.outcome(conversationId);
  }
}

function withModel(health: ResponderHealth | null, opts: { waitMs?: number; channel?: Partial<Channel>; adapter?: FakeChannelAdapter } = {}) {
  const store = new FakeHandbackStore();
  const queue = new FakeJobQueue();
  const events = new FakeEventBus();
  const audit = new FakeAuditLog();
  const responder: Responder = health ? Object.assign(new FakeResponder(), { health: () => health }) : new FakeResponder();
  const deps = fakeDeps({
    store: store as unknown as ConversationStore, queue, events, audit, responder, clock: fixedClock(NOW),
    channels: new FakeChannelDirectory([makeChannel(opts.channel)]),
    adapters: new FakeAdapterRegistry([opts.adapter ?? new FakeChannelAdapter('webchat')]),
    settings: { modelHandbackMs: opts.waitMs ?? WAIT_MS, maxAnswerAgeMs: MAX_AGE_MS },
  });
  return { deps, store, queue, events, audit };
}

const backSince = (ms: number): ResponderHealth => ({ available: true, since: ago(ms) });

describe('handBackToBot (issue 11)', () => {
  test('MODEL_HANDBACK_S=0 turns it off: the store is not even asked', async () => {
    const { deps, store } = withModel(backSince(3_600_000), { waitMs: 0 });
    assert.equal(await handBackToBot(deps), 0);
    assert.deepEqual(store.asked, []);
  });

  test('nothing goes back while the model is down', async () => {
    const { deps, store } = withModel({ available: false, since: ago(3_600_000) });
    assert.equal(await handBackToBot(deps), 0);
    assert.deepEqual(store.asked, []);
  });

  test('nothing goes back until the model has been back for the whole wait', async () => {
    const { deps, store } = withModel(backSince(WAIT_MS - 1));
    assert.equal(await handBackToBot(deps), 0);
    assert.deepEqual(store.asked, []);
  });

  test('once the model has been back for the wait, handoffs made at least the wait ago go back, if the customer wrote recently enough', async () => {
    const { deps, store } = withModel(backSince(WAIT_MS));
    assert.equal(await handBackToBot(deps), 1);
    assert.deepEqual(store.asked, [WINDOW], 'max(handoff, model back) + wait ≤ now; questions past MAX_ANSWER_AGE_S stay with humans');
    assert.deepEqual(store.returned, [{ conversationId: 'conv-1', window: WINDOW }], 'checked again as it moves');
  });

  test('a responder without a breaker (the knowledge base) counts as always available', async () => {
    const { deps, store } = withModel(null);
    assert.equal(await handBackToBot(deps), 1);
    assert.deepEqual(store.asked, [WINDOW]);
  });

  test('a conversation that went back gets a turn, a console event and an audit entry', async () => {
    const { deps, queue, events, audit } = withModel(backSince(WAIT_MS));
    await handBackToBot(deps);
    assert.equal(queue.jobs.length, 1);
    assert.equal(queue.jobs[0].name, 'turn');
    assert.deepEqual(queue.jobs[0].data, { conversationId: 'conv-1' });
    assert.equal(queue.jobs[0].opts.jobId, 'turn-conv-1-msg-conv-1-handbacknote-conv-1', 'its own job id: an earlier turn job for the same message may still be kept');
    assert.deepEqual(events.published, [{ type: 'conversation.updated', conversationId: 'conv-1', channelId: 'ch-1', status: 'bot' }]);
    assert.deepEqual(audit.records.map((r) => [r.actor, r.action, r.target, r.details]), [
      ['system', 'conversation.bot', 'conversation:conv-1', { from: 'queued', reason: 'model_available' }],
    ]);
  });

  test('one the store no longer hands back (an agent took it meanwhile) is left alone', async () => {
    const { deps, store, queue, events, audit } = withModel(backSince(WAIT_MS));
    store.outcome = () => null;
    assert.equal(await handBackToBot(deps), 0);
    assert.equal(store.returned.length, 1);
    assert.deepEqual([queue.jobs, events.published, audit.records], [[], [], []]);
  });

  test('with nothing left to answer, it goes back without a turn', async () => {
    const { deps, store, queue, events } = withModel(backSince(WAIT_MS));
    store.outcome = (id) => ({ conversation: makeConversation({ id, status: 'bot' }), noteId: 'n1', firstPendingId: null });
    assert.equal(await handBackToBot(deps), 1);
    assert.deepEqual(queue.jobs, []);
    assert.equal(events.published.length, 1);
  });

  for (const [why, channel] of [['turned off', { enabled: false }], ['with its bot off', { botEnabled: false }]] as const) {
    test(`a channel ${why} keeps its conversations with humans`, async () => {
      const { deps, store } = withModel(backSince(WAIT_MS), { channel });
      assert.equal(await handBackToBot(deps), 0);
      assert.deepEqual(store.returned, []);
    });
  }

  test('a platform that holds handed-off sessions in its own human queue keeps them there', async () => {
    const adapter = Object.assign(new FakeChannelAdapter('webchat'), { keepsHandedOffSessions: () => true });
    const { deps, store } = withModel(backSince(WAIT_MS), { adapter });
    assert.equal(await handBackToBot(deps), 0);
    assert.deepEqual(store.returned, []);
  });

  test('several candidates: each is tried, the ones returned are counted', async () => {
    const { deps, store, queue } = withModel(backSince(WAIT_MS));
    store.candidates = [{ conversationId: 'a', channelId: 'ch-1' }, { conversationId: 'b', channelId: 'ch-1' }, { conversationId: 'c', channelId: 'ch-1' }];
    const inner = store.outcome;
    store.outcome = (id) => (id === 'b' ? null : inner(id));
    assert.equal(await handBackToBot(deps), 2);
    assert.deepEqual(queue.jobs.map((j) => j.data.conversationId), ['a', 'c']);
  });
});
