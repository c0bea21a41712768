import type { KnowledgeHit, Responder, ResponderAnswer, ResponderInput } from '../ports/responder.js';
import { canonicalize } from './text-analysis.js';

/**
 * The responder used when no model node is configured (DESIGN.md §4.1 MODEL_BASE_URL unset): it
 * answers with the best knowledge entry's own answer. Its confidence is the entry's retrieval score,
 * which the knowledge index makes the (cost-weighted) probability that the entry answers the question
 * (issue 12, score-calibration.ts), lowered where a static knowledge base cannot be right however
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

const OWN_RECORD_PATTERNS: readonly RegExp[] = [
  // Order, tracking and phone numbers: A20261128-5531, SF1234567890, 13800138000.
  /[a-z]*\d[\d-]{5,}/,
  // Issue 12: an order reference written short (#A10293, 尾号8842) or an account's e-mail address.
  /#\s*[a-z]{0,3}\d{4,}|尾号\s*[a-z0-9]{3,}|[a-z0-9._-]+@[a-z0-9-]+\.[a-z]{2,}/,
  /我的(订单|单号|包裹|快递|物流|积分|余额|账户|帐户|账号|帐号|会员|退款|优惠券|券|红包|发票|钱|货)/,
  /(帮我|给我|替我|麻烦你?|请你?)(查|看|改|修改|取消|退|催|处理|核实|确认)/,
  /余额|怎么还没(到|发|收到)|还没(收到|发货)/,
  // Issue 12: where a particular order or return stands (到哪一步了, 收到没, 发货了吗, 没动静).
  /到哪(一步|了|儿了|里了)|(收到|发货|发出|寄出|退款|到账)了?(没|吗没|没有)$|(发货|发出|寄出|到账)了(吗|么|没)|没(动静|消息|回音|反应|更新)/,
  /(我|我的)(那个|那笔|这个|那单|这单)(订单|单|退款|退货|包裹|快递|钱)?/,
  // Issue 12: something of the customer's that changed or went missing (积分怎么少了, 券不见了), or one
  // particular thing's state (发票开了没).
  /(怎么|为什么)(少了|没了|不见了|变少了|被扣)|不见了|(开|寄|退|到)了没/,

  // A purchase the customer already made (上周买的鞋子, 昨天下的单), not one being planned (今天下单…).
  /(上周|上个月|昨天|前天|今天|刚才|刚刚|之前|前几天|上次)(买的|买了|下的单|下了单|下单了|拍的|拍了|收到的|收到了)/,
];

/** True when answering needs the customer's own data rather than shop policy. */
export function asksAboutOwnRecords(question: string): boolean {
  // The canonical form (issue 12): traditional characters, typos and colloquial forms read like the
  // shop's words (積分 → 积分, 我的发漂 → 我的发票), so the patterns below see them too.
  const text = canonicalize(question).replace(/\s+/g, '');
  return OWN_RECORD_PATTERNS.some((p) => p.test(text));
}

/** The confidence a static answer deserves for this question; exported for tests and the eval. */
export function knowledgeConfidence(question: string, hit: KnowledgeHit): number {
  let confidence = Math.min(1, Math.max(0, hit.score));
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
