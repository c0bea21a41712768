import type { EmbeddingStore, StoredEmbedding } from '../../src/ports/embeddings.js';

/** EmbeddingStore in memory, for unit tests and the offline eval (issue 12); counts what was saved. */
export class MemoryEmbeddingStore implements EmbeddingStore {
  private readonly rows = new Map<string, StoredEmbedding>();
  /** Vectors saved so far, counting replacements. */
  saved = 0;

  async load(entryIds: string[], model: string): Promise<Map<string, StoredEmbedding>> {
    const found = new Map<string, StoredEmbedding>();
    for (const id of entryIds) {
      const row = this.rows.get(`${model}\u0000${id}`);
      if (row) found.set(id, { ...row, vector: [...row.vector] });
    }
    return found;
  }

  async save(model: string, embeddings: StoredEmbedding[]): Promise<void> {
    for (const e of embeddings) this.rows.set(`${model}\u0000${e.entryId}`, { ...e, vector: [...e.vector] });
    this.saved += embeddings.length;
  }

  /** Stored rows under `model`. */
  count(model: string): number {
    let n = 0;
    for (const key of this.rows.keys()) if (key.startsWith(`${model}\u0000`)) n += 1;
    return n;
  }
}
