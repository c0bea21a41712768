/**
 * The labelled match features of an eval set (issue 12): for every question that reaches the
 * responder, the features of the best entry and whether that entry is a right answer. The fitting
 * and cross-validation scripts learn the confidence model from these rows.
 */
import { handoffBeforeModel } from '../../src/domain/handoff-policy.js';
import { asksAboutOwnRecords } from '../../src/model/knowledge-base-responder.js';
import { KnowledgeIndex, type KnowledgeIndexOptions } from '../../src/model/knowledge-index.js';
import type { MatchFeatures } from '../../src/model/score-calibration.js';
import { DEMO_KB_PATH, isRightEntry, readKnowledgeFile, type EvalCase } from './eval-sets.js';

export interface LabelledRow {
  case: EvalCase;
  /** Null when a rule hands the turn off before the search (such turns never get a confidence). */
  features: MatchFeatures | null;
  /** The best entry is a right answer. */
  right: boolean;
  /** The responder caps the confidence anyway (a question about the customer's own records). */
  capped: boolean;
}

export function collectRows(cases: readonly EvalCase[], opts: KnowledgeIndexOptions = {}): LabelledRow[] {
  const kb = readKnowledgeFile(DEMO_KB_PATH);
  const index = new KnowledgeIndex(kb.entries.map((e, i) => ({ id: String(i + 1), ...e })), opts);
  return cases.map((c) => {
    const before = handoffBeforeModel({ botEnabled: true, messages: [{ kind: 'text', text: c.question }], answeredQuestions: [], channelKeywords: [] });
    if (before !== null) return { case: c, features: null, right: false, capped: false };
    const top = index.rank(c.question, 1)[0];
    return {
      case: c,
      features: top?.features ?? null,
      right: top !== undefined && isRightEntry(c, top.entry, kb),
      // Chat without a topic scores 0 by rule (confidenceOf), like a question about the customer's own records.
      capped: asksAboutOwnRecords(c.question) || top?.features.noTopic === 1,
    };
  });
}
