import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auroc, calibrationCurve, CURVE_THRESHOLDS, isotonicFit, recommendThreshold, type LabelledAnswer } from '../../src/domain/calibration.js';

const labels = (confidence: number, good: number, bad: number): LabelledAnswer[] => [
  ...Array.from({ length: good }, () => ({ confidence, good: true })),
  ...Array.from({ length: bad }, () => ({ confidence, good: false })),
];
const close = (actual: number | null, expected: number, what: string) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

/** issue 12 item 4: the figures an admin picks a threshold from, each checked against a hand computation. */
describe('calibration math', () => {
  test('the thresholds are 0.00 … 1.00 in steps of 0.05, exactly', () => {
    assert.equal(CURVE_THRESHOLDS.length, 21);
    assert.deepEqual(CURVE_THRESHOLDS.slice(0, 4), [0, 0.05, 0.1, 0.15]);
    assert.equal(CURVE_THRESHOLDS.at(-1), 1);
  });

  test('answered and wrong rate (wrong of ALL labelled) at a threshold', () => {
    // 4 labels: 0.9 good, 0.7 bad, 0.5 good, 0.2 bad.
    const set = [...labels(0.9, 1, 0), ...labels(0.7, 0, 1), ...labels(0.5, 1, 0), ...labels(0.2, 0, 1)];
    const at = (t: number) => calibrationCurve(set, [t])[0];
    assert.deepEqual([at(0).answered, at(0).wrongRate], [1, 0.5]);
    assert.deepEqual([at(0.5).answered, at(0.5).wrongRate], [0.75, 0.25]);
    assert.deepEqual([at(0.7).answered, at(0.7).wrongRate], [0.5, 0.25], 'confidence equal to the threshold is answered');
    assert.deepEqual([at(0.75).answered, at(0.75).wrongRate], [0.25, 0]);
    assert.deepEqual([at(1).answered, at(1).wrongRate], [0, 0]);
  });

  test('no labels: zeros, no probability, no recommendation', () => {
    const curve = calibrationCurve([]);
    assert.ok(curve.every((p) => p.answered === 0 && p.wrongRate === 0 && p.probability === null));
    assert.equal(recommendThreshold(curve, 0, 0.01), null);
    assert.equal(auroc([]), null);
  });

  test('recommendation: the lowest threshold within the target, only with enough labels', () => {
    const curve = [
      { threshold: 0.5, answered: 0.8, wrongRate: 0.1, probability: null },
      { threshold: 0.6, answered: 0.6, wrongRate: 0.02, probability: null },
      { threshold: 0.7, answered: 0.5, wrongRate: 0.01, probability: null },
      { threshold: 0.8, answered: 0.3, wrongRate: 0, probability: null },
    ];
    assert.equal(recommendThreshold(curve, 30, 0.01), 0.7);
    assert.equal(recommendThreshold(curve, 30, 0.05), 0.6);
    assert.equal(recommendThreshold(curve, 30, 0.5), 0.5);
    assert.equal(recommendThreshold(curve, 29, 0.5), null, 'fewer than 30 labels');
    assert.equal(recommendThreshold(curve.slice(0, 2), 100, 0.01), null, 'none qualifies');
  });

  test('AUROC: ties count half; perfect and reversed orders', () => {
    assert.equal(auroc([...labels(0.9, 2, 0), ...labels(0.1, 0, 3)]), 1);
    assert.equal(auroc([...labels(0.1, 2, 0), ...labels(0.9, 0, 3)]), 0);
    assert.equal(auroc(labels(0.5, 3, 3)), 0.5);
    // good {0.9, 0.5}, bad {0.5, 0.2}: pairs (0.9>0.5)=1 (0.9>0.2)=1 (0.5=0.5)=0.5 (0.5>0.2)=1 → 3.5/4.
    assert.equal(auroc([...labels(0.9, 1, 0), ...labels(0.5, 1, 1), ...labels(0.2, 0, 1)]), 3.5 / 4);
    assert.equal(auroc(labels(0.5, 3, 0)), null, 'only good answers');
  });

  test('isotonic fit pools adjacent violators and interpolates between blocks', () => {
    // Rates by confidence: 0.2 → 1/2, 0.4 → 0/2 (violates), 0.6 → 3/4, 0.8 → 2/2.
    // Pool 0.2 and 0.4: 1/4 over [0.2, 0.4]; then 0.75 at 0.6 and 1 at 0.8.
    const fit = isotonicFit([...labels(0.2, 1, 1), ...labels(0.4, 0, 2), ...labels(0.6, 3, 1), ...labels(0.8, 2, 0)])!;
    close(fit(0.1), 0.25, 'below the first point: clipped');
    close(fit(0.3), 0.25, 'inside the pooled block');
    close(fit(0.4), 0.25, 'end of the pooled block');
    close(fit(0.5), 0.5, 'halfway between 0.25 at 0.4 and 0.75 at 0.6');
    close(fit(0.7), 0.875, 'halfway between 0.75 and 1');
    close(fit(0.95), 1, 'above the last point: clipped');
    assert.equal(isotonicFit([]), null);
  });

  test('the fit is monotone whatever the labels', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const set = Array.from({ length: 300 }, () => ({ confidence: Math.round(random() * 100) / 100, good: random() < 0.5 }));
    const fit = isotonicFit(set)!;
    let previous = -1;
    for (let x = 0; x <= 1.0001; x += 0.01) {
      const y = fit(x);
      assert.ok(y >= previous - 1e-12 && y >= 0 && y <= 1, `at ${x}`);
      previous = y;
    }
    assert.ok(calibrationCurve(set).every((p, i, all) => i === 0 || (p.answered <= all[i - 1].answered && p.wrongRate <= all[i - 1].wrongRate)));
  });
});

test('the order of tied labels does not change the fit (bad ones first at a tie)', () => {
  // 0.5 → 1/2, then 0.7 → 10/12 with its two bad labels listed first: no pooling across 0.7.
  const tiesBadFirst = [...labels(0.5, 1, 1), ...labels(0.7, 0, 2), ...labels(0.7, 10, 0)];
  const fit = isotonicFit(tiesBadFirst)!;
  assert.ok(Math.abs(fit(0.5) - 0.5) < 1e-12 && Math.abs(fit(0.7) - 10 / 12) < 1e-12, `${fit(0.5)} ${fit(0.7)}`);
});
