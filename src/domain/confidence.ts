/**
 * Confidence of a generated reply from its token logprobs (DESIGN.md §4.5, protocols/inference.md §3).
 *
 *   conf = pMean^0.7 · pMin^0.3 = exp(0.7 · mean(ℓ) + 0.3 · min(ℓ))
 *
 * where ℓ are the generated tokens' logprobs, pMean = exp(mean ℓ) is the geometric-mean token
 * probability (the length-normalised "Avg(−logP)" signal) and pMin = exp(min ℓ) the least likely
 * token (the "Max(−logP)" signal). The mean says how sure the model is overall; the minimum catches
 * a single shaky token in an otherwise fluent answer, which in shop replies is usually the fact
 * that matters (a price, a number of days). The weights keep the mean dominant so that one
 * uncertain filler particle (哦 vs 呢, p≈0.4) costs about a quarter of the score, not all of it.
 * Both factors are in [0,1], so the product is too, and it is monotone in every logprob.
 */

/** vLLM reports -inf as -9999.0 (inference.md §2.2); anything below this counts as "impossible". */
export const LOGPROB_FLOOR = -50;

const MEAN_WEIGHT = 0.7;
const MIN_WEIGHT = 0.3;

export interface TokenLogprob {
  logprob: number;
}

function clampLogprob(logprob: number): number {
  // NaN or a missing value is treated as the least likely token, never as a sure one.
  if (!Number.isFinite(logprob)) return logprob === Infinity ? 0 : LOGPROB_FLOOR;
  return Math.min(0, Math.max(LOGPROB_FLOOR, logprob));
}

/** Confidence in [0,1]; no tokens → 0 (an empty answer is never trusted). */
export function confidenceFromLogprobs(tokens: readonly TokenLogprob[]): number {
  if (tokens.length === 0) return 0;
  let sum = 0;
  let min = 0;
  for (const t of tokens) {
    const lp = clampLogprob(t.logprob);
    sum += lp;
    if (lp < min) min = lp;
  }
  const mean = sum / tokens.length;
  const conf = Math.exp(MEAN_WEIGHT * mean + MIN_WEIGHT * min);
  return Math.min(1, Math.max(0, conf));
}
