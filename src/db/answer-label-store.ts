import type { AnswerLabel, AnswerLabelStore, LabelVerdict, NewAnswerLabel } from '../ports/answer-labels.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * The message and the customer texts it answered: customer text messages after the previous
 * answer (an agent's message or a bot message with a confidence) and before this one.
 */
const ANSWERED_MESSAGE = `
SELECT m.id, m.conversation_id, m.channel_id, m.sender, m.confidence,
  (SELECT string_agg(q.text, E'\\n' ORDER BY q.id) FROM messages q
   WHERE q.conversation_id = m.conversation_id AND q.id < m.id AND q.sender = 'customer' AND q.kind = 'text'
     AND q.status <> 'recalled' AND q.text IS NOT NULL
     AND q.id > COALESCE((SELECT max(p.id) FROM messages p
                          WHERE p.conversation_id = m.conversation_id AND p.id < m.id
                            AND (p.sender = 'agent' OR (p.sender = 'bot' AND p.confidence IS NOT NULL))), 0)) AS question
FROM messages m WHERE m.id = $1`;

const COLUMNS = 'channel_id, conversation_id, message_id, question, confidence, verdict, source, correction, actor';
const VALUES = '$1, $2, $3, $4, $5, $6, $7, $8, $9';

const params = (l: NewAnswerLabel) => [l.channelId, l.conversationId, l.messageId, l.question, l.confidence, l.verdict, l.source, l.correction, l.actor];

const toLabel = (r: Row): AnswerLabel => ({
  id: String(r.id),
  channelId: String(r.channel_id),
  conversationId: r.conversation_id == null ? null : String(r.conversation_id),
  messageId: r.message_id == null ? null : String(r.message_id),
  question: String(r.question),
  confidence: Number(r.confidence),
  verdict: r.verdict as LabelVerdict,
  source: r.source as AnswerLabel['source'],
  correction: (r.correction ?? null) as string | null,
  actor: String(r.actor),
  createdAt: new Date(r.created_at as string),
  updatedAt: new Date(r.updated_at as string),
});

/** issue 12 item 4: answer_labels (migrations/009_learning.sql). */
export function createAnswerLabelStore(db: Database): AnswerLabelStore {
  return {
    async answeredMessage(messageId) {
      const r = await db.query<Row>(ANSWERED_MESSAGE, [messageId]);
      const row = r.rows[0];
      if (!row) return null;
      return {
        messageId: String(row.id),
        conversationId: String(row.conversation_id),
        channelId: String(row.channel_id),
        sender: String(row.sender),
        confidence: row.confidence == null ? null : Number(row.confidence),
        question: (row.question ?? '') as string,
      };
    },
    async upsertForMessage(label) {
      const r = await db.query<Row>(
        `INSERT INTO answer_labels (${COLUMNS}) VALUES (${VALUES})
         ON CONFLICT (message_id) WHERE message_id IS NOT NULL DO UPDATE SET
           question = EXCLUDED.question, confidence = EXCLUDED.confidence, verdict = EXCLUDED.verdict, source = EXCLUDED.source,
           correction = EXCLUDED.correction, actor = EXCLUDED.actor, updated_at = now()
         RETURNING *`,
        params(label),
      );
      return toLabel(r.rows[0]);
    },
    async add(label) {
      const r = await db.query<Row>(`INSERT INTO answer_labels (${COLUMNS}) VALUES (${VALUES}) RETURNING *`, params(label));
      return toLabel(r.rows[0]);
    },
    async recent(channelId, limit) {
      const r = await db.query<Row>('SELECT confidence, verdict FROM answer_labels WHERE channel_id = $1 ORDER BY id DESC LIMIT $2', [channelId, limit]);
      return r.rows.map((row) => ({ confidence: Number(row.confidence), verdict: row.verdict as LabelVerdict }));
    },
    async recordCustomerVerdict(label, verdict) {
      if (verdict === null) {
        // Withdrawn: a label that was the customer's alone goes; an agent's stays as it is.
        await db.query("DELETE FROM answer_labels WHERE message_id = $1 AND source = 'platform'", [label.messageId]);
        await db.query('UPDATE answer_labels SET customer_verdict = NULL, customer_at = now() WHERE message_id = $1', [label.messageId]);
        return;
      }
      await db.query(
        `INSERT INTO answer_labels (${COLUMNS}, customer_verdict, customer_at) VALUES (${VALUES}, $6, now())
         ON CONFLICT (message_id) WHERE message_id IS NOT NULL DO UPDATE SET
           customer_verdict = EXCLUDED.customer_verdict, customer_at = now(),
           verdict = CASE WHEN answer_labels.source = 'platform' THEN EXCLUDED.verdict ELSE answer_labels.verdict END,
           updated_at = CASE WHEN answer_labels.source = 'platform' THEN now() ELSE answer_labels.updated_at END`,
        params({ ...label, verdict, source: 'platform' }),
      );
    },
    async customerFeedbackFor(messageIds) {
      const result = new Map<string, LabelVerdict>();
      if (messageIds.length === 0) return result;
      const r = await db.query<Row>('SELECT message_id, customer_verdict FROM answer_labels WHERE message_id = ANY($1::bigint[]) AND customer_verdict IS NOT NULL', [[...messageIds]]);
      for (const row of r.rows) result.set(String(row.message_id), row.customer_verdict as LabelVerdict);
      return result;
    },
    async feedbackFor(messageIds) {
      const result = new Map<string, { verdict: LabelVerdict; correction: string | null }>();
      if (messageIds.length === 0) return result;
      const r = await db.query<Row>("SELECT message_id, verdict, correction FROM answer_labels WHERE message_id = ANY($1::bigint[]) AND source <> 'platform'", [[...messageIds]]);
      for (const row of r.rows) result.set(String(row.message_id), { verdict: row.verdict as LabelVerdict, correction: (row.correction ?? null) as string | null });
      return result;
    },
  };
}
