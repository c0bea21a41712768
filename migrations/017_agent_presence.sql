-- issue 14 item 4: fair assignment. Agents say whether they take new chats (presence), how many
-- they hold at most (capacity), and a channel may hand its new handoffs to the least busy online
-- agent (channels.handoff->>'assignment' = 'auto'; no column: it lives in the handoff jsonb).

-- presence: set by the agent in the console; dropped to offline when their last console tab closes.
-- presence_since: when it last changed (the dashboard shows it; the sweeper's grace period reads it).
-- capacity: open chats auto-assignment gives one agent at most (a person may still take more by hand).
-- last_assigned_at: the last auto-assignment, the tie-break between agents equally busy (oldest first).
ALTER TABLE users ADD COLUMN presence text NOT NULL DEFAULT 'offline' CHECK (presence IN ('online', 'away', 'offline'));
ALTER TABLE users ADD COLUMN presence_since timestamptz;
ALTER TABLE users ADD COLUMN capacity integer NOT NULL DEFAULT 5 CHECK (capacity BETWEEN 1 AND 100);
ALTER TABLE users ADD COLUMN last_assigned_at timestamptz;

-- One row per open console event stream (a tab), whichever web process holds it, so "the last tab
-- closed" is right across several web processes. seen_at is refreshed every ~15 s while the
-- stream is open; a row not refreshed for 45 s belongs to a process that died and counts as
-- closed. closed_at: the stream ended; the row still counts for a short grace period, so that a
-- reload (close, then open) does not drop the agent offline, and the sweeper removes it after.
CREATE TABLE console_streams (
  id        text PRIMARY KEY,
  user_id   text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  instance  text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  seen_at   timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz
);
CREATE INDEX console_streams_user_idx ON console_streams (user_id);
CREATE INDEX console_streams_seen_idx ON console_streams (seen_at);

-- An agent's open chats: counted for every auto-assignment and for the agents list.
CREATE INDEX conversations_assignee_idx ON conversations (assignee_id) WHERE status = 'assigned';
-- The dashboard's per-agent figures read the day's closes and replies from the audit log.
CREATE INDEX audit_log_action_at_idx ON audit_log (action, at);
