-- issue 14 items 2 and 3: internal notes inside a conversation, for agents only.
--
-- Their own table, never rows of messages: everything that reads messages (the outbox, the model's
-- history, the training export, the web chat history and stream, every platform adapter) can then
-- never see a note, whatever it filters on. author_id is a user id, or `admin-token` for the
-- ADMIN_TOKEN bearer, so it references nothing. kind: 'note' (written in the conversation) or
-- 'transfer' (the note given with a transfer to another agent or the queue, stored in the
-- transfer's transaction; the console shows it as 转交备注).
CREATE TABLE conversation_notes (
  id              bigserial PRIMARY KEY,
  conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  author_id       text NOT NULL,
  kind            text NOT NULL DEFAULT 'note' CHECK (kind IN ('note', 'transfer')),
  text            text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
  created_at      timestamptz NOT NULL DEFAULT now()
);
-- A conversation's notes in order, for its detail view.
CREATE INDEX conversation_notes_conversation_idx ON conversation_notes (conversation_id, id);
