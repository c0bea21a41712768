-- issue 13 item 5: agent assist. A turn handed off for low confidence keeps the responder's unsent
-- answer as a draft; the agent who takes the chat sends it as is, edits it, or discards it.
--
-- status: open (waiting for an agent), sent (as is), edited (final_text differs from text),
-- discarded (an agent judged it not worth sending), superseded (a newer handoff replaced it before
-- anyone acted). Superseded is its own status rather than 'discarded' by 'system': a discard is an
-- agent's verdict on the draft (a signal about the model), a supersede is only that nobody looked.
-- question is the customer turn the responder answered, as stored in messages (the training
-- export masks PII, as it does for messages). final_text is the text that went out (sent, edited);
-- message_id the agent message it became.
CREATE TABLE agent_drafts (
  id              bigserial PRIMARY KEY,
  conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  channel_id      text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  question        text NOT NULL,
  text            text NOT NULL,
  confidence      real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  model           text NOT NULL,
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'sent', 'edited', 'discarded', 'superseded')),
  final_text      text,
  message_id      bigint REFERENCES messages (id) ON DELETE SET NULL,
  acted_by        text,
  acted_at        timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
-- At most one open draft per conversation: the turn that stores a new one supersedes the old first.
CREATE UNIQUE INDEX agent_drafts_open_idx ON agent_drafts (conversation_id) WHERE status = 'open';
-- The drafts agents acted on, newest first (training pairs, acceptance rates).
CREATE INDEX agent_drafts_acted_idx ON agent_drafts (status, acted_at DESC) WHERE acted_at IS NOT NULL;
