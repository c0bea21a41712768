-- Every inbound message touches its contact and conversation rows (the ack is one upsert
-- statement). Keep those updates HOT (heap-only, no index writes): no index on updated_at, and
-- free space in each page for the new row version. Measured with npm run bench.
DROP INDEX conversations_status_idx;
CREATE INDEX conversations_status_idx ON conversations (status);
ALTER TABLE conversations SET (fillfactor = 70);
ALTER TABLE contacts SET (fillfactor = 70);
