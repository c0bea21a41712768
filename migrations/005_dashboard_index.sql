-- The admin dashboard (GET /api/stats) counts messages of the last 24 h / 7 d by created_at.
-- created_at never changes, so this index does not stop the HOT updates of 003.
CREATE INDEX messages_created_idx ON messages (created_at);
