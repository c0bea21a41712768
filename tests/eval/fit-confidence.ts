/**
 * Fits the knowledge responder's confidence model on the dev split (issue 12) and prints it in the
 * form score-calibration.ts bakes in. Never reads the test split.
 *
 *   node --import tsx tests/eval/fit-confidence.ts [--l2 0.01]
 */
import { FEATURE_NAMES, featureVector, NEGATIVE_WEIGHT, type ConfidenceModel } from '../../src/model/score-calibration.js';
import { collectRows, type LabelledRow } from './collect.js';
import { EVAL_DEV_PATH, readEvalCases } from './eval-sets.js';
import { fitLogistic } from './logistic.js';

/** Rows the model learns from: turns that reach the responder and that no cap decides anyway. */
export function trainingRows(rows: readonly LabelledRow[]): LabelledRow[] {
  return rows.filter((r) => r.features !== null && !r.capped);
}

export function fitModel(rows: readonly LabelledRow[], l2: number, negativeWeight = DEFAULT_NEGATIVE_WEIGHT): ConfidenceModel {
  const train = trainingRows(rows);
  const fit = fitLogistic(train.map((r) => featureVector(r.features!)), train.map((r) => r.right), l2, negativeWeight);
  const weights = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, fit.weights[i]])) as ConfidenceModel['weights'];
  return { intercept: fit.intercept, weights };
}

/**
 * Chosen by leave-one-writer-out cross-validation on dev (cross-validate.ts --grid: l2 ∈ {0.001, 0.003,
 * 0.01, 0.03} × weight ∈ {1, 2, 2.5, 3, 4, 6}): the lowest weight whose held-out writers average ≤ 2 %
 * wrong answers with ≥ 92 % of out-of-scope handed off, then the l2 with the lower worst-writer wrong share.
 */
export const DEFAULT_L2 = 0.003;
/**
 * A wrong answer counts this many times a right one in the fit (score-calibration.ts NEGATIVE_WEIGHT, 3).
 * With 1 the output is the probability of being right and the channel default threshold 0.6 answers
 * with 5–6 % wrong answers on held-out writers; with 3 the output is that probability's odds divided
 * by 3, so 0.6 answers only where P(right) ≥ 0.82. probabilityFromConfidence() undoes it.
 */
export const DEFAULT_NEGATIVE_WEIGHT = NEGATIVE_WEIGHT;

async function main(): Promise<void> {
  const l2Arg = process.argv.indexOf('--l2');
  const l2 = l2Arg > 0 ? Number(process.argv[l2Arg + 1]) : DEFAULT_L2;
  const weightArg = process.argv.indexOf('--negative-weight');
  const weight = weightArg > 0 ? Number(process.argv[weightArg + 1]) : DEFAULT_NEGATIVE_WEIGHT;
  const rows = collectRows(readEvalCases(EVAL_DEV_PATH));
  const model = fitModel(rows, l2, weight);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  console.log(`fitted on ${trainingRows(rows).length} dev turns (l2 ${l2}, negative weight ${weight}):`);
  console.log(JSON.stringify({ intercept: round(model.intercept), weights: Object.fromEntries(Object.entries(model.weights).map(([k, v]) => [k, round(v)])) }));
}

if (process.argv[1]?.endsWith('fit-confidence.ts')) void main();
