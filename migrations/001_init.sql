-- Foundation schema (DESIGN.md §2, §3). Forward-only: never edit a migration that has shipped.

CREATE TABLE channels (
  id              text PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('wecom_app', 'wecom_kf', 'wecom_bot', 'dingtalk_stream', 'dingtalk_http', 'webchat')),
  name            text NOT NULL,
  enabled         boolean NOT NULL DEFAULT true,
  bot_enabled     boolean NOT NULL DEFAULT true,
  -- Non-secret settings in clear; secrets as one AES-256-GCM blob bound to the channel id.
  config          jsonb NOT NULL DEFAULT '{}',
  secrets         text,
  model           jsonb NOT NULL DEFAULT '{}',
  handoff         jsonb NOT NULL DEFAULT '{}',
  welcome_message text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contacts (
  id          bigserial PRIMARY KEY,
  channel_id  text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  external_id text NOT NULL,
  name        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel_id, external_id)
);

-- One conversation per contact: closing and reopening moves the same row (DESIGN.md §4.4).
CREATE TABLE conversations (
  id              bigserial PRIMARY KEY,
  channel_id      text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  contact_id      bigint NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  status          text NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'queued', 'assigned', 'closed')),
  handoff_reason  text CHECK (handoff_reason IN ('low_confidence', 'customer_request', 'keyword', 'model_unavailable',
                                                 'unsupported_message', 'repeat_question', 'bot_disabled')),
  assignee_id     text,
  last_confidence real,
  -- The turn lease: one bot turn at a time per conversation, across every worker process.
  turn_owner      text,
  turn_lease_until timestamptz,
  handed_off_at   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel_id, contact_id)
);
CREATE INDEX conversations_status_idx ON conversations (status, updated_at DESC);

CREATE TABLE messages (
  id                  bigserial PRIMARY KEY,
  conversation_id     bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  channel_id          text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  -- The dedup guard (DESIGN.md §3.2): a platform's message id is stored once per channel.
  platform_message_id text,
  sender              text NOT NULL CHECK (sender IN ('customer', 'bot', 'agent', 'system')),
  kind                text NOT NULL,
  text                text,
  attachment          jsonb,
  confidence          real,
  status              text NOT NULL CHECK (status IN ('pending', 'done', 'sending', 'sent', 'failed', 'unknown')),
  error               text,
  sent_at             timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel_id, platform_message_id)
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);
-- Customer messages the bot has not answered yet: what turns and the sweeper look for.
CREATE INDEX messages_unanswered_idx ON messages (conversation_id, id) WHERE sender = 'customer' AND status = 'pending';

CREATE TABLE outbox (
  id              bigserial PRIMARY KEY,
  message_id      bigint NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until     timestamptz,
  last_error      text,
  platform_message_id text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');

CREATE TABLE knowledge (
  id          bigserial PRIMARY KEY,
  channel_id  text REFERENCES channels (id) ON DELETE CASCADE,
  instruction text NOT NULL,
  input       text NOT NULL DEFAULT '',
  output      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
  id      bigserial PRIMARY KEY,
  actor   text NOT NULL,
  action  text NOT NULL,
  target  text NOT NULL,
  details jsonb,
  at      timestamptz NOT NULL DEFAULT now()
);
