-- 微信客服 (issue 3): platforms that notify and let us pull, reply routing per contact,
-- recalled messages, and a handoff reason for replies the platform refused.

ALTER TABLE contacts ADD COLUMN address jsonb NOT NULL DEFAULT '{}';

ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
  CHECK (status IN ('pending', 'done', 'sending', 'sent', 'failed', 'unknown', 'recalled'));

CREATE INDEX outbox_platform_message_idx ON outbox (platform_message_id) WHERE platform_message_id IS NOT NULL;

ALTER TABLE conversations DROP CONSTRAINT conversations_handoff_reason_check;
ALTER TABLE conversations ADD CONSTRAINT conversations_handoff_reason_check
  CHECK (handoff_reason IN ('low_confidence', 'customer_request', 'keyword', 'model_unavailable',
                            'unsupported_message', 'repeat_question', 'bot_disabled', 'delivery_failed'));

-- One row per pulled source (a 微信客服 account): the cursor is saved in the same transaction
-- as the page it belongs to, and the lease lets one sync run at a time across all processes.
CREATE TABLE pull_cursors (
  channel_id   text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  source       text NOT NULL,
  cursor       text,
  token        text,
  token_at     timestamptz,
  requested_at timestamptz,
  pulled_at    timestamptz,
  lease_owner  text,
  lease_until  timestamptz,
  PRIMARY KEY (channel_id, source)
);
