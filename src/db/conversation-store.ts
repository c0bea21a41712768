import { MODEL_HANDBACK_NOTE, type ConversationStatus } from '../domain/conversation.js';
import { ConflictError } from '../domain/errors.js';
import type { CompletedTurn, ConversationStore, TurnContext, TurnOutcome } from '../ports/conversation-store.js';
import { createDraftQueries, settleDraftsForAgentMessage, storeHandoffDraft, supersedeOpenDraft } from './agent-draft-queries.js';
import { createTransferQueries } from './conversation-note-store.js';
import type { Database, Queryable } from './database.js';
import { createInboundRecorder } from './inbound-batch.js';
import { createConversationQueries } from './conversation-queries.js';
import { createHandbackQueries } from './model-handback-queries.js';
import { toContact, toConversation, toMessage, type Row } from './row-mappers.js';

/**
 * Takes the turn lease and loads everything the turn needs in one round trip: the conversation,
 * its contact, the unanswered customer messages and the history before them (as JSON arrays).
 */
const ACQUIRE_TURN = `
WITH c AS (
  UPDATE conversations SET turn_owner = $2, turn_lease_until = now() + $3 * interval '1 millisecond'
  WHERE id = $1 AND (turn_lease_until IS NULL OR turn_lease_until < now())
    AND EXISTS (SELECT 1 FROM messages WHERE conversation_id = $1 AND sender = 'customer' AND status = 'pending')
  RETURNING *
), p AS (
  SELECT * FROM messages WHERE conversation_id = $1 AND sender = 'customer' AND status = 'pending'
)
SELECT c.*, row_to_json(ct) AS contact_json,
  (SELECT json_agg(p ORDER BY p.id) FROM p) AS pending_json,
  (SELECT json_agg(h ORDER BY h.id) FROM (
     SELECT * FROM messages WHERE conversation_id = $1 AND id < (SELECT min(id) FROM p) ORDER BY id DESC LIMIT $4
   ) h) AS history_json,
  -- A model handback (issue 11) after the first pending message: the customer had a holding message for it.
  EXISTS (SELECT 1 FROM messages WHERE conversation_id = $1 AND sender = 'system' AND text = $5 AND id > (SELECT min(id) FROM p)) AS holding_sent
FROM c JOIN contacts ct ON ct.id = c.contact_id`;

/**
 * `$8`, a holder (issue 14 review): the message is added only while the conversation is assigned to
 * them. FOR SHARE makes that check wait for a concurrent transfer, release or close and read its
 * outcome (READ COMMITTED re-checks the updated row), and holds that change off until this commits:
 * a reply lands wholly before or wholly after it, never in the next holder's chat.
 */
const INSERT_OUTGOING = `
WITH c AS (
  SELECT id, channel_id FROM conversations
  WHERE id = $1 AND ($8::text IS NULL OR (status = 'assigned' AND assignee_id = $8::text))
  FOR SHARE
), m AS (
  INSERT INTO messages (conversation_id, channel_id, sender, kind, text, confidence, status, attachment)
  SELECT id, channel_id, $2, $3, $4, $5, $6, $7 FROM c
  RETURNING id, status
), o AS (
  INSERT INTO outbox (message_id) SELECT id FROM m WHERE status = 'pending' RETURNING id, message_id
)
SELECT m.id AS message_id, o.id AS outbox_id FROM m LEFT JOIN o ON o.message_id = m.id`;

/**
 * Completes a turn in one statement (one round trip, one commit): under the conversation's row
 * lock and only for the lease owner, mark the answered messages done, add the outcome's
 * messages (with outbox rows for those that go out), apply the handoff and release the lease.
 * `ok` is the exactly-one-reply guard (DESIGN.md §3.2): when any answered message is no longer
 * pending, nothing is added and nothing is marked. Only the lease owner marks customer messages
 * done, and the lock serializes owners, so the statement's snapshot is a safe place to check.
 * Outcome messages flagged `needsBot` (answers, handoffs) are added only while the bot still
 * owns the conversation; an agent who took over mid-turn wins.
 */
const COMPLETE_TURN = `
WITH c AS (
  SELECT id, channel_id, status FROM conversations WHERE id = $1 AND turn_owner = $2 FOR UPDATE
), ok AS (
  SELECT c.* FROM c
  WHERE (SELECT count(*) FROM messages WHERE conversation_id = $1 AND id = ANY($3::bigint[]) AND sender = 'customer' AND status = 'pending')
        = cardinality($3::bigint[])
), done AS (
  UPDATE messages SET status = 'done'
  WHERE conversation_id = $1 AND id = ANY($3::bigint[]) AND sender = 'customer' AND status = 'pending' AND EXISTS (SELECT 1 FROM ok)
  RETURNING id
), added AS (
  SELECT e.ord, e.v->>'sender' AS sender, e.v->>'text' AS text, (e.v->>'confidence')::real AS confidence,
         (e.v->>'send')::boolean AS send, e.v->'attachment' AS attachment
  FROM ok, jsonb_array_elements($4::jsonb) WITH ORDINALITY AS e(v, ord)
  WHERE NOT (e.v->>'needsBot')::boolean OR ok.status = 'bot'
), m AS (
  INSERT INTO messages (conversation_id, channel_id, sender, kind, text, confidence, status, attachment)
  SELECT ok.id, ok.channel_id, added.sender, 'text', added.text, added.confidence, CASE WHEN added.send THEN 'pending' ELSE 'done' END, added.attachment
  FROM ok, added ORDER BY added.ord
  RETURNING id, status
), o AS (
  INSERT INTO outbox (message_id) SELECT id FROM m WHERE status = 'pending' ORDER BY id RETURNING id
), u AS (
  UPDATE conversations cv SET turn_owner = NULL, turn_lease_until = NULL,
    updated_at = CASE WHEN ok.id IS NULL THEN cv.updated_at ELSE now() END,
    status = CASE WHEN ok.status = 'bot' AND $6::text IS NOT NULL THEN 'queued' ELSE cv.status END,
    last_confidence = CASE WHEN ok.status = 'bot' THEN COALESCE($5::real, cv.last_confidence) ELSE cv.last_confidence END,
    handoff_reason = CASE WHEN ok.status = 'bot' AND $6::text IS NOT NULL THEN $6::text ELSE cv.handoff_reason END,
    handed_off_at = CASE WHEN ok.status = 'bot' AND $6::text IS NOT NULL THEN now() ELSE cv.handed_off_at END
  FROM c LEFT JOIN ok ON ok.id = c.id
  WHERE cv.id = c.id
  RETURNING cv.status, ok.id IS NOT NULL AS answered, COALESCE(ok.status = 'bot' AND $6::text IS NOT NULL, false) AS handed_off
)
SELECT u.status, u.answered, u.handed_off,
  (SELECT json_agg(id ORDER BY id) FROM m) AS message_ids,
  (SELECT json_agg(id ORDER BY id) FROM o) AS outbox_ids
FROM u`;

interface OutcomeMessage {
  sender: 'bot' | 'system';
  text: string;
  confidence: number | null;
  send: boolean;
  attachment?: Record<string, string>;
  /** Added only while the bot owns the conversation. */
  needsBot: boolean;
}

/** What a turn's outcome adds, and the conversation fields it sets when the bot still owns it. */
function outcomeRows(outcome: TurnOutcome): { messages: OutcomeMessage[]; confidence: number | null; handoffReason: string | null } {
  switch (outcome.type) {
    case 'answer':
      return { messages: [{ sender: 'bot', text: outcome.text, confidence: outcome.confidence, send: true, needsBot: true }], confidence: outcome.confidence, handoffReason: null };
    case 'handoff':
      return {
        messages: [
          { sender: 'system', text: `handoff:${outcome.reason}`, confidence: outcome.confidence, send: false, needsBot: true },
          ...(outcome.holdingMessage ? [{ sender: 'bot' as const, text: outcome.holdingMessage, confidence: null, send: true, needsBot: true }] : []),
        ],
        confidence: outcome.confidence,
        handoffReason: outcome.reason,
      };
    case 'welcome':
      return {
        messages: outcome.text ? [{ sender: 'bot', text: outcome.text, confidence: null, send: true, needsBot: false, ...(outcome.replyCode ? { attachment: { replyCode: outcome.replyCode } } : {}) }] : [],
        confidence: null,
        handoffReason: null,
      };
    case 'acknowledge':
      return { messages: [{ sender: 'bot', text: outcome.text, confidence: null, send: true, needsBot: false }], confidence: null, handoffReason: null };
    case 'store_only':
      return { messages: [], confidence: null, handoffReason: null };
  }
}

interface Added {
  messageId: string;
  outboxId: string | null;
}

/**
 * Adds a message; `send` decides whether it goes out (outbox row) or is only recorded. Null when
 * nothing was added: the conversation is gone, or no longer held by `holderId` (issue 14 review).
 */
async function addMessage(q: Queryable, conversationId: string, sender: string, text: string, confidence: number | null, send: boolean, holderId: string | null): Promise<Added | null> {
  const r = await q.query<Row>(INSERT_OUTGOING, [conversationId, sender, 'text', text, confidence, send ? 'pending' : 'done', null, holderId], 'insert_outgoing');
  const row = r.rows[0];
  if (!row) return null;
  return { messageId: String(row.message_id), outboxId: row.outbox_id == null ? null : String(row.outbox_id) };
}

/**
 * `db` as seen from inside one of its transactions: a query module that opens its own transaction
 * (transition, returnToBot) then runs inside the caller's, so the draft settles atomically with the move.
 */
function withinTransaction(db: Database, tx: Queryable): Database {
  return { ...db, query: <T>(sql: string, params?: unknown[], name?: string) => tx.query<T>(sql, params, name), acks: tx, transaction: (fn) => fn(tx) };
}

/** Statuses in which no agent will act on a draft (issue 13 item 5): the bot owns the chat, or it ended. */
const endsDraft = (status: ConversationStatus): boolean => status === 'bot' || status === 'closed';

export function createConversationStore(db: Database): ConversationStore {
  const queries = createConversationQueries(db);
  const recordInbound = createInboundRecorder(db.acks);

  return {
    ...queries,
    ...createHandbackQueries(db),
    ...createDraftQueries(db),
    // issue 14 item 3: the transfer writes its note in its own transaction (conversation-note-store.ts).
    ...createTransferQueries(db),

    async transition(id, from, to, fields, note, holderId) {
      if (!endsDraft(to)) return queries.transition(id, from, to, fields, note, holderId);
      return db.transaction(async (tx) => {
        const moved = await createConversationQueries(withinTransaction(db, tx)).transition(id, from, to, fields, note, holderId);
        if (moved) await supersedeOpenDraft(tx, id);
        return moved;
      });
    },

    async returnToBot(conversationId, window) {
      return db.transaction(async (tx) => {
        const returned = await createHandbackQueries(withinTransaction(db, tx)).returnToBot(conversationId, window);
        if (returned) await supersedeOpenDraft(tx, conversationId);
        return returned;
      });
    },

    recordInbound,

    async markRecalled(channelId, platformMessageId) {
      const r = await db.query<Row>(
        `UPDATE messages SET status = 'recalled' WHERE channel_id = $1 AND platform_message_id = $2 AND sender = 'customer' RETURNING id, conversation_id`,
        [channelId, platformMessageId],
      );
      return r.rows[0] ? { conversationId: String(r.rows[0].conversation_id), messageId: String(r.rows[0].id) } : null;
    },

    async replyWindow(conversationId) {
      const r = await db.query<Row>(
        `SELECT last.at, (SELECT count(*) FROM messages o WHERE o.conversation_id = $1 AND o.sender IN ('bot', 'agent')
                            AND o.status = 'sent' AND o.id > COALESCE(last.id, 0)) AS sent
         FROM (SELECT max(id) AS id, max(COALESCE(sent_at, created_at)) AS at FROM messages
               WHERE conversation_id = $1 AND sender = 'customer' AND kind <> 'event') last`,
        [conversationId],
      );
      const row = r.rows[0];
      return { lastCustomerAt: row?.at ? new Date(row.at as string) : null, sentSince: Number(row?.sent ?? 0) };
    },

    async acquireTurn(conversationId, owner, leaseMs, historyLimit): Promise<TurnContext | null> {
      const r = await db.query<Row>(ACQUIRE_TURN, [conversationId, owner, leaseMs, historyLimit, MODEL_HANDBACK_NOTE], 'acquire_turn');
      const row = r.rows[0];
      if (!row) return null;
      return {
        conversation: toConversation(row),
        contact: toContact(row.contact_json as Row),
        pending: (row.pending_json as Row[]).map((m) => toMessage(m)),
        history: ((row.history_json as Row[] | null) ?? []).map((m) => toMessage(m)),
        holdingSent: row.holding_sent === true,
      };
    },

    async completeTurn(conversationId, owner, pendingIds, outcome): Promise<CompletedTurn | null> {
      const rows = outcomeRows(outcome);
      const params = [conversationId, owner, pendingIds, JSON.stringify(rows.messages), rows.confidence, rows.handoffReason];
      // A handoff also settles the agent-assist drafts (issue 13 item 5) in the same transaction: the
      // open one is superseded, a low-confidence one stored. Only when the handoff applied (the bot
      // still owned the chat); every other turn stays one statement.
      const r = outcome.type === 'handoff'
        ? await db.transaction(async (tx) => {
          const done = await tx.query<Row>(COMPLETE_TURN, params, 'complete_turn');
          if (done.rows[0]?.answered && done.rows[0].handed_off) await storeHandoffDraft(tx, conversationId, outcome.draft);
          return done;
        })
        : await db.query<Row>(COMPLETE_TURN, params, 'complete_turn');
      const row = r.rows[0];
      // Lost the lease, or someone else answered these messages already.
      if (!row || !row.answered) return null;
      return {
        status: row.status as CompletedTurn['status'],
        outboxIds: ((row.outbox_ids as (string | number)[] | null) ?? []).map(String),
        addedMessageIds: ((row.message_ids as (string | number)[] | null) ?? []).map(String),
      };
    },

    async releaseTurn(conversationId, owner) {
      await db.query('UPDATE conversations SET turn_owner = NULL, turn_lease_until = NULL WHERE id = $1 AND turn_owner = $2', [conversationId, owner]);
    },

    async findStalledTurns(olderThanMs, limit) {
      const r = await db.query<Row>(
        `SELECT DISTINCT ON (m.conversation_id) m.conversation_id, m.id FROM messages m
         JOIN conversations c ON c.id = m.conversation_id
         WHERE m.sender = 'customer' AND m.status = 'pending' AND m.created_at < now() - $1 * interval '1 millisecond'
           AND (c.turn_lease_until IS NULL OR c.turn_lease_until < now())
         ORDER BY m.conversation_id, m.id LIMIT $2`,
        [olderThanMs, limit],
      );
      return r.rows.map((row) => ({ conversationId: String(row.conversation_id), messageId: String(row.id) }));
    },

    async firstPendingMessageId(conversationId) {
      const r = await db.query<Row>(`SELECT min(id) AS id FROM messages WHERE conversation_id = $1 AND sender = 'customer' AND status = 'pending'`, [conversationId], 'first_pending');
      return r.rows[0]?.id == null ? null : String(r.rows[0].id);
    },

    async addOutgoing(input) {
      const add = async (q: Queryable) => {
        const added = await addMessage(q, input.conversationId, input.sender, input.text, null, true, input.holderId ?? null);
        // issue 14 review: the holder the caller read no longer holds it; nothing is stored (the
        // transaction below rolls back, the draft stays unlinked).
        if (!added && input.holderId) throw new ConflictError('CONVERSATION.CHANGED', 'the conversation changed meanwhile; reload and try again');
        if (!added) throw new Error(`conversation ${input.conversationId} does not exist`);
        if (!added.outboxId) throw new Error('outgoing message without outbox row');
        return { messageId: added.messageId, outboxId: added.outboxId };
      };
      if (input.sender !== 'agent') return add(db);
      return db.transaction(async (tx) => {
        const added = await add(tx);
        await settleDraftsForAgentMessage(tx, input.conversationId, added.messageId, input.draftId);
        return added;
      });
    },
  };
}
