import { MEDIA_EXPIRED_REASON, type MediaFiles, type PendingMedia } from '../ports/media-files.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * issue 15 item 2: media kept in Postgres (migrations/022_media_files.sql). A key is expected
 * (pending) with its message, then settled once, stored or given up; the first outcome stays.
 */
const EXPECT = `
INSERT INTO media_files (channel_id, media_key, platform_message_id, status, source, deadline)
SELECT $1::text, x.key, x.msg, 'pending', x.source, x.deadline
FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS x(key, msg, source, deadline)
ON CONFLICT (channel_id, media_key) DO UPDATE
  SET source = EXCLUDED.source, deadline = GREATEST(media_files.deadline, EXCLUDED.deadline)
  WHERE media_files.status = 'pending'`;

const PENDING_COLUMNS = 'media_key, platform_message_id, source, deadline';

// Review item 6: the bytes go as a Buffer, which pg sends as a binary parameter (no hex text copy).
const SAVE = `
UPDATE media_files f SET status = 'stored', content_type = $3, file_name = $4, size = $5, bytes = $6::bytea, source = NULL, deadline = NULL
WHERE f.channel_id = $1 AND f.media_key = $2 AND f.status = 'pending'
  AND EXISTS (SELECT 1 FROM messages m WHERE m.channel_id = f.channel_id AND m.platform_message_id = f.platform_message_id)
RETURNING f.id`;

/**
 * Given-up keys (`given_up`: channel_id, platform_message_id, media_key, error) are written on
 * their messages in the same statement, so the console never shows a link that cannot work; per
 * file (`mediaUnavailableIds`), so the other files of a 图文混排 stay openable.
 */
const MARK_MESSAGES = `
UPDATE messages m SET attachment = COALESCE(m.attachment, '{}'::jsonb) || jsonb_build_object(
  'mediaUnavailable', g.error,
  'mediaUnavailableIds', COALESCE((m.attachment->>'mediaUnavailableIds') || E'\\n', '') || g.keys)
FROM (SELECT channel_id, platform_message_id, min(error) AS error, string_agg(media_key, E'\\n' ORDER BY media_key) AS keys
      FROM given_up GROUP BY channel_id, platform_message_id) g
WHERE m.channel_id = g.channel_id AND m.platform_message_id = g.platform_message_id`;

const GIVE_UP = `
WITH given_up AS (
  UPDATE media_files SET status = 'unavailable', error = $3, source = NULL, deadline = NULL
  WHERE channel_id = $1 AND media_key = $2 AND status = 'pending'
  RETURNING channel_id, platform_message_id, media_key, error
)
${MARK_MESSAGES}`;

const GIVE_UP_EXPIRED = `
WITH expired AS (
  SELECT id FROM media_files WHERE status = 'pending' AND deadline < $1 ORDER BY deadline LIMIT $2 FOR UPDATE SKIP LOCKED
), given_up AS (
  UPDATE media_files f SET status = 'unavailable', error = $3, source = NULL, deadline = NULL
  FROM expired e WHERE f.id = e.id
  RETURNING f.channel_id, f.platform_message_id, f.media_key, f.error
), marked AS (
  ${MARK_MESSAGES}
)
SELECT count(*)::int AS n FROM given_up`;

/** Reasons come from platform errors: kept short, so a chatty proxy page never fills the row. */
const MAX_REASON = 300;

/** pg returns bytea as a Buffer, PGlite as a Uint8Array. */
const toBuffer = (v: unknown): Buffer =>
  Buffer.isBuffer(v) ? v : v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.alloc(0);

const pendingOf = (row: Row): PendingMedia => ({
  key: String(row.media_key), platformMessageId: String(row.platform_message_id), source: String(row.source), deadline: new Date(row.deadline as string | Date),
});

export function createMediaFileStore(db: Database): MediaFiles {
  return {
    async expect(channelId, items) {
      if (items.length === 0) return;
      await db.query(EXPECT, [
        channelId, items.map((i) => i.key), items.map((i) => i.platformMessageId), items.map((i) => i.source), items.map((i) => i.deadline.toISOString()),
      ]);
    },
    async pending(channelId, limit) {
      const r = await db.query<Row>(`SELECT ${PENDING_COLUMNS} FROM media_files WHERE channel_id = $1 AND status = 'pending' ORDER BY deadline LIMIT $2`, [channelId, limit]);
      return r.rows.map(pendingOf);
    },
    async current(channelId, key) {
      const r = await db.query<Row>(`SELECT ${PENDING_COLUMNS} FROM media_files WHERE channel_id = $1 AND media_key = $2 AND status = 'pending'`, [channelId, key]);
      return r.rows[0] ? pendingOf(r.rows[0]) : null;
    },
    async save(channelId, key, file) {
      const r = await db.query<Row>(SAVE, [channelId, key, file.contentType, file.fileName, file.body.length, file.body]);
      return r.rows.length > 0;
    },
    async markUnavailable(channelId, key, reason) {
      await db.query(GIVE_UP, [channelId, key, reason.slice(0, MAX_REASON)]);
    },
    async giveUpExpired(now, limit) {
      const r = await db.query<Row>(GIVE_UP_EXPIRED, [now.toISOString(), limit, MEDIA_EXPIRED_REASON]);
      return Number(r.rows[0]?.n ?? 0);
    },
    async get(channelId, key, now) {
      const r = await db.query<Row>(
        'SELECT status, content_type, file_name, bytes, error, deadline FROM media_files WHERE channel_id = $1 AND media_key = $2',
        [channelId, key],
      );
      const row = r.rows[0];
      if (!row) return null;
      if (row.status === 'pending') return new Date(row.deadline as string | Date) < now ? { state: 'unavailable', reason: MEDIA_EXPIRED_REASON } : { state: 'pending' };
      if (row.status !== 'stored') return { state: 'unavailable', reason: String(row.error ?? '') };
      return {
        state: 'stored',
        file: { contentType: String(row.content_type), fileName: row.file_name == null ? null : String(row.file_name), body: toBuffer(row.bytes) },
      };
    },
  };
}
