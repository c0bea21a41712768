import type { KnowledgeSuggestion, KnowledgeSuggestionStore, SuggestionStatus } from '../ports/knowledge-suggestions.js';
import type { Database } from './database.js';
import { toKnowledgeRecord, type Row } from './row-mappers.js';

const VIEW = `
SELECT s.*, k.instruction AS k_instruction, k.output AS k_output, k.channel_id AS k_channel_id
FROM knowledge_suggestions s LEFT JOIN knowledge k ON k.id = s.entry_id`;

const toSuggestion = (r: Row): KnowledgeSuggestion => ({
  id: String(r.id),
  channelId: String(r.channel_id),
  conversationId: r.conversation_id == null ? null : String(r.conversation_id),
  question: String(r.question),
  answer: String(r.answer),
  entryId: r.entry_id == null ? null : String(r.entry_id),
  entry: r.k_instruction == null ? null : { instruction: String(r.k_instruction), output: String(r.k_output), channelId: (r.k_channel_id ?? null) as string | null },
  source: r.source as KnowledgeSuggestion['source'],
  status: r.status as SuggestionStatus,
  createdEntryId: r.created_entry_id == null ? null : String(r.created_entry_id),
  reviewedBy: (r.reviewed_by ?? null) as string | null,
  reviewedAt: r.reviewed_at ? new Date(r.reviewed_at as string) : null,
  createdAt: new Date(r.created_at as string),
});

/** issue 12 item 5: knowledge_suggestions (migrations/009_learning.sql). */
export function createKnowledgeSuggestionStore(db: Database): KnowledgeSuggestionStore {
  const get = async (id: string) => {
    const r = await db.query<Row>(`${VIEW} WHERE s.id = $1`, [id]);
    return r.rows[0] ? toSuggestion(r.rows[0]) : null;
  };
  return {
    get,
    async propose(s) {
      // The partial unique index keeps one open suggestion per (channel, question, entry).
      const r = await db.query<Row>(
        `INSERT INTO knowledge_suggestions (channel_id, conversation_id, question, question_key, answer, entry_id, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
        [s.channelId, s.conversationId, s.question, s.questionKey, s.answer, s.entryId, s.source],
      );
      return r.rows[0] ? get(String(r.rows[0].id)) : null;
    },
    async list(status, limit) {
      const r = await db.query<Row>(`${VIEW} WHERE s.status = $1 ORDER BY s.id DESC LIMIT $2`, [status, limit]);
      return r.rows.map(toSuggestion);
    },
    async accept(id, actor, entry) {
      // The conditional update takes the row lock: a second admin's accept waits, then finds it no
      // longer open and creates nothing.
      const created = await db.transaction(async (tx) => {
        const claimed = await tx.query<Row>(
          `UPDATE knowledge_suggestions SET status = 'accepted', reviewed_by = $2, reviewed_at = now() WHERE id = $1 AND status = 'open' RETURNING id`,
          [id, actor],
        );
        if (!claimed.rows[0]) return null;
        const inserted = await tx.query<Row>(
          'INSERT INTO knowledge (channel_id, instruction, input, output) VALUES ($1, $2, $3, $4) RETURNING *',
          [entry.channelId, entry.instruction, entry.input, entry.output],
        );
        await tx.query('UPDATE knowledge_suggestions SET created_entry_id = $2 WHERE id = $1', [id, inserted.rows[0].id]);
        return toKnowledgeRecord(inserted.rows[0]);
      });
      if (!created) return null;
      const suggestion = await get(id);
      return suggestion ? { suggestion, entry: created } : null;
    },
    async reject(id, actor) {
      const r = await db.query<Row>(
        `UPDATE knowledge_suggestions SET status = 'rejected', reviewed_by = $2, reviewed_at = now() WHERE id = $1 AND status = 'open' RETURNING id`,
        [id, actor],
      );
      return r.rows[0] ? get(id) : null;
    },
  };
}
