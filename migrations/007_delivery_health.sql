-- issue 11: outbound sends never give up silently. While a channel's platform keeps failing
-- transiently, one outbox row at a time probes it and the others wait. A row exists only while
-- its channel is failing; every worker process reads the same one.
CREATE TABLE delivery_health (
  channel_id      text PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
  failing_since   timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  -- The row allowed to call the platform, until probe_until (its next attempt plus the send lease).
  probe_outbox_id bigint,
  probe_until     timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- A row that waits for its platform past the usual retry window (the holding notice queued when a
-- reply could not be delivered). NULL: the window counts from created_at.
ALTER TABLE outbox ADD COLUMN retry_until timestamptz;
