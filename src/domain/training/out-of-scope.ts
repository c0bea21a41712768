/**
 * Out-of-scope examples (issue 13 item 1): a question an agent answered with the customer's own
 * facts (their order, parcel, refund, phone number) has no answer the adapter could learn; what it
 * should learn is to hand the chat to a person. Such pairs keep their question and get this answer.
 */
import { PII_PLACEHOLDERS, type PiiKind } from '../pii.js';

/** What the adapter learns to say when a question needs someone who can look at the customer's records. */
export const HANDOFF_ANSWER = '这个问题需要为您转接人工客服查询，请稍候~';

/** Answers that report on one order or parcel rather than state a policy. */
const ACCOUNT_SPECIFICS =
  /快递单号|运单号|物流(?:信息|显示|单号|状态)|已(?:经)?(?:发货|签收|揽收|揽件|出库|退款|退回)|派送中|正在派送|到达.{0,8}(?:中转|网点|站|分拨)|(?:您|你)的(?:订单|包裹|快递|退款|账户|账号|积分|余额)|(?:系统|后台)(?:显示|查到|查询到)|(?:帮|给|为)(?:您|你)(?:查|看)了|查了一下|已(?:为|帮|给)(?:您|你)(?:退款|修改|取消|备注|补发|登记|申请)/u;

/** True when the answer carried masked personal data or one customer's order or parcel facts. */
export function answerIsAccountSpecific(maskedAnswer: string, maskedCounts: Partial<Record<PiiKind, number>>): boolean {
  return Object.values(maskedCounts).some((n) => (n ?? 0) > 0) || ACCOUNT_SPECIFICS.test(maskedAnswer);
}

/**
 * What in a customer's question names one of their records: an order, a bank card, an ID card.
 * Contact details they volunteer (phone, address, e-mail, chat id) are masked but ask nothing of
 * their records (issue 13 item 1: 请问衣服能不能机洗？我电话是13812345678 became a 转人工 example).
 */
const RECORD_KINDS: readonly PiiKind[] = ['orderNumber', 'bankCard', 'idCard'];
const PLACEHOLDER = new RegExp(Object.values(PII_PLACEHOLDERS).map((p) => p.replace(/[[\]]/g, '\\$&')).join('|'), 'gu');

/**
 * True when the question needs the customer's own records: it names an order (or a card), or
 * `asksAboutOwnRecords` says so of the MASKED question with the placeholders taken out, so that
 * the digits of a volunteered phone number no longer read as an order number.
 */
export function questionIsAccountSpecific(
  maskedQuestion: string,
  maskedCounts: Partial<Record<PiiKind, number>>,
  asksAboutOwnRecords: ((question: string) => boolean) | undefined,
): boolean {
  if (RECORD_KINDS.some((kind) => (maskedCounts[kind] ?? 0) > 0)) return true;
  return asksAboutOwnRecords?.(maskedQuestion.replace(PLACEHOLDER, ' ')) ?? false;
}
