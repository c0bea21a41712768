import type { KnowledgeRepository } from '../ports/knowledge-repository.js';
import type { Database } from './database.js';
import { containsPattern } from './like-pattern.js';
import { toKnowledgeRecord, type Row } from './row-mappers.js';

export function createKnowledgeRepository(db: Database): KnowledgeRepository {
  return {
    async insertMany(entries) {
      if (entries.length === 0) return 0;
      return db.transaction(async (tx) => {
        for (const e of entries) {
          await tx.query('INSERT INTO knowledge (channel_id, instruction, input, output, stage) VALUES ($1, $2, $3, $4, $5)', [e.channelId, e.instruction, e.input, e.output, e.stage ?? 'basic']);
        }
        return entries.length;
      });
    },
    async create(entry) {
      const r = await db.query<Row>(
        'INSERT INTO knowledge (channel_id, instruction, input, output, stage) VALUES ($1, $2, $3, $4, $5) RETURNING *',
        [entry.channelId, entry.instruction, entry.input, entry.output, entry.stage ?? 'basic'],
      );
      return toKnowledgeRecord(r.rows[0]);
    },
    async listFor(channelId, opts = {}) {
      const params: unknown[] = [channelId, opts.limit ?? 10000, opts.offset ?? 0];
      const scope = opts.own
        ? 'channel_id IS NOT DISTINCT FROM $1::text'
        : '($1::text IS NULL OR channel_id IS NULL OR channel_id = $1)';
      let search = '';
      if (opts.query) {
        // The admin's text is matched literally: % and _ are not wildcards here (one escaping for every search, like-pattern.ts).
        params.push(containsPattern(opts.query));
        search = `AND (instruction ILIKE $4 ESCAPE '\\' OR input ILIKE $4 ESCAPE '\\' OR output ILIKE $4 ESCAPE '\\')`;
      }
      const r = await db.query<Row>(`SELECT * FROM knowledge WHERE ${scope} ${search} ORDER BY id LIMIT $2 OFFSET $3`, params);
      return r.rows.map(toKnowledgeRecord);
    },
    async update(id, entry) {
      const r = await db.query<Row>(
        // An update without a stage keeps the entry's (issue 13: older clients send none).
        'UPDATE knowledge SET instruction = $2, input = $3, output = $4, stage = COALESCE($5, stage), updated_at = now() WHERE id = $1 RETURNING *',
        [id, entry.instruction, entry.input, entry.output, entry.stage ?? null],
      );
      return r.rows[0] ? toKnowledgeRecord(r.rows[0]) : null;
    },
    async delete(id) {
      return (await db.query('DELETE FROM knowledge WHERE id = $1', [id])).rowCount > 0;
    },
    async count() {
      const r = await db.query<Row>('SELECT count(*) AS n FROM knowledge');
      return Number(r.rows[0].n);
    },
    async version() {
      const r = await db.query<Row>('SELECT count(*) AS n, max(updated_at) AS at, max(id) AS id FROM knowledge');
      const row = r.rows[0];
      return `${String(row.n)}:${String(row.id ?? 0)}:${row.at ? new Date(row.at as string).getTime() : 0}`;
    },
  };
}
