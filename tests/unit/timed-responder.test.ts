import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelUnavailableError } from '../../src/domain/errors.js';
import { createMetrics, timedResponder } from '../../src/metrics.js';
import type { Responder, ResponderInput } from '../../src/ports/responder.js';
import { deferred } from '../support/deferred.js';

const input: ResponderInput = { modelName: 'm', systemPrompt: '', knowledge: [], history: [], question: '包邮吗' };

async function observed(metrics: ReturnType<typeof createMetrics>): Promise<Map<string, { count: number; sum: number }>> {
  const byOutcome = new Map<string, { count: number; sum: number }>();
  for (const v of (await metrics.modelSeconds.get()).values) {
    const outcome = String(v.labels.outcome);
    const seen = byOutcome.get(outcome) ?? { count: 0, sum: 0 };
    if (v.metricName === 'kefu_model_seconds_count') seen.count = v.value;
    if (v.metricName === 'kefu_model_seconds_sum') seen.sum = v.value;
    byOutcome.set(outcome, seen);
  }
  return byOutcome;
}

test('kefu_model_seconds times the answer call only, from the call to its result', async () => {
  const metrics = createMetrics({ queueDepth: async () => 0, outboxPending: async () => 0 });
  const reply = deferred();
  const inner: Responder = { answer: async () => { await reply.promise; return { text: '包邮', confidence: 0.9 }; } };
  const answering = timedResponder(inner, metrics.modelSeconds).answer(input);
  assert.equal((await observed(metrics)).size, 0, 'nothing is observed before the answer arrives');
  await new Promise((r) => setTimeout(r, 30));
  reply.resolve();
  assert.deepEqual(await answering, { text: '包邮', confidence: 0.9 });
  const ok = (await observed(metrics)).get('ok');
  assert.equal(ok?.count, 1);
  assert.ok(ok.sum >= 0.025, `the wait for the answer is counted (${ok.sum} s)`);
});

test('a model that cannot answer is observed as unavailable, anything else as error, and the error still reaches the turn', async () => {
  const metrics = createMetrics({ queueDepth: async () => 0, outboxPending: async () => 0 });
  const down = timedResponder({ answer: async () => { throw new ModelUnavailableError('timeout'); } }, metrics.modelSeconds);
  await assert.rejects(down.answer(input), ModelUnavailableError);
  const broken = timedResponder({ answer: async () => { throw new TypeError('bug'); } }, metrics.modelSeconds);
  await assert.rejects(broken.answer(input), TypeError);
  const seen = await observed(metrics);
  assert.equal(seen.get('unavailable')?.count, 1);
  assert.equal(seen.get('error')?.count, 1);
  assert.equal(seen.get('ok'), undefined);
});

test('the model health is forwarded for the model handback (issue 11), and stays absent where the responder has none', () => {
  const metrics = createMetrics({ queueDepth: async () => 0, outboxPending: async () => 0 });
  const since = new Date('2024-05-01T10:00:00Z');
  let available = false;
  const withBreaker: Responder = { answer: async () => ({ text: '包邮', confidence: 0.9 }), health: () => ({ available, since }) };
  const timed = timedResponder(withBreaker, metrics.modelSeconds);
  assert.deepEqual(timed.health?.(), { available: false, since });
  available = true;
  assert.deepEqual(timed.health?.(), { available: true, since }, 'asked each time, not copied once');
  const knowledgeBase = timedResponder({ answer: async () => ({ text: '包邮', confidence: 0.9 }) }, metrics.modelSeconds);
  assert.equal(typeof knowledgeBase.health, 'undefined');
});
