-- issue 15 item 2: files a customer sent that the platform only lends for minutes (WeCom 智能机器人
-- over the long connection: image/file URLs "五分钟内有效", each with its own aeskey). The bytes are
-- fetched soon after the message is committed and kept here, so agents can open them later
-- (ChannelAdapter.fetchMedia). media_key is the adapter's id for one file of one message (the
-- attachment's mediaId); one row per key, so a redelivered frame stores nothing twice.
-- status 'pending': recorded with the message, not fetched yet; `source` is what the adapter needs
--   to fetch it (for WeCom the URL and that file's own key: JSON, never logged), `deadline` when
--   that stops working. A crash or lease move leaves the row for the channel's next connection
--   holder to resume, and the sweeper gives it up past its deadline (review item 5).
-- status 'stored': bytes kept. 'unavailable': given up (expired URL, too large, undecryptable).
-- Once settled, source is cleared.
CREATE TABLE media_files (
  id                  bigserial PRIMARY KEY,
  channel_id          text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  media_key           text NOT NULL,
  platform_message_id text NOT NULL,
  status              text NOT NULL CHECK (status IN ('pending', 'stored', 'unavailable')),
  source              text,
  deadline            timestamptz,
  content_type        text,
  file_name           text,
  size                integer,
  bytes               bytea,
  error               text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel_id, media_key),
  CHECK ((status = 'stored') = (bytes IS NOT NULL)),
  CHECK ((status = 'pending') = (source IS NOT NULL AND deadline IS NOT NULL))
);
-- The sweeper's give-up of expired rows, on any channel.
CREATE INDEX media_files_pending_deadline ON media_files (deadline) WHERE status = 'pending';
