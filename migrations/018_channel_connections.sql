-- issue 14 item 6: live connection status of channels whose adapter holds a connection (DingTalk Stream).
-- The connector process running a channel's connection writes its state on every change and touches
-- updated_at about every 10 s while it runs the connection (a heartbeat), so a row whose updated_at is
-- old means no connector runs it. since: when the current state began (a reconnect loop that keeps
-- failing keeps its since). last_error / last_error_at: the latest failure, kept after a reconnect.
-- instance: the process that wrote it. The row goes when the connector closes the connection.
CREATE TABLE channel_connections (
  channel_id    text PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
  state         text NOT NULL CHECK (state IN ('connecting', 'connected', 'reconnecting')),
  since         timestamptz NOT NULL DEFAULT now(),
  last_error    text,
  last_error_at timestamptz,
  instance      text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
