/** Figures of the eval and of the confidence fit (issue 12). */
import { auroc as aurocOfLabels } from '../../src/domain/calibration.js';

export interface Scored {
  score: number;
  positive: boolean;
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative
 * (ties count half); the calibration endpoint's own computation (src/domain/calibration.ts), with
 * 0.5 when one class is empty.
 */
export function auroc(items: readonly Scored[]): number {
  return aurocOfLabels(items.map((i) => ({ confidence: i.score, good: i.positive }))) ?? 0.5;
}
