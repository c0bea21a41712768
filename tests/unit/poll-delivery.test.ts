/**
 * Replies on a platform that fetches them (ChannelAdapter.pollDelivery, WeCom 智能机器人): the
 * sender leaves them waiting until the platform's window ends, and a poll decides from what it
 * took whether the chat bubble is finished.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConversationStore } from '../../src/ports/conversation-store.js';
import type { PollTake } from '../../src/ports/outbox-store.js';
import { answerPoll } from '../../src/usecases/answer-poll.js';
import { sendOutboxMessage } from '../../src/usecases/send-outbox-message.js';
import {
  FakeAdapterRegistry, FakeChannelAdapter, FakeChannelDirectory, FakeEventBus, FakeJobQueue, FakeOutboxStore,
  fakeDeps, makeChannel, makeContact, makeConversation, unused,
} from '../support/fake-ports.js';

const WINDOW_MS = 6 * 60_000;
const T0 = new Date('2026-11-29T08:00:00Z').getTime();
const channel = makeChannel({ id: 'ch-1', kind: 'wecom_bot' });

function pollingAdapter(): FakeChannelAdapter {
  return Object.assign(new FakeChannelAdapter('wecom_bot', true), { pollDelivery: { windowMs: WINDOW_MS } });
}

function sendSetup(ageMs: number) {
  const outbox = new FakeOutboxStore();
  outbox.add({ outboxId: 'o1', attempts: 2, queuedAt: new Date(T0), conversationId: 'conv-1', channelId: 'ch-1' });
  const adapter = pollingAdapter();
  const queue = new FakeJobQueue();
  const events = new FakeEventBus();
  const moved: string[] = [];
  const store: ConversationStore = {
    ...unused<ConversationStore>('store'),
    get: async () => ({ ...makeConversation({ status: 'bot' }), contact: makeContact(), lastMessage: null, replyWindow: { lastCustomerAt: null, sentSince: 0 }, waitingSince: null }),
    transition: async (_id, from, to) => { moved.push(`${from}->${to}`); return makeConversation({ status: to }); },
  };
  const deps = fakeDeps({
    outbox, queue, events, store,
    channels: new FakeChannelDirectory([channel]),
    adapters: new FakeAdapterRegistry([adapter]),
    clock: { now: () => new Date(T0 + ageMs) },
  });
  return { deps, outbox, adapter, queue, moved };
}

describe('sending on a platform that fetches replies', () => {
  test('the reply waits as pending until the window ends, with a send job for that moment; nothing is sent', async () => {
    const { deps, outbox, adapter, queue, moved } = sendSetup(60_000);
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'waiting');
    assert.deepEqual(outbox.calls.slice(1), [{ op: 'markRetry', outboxId: 'o1', error: 'waiting for the platform to fetch it', delayMs: WINDOW_MS - 60_000 }]);
    assert.deepEqual(queue.jobs.map((j) => [j.name, j.data.outboxId, j.opts.delayMs]), [['send', 'o1', WINDOW_MS - 60_000]]);
    assert.deepEqual(adapter.sent, [], 'send is never called');
    assert.deepEqual(moved, []);
  });

  test('a reply no poll took within the window fails and the conversation goes to a person', async () => {
    const { deps, outbox, adapter, queue, moved } = sendSetup(WINDOW_MS);
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.equal(outbox.calls[1]?.op, 'markFailed');
    assert.match(String((outbox.calls[1] as { error?: string }).error), /did not fetch/);
    assert.deepEqual(queue.jobs, []);
    assert.deepEqual(adapter.sent, []);
    assert.deepEqual(moved, ['bot->queued']);
  });
});

describe('answerPoll', () => {
  const take = (over: Partial<PollTake>): PollTake => ({
    conversationId: 'conv-1', delivered: [], takenMessageIds: [], unanswered: false, inFlight: false, conversationStatus: 'bot', askedAt: new Date(T0), ...over,
  });
  const poll = (found: PollTake | null, atMs = 5_000, events = new FakeEventBus()) => {
    const outbox = Object.assign(new FakeOutboxStore(), { takeForPoll: async () => found });
    return answerPoll(fakeDeps({ outbox, events, clock: { now: () => new Date(T0 + atMs) } }), channel, 'msgid-1', WINDOW_MS);
  };

  test('the console hears that the replies this poll took are sent, and only those', async () => {
    const events = new FakeEventBus();
    const delivered = [{ sender: 'bot' as const, text: '正在为您转接人工客服' }, { sender: 'agent' as const, text: '您好' }];
    await poll(take({ delivered, takenMessageIds: ['m-9'], conversationStatus: 'assigned' }), 5_000, events);
    assert.deepEqual(events.published, [{ type: 'message.status', conversationId: 'conv-1', channelId: 'ch-1', messageId: 'm-9', status: 'sent' }]);
  });

  test('before the bot turn has run: nothing yet, not finished', async () => {
    assert.deepEqual(await poll(take({ unanswered: true })), { texts: [], final: false });
  });

  test('the bot\'s answer finishes the bubble', async () => {
    assert.deepEqual(await poll(take({ delivered: [{ sender: 'bot', text: '满299包邮' }] })), { texts: ['满299包邮'], final: true });
  });

  test('a reply a sender holds right now keeps it open for the next poll', async () => {
    assert.deepEqual(await poll(take({ inFlight: true })), { texts: [], final: false });
  });

  test('after a handoff the holding message shows and the bubble waits for the agent, whose answer finishes it', async () => {
    const holding = { sender: 'bot' as const, text: '正在为您转接人工客服' };
    assert.deepEqual(await poll(take({ delivered: [holding], conversationStatus: 'queued' })), { texts: [holding.text], final: false });
    assert.deepEqual(
      await poll(take({ delivered: [holding, { sender: 'agent', text: '您好，我是小王' }], conversationStatus: 'assigned' })),
      { texts: [holding.text, '您好，我是小王'], final: true },
    );
  });

  test('a turn that wrote nothing (a person already had the chat closed) finishes empty', async () => {
    assert.deepEqual(await poll(take({ conversationStatus: 'closed' })), { texts: [], final: true });
  });

  test('half a minute before the platform gives up, the bubble is finished with whatever it has', async () => {
    const waiting = take({ delivered: [{ sender: 'bot', text: '正在为您转接人工客服' }], conversationStatus: 'assigned' });
    assert.equal((await poll(waiting, WINDOW_MS - 31_000)).final, false);
    assert.equal((await poll(waiting, WINDOW_MS - 30_000)).final, true);
    assert.equal((await poll(take({ unanswered: true }), WINDOW_MS)).final, true);
  });

  test('a message we never stored gets a finished, empty bubble', async () => {
    assert.deepEqual(await poll(null), { texts: [], final: true });
  });
});
