import type { EmbeddingStore, StoredEmbedding } from '../ports/embeddings.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/** Rows per INSERT: 4 parameters each, far below PostgreSQL's 65,535-parameter limit, and one round trip per 100 entries. */
const SAVE_CHUNK = 100;

/** A real[] literal, sent as text: pg and PGlite both parse it the same way, whatever their array serializers do. */
function vectorLiteral(vector: number[]): string {
  return `{${vector.join(',')}}`;
}

function toVector(value: unknown): number[] {
  if (Array.isArray(value)) return value.map(Number);
  // Defensive: a driver that hands arrays back as text ('{0.1,0.2}').
  return String(value).replace(/^\{|\}$/g, '').split(',').filter((s) => s.length > 0).map(Number);
}

/** Vectors of knowledge entries in knowledge_embeddings (migrations/008, issue 12). */
export function createKnowledgeEmbeddingStore(db: Database): EmbeddingStore {
  return {
    async load(entryIds, model) {
      const found = new Map<string, StoredEmbedding>();
      // Ids are bigserial; anything else cannot have a row (and would fail the cast).
      const ids = entryIds.filter((id) => /^\d{1,18}$/.test(id));
      if (ids.length === 0) return found;
      const r = await db.query<Row>(
        'SELECT entry_id, content_hash, vector FROM knowledge_embeddings WHERE model = $1 AND entry_id = ANY($2::bigint[])',
        [model, `{${ids.join(',')}}`],
      );
      for (const row of r.rows) {
        const entryId = String(row.entry_id);
        found.set(entryId, { entryId, contentHash: String(row.content_hash), vector: toVector(row.vector) });
      }
      return found;
    },
    async save(model, embeddings) {
      for (let i = 0; i < embeddings.length; i += SAVE_CHUNK) {
        const chunk = embeddings.slice(i, i + SAVE_CHUNK);
        const params: unknown[] = [model];
        const rows = chunk.map((e) => {
          params.push(e.entryId, e.contentHash, vectorLiteral(e.vector));
          const n = params.length;
          return `($${n - 2}::bigint, $${n - 1}::text, $${n}::real[])`;
        });
        // Only entries that still exist: one deleted while it was being embedded is skipped instead of
        // failing the foreign key for the whole chunk.
        await db.query(
          `INSERT INTO knowledge_embeddings (entry_id, model, content_hash, vector)
           SELECT v.entry_id, $1, v.content_hash, v.vector
             FROM (VALUES ${rows.join(', ')}) AS v (entry_id, content_hash, vector)
            WHERE EXISTS (SELECT 1 FROM knowledge k WHERE k.id = v.entry_id)
           ON CONFLICT (entry_id, model) DO UPDATE
             SET content_hash = EXCLUDED.content_hash, vector = EXCLUDED.vector, updated_at = now()`,
          params,
        );
      }
    },
  };
}
