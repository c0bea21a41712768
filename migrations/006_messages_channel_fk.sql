-- Every message insert (each ack, each reply) checked messages.channel_id against channels with a
-- FOR KEY SHARE lock on the channel's one row, which all concurrent inserts of a busy channel share
-- (issue #2's bench). The conversation already references the channel, and deleting a channel
-- still deletes its messages through conversations ON DELETE CASCADE.
ALTER TABLE messages DROP CONSTRAINT messages_channel_id_fkey;
