import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONFIDENCE_MODEL, matchProbability, NEGATIVE_WEIGHT, probabilityFromConfidence, type MatchFeatures } from '../../src/model/score-calibration.js';
import { fitLogistic, predict } from '../eval/logistic.js';
import { auroc } from '../eval/metrics.js';

/** Issue 12: the knowledge responder's confidence model and the figures it is judged by. */

const strong: MatchFeatures = { relative: 1, coverage: 1, margin: 1, unseen: 0, novelShare: 0, noTopic: 0, termShare: 1, unlisted: 0, phrasingCover: 1, clauseRelative: 1 };
const weak: MatchFeatures = { relative: 0.1, coverage: 0.1, margin: 0.05, unseen: 0.3, novelShare: 0.7, noTopic: 0, termShare: 0.5, unlisted: 1, phrasingCover: 0.1, clauseRelative: 0.1 };

describe('confidence model', () => {
  test('a known phrasing clears the default threshold, a loose match does not', () => {
    assert.ok(matchProbability(strong) > 0.9);
    assert.ok(matchProbability(weak) < 0.2);
  });

  test('is monotone: a better match never scores lower, an unlisted entity never higher', () => {
    for (const key of ['relative', 'coverage', 'margin', 'phrasingCover', 'clauseRelative'] as const) {
      assert.ok(CONFIDENCE_MODEL.weights[key] > 0, key);
      assert.ok(matchProbability({ ...weak, [key]: 0.9 }) > matchProbability(weak), key);
    }
    assert.ok(CONFIDENCE_MODEL.weights.unlisted < 0);
    assert.ok(matchProbability({ ...strong, unlisted: 1 }) < matchProbability(strong));
  });

  test('probabilityFromConfidence undoes the cost weighting', () => {
    // confidence = odds(p) / NEGATIVE_WEIGHT as a probability; at 0.5 the odds are 1, so p = W / (1 + W).
    assert.ok(Math.abs(probabilityFromConfidence(0.5) - NEGATIVE_WEIGHT / (1 + NEGATIVE_WEIGHT)) < 1e-9);
    assert.equal(probabilityFromConfidence(0), 0);
    assert.equal(probabilityFromConfidence(1), 1);
    assert.ok(probabilityFromConfidence(0.6) > 0.6);
  });
});

describe('eval figures', () => {
  test('AUROC: 1 when every positive outranks every negative, 0.5 for ties, 0 reversed', () => {
    const pos = (score: number) => ({ score, positive: true });
    const neg = (score: number) => ({ score, positive: false });
    assert.equal(auroc([pos(0.9), pos(0.8), neg(0.2), neg(0.1)]), 1);
    assert.equal(auroc([pos(0.5), neg(0.5)]), 0.5);
    assert.equal(auroc([pos(0.1), neg(0.9)]), 0);
    assert.equal(auroc([pos(0.9), neg(0.8), pos(0.7), neg(0.1)]), 0.75);
  });

  test('logistic fit learns the direction of a separating feature and its cost weighting lowers scores', () => {
    const xs = [[0], [0.1], [0.2], [0.3], [0.7], [0.8], [0.9], [1], [0.45], [0.55]];
    const ys = [false, false, false, false, true, true, true, true, false, true];
    const plain = fitLogistic(xs, ys, 0.001);
    assert.ok(plain.weights[0] > 0);
    assert.ok(predict(plain, [0.9]) > 0.8 && predict(plain, [0.1]) < 0.2);
    const careful = fitLogistic(xs, ys, 0.001, 4);
    assert.ok(predict(careful, [0.6]) < predict(plain, [0.6]));
  });
});
