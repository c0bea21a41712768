import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { confidenceFromLogprobs, LOGPROB_FLOOR } from '../../src/domain/confidence.js';

const toks = (...lps: number[]) => lps.map((logprob) => ({ logprob }));

describe('confidenceFromLogprobs', () => {
  test('is 0 for an empty reply', () => {
    assert.equal(confidenceFromLogprobs([]), 0);
  });

  test('is 1 when every token is certain', () => {
    assert.equal(confidenceFromLogprobs(toks(0, 0, 0)), 1);
  });

  test('follows exp(0.7·mean + 0.3·min)', () => {
    const lps = [-0.1, -0.2, -1.5, -0.05];
    const mean = lps.reduce((a, b) => a + b, 0) / lps.length;
    const expected = Math.exp(0.7 * mean + 0.3 * -1.5);
    assert.ok(Math.abs(confidenceFromLogprobs(toks(...lps)) - expected) < 1e-12);
  });

  test('a confident reply scores high and an unsure one low', () => {
    assert.ok(confidenceFromLogprobs(toks(-0.01, -0.02, -0.005, -0.03)) > 0.95);
    assert.ok(confidenceFromLogprobs(toks(-1.2, -2.5, -0.9, -3.1)) < 0.2);
  });

  test('one shaky token lowers a fluent reply more than the mean alone would', () => {
    const fluent = Array.from({ length: 30 }, () => -0.01);
    const withShakyPrice = [...fluent.slice(0, 29), -4];
    const meanOnly = Math.exp(withShakyPrice.reduce((a, b) => a + b, 0) / withShakyPrice.length);
    const conf = confidenceFromLogprobs(toks(...withShakyPrice));
    assert.ok(conf < meanOnly - 0.5, `conf ${conf} vs mean-only ${meanOnly}`);
  });

  test("clamps vLLM's -9999 (for -inf) so one impossible token does not yield NaN or a negative", () => {
    const conf = confidenceFromLogprobs(toks(-0.01, -9999, -0.01));
    assert.ok(Number.isFinite(conf));
    assert.ok(conf >= 0 && conf < 1e-6);
    assert.equal(conf, confidenceFromLogprobs(toks(-0.01, LOGPROB_FLOOR, -0.01)));
  });

  test('treats NaN as the least likely token and positive values as certain', () => {
    assert.equal(confidenceFromLogprobs(toks(Number.NaN)), confidenceFromLogprobs(toks(LOGPROB_FLOOR)));
    assert.equal(confidenceFromLogprobs(toks(0.3)), 1);
  });

  test('stays within [0, 1] and never rises when a token gets less likely', () => {
    let previous = 1;
    for (let lp = 0; lp >= -60; lp -= 0.5) {
      const conf = confidenceFromLogprobs(toks(-0.1, lp, -0.2));
      assert.ok(conf >= 0 && conf <= 1);
      assert.ok(conf <= previous + 1e-15);
      previous = conf;
    }
  });
});
