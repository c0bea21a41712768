import type { KnowledgeHit, Responder, ResponderAnswer, ResponderInput } from '../ports/responder.js';
import { normalizeText, termCoverage } from './knowledge-index.js';

/**
 * The responder used when no model node is configured (DESIGN.md §4.1 MODEL_BASE_URL unset): it
 * answers with the best knowledge entry's own answer. Its confidence is the entry's normalized
 * retrieval score (DESIGN.md §4.5), lowered where a static knowledge base cannot be right however
 * well the words match.
 */

/** Said when nothing matches; the turn hands off anyway (confidence 0 < any threshold). */
export const NO_KNOWLEDGE_REPLY = '这个问题我需要请人工客服为您解答，请稍候~';

/**
 * Questions about the customer's own order, parcel or account need a lookup in systems this
 * responder cannot see; a policy answer to them ("发货后会发邮件…") reads as a brush-off. Such
 * questions never get more than this confidence, which is below any sensible threshold.
 */
export const OWN_RECORDS_CAP = 0.3;

/**
 * Below this share of the question's terms (by weight, counted without corpus statistics, which are
 * unstable for a knowledge base of a few dozen entries) the best entry is about something else, or
 * about only part of the question; confidence then falls in proportion.
 */
export const MIN_QUESTION_COVERAGE = 0.4;

const OWN_RECORD_PATTERNS: readonly RegExp[] = [
  // Order, tracking and phone numbers: A20261128-5531, SF1234567890, 13800138000.
  /[a-z]*\d[\d-]{5,}/,
  /我的(订单|单号|包裹|快递|物流|积分|余额|账户|帐户|账号|帐号|会员|退款|优惠券|钱|货)/,
  /(帮我|给我|替我|麻烦你?|请你?)(查|看|改|修改|取消|退|催|处理|核实|确认)/,
  /余额|怎么还没(到|发|收到)|还没(收到|发货)/,
  // A purchase the customer already made (上周买的鞋子, 昨天下的单), not one being planned (今天下单…).
  /(上周|上个月|昨天|前天|今天|刚才|刚刚|之前|前几天|上次)(买的|买了|下的单|下了单|下单了|拍的|拍了|收到的|收到了)/,
];

/** True when answering needs the customer's own data rather than shop policy. */
export function asksAboutOwnRecords(question: string): boolean {
  const text = normalizeText(question).replace(/\s+/g, '');
  return OWN_RECORD_PATTERNS.some((p) => p.test(text));
}

/** The confidence a static answer deserves for this question; exported for tests and the eval. */
export function knowledgeConfidence(question: string, hit: KnowledgeHit): number {
  let confidence = Math.min(1, Math.max(0, hit.score));
  const coverage = termCoverage(question, [hit.entry.instruction, hit.entry.input, hit.entry.output]);
  if (coverage < MIN_QUESTION_COVERAGE) confidence *= coverage / MIN_QUESTION_COVERAGE;
  if (asksAboutOwnRecords(question)) confidence = Math.min(confidence, OWN_RECORDS_CAP);
  return confidence;
}

export function createKnowledgeBaseResponder(): Responder {
  return {
    async answer(input: ResponderInput): Promise<ResponderAnswer> {
      // Knowledge arrives best first (KnowledgeSearch's contract): the ranking, not the normalized
      // score, decides which entry answers.
      const best = input.knowledge[0];
      if (best === undefined || best.entry.output.trim().length === 0) {
        return { text: NO_KNOWLEDGE_REPLY, confidence: 0 };
      }
      return { text: best.entry.output.trim(), confidence: knowledgeConfidence(input.question, best) };
    },
  };
}
