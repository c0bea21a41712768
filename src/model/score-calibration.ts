/**
 * From how well an entry matches a question to the probability that the entry answers it (issue 12
 * item 4, offline part), weighted so that the channel default threshold keeps wrong answers rare
 * (NEGATIVE_WEIGHT). A logistic model over a few match features, fitted on the held-out dev split
 * (tests/eval/eval-dev.jsonl) by tests/eval/fit-confidence.ts and checked by leave-one-writer-out
 * cross-validation on the same split (tests/eval/cross-validate.ts prints the per-writer figures). The test split was
 * never used. Refit when the analysis or the features change: `node --import tsx tests/eval/fit-confidence.ts`.
 */

/** What the knowledge index knows about the best entry for a question. */
export interface MatchFeatures {
  /** BM25 of the entry / BM25 the question would get against itself, clamped to 1. */
  relative: number;
  /** Share (idf · term weight) of the question's terms the entry contains, phrasing fields counting most. */
  coverage: number;
  /** (BM25 best − BM25 runner-up) / BM25 best: how clearly this entry wins. 1 when alone. */
  margin: number;
  /** Share (term weight) of the question's characters that no entry of the knowledge base contains. */
  unseen: number;
  /**
   * Share of the question's topic words (jieba words, not question words) that no entry contains:
   * high for a short question about something new. (Their count was dropped: on dev it rose with
   * answerable long messages full of context and so rewarded unknown words, which does not generalise.)
   */
  novelShare: number;
  /** 1 when the question has no topic word and no ASCII word at all (好的谢谢, 在吗): the index then scores 0. */
  noTopic: number;
  /**
   * Share (term weight, no corpus statistics) of the question's terms that the entry contains at all:
   * the partial-coverage rule (MIN_QUESTION_COVERAGE) reads it; the model does not.
   */
  termShare: number;
  /** Countries, payment methods, carriers, sales events the question names and the shop does not list (shop-entities.ts). */
  unlisted: number;
  /**
   * The best share (idf · term weight, n-grams and words) of one of the entry's own phrasings that the
   * question contains: unlike coverage, not diluted by the context of a long message (issue 12).
   */
  phrasingCover: number;
  /**
   * relative on the message's best clause (punctuation and spaces between Han characters split clauses):
   * the question inside a long message full of context; relative itself for a one-clause message.
   */
  clauseRelative: number;
}

export const FEATURE_NAMES = ['relative', 'coverage', 'margin', 'unseen', 'novelShare', 'unlisted', 'phrasingCover', 'clauseRelative'] as const;

export interface ConfidenceModel {
  intercept: number;
  weights: Record<(typeof FEATURE_NAMES)[number], number>;
}

/**
 * Fitted on the whole dev split (tests/eval/eval-dev.jsonl: 432 questions, writers 1–5; the 362 turns
 * that reach the responder and no cap decides) by `node --import tsx tests/eval/fit-confidence.ts`
 * (L2 0.003, wrong answers weighing NEGATIVE_WEIGHT 3). Settings chosen by leave-one-writer-out
 * cross-validation (tests/eval/cross-validate.ts, issue 12): fitted on four writers, judged on the fifth,
 * the whole pipeline at the default threshold 0.6, mean over the five writers: answered correctly
 * 62.0 % of answerable (per writer 84 / 57 / 53 / 46 / 70 %), wrong 1.3 % of all questions (worst
 * writer 2.5 %), out-of-scope handed off 98.0 %, AUROC 0.91. Before phrasingCover, clauseRelative,
 * the 3-character skip bigrams (text-analysis.ts) and the canonical own-records check
 * (knowledge-base-responder.ts): 57.4 % / 1.3 % / 97.1 %, AUROC 0.89. With weight 2.5 the same
 * features give 63.6 % / 1.9 % wrong, too close to the 2 % target. The test split was never used.
 * Refit when the analysis, the rules or the features change.
 */
export const CONFIDENCE_MODEL: ConfidenceModel = {
  intercept: -2.436,
  weights: { relative: 0.76, coverage: 1.136, margin: 2.443, unseen: 0.081, novelShare: -0.755, unlisted: -2.427, phrasingCover: 0.598, clauseRelative: 2.134 },
};

/**
 * The model was fitted with a wrong answer counting this many times a right one (cost-sensitive: a
 * wrong answer costs the shop more than a handoff). Its output is therefore P(right)'s odds divided
 * by 3: the channel default threshold 0.6 answers only where P(right) ≥ 0.82. Chosen by
 * leave-one-writer-out CV on dev (issue 12), refitted with the current features: weight 2 gives 3.1 %
 * wrong answers on held-out writers, 2.5 gives 1.9 %, 3 gives 1.3 % (worst writer 2.5 %), 4 answers
 * 5–9 points fewer.
 */
export const NEGATIVE_WEIGHT = 3;

/** The plain probability that the answer is right, from the responder's (cost-weighted) confidence. */
export function probabilityFromConfidence(confidence: number): number {
  const c = Math.min(1, Math.max(0, confidence));
  if (c >= 1) return 1;
  const odds = (c / (1 - c)) * NEGATIVE_WEIGHT;
  return odds / (1 + odds);
}

export function featureVector(f: MatchFeatures): number[] {
  return FEATURE_NAMES.map((n) => f[n]);
}

/**
 * Below this share of the question's terms that the best entry contains, the message asks about more
 * than the entry answers (地址写错了能改吗，另外发票抬头和税号怎么填，周末有人值班吗): the score falls in
 * proportion. 0.3 is from dev (issue 12): with the confidence model it costs 2 of 128 answerable
 * questions and removes 1 wrong answer; 0.4 (fitted on the public set before) cost 5, 0.2 let a
 * three-question message through. tests/eval/cross-validate.ts judges the pipeline with this rule.
 */
export const MIN_QUESTION_COVERAGE = 0.3;

/**
 * The score of a match: chat without a topic (好的谢谢, 在吗) is 0, a question the entry covers only
 * in part is lowered (MIN_QUESTION_COVERAGE), the rest is matchProbability.
 */
export function confidenceOf(f: MatchFeatures, model: ConfidenceModel = CONFIDENCE_MODEL): number {
  if (f.noTopic === 1) return 0;
  const partial = f.termShare < MIN_QUESTION_COVERAGE ? f.termShare / MIN_QUESTION_COVERAGE : 1;
  return matchProbability(f, model) * partial;
}

/** The probability (0..1) that the entry with these features is a right answer. */
export function matchProbability(f: MatchFeatures, model: ConfidenceModel = CONFIDENCE_MODEL): number {
  let z = model.intercept;
  for (const n of FEATURE_NAMES) z += model.weights[n] * f[n];
  return 1 / (1 + Math.exp(-z));
}
