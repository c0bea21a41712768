import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import type { Channel } from '../../src/domain/channel.js';
import type { ConversationStatus, HandoffReason } from '../../src/domain/conversation.js';
import { PlatformError } from '../../src/domain/errors.js';
import type { ConversationStore, NewOutgoing } from '../../src/ports/conversation-store.js';
import type { AppEvent } from '../../src/ports/event-bus.js';
import { BACKOFF_CAP_MS, retryDelayMs } from '../../src/usecases/delivery-policy.js';
import { NOTICE_WAIT_MS } from '../../src/usecases/give-up-delivery.js';
import { sendOutboxMessage } from '../../src/usecases/send-outbox-message.js';
import {
  FakeAdapterRegistry,
  FakeChannelAdapter,
  FakeChannelDirectory,
  FakeEventBus,
  FakeJobQueue,
  FakeLog,
  FakeOutboxStore,
  fakeDeps,
  makeChannel,
  makeContact,
  makeConversation,
  unused,
  type SendBehaviour,
} from '../support/fake-ports.js';

const T0 = new Date('2026-03-02T08:00:00Z').getTime();
const WINDOW_MS = 600_000;

const transient = (message = 'system busy') => new PlatformError(message, { retryable: true, platformCode: '-1' });
const permanent = (message = 'invalid user') => new PlatformError(message, { retryable: false, platformCode: '40003' });
const unknownOutcome = () => new PlatformError('socket hang up after write', { retryable: true, outcomeUnknown: true });
const refusedForHuman = () => new PlatformError('a human holds this session', { retryable: false, needsHuman: true, platformCode: '95018' });

/** The few ConversationStore calls a handoff makes, on one conversation. */
function handoffStore(status: ConversationStatus = 'bot') {
  const state = { status, moves: [] as { from: string; to: string; reason?: HandoffReason | null; note: string | null }[], added: [] as NewOutgoing[] };
  const store: ConversationStore = {
    ...unused<ConversationStore>('store'),
    get: async (id) => ({ ...makeConversation({ id, status: state.status }), contact: makeContact(), lastMessage: null, replyWindow: { lastCustomerAt: null, sentSince: 0 }, waitingSince: null }),
    transition: async (id, from, to, fields, note) => {
      if (state.status !== from) return null;
      state.status = to;
      state.moves.push({ from, to, reason: fields.handoffReason, note });
      return makeConversation({ id, status: to, handoffReason: fields.handoffReason ?? null });
    },
    addOutgoing: async (input) => {
      state.added.push(input);
      return { messageId: `m-notice-${state.added.length}`, outboxId: `o-notice-${state.added.length}` };
    },
  };
  return { store, state };
}

interface Setup {
  attempts?: number;
  script?: SendBehaviour[];
  safeToResend?: boolean;
  channel?: Channel | null;
  withAdapter?: boolean;
  /** How long after the row was queued the send runs. */
  ageMs?: number;
  retryUntil?: Date | null;
  adapterWindowMs?: number;
  conversationStatus?: ConversationStatus;
  sender?: 'bot' | 'agent';
}

function setup(opts: Setup = {}) {
  const outbox = new FakeOutboxStore({ queuedAt: new Date(T0) });
  const row = outbox.add({
    outboxId: 'o1', attempts: opts.attempts ?? 1, text: '您好，已发货', contactExternalId: 'wx-user-9', messageId: 'm1', conversationId: 'conv-1', channelId: 'ch-1',
    retryUntil: opts.retryUntil ?? null, sender: opts.sender ?? 'bot',
  });
  const channel = opts.channel === undefined ? makeChannel({ id: 'ch-1', kind: 'wecom_app' }) : opts.channel;
  const adapter = Object.assign(new FakeChannelAdapter('wecom_app', opts.safeToResend ?? false, opts.script), { retryWindowMs: opts.adapterWindowMs });
  const queue = new FakeJobQueue();
  const events = new FakeEventBus();
  const log = new FakeLog();
  const clock = { at: T0 + (opts.ageMs ?? 1000), now: () => new Date(clock.at) };
  const { store, state } = handoffStore(opts.conversationStatus);
  const deps = fakeDeps({
    outbox,
    store,
    channels: new FakeChannelDirectory(channel ? [channel] : []),
    adapters: new FakeAdapterRegistry(opts.withAdapter === false ? [] : [adapter]),
    queue,
    events,
    log,
    clock,
    settings: { sendRetryWindowMs: WINDOW_MS, sendLeaseMs: 12_345 },
  });
  return { deps, outbox, row, adapter, queue, events, log, clock, conversation: state };
}

const statusEvent = (status: string): AppEvent => ({ type: 'message.status', conversationId: 'conv-1', channelId: 'ch-1', messageId: 'm1', status });

describe('sendOutboxMessage', () => {
  test('delivers through the channel adapter and marks the row sent', async () => {
    const { deps, outbox, adapter, queue, events } = setup({ script: [{ platformMessageId: 'wx-msg-1' }] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'sent');
    assert.deepEqual(adapter.sent, [{ channelId: 'ch-1', to: { externalId: 'wx-user-9', address: {} }, message: { outboxId: 'o1', messageId: 'm1', sender: 'bot', text: '您好，已发货', replyCode: undefined } }]);
    assert.deepEqual(outbox.calls, [
      { op: 'claim', outboxId: 'o1', leaseMs: 12_345 },
      { op: 'markSent', outboxId: 'o1', platformMessageId: 'wx-msg-1' },
    ]);
    assert.deepEqual(outbox.health, [], 'a healthy channel costs no probe bookkeeping');
    assert.deepEqual(events.published, [statusEvent('sent')]);
    assert.deepEqual(queue.jobs, []);
  });

  test('a receipt without a platform id is stored as null', async () => {
    const { deps, outbox } = setup({ script: [{}] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'sent');
    assert.deepEqual(outbox.calls[1], { op: 'markSent', outboxId: 'o1', platformMessageId: null });
  });

  test('a row another worker holds (claim → null) is skipped without calling the platform', async () => {
    const { deps, outbox, adapter, events } = setup();
    assert.equal(await sendOutboxMessage(deps, 'not-claimable'), 'skipped');
    assert.deepEqual(outbox.ops(), ['claim']);
    assert.deepEqual(adapter.sent, []);
    assert.deepEqual(events.published, []);
  });

  test('a retryable PlatformError marks the channel failing, with this row as its probe, and retries it with backoff', async () => {
    const { deps, outbox, queue, events, log } = setup({ attempts: 1, script: [transient('system busy')] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
    assert.deepEqual(outbox.ops(), ['claim', 'markRetry']);
    assert.deepEqual(outbox.health, ['recordFailure o1']);
    const retry = outbox.calls[1] as { op: 'markRetry'; error: string; delayMs: number };
    assert.equal(retry.error, 'system busy');
    assert.ok(retry.delayMs >= 500 && retry.delayMs <= 1000, `first retry delay ${retry.delayMs} outside 0.5–1 s`);
    assert.deepEqual(queue.jobs, [{ name: 'send', data: { outboxId: 'o1' }, opts: { jobId: 'send-o1-2', delayMs: retry.delayMs } }]);
    assert.deepEqual(events.published, [], 'a retry is not announced as a final status');
    assert.equal(log.at('warn').length, 1);
  });

  test('a later retry waits longer and gets the next attempt number as job id', async () => {
    const { deps, outbox, queue } = setup({ attempts: 2, script: [transient()] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
    const retry = outbox.calls[1] as { op: 'markRetry'; delayMs: number };
    assert.ok(retry.delayMs >= 1000 && retry.delayMs <= 2000, `second retry delay ${retry.delayMs} outside 1–2 s`);
    assert.equal(queue.jobs[0].opts.jobId, 'send-o1-3');
  });

  test('however many attempts failed, a send inside its window is retried, never failed (no attempt limit)', async () => {
    const { deps, outbox, queue, conversation } = setup({ attempts: 40, ageMs: WINDOW_MS - 120_000, script: [transient()] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
    const retry = outbox.calls[1] as { op: 'markRetry'; delayMs: number };
    assert.ok(retry.delayMs >= BACKOFF_CAP_MS / 2 && retry.delayMs <= BACKOFF_CAP_MS, `delay ${retry.delayMs} outside the capped step`);
    assert.equal(queue.jobs.length, 1);
    assert.deepEqual(conversation.moves, []);
  });

  test('the last retry is due at the deadline, not after it', async () => {
    const { deps, outbox, queue } = setup({ attempts: 12, ageMs: WINDOW_MS - 2_000, script: [transient()] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
    assert.equal((outbox.calls[1] as { delayMs: number }).delayMs, 2_000);
    assert.equal(queue.jobs[0].opts.delayMs, 2_000);
  });

  test('the channel adapter\'s window applies where it is shorter than SEND_RETRY_WINDOW_S', async () => {
    const short = setup({ adapterWindowMs: 60_000, ageMs: 60_000, script: [transient()] });
    assert.equal(await sendOutboxMessage(short.deps, 'o1'), 'failed');
    assert.deepEqual(short.adapter.sent, [], 'past the adapter\'s window nothing is sent');
    const long = setup({ adapterWindowMs: 10 * WINDOW_MS, ageMs: WINDOW_MS, script: [transient()] });
    assert.equal(await sendOutboxMessage(long.deps, 'o1'), 'failed', 'SEND_RETRY_WINDOW_S caps a longer platform window');
    const inside = setup({ adapterWindowMs: 10 * WINDOW_MS, ageMs: WINDOW_MS - 1, script: [{}] });
    assert.equal(await sendOutboxMessage(inside.deps, 'o1'), 'sent');
  });

  test('a bot reply still failing when its window closes is failed, handed to a person (delivery_failed) and the holding message is queued', async () => {
    const { deps, outbox, adapter, queue, events, conversation } = setup({ attempts: 9, ageMs: WINDOW_MS - 500, script: [transient('errcode -1 system busy')] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
    deps.clock = { now: () => new Date(T0 + WINDOW_MS) };
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.equal(adapter.sent.length, 1, 'no attempt once the window has closed');
    const failed = outbox.calls.find((c) => c.op === 'markFailed') as { error: string };
    assert.match(failed.error, /retry window/);
    assert.deepEqual(outbox.health, ['recordFailure o1', 'releaseProbe o1']);
    assert.deepEqual(conversation.moves.map((m) => [m.from, m.to, m.reason]), [['bot', 'queued', 'delivery_failed']]);
    assert.deepEqual(conversation.added, [{ conversationId: 'conv-1', sender: 'bot', kind: 'text', text: '已为您转接人工客服，请稍候~' }]);
    assert.deepEqual(outbox.retryUntil.get('o-notice-1'), new Date(T0 + WINDOW_MS + NOTICE_WAIT_MS), 'the notice waits for the platform past the usual window');
    assert.deepEqual(queue.jobs.at(-1), { name: 'send', data: { outboxId: 'o-notice-1' }, opts: { jobId: 'send-o-notice-1-1', delayMs: 0 } });
    assert.deepEqual(events.published.filter((e) => e.type !== 'conversation.updated'), [
      statusEvent('failed'),
      { type: 'message.added', conversationId: 'conv-1', channelId: 'ch-1', messageId: 'm-notice-1', sender: 'bot' },
    ]);
    assert.ok(events.published.some((e) => e.type === 'conversation.updated' && e.status === 'queued'));
  });

  test('a failure that leaves no time before the deadline gives up at once', async () => {
    const { deps, queue, conversation } = setup({ ageMs: WINDOW_MS, script: [{}] });
    deps.clock = { now: () => new Date(T0 + WINDOW_MS - 1) };
    const adapter = deps.adapters.get('wecom_app') as FakeChannelAdapter;
    adapter.send = async () => {
      deps.clock = { now: () => new Date(T0 + WINDOW_MS + 1) }; // the call outlasted the window
      throw transient();
    };
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.equal(conversation.status, 'queued');
    assert.deepEqual(queue.jobs.map((j) => j.data.outboxId), ['o-notice-1']);
  });

  test('a conversation already with a person gets no holding message when a reply fails for good', async () => {
    const { deps, conversation, events } = setup({ ageMs: WINDOW_MS, conversationStatus: 'assigned' });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.deepEqual(conversation.moves, []);
    assert.deepEqual(conversation.added, []);
    assert.ok(events.published.some((e) => e.type === 'message.status' && e.status === 'failed'), 'agents still see the failed row');
  });

  test('an agent message that fails for good queues no holding message', async () => {
    const { deps, conversation } = setup({ ageMs: WINDOW_MS, sender: 'agent', conversationStatus: 'bot' });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.deepEqual(conversation.added, []);
  });

  test('a holding notice keeps waiting for its platform past the usual window, until its own deadline', async () => {
    const until = new Date(T0 + NOTICE_WAIT_MS);
    const waitingOn = setup({ ageMs: 3 * WINDOW_MS, retryUntil: until, script: [transient()], conversationStatus: 'queued' });
    assert.equal(await sendOutboxMessage(waitingOn.deps, 'o1'), 'retry');
    const expired = setup({ ageMs: NOTICE_WAIT_MS, retryUntil: until, conversationStatus: 'queued' });
    assert.equal(await sendOutboxMessage(expired.deps, 'o1'), 'failed');
    assert.deepEqual(expired.adapter.sent, []);
    assert.deepEqual(expired.conversation.added, [], 'a notice that fails queues no other notice');
  });

  test('a holding notice past the usual window is not resent after an unknown outcome: the platform\'s dedupe may have lapsed', async () => {
    const { deps, outbox, queue } = setup({ ageMs: 2 * WINDOW_MS, retryUntil: new Date(T0 + NOTICE_WAIT_MS), safeToResend: true, script: [unknownOutcome()] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'unknown');
    assert.deepEqual(outbox.calls.slice(1), [{ op: 'markUnknown', outboxId: 'o1', error: 'socket hang up after write' }]);
    assert.deepEqual(queue.jobs, []);
  });

  test('a non-retryable error marks the row failed at the first attempt', async () => {
    const { deps, outbox, queue, events, log } = setup({ attempts: 1, script: [permanent('invalid user')] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.deepEqual(outbox.calls.slice(1), [{ op: 'markFailed', outboxId: 'o1', error: 'invalid user' }]);
    assert.deepEqual(queue.jobs, []);
    assert.deepEqual(events.published, [statusEvent('failed')]);
    assert.deepEqual(log.at('warn')[0].obj, { outboxId: 'o1', code: '40003' });
  });

  test('a refusal only a person can resolve hands the conversation over without a holding message', async () => {
    const { deps, conversation } = setup({ script: [refusedForHuman()] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.deepEqual(conversation.moves.map((m) => [m.from, m.to, m.reason]), [['bot', 'queued', 'delivery_failed']]);
    assert.deepEqual(conversation.added, [], 'the platform would refuse the notice for the same reason');
  });

  test('an unknown outcome on a platform that cannot dedupe is marked unknown and not resent', async () => {
    const { deps, outbox, queue, events } = setup({ safeToResend: false, script: [unknownOutcome()] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'unknown');
    assert.deepEqual(outbox.calls.slice(1), [{ op: 'markUnknown', outboxId: 'o1', error: 'socket hang up after write' }]);
    assert.deepEqual(queue.jobs, []);
    assert.deepEqual(events.published, [statusEvent('unknown')]);
  });

  test('an unknown outcome where resending is safe is retried', async () => {
    const { deps, outbox, queue } = setup({ safeToResend: true, script: [unknownOutcome()] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
    assert.deepEqual(outbox.ops(), ['claim', 'markRetry']);
    assert.equal(queue.jobs.length, 1);
  });

  test('an error that is not a PlatformError is treated as transient', async () => {
    const { deps, outbox } = setup({ script: [new TypeError('fetch failed')] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
    assert.equal((outbox.calls[1] as { error: string }).error, 'fetch failed');
  });

  test('a turned-off channel fails the row without calling the platform', async () => {
    const { deps, outbox, adapter, events } = setup({ channel: makeChannel({ id: 'ch-1', kind: 'wecom_app', enabled: false }) });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.deepEqual(outbox.calls.slice(1), [{ op: 'markFailed', outboxId: 'o1', error: 'channel is turned off' }]);
    assert.deepEqual(adapter.sent, []);
    assert.deepEqual(events.published, [statusEvent('failed')]);
  });

  test('a deleted channel fails the row', async () => {
    const { deps, outbox, adapter } = setup({ channel: null });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.deepEqual(outbox.calls.slice(1), [{ op: 'markFailed', outboxId: 'o1', error: 'channel deleted' }]);
    assert.deepEqual(adapter.sent, []);
  });

  test('a channel kind without an adapter in this build fails the row', async () => {
    const { deps, outbox } = setup({ withAdapter: false });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.deepEqual(outbox.calls.slice(1), [{ op: 'markFailed', outboxId: 'o1', error: 'no adapter for wecom_app' }]);
  });

  test('an event bus outage does not fail a delivered send', async () => {
    const { deps, outbox } = setup();
    deps.events = Object.assign(new FakeEventBus(), { publish: () => Promise.reject(new Error('redis down')) });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'sent');
    await tick();
    assert.deepEqual(outbox.ops(), ['claim', 'markSent']);
  });

  test('a queue outage during a retry is logged, and the row is still pending for the sweeper', async () => {
    const { deps, outbox, queue, log } = setup({ script: [transient()] });
    queue.failWith = new Error('redis down');
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
    await tick();
    assert.deepEqual(outbox.ops(), ['claim', 'markRetry']);
    assert.ok(log.at('warn').some((e) => (e.obj as { err?: string }).err === 'redis down'));
  });
});

describe('probe, then drain (issue 11)', () => {
  /** Three replies of one channel, queued together. */
  function outage(script: SendBehaviour[]) {
    const s = setup({ script });
    for (const id of ['o2', 'o3']) s.outbox.add({ outboxId: id, messageId: `m-${id}`, contactExternalId: `wx-${id}` });
    const sentTo = () => s.adapter.sent.map((c) => c.message.outboxId);
    return { ...s, sentTo };
  }

  test('while the platform fails, only the probe calls it; the others wait without a job and without using an attempt', async () => {
    const { deps, outbox, queue, sentTo } = outage([transient()]);
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
    assert.equal(await sendOutboxMessage(deps, 'o2'), 'waiting');
    assert.equal(await sendOutboxMessage(deps, 'o3'), 'waiting');
    assert.deepEqual(sentTo(), ['o1']);
    assert.deepEqual(outbox.waits.map((w) => w.outboxId), ['o2', 'o3']);
    for (const w of outbox.waits) {
      assert.ok(w.delayMs >= BACKOFF_CAP_MS / 2 && w.delayMs <= BACKOFF_CAP_MS, `wait ${w.delayMs} outside the cap's upper half`);
    }
    assert.deepEqual(queue.jobs.map((j) => j.data.outboxId), ['o1'], 'only the probe has a retry job; the sweeper wakes the rest');
    // Woken again while the probe still fails: still waiting, still not calling.
    assert.equal(await sendOutboxMessage(deps, 'o2'), 'waiting');
    assert.deepEqual(sentTo(), ['o1']);
  });

  test('a waiting row looks again no later than its own deadline', async () => {
    const { deps, outbox, clock } = outage([transient()]);
    await sendOutboxMessage(deps, 'o1');
    clock.at = T0 + WINDOW_MS - 5_000;
    assert.equal(await sendOutboxMessage(deps, 'o2'), 'waiting');
    assert.equal(outbox.waits[0].delayMs, 5_000);
  });

  test('the first success drains the rest: they go out after it, once each', async () => {
    const { deps, outbox, sentTo } = outage([transient(), { platformMessageId: 'ok' }]);
    await sendOutboxMessage(deps, 'o1');
    await sendOutboxMessage(deps, 'o2');
    await sendOutboxMessage(deps, 'o3');
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'sent', 'the probe succeeds');
    assert.equal(outbox.health.at(-1), 'recordRecovery');
    assert.equal(outbox.failing, false);
    assert.equal(await sendOutboxMessage(deps, 'o2'), 'sent');
    assert.equal(await sendOutboxMessage(deps, 'o3'), 'sent');
    assert.deepEqual(sentTo(), ['o1', 'o1', 'o2', 'o3']);
    assert.equal(await sendOutboxMessage(deps, 'o2'), 'skipped', 'a sent row is never claimed again');
  });

  test('a row a drain woke sends even if its claim still saw the channel failing', async () => {
    const { deps, outbox, sentTo } = outage([transient(), {}]);
    await sendOutboxMessage(deps, 'o1');
    await sendOutboxMessage(deps, 'o2');
    outbox.failing = false; // healed by another process between o2's claim and its probe check
    outbox.probe = null;
    assert.equal(await sendOutboxMessage(deps, 'o2'), 'sent');
    assert.deepEqual(sentTo(), ['o1', 'o2']);
  });

  test('a refusal also proves the platform answers again: the waiting rows are drained', async () => {
    const { deps, outbox } = outage([transient(), permanent()]);
    await sendOutboxMessage(deps, 'o1');
    await sendOutboxMessage(deps, 'o2');
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.equal(outbox.health.at(-1), 'recordRecovery');
  });

  test('when the probe gives up, the next waiting row probes', async () => {
    const { deps, outbox, clock, sentTo } = outage([transient()]);
    outbox.add({ outboxId: 'o4', queuedAt: new Date(T0 + 30_000) });
    await sendOutboxMessage(deps, 'o1');
    await sendOutboxMessage(deps, 'o4');
    clock.at = T0 + WINDOW_MS;
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.equal(outbox.probe, null);
    assert.equal(await sendOutboxMessage(deps, 'o4'), 'retry', 'o4 has 30 s of its window left and probes');
    assert.deepEqual(sentTo(), ['o1', 'o4']);
  });

  test('a row that failed alongside the probe waits like the others', async () => {
    const { deps, outbox, queue } = outage([transient()]);
    outbox.probe = 'o1'; // o1 failed first; o2 was claimed before the channel was known to fail
    assert.equal(await sendOutboxMessage(deps, 'o2'), 'retry');
    const retry = outbox.calls.find((c) => c.op === 'markRetry') as { delayMs: number };
    assert.ok(retry.delayMs >= BACKOFF_CAP_MS / 2, 'it waits for the probe, not on its own backoff');
    assert.deepEqual(queue.jobs, [], 'the sweeper wakes it, or the drain');
  });
});

describe('retryDelayMs', () => {
  test('doubles per attempt from 1 s: the jitter spans the upper half of each step', () => {
    const low = () => 0;
    const high = () => 1;
    assert.deepEqual([1, 2, 3, 4].map((a) => retryDelayMs(a, low)), [500, 1000, 2000, 4000]);
    assert.deepEqual([1, 2, 3, 4].map((a) => retryDelayMs(a, high)), [1000, 2000, 4000, 8000]);
    assert.equal(retryDelayMs(1, () => 0.5), 750);
  });

  test('attempt 0 is treated like attempt 1', () => {
    assert.equal(retryDelayMs(0, () => 1), 1000);
  });

  test('grows with every attempt until the cap', () => {
    const mid = () => 0.5;
    const delays = Array.from({ length: 12 }, (_, i) => retryDelayMs(i + 1, mid));
    for (let i = 1; i < delays.length; i++) assert.ok(delays[i] >= delays[i - 1], `attempt ${i + 1} waits less than attempt ${i}`);
    assert.ok(delays[6] > delays[0]);
  });

  test('is capped at 60 s, so a recovered platform is noticed within a minute', () => {
    assert.equal(BACKOFF_CAP_MS, 60_000);
    assert.equal(retryDelayMs(7, () => 1), 60_000);
    assert.equal(retryDelayMs(50, () => 1), 60_000);
    assert.equal(retryDelayMs(5000, () => 1), 60_000);
    assert.equal(retryDelayMs(50, () => 0), 30_000);
  });

  test('uses Math.random when no random function is given, within the step', () => {
    for (let i = 0; i < 50; i++) {
      const d = retryDelayMs(3);
      assert.ok(d >= 2000 && d <= 4000, String(d));
    }
  });
});
