import type { ConversationStore, ConversationSummary } from '../ports/conversation-store.js';
import type { Database } from './database.js';
import { searchCondition, withMatches } from './conversation-search.js';
import { containsPattern } from './like-pattern.js';
import { toContact, toConversation, toMessage, type Row } from './row-mappers.js';

const SUMMARY = `
SELECT c.*, ct.id AS ct_id, ct.channel_id AS ct_channel_id, ct.external_id AS ct_external_id, ct.name AS ct_name, ct.address AS ct_address,
       lm.id AS lm_id, lm.conversation_id AS lm_conversation_id, lm.sender AS lm_sender, lm.kind AS lm_kind,
       lm.text AS lm_text, lm.attachment AS lm_attachment, lm.confidence AS lm_confidence, lm.status AS lm_status, lm.error AS lm_error, lm.created_at AS lm_created_at,
       win.window_last_customer_at, win.window_sent_since,
       CASE WHEN c.status IN ('queued', 'assigned') THEN c.handed_off_at END AS waiting_since
FROM conversations c
JOIN contacts ct ON ct.id = c.contact_id
LEFT JOIN LATERAL (SELECT * FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1) lm ON true
LEFT JOIN LATERAL (
  SELECT w.at AS window_last_customer_at,
         (SELECT count(*) FROM messages o WHERE o.conversation_id = c.id AND o.sender IN ('bot', 'agent') AND o.status = 'sent' AND o.id > w.id) AS window_sent_since
  FROM (SELECT max(id) AS id, max(COALESCE(sent_at, created_at)) AS at FROM messages
        WHERE conversation_id = c.id AND sender = 'customer' AND kind <> 'event') w
) win ON true`;

function toSummary(r: Row): ConversationSummary {
  return {
    ...toConversation(r),
    contact: toContact(r, 'ct_'),
    lastMessage: r.lm_id == null ? null : toMessage(r, 'lm_'),
    replyWindow: { lastCustomerAt: r.window_last_customer_at ? new Date(r.window_last_customer_at as string) : null, sentSince: Number(r.window_sent_since ?? 0) },
    waitingSince: r.waiting_since ? new Date(r.waiting_since as string) : null,
  };
}

type Queries = Pick<ConversationStore, 'get' | 'findByContact' | 'list' | 'messages' | 'transition'>;

/** Read side of conversations, and the conditional status update agents' actions go through. */
export function createConversationQueries(db: Database): Queries {
  return {
    async get(id) {
      const r = await db.query<Row>(`${SUMMARY} WHERE c.id = $1`, [id]);
      return r.rows[0] ? toSummary(r.rows[0]) : null;
    },

    async findByContact(channelId, externalId) {
      const r = await db.query<Row>(`${SUMMARY} WHERE c.channel_id = $1 AND ct.external_id = $2`, [channelId, externalId]);
      return r.rows[0] ? toSummary(r.rows[0]) : null;
    },

    async list(filter) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (filter.status) add('c.status = ?', filter.status);
      if (filter.channelId) add('c.channel_id = ?', filter.channelId);
      if (filter.assigneeId === null) where.push('c.assignee_id IS NULL');
      else if (filter.assigneeId) add('c.assignee_id = ?', filter.assigneeId);
      // issue 14 item 1: by name, external id or message text (conversation-search.ts).
      const pattern = filter.q ? containsPattern(filter.q) : null;
      if (pattern) {
        params.push(pattern);
        where.push(searchCondition(`$${params.length}`));
      }
      params.push(filter.limit);
      const sql = `${SUMMARY} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY c.updated_at DESC, c.id DESC LIMIT $${params.length}`;
      const r = await db.query<Row>(sql, params);
      return pattern ? withMatches(db, r.rows.map(toSummary), pattern) : r.rows.map(toSummary);
    },

    async messages(conversationId, limit) {
      const r = await db.query<Row>(
        `SELECT * FROM (SELECT * FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) m ORDER BY id`,
        [conversationId, limit],
      );
      return r.rows.map((row) => toMessage(row));
    },

    async transition(id, from, to, fields, note, holderId) {
      return db.transaction(async (tx) => {
        const r = await tx.query<Row>(
          `UPDATE conversations SET status = $3,
             assignee_id = CASE WHEN $4::boolean THEN $5 ELSE assignee_id END,
             handoff_reason = CASE WHEN $6::boolean THEN $7 ELSE handoff_reason END,
             -- Handed to people: by the bot (→ queued) or by an agent stepping in (→ assigned, issue 14 item 2).
             handed_off_at = CASE WHEN $3 IN ('queued', 'assigned') AND status = 'bot' THEN now() ELSE handed_off_at END,
             updated_at = now()
           -- issue 14 review: with a holder, only while they still hold it (a transfer won the race otherwise).
           WHERE id = $1 AND status = $2 AND ($8::text IS NULL OR assignee_id = $8::text) RETURNING *`,
          [id, from, to, fields.assigneeId !== undefined, fields.assigneeId ?? null, fields.handoffReason !== undefined, fields.handoffReason ?? null, holderId ?? null],
        );
        if (!r.rows[0]) return null;
        if (note) {
          await tx.query(
            `INSERT INTO messages (conversation_id, channel_id, sender, kind, text, status) VALUES ($1, $2, 'system', 'text', $3, 'done')`,
            [id, r.rows[0].channel_id, note],
          );
        }
        return toConversation(r.rows[0]);
      });
    },
  };
}
