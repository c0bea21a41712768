/**
 * Calibration of the bot's raw confidence against agents' labels (issue 12 item 4). Pure math: the
 * use case (usecases/calibrate-channel.ts) loads the labels and the channel's settings.
 */

export interface LabelledAnswer {
  /** The raw confidence the bot had for the answer (or for the handoff). */
  confidence: number;
  /** Whether the answer was right. */
  good: boolean;
}

export interface CurvePoint {
  threshold: number;
  /** Share of labelled turns with confidence ≥ threshold. */
  answered: number;
  /**
   * Share of ALL labelled turns that would be answered at this threshold AND are wrong: the same
   * definition as the offline eval's "wrong answers of all", so the two figures compare.
   */
  wrongRate: number;
  /** The isotonic estimate that an answer at this raw confidence is right; null without labels. */
  probability: number | null;
}

/** The curve's thresholds: 0.00, 0.05, …, 1.00 (rounded, so 0.15 is 0.15 and not 0.15000000000000002). */
export const CURVE_THRESHOLDS: readonly number[] = Array.from({ length: 21 }, (_, i) => Math.round(i * 5) / 100);

/** Below this many labels the curve is shown but no threshold is recommended. */
export const MIN_LABELS = 30;

export function calibrationCurve(labels: readonly LabelledAnswer[], thresholds: readonly number[] = CURVE_THRESHOLDS): CurvePoint[] {
  const n = labels.length;
  const fit = isotonicFit(labels);
  return thresholds.map((threshold) => {
    let answered = 0;
    let wrong = 0;
    for (const l of labels) {
      if (l.confidence >= threshold) {
        answered += 1;
        if (!l.good) wrong += 1;
      }
    }
    return { threshold, answered: n ? answered / n : 0, wrongRate: n ? wrong / n : 0, probability: fit ? fit(threshold) : null };
  });
}

/**
 * The lowest curve threshold whose wrong-answer rate stays within the target (answering as much as
 * possible under the admin's limit); null with fewer than `minLabels` labels or when none qualifies.
 */
export function recommendThreshold(curve: readonly CurvePoint[], labelled: number, targetWrongRate: number, minLabels = MIN_LABELS): number | null {
  if (labelled < minLabels) return null;
  const ok = curve.filter((p) => p.wrongRate <= targetWrongRate).map((p) => p.threshold);
  return ok.length ? Math.min(...ok) : null;
}

/**
 * Area under the ROC curve of confidence for good vs bad answers: the probability that a random
 * good answer has a higher confidence than a random bad one, ties counting half (Mann–Whitney U).
 * Null unless both kinds are present.
 */
export function auroc(labels: readonly LabelledAnswer[]): number | null {
  const good = labels.filter((l) => l.good).map((l) => l.confidence);
  const bad = labels.filter((l) => !l.good).map((l) => l.confidence);
  if (good.length === 0 || bad.length === 0) return null;
  // Rank-sum with average ranks for ties: O(n log n) rather than comparing every pair.
  const all = [...good.map((c) => ({ c, good: true })), ...bad.map((c) => ({ c, good: false }))].sort((a, b) => a.c - b.c);
  let rankSumGood = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].c === all[i].c) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k].good) rankSumGood += averageRank;
    i = j;
  }
  const u = rankSumGood - (good.length * (good.length + 1)) / 2;
  return u / (good.length * bad.length);
}

interface Block {
  minX: number;
  maxX: number;
  sum: number;
  weight: number;
}

/**
 * Isotonic regression (pool-adjacent-violators) of "right" (1/0) on confidence. Equal confidences
 * are pooled first. Returns the fitted function: linear between the ends of the fitted blocks and
 * flat beyond the first and last (as scikit-learn's IsotonicRegression with out_of_bounds="clip");
 * null without labels.
 */
export function isotonicFit(labels: readonly LabelledAnswer[]): ((confidence: number) => number) | null {
  if (labels.length === 0) return null;
  const sorted = [...labels].sort((a, b) => a.confidence - b.confidence);
  // Equal confidences become one point first, whatever order their labels come in.
  const points: Block[] = [];
  for (const l of sorted) {
    const last = points.at(-1);
    if (last && last.maxX === l.confidence) {
      last.sum += l.good ? 1 : 0;
      last.weight += 1;
    } else {
      points.push({ minX: l.confidence, maxX: l.confidence, sum: l.good ? 1 : 0, weight: 1 });
    }
  }
  const blocks: Block[] = [];
  for (const point of points) {
    blocks.push({ ...point });
    // Pool while the newest block's mean is below the one before it.
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sum / a.weight <= b.sum / b.weight) break;
      blocks.splice(blocks.length - 2, 2, { minX: a.minX, maxX: b.maxX, sum: a.sum + b.sum, weight: a.weight + b.weight });
    }
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (const b of blocks) {
    const mean = b.sum / b.weight;
    xs.push(b.minX);
    ys.push(mean);
    if (b.maxX !== b.minX) {
      xs.push(b.maxX);
      ys.push(mean);
    }
  }
  return (x: number) => {
    if (x <= xs[0]) return ys[0];
    if (x >= xs[xs.length - 1]) return ys[ys.length - 1];
    let i = 1;
    while (xs[i] < x) i++;
    const t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
    return ys[i - 1] + t * (ys[i] - ys[i - 1]);
  };
}
