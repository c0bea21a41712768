/**
 * The adapter evaluation report (issue 13 items 3 and 4): what `npm run eval -- --model … --report FILE`
 * writes and `POST /api/models/:name/reports` stores for the console's 模型 page. The contract is
 * shared with the service, which validates uploads with its own zod schema; this one is the eval's
 * check of what it writes (unknown extra keys allowed, as the service allows them).
 */
import { z } from 'zod';

const rate = z.number().min(0).max(1);

export const modelReportSchema = z
  .object({
    version: z.literal(1),
    model: z.string().min(1).max(200),
    baseModel: z.string().nullable(),
    data: z.string().min(1),
    createdAt: z.string().datetime(),
    threshold: z.number().min(0).max(1),
    counts: z.object({ total: z.number().int().nonnegative(), answerable: z.number().int().nonnegative(), outOfScope: z.number().int().nonnegative() }).passthrough(),
    rates: z.object({ answeredCorrectly: rate, wrong: rate, handedOff: rate, outOfScopeHandedOff: rate }).passthrough(),
    auroc: rate.nullable(),
    ece: rate.nullable(),
    thresholdForWrongUnder1pct: rate.nullable(),
    disagreements: z
      .array(z.object({ question: z.string(), expected: z.string(), got: z.string(), confidence: rate }).passthrough())
      .max(50),
  })
  .passthrough();

export type ModelReport = z.infer<typeof modelReportSchema>;

/** At most this many disagreements go into a report (the contract's limit). */
export const MAX_REPORT_DISAGREEMENTS = 50;
