import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import type { Channel } from '../../src/domain/channel.js';
import { PlatformError } from '../../src/domain/errors.js';
import type { AppEvent } from '../../src/ports/event-bus.js';
import { retryDelayMs, sendOutboxMessage } from '../../src/usecases/send-outbox-message.js';
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
  type SendBehaviour,
} from '../support/fake-ports.js';

const transient = (message = 'system busy') => new PlatformError(message, { retryable: true, platformCode: '-1' });
const permanent = (message = 'invalid user') => new PlatformError(message, { retryable: false, platformCode: '40003' });
const unknownOutcome = () => new PlatformError('socket hang up after write', { retryable: true, outcomeUnknown: true });

interface Setup {
  attempts?: number;
  script?: SendBehaviour[];
  safeToResend?: boolean;
  channel?: Channel | null;
  withAdapter?: boolean;
  maxSendAttempts?: number;
}

function setup(opts: Setup = {}) {
  const outbox = new FakeOutboxStore();
  const row = outbox.add({ outboxId: 'o1', attempts: opts.attempts ?? 1, text: '您好，已发货', contactExternalId: 'wx-user-9', messageId: 'm1', conversationId: 'conv-1', channelId: 'ch-1' });
  const channel = opts.channel === undefined ? makeChannel({ id: 'ch-1', kind: 'wecom_app' }) : opts.channel;
  const adapter = new FakeChannelAdapter('wecom_app', opts.safeToResend ?? false, opts.script);
  const queue = new FakeJobQueue();
  const events = new FakeEventBus();
  const log = new FakeLog();
  const deps = fakeDeps({
    outbox,
    channels: new FakeChannelDirectory(channel ? [channel] : []),
    adapters: new FakeAdapterRegistry(opts.withAdapter === false ? [] : [adapter]),
    queue,
    events,
    log,
    settings: { maxSendAttempts: opts.maxSendAttempts ?? 3, sendLeaseMs: 12_345 },
  });
  return { deps, outbox, row, adapter, queue, events, log };
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

  test('a retryable PlatformError goes back to pending with backoff and a delayed send job', async () => {
    const { deps, outbox, queue, events, log } = setup({ attempts: 1, script: [transient('system busy')] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
    assert.deepEqual(outbox.ops(), ['claim', 'markRetry']);
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

  test('after maxSendAttempts a retryable error marks the row failed', async () => {
    const { deps, outbox, queue, events } = setup({ attempts: 3, maxSendAttempts: 3, script: [transient('system busy')] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.deepEqual(outbox.calls.slice(1), [{ op: 'markFailed', outboxId: 'o1', error: 'system busy' }]);
    assert.deepEqual(queue.jobs, []);
    assert.deepEqual(events.published, [statusEvent('failed')]);
  });

  test('one attempt below the limit still retries', async () => {
    const { deps } = setup({ attempts: 2, maxSendAttempts: 3, script: [transient()] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'retry');
  });

  test('a non-retryable error marks the row failed at the first attempt', async () => {
    const { deps, outbox, queue, events, log } = setup({ attempts: 1, script: [permanent('invalid user')] });
    assert.equal(await sendOutboxMessage(deps, 'o1'), 'failed');
    assert.deepEqual(outbox.calls.slice(1), [{ op: 'markFailed', outboxId: 'o1', error: 'invalid user' }]);
    assert.deepEqual(queue.jobs, []);
    assert.deepEqual(events.published, [statusEvent('failed')]);
    assert.deepEqual(log.at('warn')[0].obj, { outboxId: 'o1', code: '40003' });
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
    assert.ok(delays[8] > delays[0]);
  });

  test('is capped at 5 minutes, with jitter below the cap', () => {
    assert.equal(retryDelayMs(10, () => 1), 300_000);
    assert.equal(retryDelayMs(50, () => 1), 300_000);
    assert.equal(retryDelayMs(5000, () => 1), 300_000);
    assert.equal(retryDelayMs(50, () => 0), 150_000);
  });

  test('uses Math.random when no random function is given, within the step', () => {
    for (let i = 0; i < 50; i++) {
      const d = retryDelayMs(3);
      assert.ok(d >= 2000 && d <= 4000, String(d));
    }
  });
});
