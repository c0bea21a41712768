/** Number formats the 模型 page shares (issue 13 item 4): shares as percents, scores to two places, — for none. */

/** 0.712 → '71.2%'; null → '—'. One decimal: evaluation sets are hundreds of questions, not thousands. */
export function percent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return `${Number((share * 100).toFixed(1))}%`;
}

/** 0.8812 → '0.88'; null → '—'. AUROC, ECE, confidences and thresholds. */
export function score(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(2);
}
