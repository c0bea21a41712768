import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVAL_DEV_PATH } from '../eval/eval-sets.js';
import { evaluate, readEvalCases, type EvalSummary } from '../eval/run-eval.js';

/**
 * The offline eval (issue 12) on the sets the code may be tuned on: the public set and the dev split
 * of the held-out questions. The test split is the lead's acceptance check (`npm run eval`) and is
 * never read here. Floors sit a little under the measured figures (public 90.0 % / 0 % / 100 %;
 * dev, 432 questions, writers 1–5: 60.2 % / 1.2 % / 97.8 %, top-1 86.4 %, top-5 98.3 %, AUROC 0.91),
 * so a regression fails and noise does not; dev's wrong-answer ceiling is the product target, 2 %.
 */

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const wrongOnes = (s: EvalSummary) => s.results.filter((r) => r.outcome === 'wrong').map((r) => `${r.case.question} → ${r.reply}`);

test('public set: most answerable questions answered, few wrong answers, out-of-scope handed off', async () => {
  const s = await evaluate();
  assert.ok(s.results.length >= 40);
  assert.ok(s.answeredCorrectly >= 0.85, `answered correctly ${pct(s.answeredCorrectly)}`);
  assert.ok(s.wrong <= 0.025, `wrong ${pct(s.wrong)}: ${wrongOnes(s).join('; ')}`);
  assert.ok(s.outOfScopeHandedOff >= 0.9, `out-of-scope handed off ${pct(s.outOfScopeHandedOff)}`);
});

test('dev split: answered correctly, wrong answers, handoffs, retrieval and AUROC stay at their measured level', async () => {
  const s = await evaluate({ setPath: EVAL_DEV_PATH });
  assert.ok(s.results.length >= 400);
  assert.ok(s.answeredCorrectly >= 0.58, `answered correctly ${pct(s.answeredCorrectly)}`);
  assert.ok(s.wrong <= 0.02, `wrong ${pct(s.wrong)}: ${wrongOnes(s).join('; ')}`);
  assert.ok(s.outOfScopeHandedOff >= 0.95, `out-of-scope handed off ${pct(s.outOfScopeHandedOff)}`);
  assert.ok(s.top1 >= 0.85 && s.top5 >= 0.97, `top-1 ${pct(s.top1)} top-5 ${pct(s.top5)}`);
  assert.ok(s.auroc >= 0.9, `AUROC ${s.auroc.toFixed(3)}`);
});

test('the eval can fail: with the threshold at 0, questions no rule catches are answered wrongly', async () => {
  const s = await evaluate({ setPath: EVAL_DEV_PATH, threshold: 0 });
  assert.ok(s.wrong > 0.02, `wrong ${pct(s.wrong)}`);
  assert.ok(s.outOfScopeHandedOff < 0.92);
});

test('a search factory replaces the lexical search (the fused search plugs in here)', async () => {
  const cases = readEvalCases(EVAL_DEV_PATH).slice(0, 10);
  const s = await evaluate({ cases, search: () => ({ search: async () => [] }) });
  assert.equal(s.top5, 0);
  assert.ok(s.results.every((r) => r.outcome === 'handoff'));
});

test('leave-one-writer-out: one held-out part per writer, each holding only that writer', async () => {
  const { writerParts } = await import('../eval/cross-validate.js');
  const cases = readEvalCases(EVAL_DEV_PATH);
  const parts = writerParts(cases.map((c) => ({ case: c })));
  assert.deepEqual(parts.map((p) => p.writer), [1, 2, 3, 4, 5]);
  for (const p of parts) assert.ok(p.rows.every((r) => r.case.writer === p.writer));
  assert.equal(parts.reduce((s, p) => s + p.rows.length, 0), cases.length);
});
