-- issue 12, item 3: dense retrieval. One vector per knowledge entry and embeddings model, computed
-- once from the entry's text and kept until the entry changes (content_hash no longer matches)
-- or EMBEDDING_MODEL names another model (a row of its own). real[] rather than pgvector: PGlite and
-- a stock PostgreSQL 15 both have it, and similarity is computed in the process (a few thousand
-- entries per channel), not in SQL.
CREATE TABLE knowledge_embeddings (
  entry_id     bigint NOT NULL REFERENCES knowledge (id) ON DELETE CASCADE,
  model        text NOT NULL,
  content_hash text NOT NULL,
  vector       real[] NOT NULL CHECK (cardinality(vector) > 0),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entry_id, model)
);
