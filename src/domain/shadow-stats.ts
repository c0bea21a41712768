/**
 * How a shadow adapter compares (issue 13 item 4): with the live bot's answers, with what agents
 * wrote where the live side handed off, and how sure it was. Pure; the rows come from the store.
 */
import { matchAnswer } from './answer-match.js';

export interface ShadowRow {
  question: string;
  liveOutcome: 'answer' | 'handoff';
  liveText: string | null;
  shadowText: string | null;
  shadowConfidence: number | null;
  ok: boolean;
  /** The first agent text after a handed-off turn, if any. */
  agentText: string | null;
  createdAt: Date;
}

export interface ConfidenceBucket {
  from: number;
  to: number;
  count: number;
}

export interface ShadowRecent {
  question: string;
  live: string | null;
  shadow: string;
  shadowConfidence: number;
  /** Matched the live answer (or, on a handoff, the agent's); null when there is nothing to compare with. */
  agreed: boolean | null;
  at: string;
}

export interface ShadowStats {
  adapter: string;
  since: string;
  turns: number;
  failed: number;
  agreeWithLive: number | null;
  agentAnswered: number;
  agreeWithAgent: number | null;
  meanConfidence: number | null;
  confidenceBuckets: ConfidenceBucket[];
  recent: ShadowRecent[];
}

export const CONFIDENCE_BUCKETS = 10;
export const RECENT_SHADOW_ANSWERS = 20;

/**
 * "The same answer" as the suggestions judge an agent's reply against an entry (answer-match.ts):
 * normalized texts whose character bigrams nearly coincide, so 亲~ and punctuation do not count.
 */
export function answersAgree(a: string, b: string): boolean {
  return matchAnswer(a, [{ id: 'other', output: b }]) !== null;
}

const share = (hits: number, of: number): number | null => (of === 0 ? null : hits / of);

/** Stats of `rows` (newest first), all of one adapter since `since`. */
export function shadowStats(adapter: string, since: Date, rows: readonly ShadowRow[]): ShadowStats {
  const answered = rows.filter((r): r is ShadowRow & { shadowText: string; shadowConfidence: number } => r.ok && r.shadowText !== null && r.shadowConfidence !== null);
  const buckets: ConfidenceBucket[] = Array.from({ length: CONFIDENCE_BUCKETS }, (_, i) => ({ from: i / CONFIDENCE_BUCKETS, to: (i + 1) / CONFIDENCE_BUCKETS, count: 0 }));
  let live = 0;
  let liveAgreed = 0;
  let agent = 0;
  let agentAgreed = 0;
  let confidenceSum = 0;
  const recent: ShadowRecent[] = [];
  for (const r of answered) {
    let agreed: boolean | null = null;
    if (r.liveOutcome === 'answer' && r.liveText !== null) {
      agreed = answersAgree(r.shadowText, r.liveText);
      live += 1;
      if (agreed) liveAgreed += 1;
    } else if (r.liveOutcome === 'handoff' && r.agentText !== null) {
      agreed = answersAgree(r.shadowText, r.agentText);
      agent += 1;
      if (agreed) agentAgreed += 1;
    }
    confidenceSum += r.shadowConfidence;
    // 1.0 belongs to the last bucket.
    buckets[Math.min(CONFIDENCE_BUCKETS - 1, Math.max(0, Math.floor(r.shadowConfidence * CONFIDENCE_BUCKETS)))].count += 1;
    if (recent.length < RECENT_SHADOW_ANSWERS) {
      recent.push({ question: r.question, live: r.liveOutcome === 'answer' ? r.liveText : r.agentText, shadow: r.shadowText, shadowConfidence: r.shadowConfidence, agreed, at: r.createdAt.toISOString() });
    }
  }
  return {
    adapter,
    since: since.toISOString(),
    turns: rows.length,
    failed: rows.filter((r) => !r.ok).length,
    agreeWithLive: share(liveAgreed, live),
    agentAnswered: agent,
    agreeWithAgent: share(agentAgreed, agent),
    meanConfidence: answered.length === 0 ? null : confidenceSum / answered.length,
    confidenceBuckets: buckets,
    recent,
  };
}
