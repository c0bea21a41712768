import type { ConversationNote, ConversationNotes, NewNote, NoteKind } from '../ports/conversation-notes.js';
import type { ConversationStore, Transferred } from '../ports/conversation-store.js';
import type { Database, Queryable } from './database.js';
import { toConversation, type Row } from './row-mappers.js';

/**
 * Internal notes (issue 14 item 2, migrations/015_conversation_notes.sql) and the transfer that may
 * carry one (issue 14 item 3): a transfer's note is stored in the transfer's transaction.
 */

/** Inserts only for a conversation that exists: no row back means there is none. */
const INSERT_NOTE = `
INSERT INTO conversation_notes (conversation_id, author_id, kind, text)
SELECT id, $2, $3, $4 FROM conversations WHERE id = $1
RETURNING *`;

function toNote(r: Row): ConversationNote {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    authorId: String(r.author_id),
    kind: r.kind as NoteKind,
    text: String(r.text),
    createdAt: new Date(r.created_at as string),
  };
}

async function insertNote(q: Queryable, note: NewNote): Promise<ConversationNote | null> {
  const r = await q.query<Row>(INSERT_NOTE, [note.conversationId, note.authorId, note.kind, note.text]);
  return r.rows[0] ? toNote(r.rows[0]) : null;
}

export function createConversationNoteStore(db: Database): ConversationNotes {
  return {
    add: (note) => insertNote(db, note),

    async list(conversationId, limit) {
      const r = await db.query<Row>(
        `SELECT * FROM (SELECT * FROM conversation_notes WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) n ORDER BY id`,
        [conversationId, limit],
      );
      return r.rows.map(toNote);
    },
  };
}

/**
 * The transfer (issue 14 item 3), one conditional update: it applies only while the conversation is
 * still assigned to the holder the caller read, so of two concurrent transfers (or a transfer and a
 * take-over, release or close) exactly one wins. To the queue, the assignee goes (assigned → queued)
 * and the handoff keeps its reason and waiting time, as an unassign does.
 */
const TRANSFER = `
UPDATE conversations SET assignee_id = $3, status = CASE WHEN $3::text IS NULL THEN 'queued' ELSE 'assigned' END, updated_at = now()
WHERE id = $1 AND status = 'assigned' AND assignee_id = $2
RETURNING *`;

export function createTransferQueries(db: Database): Pick<ConversationStore, 'transfer'> {
  return {
    async transfer(conversationId, request): Promise<Transferred | null> {
      return db.transaction(async (tx) => {
        const r = await tx.query<Row>(TRANSFER, [conversationId, request.fromAssigneeId, request.toAssigneeId]);
        if (!r.rows[0]) return null;
        await tx.query(
          `INSERT INTO messages (conversation_id, channel_id, sender, kind, text, status) VALUES ($1, $2, 'system', 'text', $3, 'done')`,
          [conversationId, r.rows[0].channel_id, request.systemNote],
        );
        const note = request.note ? await insertNote(tx, { conversationId, authorId: request.note.authorId, kind: 'transfer', text: request.note.text }) : null;
        return { conversation: toConversation(r.rows[0]), note };
      });
    },
  };
}
