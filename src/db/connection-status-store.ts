import type { ConnectionState, ConnectionStatus, ConnectionStatusStore } from '../ports/connection-status.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * issue 14 item 6: live connection states (migrations/018_channel_connections.sql). Times are the
 * database's: the connector writes `now()` and staleness is judged by the same clock, so a skewed
 * web host cannot call a live connection dead.
 */

/** Platform errors are short; a runaway one is cut, not stored whole on every retry. */
const MAX_ERROR_LENGTH = 500;

/** The same state again keeps `since`; an error (with its time) stays until a newer one. */
const RECORD = `
INSERT INTO channel_connections AS c (channel_id, state, since, last_error, last_error_at, instance, updated_at)
SELECT id, $2, now(), $3, CASE WHEN $3::text IS NULL THEN NULL ELSE now() END, $4, now() FROM channels WHERE id = $1
ON CONFLICT (channel_id) DO UPDATE SET
  state = EXCLUDED.state,
  since = CASE WHEN c.state = EXCLUDED.state THEN c.since ELSE EXCLUDED.since END,
  last_error = coalesce(EXCLUDED.last_error, c.last_error),
  last_error_at = coalesce(EXCLUDED.last_error_at, c.last_error_at),
  instance = EXCLUDED.instance,
  updated_at = EXCLUDED.updated_at`;

const SELECT = (where: string) => `
SELECT channel_id, state, since, last_error, last_error_at, instance, updated_at,
       updated_at < now() - make_interval(secs => $1::double precision / 1000) AS stale
FROM channel_connections ${where}`;

const date = (v: unknown): Date | null => (v == null ? null : new Date(v as string));

function toStatus(r: Row): ConnectionStatus {
  return {
    channelId: String(r.channel_id),
    state: r.state as ConnectionState,
    since: new Date(r.since as string),
    lastError: (r.last_error ?? null) as string | null,
    lastErrorAt: date(r.last_error_at),
    instance: String(r.instance),
    updatedAt: new Date(r.updated_at as string),
    stale: Boolean(r.stale),
  };
}

export function createConnectionStatusStore(db: Database): ConnectionStatusStore {
  return {
    async record(channelId, report, instance) {
      // FROM channels: a report racing the channel's deletion stores nothing (no foreign-key error).
      await db.query(RECORD, [channelId, report.state, report.error?.slice(0, MAX_ERROR_LENGTH) ?? null, instance], 'connection_record');
    },

    async touch(channelId, state, instance) {
      const r = await db.query(
        `UPDATE channel_connections SET updated_at = now(), instance = $3 WHERE channel_id = $1 AND state = $2`,
        [channelId, state, instance],
        'connection_touch',
      );
      return r.rowCount > 0;
    },

    async remove(channelId) {
      await db.query(`DELETE FROM channel_connections WHERE channel_id = $1`, [channelId]);
    },

    async get(channelId, staleAfterMs) {
      const r = await db.query<Row>(SELECT('WHERE channel_id = $2'), [staleAfterMs, channelId]);
      return r.rows[0] ? toStatus(r.rows[0]) : null;
    },

    async list(staleAfterMs) {
      return (await db.query<Row>(SELECT(''), [staleAfterMs])).rows.map(toStatus);
    },
  };
}
