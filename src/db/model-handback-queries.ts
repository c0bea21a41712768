import { MODEL_HANDBACK_NOTE } from '../domain/conversation.js';
import type { ConversationStore, HandbackWindow } from '../ports/conversation-store.js';
import type { Database } from './database.js';
import { toConversation, type Row } from './row-mappers.js';

/**
 * The model handback of issue 11: a `model_unavailable` handoff nobody took goes back to the bot.
 * `c` is the conversation, `h.id` its latest handoff note (conversation-store.ts outcomeRows).
 * Nobody touched it since: no assignee, and no agent message or system note (assign, release,
 * close, platform event) after the handoff note. The holding message is a bot message: allowed.
 * The customer's last message bounds it, not the handoff: a question the model fails on again is
 * handed off again (silently), and stops coming back once it is too old to answer.
 */
const STILL_WAITING = `
  c.status = 'queued' AND c.assignee_id IS NULL AND c.handoff_reason = 'model_unavailable'
  AND c.handed_off_at <= $1::timestamptz AND h.id IS NOT NULL
  AND (SELECT max(w.created_at) FROM messages w WHERE w.conversation_id = c.id AND w.sender = 'customer' AND w.kind <> 'event') >= $2::timestamptz
  AND NOT EXISTS (SELECT 1 FROM messages a WHERE a.conversation_id = c.id AND a.id > h.id AND a.sender IN ('agent', 'system'))`;

const LAST_HANDOFF_NOTE = (conversation: string) =>
  `(SELECT max(id) AS id FROM messages WHERE conversation_id = ${conversation} AND sender = 'system' AND text LIKE 'handoff:%')`;

const FIND_CANDIDATES = `
SELECT c.id, c.channel_id FROM conversations c CROSS JOIN LATERAL ${LAST_HANDOFF_NOTE('c.id')} h
WHERE ${STILL_WAITING}
ORDER BY c.handed_off_at, c.id LIMIT $3`;

/** Only while no turn holds the lease: a turn in flight would mark done what this makes pending. */
const MOVE_TO_BOT = `
UPDATE conversations c SET status = 'bot', handoff_reason = NULL, updated_at = now()
FROM ${LAST_HANDOFF_NOTE('$3')} h
WHERE c.id = $3 AND ${STILL_WAITING} AND (c.turn_lease_until IS NULL OR c.turn_lease_until < now())
RETURNING c.*`;

/**
 * The customer messages nobody answered: every one after the last point where the customer got an
 * answer (an agent message, a bot answer, which carries a confidence) or a person or the platform
 * moved the conversation (a system note other than handoffs and earlier handbacks). So a handback
 * whose turn failed again and was handed off silently still brings back the first question.
 */
const MAKE_PENDING_AGAIN = `
UPDATE messages SET status = 'pending'
WHERE conversation_id = $1 AND sender = 'customer' AND kind <> 'event' AND status = 'done'
  AND id > COALESCE((
    SELECT max(id) FROM messages
    WHERE conversation_id = $1
      AND (sender = 'agent' OR (sender = 'bot' AND confidence IS NOT NULL)
           OR (sender = 'system' AND text NOT LIKE 'handoff:%' AND text <> $2))
  ), 0)`;

const ADD_NOTE = `
INSERT INTO messages (conversation_id, channel_id, sender, kind, text, status)
VALUES ($1, $2, 'system', 'text', $3, 'done') RETURNING id,
  (SELECT min(id) FROM messages WHERE conversation_id = $1 AND sender = 'customer' AND status = 'pending') AS first_pending_id`;

type HandbackQueries = Pick<ConversationStore, 'findHandbackCandidates' | 'returnToBot'>;

const windowParams = (window: HandbackWindow): [string, string] => [window.handedOffBefore.toISOString(), window.customerWroteSince.toISOString()];

export function createHandbackQueries(db: Database): HandbackQueries {
  return {
    async findHandbackCandidates(window, limit) {
      const r = await db.query<Row>(FIND_CANDIDATES, [...windowParams(window), limit]);
      return r.rows.map((row) => ({ conversationId: String(row.id), channelId: String(row.channel_id) }));
    },

    async returnToBot(conversationId, window) {
      return db.transaction(async (tx) => {
        const moved = await tx.query<Row>(MOVE_TO_BOT, [...windowParams(window), conversationId]);
        const row = moved.rows[0];
        if (!row) return null;
        await tx.query(MAKE_PENDING_AGAIN, [conversationId, MODEL_HANDBACK_NOTE]);
        const note = (await tx.query<Row>(ADD_NOTE, [conversationId, row.channel_id, MODEL_HANDBACK_NOTE])).rows[0];
        return {
          conversation: toConversation(row),
          noteId: String(note.id),
          firstPendingId: note.first_pending_id == null ? null : String(note.first_pending_id),
        };
      });
    },
  };
}
