/**
 * The fault suite's verdict (protocols/reliability.md §4.3, I1 and I2; issue 11): every callback
 * that got a 2xx was answered to the customer (as the fake WeCom API saw it) or handed to a
 * person, and nothing reached a customer twice.
 */
import type { DeliveredMessage } from '../../fakes/fake-wecom-api.js';
import { answeredLines } from './answer-echo.js';
import type { SentMessage } from './load-driver.js';
import type { PostgresInstance } from './postgres-instance.js';

export interface Verdict {
  acked: number;
  answered: number;
  handedOff: number;
  /** Handoff reasons of the conversations acked messages were handed off in. */
  handoffReasons: Record<string, number>;
  lost: { msgId: string; customer: string; why: string }[];
  duplicated: { customer: string; what: string }[];
  /** Work the service still has: customer messages not yet answered, replies not yet sent. */
  outstanding: number;
}

interface StoredCustomerMessage { external_id: string; text: string; status: string; conversation_status: string; handoff_reason: string | null }
interface StoredOutbound { external_id: string; text: string; sender: string; outbox_status: string | null; last_error: string | null }

const CUSTOMER_MESSAGES = `
  SELECT ct.external_id, m.text, m.status, c.status AS conversation_status, c.handoff_reason
  FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
  WHERE c.channel_id = $1 AND m.sender = 'customer'`;
const OUTBOUND_MESSAGES = `
  SELECT ct.external_id, m.text, m.sender, o.status AS outbox_status, o.last_error
  FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
  LEFT JOIN outbox o ON o.message_id = m.id
  WHERE c.channel_id = $1 AND m.sender <> 'customer'`;

const SEP = '\u0001';
const key = (customer: string, text: string) => `${customer}${SEP}${text}`;
const unkey = (k: string) => k.split(SEP) as [string, string];

function countBy<T>(items: T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}

/** Reads the service's Postgres and the fake's deliveries; throws while Postgres does not answer. */
export async function judge(pg: PostgresInstance, channelId: string, sent: SentMessage[], delivered: DeliveredMessage[]): Promise<Verdict> {
  const stored = await pg.query<StoredCustomerMessage>(CUSTOMER_MESSAGES, [channelId]);
  const outbound = await pg.query<StoredOutbound>(OUTBOUND_MESSAGES, [channelId]);
  const deliveries = [...delivered];
  const storedByText = new Map(stored.map((m) => [key(m.external_id, m.text), m]));
  const answers = countBy(deliveries.flatMap((d) => answeredLines(d.content).map((line) => key(d.touser, line))), (k) => k);

  const verdict: Verdict = { acked: 0, answered: 0, handedOff: 0, handoffReasons: {}, lost: [], duplicated: [], outstanding: 0 };
  for (const m of sent.filter((s) => s.acked)) {
    verdict.acked += 1;
    const row = storedByText.get(key(m.customer, m.text));
    if ((answers.get(key(m.customer, m.text)) ?? 0) > 0) verdict.answered += 1;
    else if (row && ['queued', 'assigned'].includes(row.conversation_status) && row.handoff_reason) {
      verdict.handedOff += 1;
      verdict.handoffReasons[row.handoff_reason] = (verdict.handoffReasons[row.handoff_reason] ?? 0) + 1;
    } else verdict.lost.push({ msgId: m.msgId, customer: m.customer, why: whyLost(m, row, outbound) });
  }
  verdict.duplicated = duplicates(sent, stored, outbound, deliveries, answers);
  verdict.outstanding = stored.filter((m) => m.status === 'pending').length
    + outbound.filter((o) => o.outbox_status === 'pending' || o.outbox_status === 'sending').length;
  return verdict;
}

function whyLost(m: SentMessage, row: StoredCustomerMessage | undefined, outbound: StoredOutbound[]): string {
  if (!row) return 'acked but not stored';
  const answer = outbound.find((o) => o.external_id === m.customer && answeredLines(o.text ?? '').includes(m.text));
  if (answer) return `answer stored, never delivered (outbox ${answer.outbox_status}: ${answer.last_error ?? '-'}); conversation ${row.conversation_status}`;
  return `message ${row.status}, no answer stored; conversation ${row.conversation_status}${row.handoff_reason ? ` (${row.handoff_reason})` : ''}`;
}

/**
 * A customer line answered in more than one delivery; any other text (a holding message)
 * delivered more often than it was stored; a message stored twice.
 */
function duplicates(sent: SentMessage[], stored: StoredCustomerMessage[], outbound: StoredOutbound[], deliveries: DeliveredMessage[], answers: Map<string, number>): Verdict['duplicated'] {
  const found: Verdict['duplicated'] = [];
  for (const m of sent) {
    const n = answers.get(key(m.customer, m.text)) ?? 0;
    if (n > 1) found.push({ customer: m.customer, what: `message ${m.msgId} answered ${n} times` });
  }
  const storedTexts = countBy(outbound, (o) => key(o.external_id, o.text ?? ''));
  const otherDeliveries = countBy(deliveries.filter((d) => answeredLines(d.content).length === 0), (d) => key(d.touser, d.content));
  for (const [k, n] of otherDeliveries) {
    const [customer, text] = unkey(k);
    if (n > (storedTexts.get(k) ?? 0)) found.push({ customer, what: `"${text}" delivered ${n} times, stored ${storedTexts.get(k) ?? 0}` });
  }
  for (const [k, n] of countBy(stored, (s) => key(s.external_id, s.text))) {
    const [customer, text] = unkey(k);
    if (n > 1) found.push({ customer, what: `"${text}" stored ${n} times` });
  }
  return found;
}
