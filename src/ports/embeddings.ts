/**
 * Dense retrieval (issue 12, item 3): an embeddings node turns text into vectors, and the vectors of
 * knowledge entries are kept so that each entry is embedded once per (model, content).
 */

/** Turns texts into vectors (an OpenAI-compatible /v1/embeddings node, e.g. vLLM serving bge-m3). */
export interface Embedder {
  /** The `model` sent with every request; stored vectors are valid for this name only. */
  readonly model: string;
  /**
   * One vector per text, in the order of `texts`. Throws ModelUnavailableError when the node
   * cannot answer (down, timed out, cancelled through `signal`, an answer that is not embeddings).
   */
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}

/** A knowledge entry's vector, and the hash of the text it was computed from. */
export interface StoredEmbedding {
  entryId: string;
  /** Hash of the embedded text: a different hash means the entry was edited since. */
  contentHash: string;
  vector: number[];
}

export interface EmbeddingStore {
  /** The stored vectors of these entries under `model`, by entry id; entries without one are absent. */
  load(entryIds: string[], model: string): Promise<Map<string, StoredEmbedding>>;
  /**
   * Stores (or replaces) the vectors of entries under `model`. Entries deleted meanwhile are
   * skipped, not an error: their vectors would be removed with them anyway.
   */
  save(model: string, embeddings: StoredEmbedding[]): Promise<void>;
}
