import type { ConnectionLeases } from '../ports/connection-leases.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * issue 15: connection leases (migrations/020_connection_leases.sql). One conditional upsert takes
 * a free or expired lease, or renews one's own; FROM channels: a deleted channel gets none.
 */
const ACQUIRE = `
INSERT INTO connection_leases AS l (channel_id, holder, lease_until)
SELECT id, $2, now() + $3 * interval '1 millisecond' FROM channels WHERE id = $1
ON CONFLICT (channel_id) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until
WHERE l.holder = EXCLUDED.holder OR l.lease_until < now()
RETURNING holder`;

export function createConnectionLeaseStore(db: Database): ConnectionLeases {
  return {
    async acquire(channelId, holder, ttlMs) {
      const r = await db.query<Row>(ACQUIRE, [channelId, holder, ttlMs], 'connection_lease');
      return r.rows.length > 0;
    },
    async release(channelId, holder) {
      await db.query('DELETE FROM connection_leases WHERE channel_id = $1 AND holder = $2', [channelId, holder]);
    },
    async dueOutbox(channelId, limit) {
      const r = await db.query<Row>(
        `SELECT o.id FROM outbox o JOIN messages m ON m.id = o.message_id
         WHERE m.channel_id = $1 AND o.status = 'pending' AND o.next_attempt_at <= now()
         ORDER BY o.id LIMIT $2`,
        [channelId, limit],
        'connection_outbox_due',
      );
      return r.rows.map((row) => String(row.id));
    },
  };
}
