-- issue 13 item 4: trying a new adapter before customers see it.

-- Evaluation reports (npm run eval), stored as uploaded: the console shows each adapter's newest.
CREATE TABLE model_reports (
  id          bigserial PRIMARY KEY,
  model_name  text NOT NULL,
  report      jsonb NOT NULL,
  uploaded_by text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_reports_model_idx ON model_reports (model_name, id DESC);

-- What a channel's shadow adapter answered to a live model turn; never sent, never in the outbox.
-- question is PII-masked (domain/pii.ts). live_message_id: the last message the live turn added
-- (its answer, or its holding message on a handoff), where an agent's later answer is looked up.
CREATE TABLE shadow_answers (
  id                bigserial PRIMARY KEY,
  channel_id        text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  conversation_id   bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  live_message_id   bigint REFERENCES messages (id) ON DELETE SET NULL,
  question          text NOT NULL,
  live_model        text NOT NULL,
  shadow_model      text NOT NULL,
  live_outcome      text NOT NULL CHECK (live_outcome IN ('answer', 'handoff')),
  live_text         text,
  live_confidence   real CHECK (live_confidence >= 0 AND live_confidence <= 1),
  shadow_text       text,
  shadow_confidence real CHECK (shadow_confidence >= 0 AND shadow_confidence <= 1),
  ok                boolean NOT NULL,
  error             text,
  created_at        timestamptz NOT NULL DEFAULT now()
);
-- The model page reads one channel's answers by one adapter since it was set, newest first.
CREATE INDEX shadow_answers_channel_idx ON shadow_answers (channel_id, shadow_model, created_at DESC);
