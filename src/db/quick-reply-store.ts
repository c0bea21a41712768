import type { NewQuickReply, QuickReply, QuickReplyStore } from '../ports/quick-replies.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/** issue 14 item 3: quick replies (migrations/016_quick_replies.sql). */

const COLUMNS = 'id, owner_id, title, text, created_by, created_at, updated_at';

function toQuickReply(r: Row): QuickReply {
  return {
    // pg answers bigint as a string, PGlite as a number.
    id: String(r.id),
    ownerId: r.owner_id == null ? null : String(r.owner_id),
    title: String(r.title),
    text: String(r.text),
    createdBy: String(r.created_by),
    createdAt: new Date(r.created_at as string),
    updatedAt: new Date(r.updated_at as string),
  };
}

/** Two writers racing for one title: the unique index refuses the second (PostgreSQL and PGlite both say 23505). */
const isUniqueViolation = (err: unknown) => (err as { code?: unknown })?.code === '23505';

export function createQuickReplyStore(db: Database): QuickReplyStore {
  return {
    async listVisibleTo(ownerId) {
      const r = await db.query<Row>(
        `SELECT ${COLUMNS} FROM quick_replies WHERE owner_id IS NULL OR owner_id = $1
         ORDER BY owner_id IS NOT NULL, title, id`,
        [ownerId],
      );
      return r.rows.map(toQuickReply);
    },

    async get(id) {
      const r = await db.query<Row>(`SELECT ${COLUMNS} FROM quick_replies WHERE id = $1`, [id]);
      return r.rows[0] ? toQuickReply(r.rows[0]) : null;
    },

    async create(reply: NewQuickReply) {
      const r = await db.query<Row>(
        `INSERT INTO quick_replies (owner_id, title, text, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [reply.ownerId, reply.title, reply.text, reply.createdBy],
      );
      return r.rows[0] ? toQuickReply(r.rows[0]) : null;
    },

    async update(id, patch) {
      try {
        const r = await db.query<Row>(
          `UPDATE quick_replies SET title = coalesce($2, title), text = coalesce($3, text), updated_at = now()
           WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, patch.title ?? null, patch.text ?? null],
        );
        return r.rows[0] ? toQuickReply(r.rows[0]) : null;
      } catch (err) {
        if (isUniqueViolation(err)) return 'duplicate';
        throw err;
      }
    },

    async remove(id) {
      const r = await db.query(`DELETE FROM quick_replies WHERE id = $1`, [id]);
      return r.rowCount > 0;
    },
  };
}
