import { z } from 'zod';
import { isAdapterName } from '../domain/adapter-name.js';
import { isStorableDate } from '../domain/dates.js';
import { isSafeText } from '../domain/text.js';

/**
 * The adapter evaluation report npm run eval writes (issue 13 items 3 and 4), as the service accepts
 * it: the documented fields checked, anything else kept as uploaded.
 */
const share = z.number().min(0).max(1);
const count = z.number().int().min(0);
const text = (max: number) => z.string().max(max).refine(isSafeText, 'must not contain NUL or lone surrogates');

/** The one rule for adapter names (domain/adapter-name.ts). */
export const adapterName = z.string().refine(isAdapterName, 'must be an adapter name: 1–200 of A–Z a–z 0–9 . _ : / -, starting with a letter or digit, no .. segment');

export const modelReportSchema = z
  .object({
    version: z.literal(1),
    model: adapterName,
    baseModel: text(200).nullable().optional(),
    data: text(500),
    createdAt: z.string().max(64).refine((s) => isStorableDate(new Date(s)), 'must be an ISO date'),
    threshold: share,
    counts: z.object({ total: count, answerable: count, outOfScope: count }).passthrough(),
    rates: z.object({ answeredCorrectly: share, wrong: share, handedOff: share, outOfScopeHandedOff: share }).passthrough(),
    auroc: share.nullable().optional(),
    ece: share.nullable().optional(),
    thresholdForWrongUnder1pct: share.nullable().optional(),
    disagreements: z
      .array(z.object({ question: text(4000), expected: text(4000), got: text(4000), confidence: share }).passthrough())
      .max(50),
  })
  .passthrough();
