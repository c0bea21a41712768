-- issue 15: a platform that keeps one connection per bot (WeCom 智能机器人 long connection: a newer
-- connection of the same bot kicks the older one out) is connected by one connector process only.
-- The holder renews its lease every connector round (about 1 s); a holder that dies loses it once
-- lease_until passes (about 10 s) and another connector process takes it.
CREATE TABLE connection_leases (
  channel_id  text PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
  holder      text NOT NULL,
  lease_until timestamptz NOT NULL
);
