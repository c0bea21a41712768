import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, TARGET_ANSWERED_CORRECTLY, TARGET_MAX_WRONG } from '../eval/run-eval.js';

test('the knowledge-base pipeline meets the public eval targets at the default threshold', async () => {
  const summary = await evaluate();
  const misses = summary.results.filter((r) => r.outcome === 'wrong').map((r) => `${r.case.question} → ${r.reply}`);
  assert.ok(summary.results.length >= 40);
  assert.ok(
    summary.answeredCorrectly >= TARGET_ANSWERED_CORRECTLY,
    `answered correctly ${(summary.answeredCorrectly * 100).toFixed(1)} %`,
  );
  assert.ok(summary.wrong <= TARGET_MAX_WRONG, `wrong ${(summary.wrong * 100).toFixed(1)} %: ${misses.join('; ')}`);
});

test('every question that expects a human gets one', async () => {
  const summary = await evaluate();
  const answered = summary.results.filter((r) => r.case.expect === 'handoff' && r.outcome !== 'handoff');
  assert.deepEqual(answered.map((r) => r.case.question), []);
});

test('the eval can fail: with the threshold at 0, questions no rule catches are answered wrongly', async () => {
  const summary = await evaluate({ threshold: 0 });
  assert.ok(summary.wrong > TARGET_MAX_WRONG);
});
