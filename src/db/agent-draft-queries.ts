import type { AgentDraft, ConversationStore, DraftStatus, TurnDraft } from '../ports/conversation-store.js';
import type { Database, Queryable } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * Agent assist (issue 13 item 5): the unsent drafts of low-confidence handoffs
 * (migrations/012_agent_drafts.sql). At most one is open per conversation.
 */

/**
 * A handoff, an agent's own reply, or the chat going back to the bot or closing supersedes the open
 * draft: it was written for a question the chat has moved past.
 */
const SUPERSEDE_OPEN = `UPDATE agent_drafts SET status = 'superseded' WHERE conversation_id = $1 AND status = 'open'`;

const INSERT_DRAFT = `
INSERT INTO agent_drafts (conversation_id, channel_id, question, text, confidence, model)
SELECT id, channel_id, $2, $3, $4, $5 FROM conversations WHERE id = $1`;

/**
 * Called by completeTurn inside the turn's transaction, after a handoff was applied: the open
 * draft (if any) is superseded and the new one (if the handoff carries one) stored open. In that
 * order, so the one-open-draft index never sees two.
 */
export async function storeHandoffDraft(tx: Queryable, conversationId: string, draft: TurnDraft | undefined): Promise<void> {
  await tx.query(SUPERSEDE_OPEN, [conversationId]);
  if (draft) await tx.query(INSERT_DRAFT, [conversationId, draft.question, draft.text, draft.confidence, draft.model]);
}

/**
 * The chat went back to the bot or was closed (issue 13 item 5 review): its open draft answers a
 * question nobody will act on, so it is superseded with the move, in the move's transaction.
 * Unassigning to the queue keeps it: the next agent to take the chat still sees it.
 */
export async function supersedeOpenDraft(tx: Queryable, conversationId: string): Promise<void> {
  await tx.query(SUPERSEDE_OPEN, [conversationId]);
}

/**
 * Called by addOutgoing inside the transaction that adds an agent message (issue 13 item 5 review).
 * The draft the message sends is linked to it there, so once the message is committed the draft can
 * never be reopened and sent a second time (reopenDraft requires no message); any other open draft
 * is superseded: the agent answered in their own words.
 */
export async function settleDraftsForAgentMessage(tx: Queryable, conversationId: string, messageId: string, draftId: string | undefined): Promise<void> {
  if (draftId) {
    const linked = await tx.query<Row>(
      `UPDATE agent_drafts SET message_id = $3
       WHERE id = $1 AND conversation_id = $2 AND status IN ('sent', 'edited') AND message_id IS NULL RETURNING id`,
      [draftId, conversationId, messageId],
    );
    // Closed by the caller just before; anything else means the message must not go out as this draft.
    if (linked.rows.length !== 1) throw new Error(`draft ${draftId} is not a closed, unsent draft of conversation ${conversationId}`);
  }
  await tx.query(SUPERSEDE_OPEN, [conversationId]);
}

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

function toDraft(r: Row): AgentDraft {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    channelId: String(r.channel_id),
    question: String(r.question),
    text: String(r.text),
    confidence: Number(r.confidence),
    model: String(r.model),
    status: r.status as DraftStatus,
    finalText: (r.final_text ?? null) as string | null,
    messageId: r.message_id == null ? null : String(r.message_id),
    actedBy: (r.acted_by ?? null) as string | null,
    actedAt: date(r.acted_at),
    createdAt: new Date(r.created_at as string),
  };
}

type DraftQueries = Pick<ConversationStore, 'openDraft' | 'findDraft' | 'closeDraft' | 'reopenDraft'>;

export function createDraftQueries(db: Database): DraftQueries {
  return {
    async openDraft(conversationId) {
      const r = await db.query<Row>(`SELECT * FROM agent_drafts WHERE conversation_id = $1 AND status = 'open'`, [conversationId], 'open_draft');
      return r.rows[0] ? toDraft(r.rows[0]) : null;
    },

    async findDraft(conversationId, draftId) {
      const r = await db.query<Row>(`SELECT * FROM agent_drafts WHERE id = $1 AND conversation_id = $2`, [draftId, conversationId]);
      return r.rows[0] ? toDraft(r.rows[0]) : null;
    },

    async closeDraft(draftId, action) {
      const r = await db.query<Row>(
        `UPDATE agent_drafts SET status = $2, final_text = $3, acted_by = $4, acted_at = now()
         WHERE id = $1 AND status = 'open' RETURNING *`,
        [draftId, action.status, action.finalText, action.actedBy],
      );
      return r.rows[0] ? toDraft(r.rows[0]) : null;
    },

    async reopenDraft(draftId, actedBy) {
      // Not once a message links it (committed: the customer gets it), nor if a newer handoff stored
      // another open draft meanwhile (the index allows only one).
      await db.query(
        `UPDATE agent_drafts d SET status = 'open', final_text = NULL, acted_by = NULL, acted_at = NULL
         WHERE d.id = $1 AND d.acted_by = $2 AND d.message_id IS NULL AND d.status IN ('sent', 'edited')
           AND NOT EXISTS (SELECT 1 FROM agent_drafts o WHERE o.conversation_id = d.conversation_id AND o.status = 'open')`,
        [draftId, actedBy],
      );
    },
  };
}
