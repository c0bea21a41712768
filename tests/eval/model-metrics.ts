/**
 * Figures of an adapter evaluation (issue 13 item 3) beyond the rates: calibration error and the
 * threshold that keeps wrong answers rare. The curve and the threshold choice are the calibration
 * endpoint's own (src/domain/calibration.ts), so the eval and the console recommend alike.
 */
import { calibrationCurve, recommendThreshold, type LabelledAnswer } from '../../src/domain/calibration.js';

export const ECE_BINS = 10;
/** "Wrong answers under 1 %": of all questions, as the eval's wrong rate. */
export const MAX_WRONG_SHARE = 0.01;

/**
 * Expected calibration error over `bins` equal-width confidence bins of [0, 1]:
 * Σ_b (n_b / N) · |accuracy_b − mean confidence_b|. A confidence of exactly 1 falls in the last bin.
 * Null without labels.
 */
export function expectedCalibrationError(labels: readonly LabelledAnswer[], bins = ECE_BINS): number | null {
  if (labels.length === 0) return null;
  const sums = Array.from({ length: bins }, () => ({ n: 0, confidence: 0, good: 0 }));
  for (const l of labels) {
    const c = Math.min(1, Math.max(0, l.confidence));
    const b = sums[Math.min(bins - 1, Math.floor(c * bins))];
    b.n += 1;
    b.confidence += c;
    b.good += l.good ? 1 : 0;
  }
  let ece = 0;
  for (const b of sums) if (b.n > 0) ece += (b.n / labels.length) * Math.abs(b.good / b.n - b.confidence / b.n);
  return ece;
}

/**
 * The lowest curve threshold (0.00, 0.05 … 1.00) at which answered-and-wrong turns are at most
 * `maxWrong` of ALL questions; null when none qualifies. `answers` are the turns that reached the
 * model; `questions` counts every question, including those a rule handed off before the model
 * (they are never answered at any threshold). Every question of an eval is labelled, so the
 * calibration endpoint's minimum of 30 labels does not apply: a tiny set gets a (noisy) figure too.
 */
export function thresholdForWrongUnder(answers: readonly LabelledAnswer[], questions: number, maxWrong = MAX_WRONG_SHARE): number | null {
  if (questions === 0) return null;
  // Rule handoffs as labels below every threshold: counted in the denominator, never answered.
  const neverAnswered: LabelledAnswer[] = Array.from({ length: Math.max(0, questions - answers.length) }, () => ({ confidence: -1, good: false }));
  const labels = [...answers, ...neverAnswered];
  return recommendThreshold(calibrationCurve(labels), labels.length, maxWrong, 1);
}
