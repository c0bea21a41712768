-- issue 12, items 4 and 5: the bot learns from agents.

-- Labelled bot answers, for calibrating each channel's threshold. question is PII-masked (domain/pii.ts).
-- confidence is what the bot had: of the rated answer, or of a low_confidence handoff an agent answered.
CREATE TABLE answer_labels (
  id              bigserial PRIMARY KEY,
  channel_id      text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  conversation_id bigint REFERENCES conversations (id) ON DELETE CASCADE,
  message_id      bigint REFERENCES messages (id) ON DELETE CASCADE,
  question        text NOT NULL,
  confidence      real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  verdict         text NOT NULL CHECK (verdict IN ('good', 'bad')),
  source          text NOT NULL CHECK (source IN ('agent_feedback', 'agent_answer', 'platform')),
  correction      text,
  actor           text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
-- One label per bot message: a later verdict replaces the earlier one.
CREATE UNIQUE INDEX answer_labels_message_idx ON answer_labels (message_id) WHERE message_id IS NOT NULL;
-- Calibration reads a channel's most recent labels.
CREATE INDEX answer_labels_channel_idx ON answer_labels (channel_id, id DESC);

-- Questions agents answered, proposed as knowledge: a new phrasing of entry_id, or (entry_id NULL) a
-- new entry with the agent's answer. question and answer are PII-masked before they are stored.
CREATE TABLE knowledge_suggestions (
  id               bigserial PRIMARY KEY,
  channel_id       text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  conversation_id  bigint REFERENCES conversations (id) ON DELETE SET NULL,
  question         text NOT NULL,
  question_key     text NOT NULL,
  answer           text NOT NULL,
  entry_id         bigint REFERENCES knowledge (id) ON DELETE CASCADE,
  source           text NOT NULL CHECK (source IN ('agent_reply', 'correction')),
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
  created_entry_id bigint,
  reviewed_by      text,
  reviewed_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
-- Repeats of one question don't pile up: one open suggestion per (channel, normalized question, entry).
CREATE UNIQUE INDEX knowledge_suggestions_open_idx ON knowledge_suggestions (channel_id, question_key, (COALESCE(entry_id, 0))) WHERE status = 'open';
CREATE INDEX knowledge_suggestions_status_idx ON knowledge_suggestions (status, id DESC);
