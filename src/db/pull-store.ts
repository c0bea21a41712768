import type { PullStore } from '../ports/pull-store.js';
import { insertInbound } from './inbound-batch.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

class LeaseLost extends Error {}

export function createPullStore(db: Database): PullStore {
  return {
    async noteRequest(channelId, source, token) {
      await db.query(
        `INSERT INTO pull_cursors (channel_id, source, token, token_at, requested_at) VALUES ($1, $2, $3, CASE WHEN $3::text IS NULL THEN NULL ELSE now() END, now())
         ON CONFLICT (channel_id, source) DO UPDATE SET requested_at = now(),
           token = COALESCE(EXCLUDED.token, pull_cursors.token), token_at = COALESCE(EXCLUDED.token_at, pull_cursors.token_at)`,
        [channelId, source, token],
      );
    },

    async acquire(channelId, source, owner, leaseMs, tokenTtlMs) {
      const r = await db.query<Row>(
        `INSERT INTO pull_cursors (channel_id, source, lease_owner, lease_until) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
         ON CONFLICT (channel_id, source) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until
           WHERE pull_cursors.lease_until IS NULL OR pull_cursors.lease_until < now()
         RETURNING cursor, CASE WHEN token_at > now() - $5 * interval '1 millisecond' THEN token END AS token, now() AS started_at`,
        [channelId, source, owner, leaseMs, tokenTtlMs],
      );
      const row = r.rows[0];
      if (!row) return null;
      return { cursor: (row.cursor ?? null) as string | null, token: (row.token ?? null) as string | null, startedAt: new Date(row.started_at as string) };
    },

    async commitPage(channelId, source, owner, leaseMs, page, nextCursor) {
      try {
        return await db.transaction(async (tx) => {
          const held = await tx.query(
            `UPDATE pull_cursors SET cursor = COALESCE($4, cursor), lease_until = now() + $5 * interval '1 millisecond'
             WHERE channel_id = $1 AND source = $2 AND lease_owner = $3`,
            [channelId, source, owner, nextCursor, leaseMs],
          );
          if (held.rowCount !== 1) throw new LeaseLost();
          const recorded = [];
          for (const item of page) recorded.push({ ...item, recorded: await insertInbound(tx, channelId, item.message, item.answer) });
          return recorded;
        });
      } catch (err) {
        if (err instanceof LeaseLost) return null;
        throw err;
      }
    },

    async release(channelId, source, owner, startedAt) {
      const r = await db.query<Row>(
        `UPDATE pull_cursors SET lease_owner = NULL, lease_until = NULL, pulled_at = now()
         WHERE channel_id = $1 AND source = $2 AND lease_owner = $3 RETURNING requested_at > $4 AS again`,
        [channelId, source, owner, startedAt],
      );
      return Boolean(r.rows[0]?.again);
    },

    async findUnserved(olderThanMs, limit) {
      const r = await db.query<Row>(
        `SELECT channel_id, source FROM pull_cursors
         WHERE requested_at > COALESCE(pulled_at, '-infinity') AND requested_at < now() - $1 * interval '1 millisecond'
           AND (lease_until IS NULL OR lease_until < now())
         LIMIT $2`,
        [olderThanMs, limit],
      );
      return r.rows.map((row) => ({ channelId: String(row.channel_id), source: String(row.source) }));
    },
  };
}
