/** Figures of the eval and of the confidence fit (issue 12). */

export interface Scored {
  score: number;
  positive: boolean;
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative
 * (ties count half), by the Mann–Whitney rank sum. 0.5 when one class is empty.
 */
export function auroc(items: readonly Scored[]): number {
  const positives = items.filter((i) => i.positive).length;
  const negatives = items.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  const sorted = [...items].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j].score === sorted[i].score) j += 1;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k += 1) if (sorted[k].positive) rankSum += averageRank;
    i = j;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
