import type { DeliveryHealth } from '../ports/delivery-health.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * One statement: the probe is taken when it is free, already this row's, or its holder let it
 * lapse. A channel without a row is healthy, so anyone may send. The NOT EXISTS reads the
 * statement's snapshot: a row healed while this waited for its lock still reads "failing", and
 * the row waits for the drain, which makes it due at once anyway.
 */
const TAKE_PROBE = `
WITH probe AS (
  UPDATE delivery_health SET probe_outbox_id = $2::bigint, probe_until = now() + $3 * interval '1 millisecond', updated_at = now()
  WHERE channel_id = $1 AND (probe_outbox_id IS NULL OR probe_outbox_id = $2::bigint OR probe_until < now())
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM probe) OR NOT EXISTS (SELECT 1 FROM delivery_health WHERE channel_id = $1) AS may_send`;

/** The first failing row of an outage probes; later ones keep the live probe where it is. */
const RECORD_FAILURE = `
INSERT INTO delivery_health (channel_id, last_error, probe_outbox_id, probe_until)
VALUES ($1, $3, $2::bigint, now() + $4 * interval '1 millisecond')
ON CONFLICT (channel_id) DO UPDATE SET
  last_error = EXCLUDED.last_error,
  updated_at = now(),
  probe_outbox_id = CASE WHEN ${free('delivery_health')} THEN EXCLUDED.probe_outbox_id ELSE delivery_health.probe_outbox_id END,
  probe_until = CASE WHEN ${free('delivery_health')} THEN EXCLUDED.probe_until ELSE delivery_health.probe_until END
RETURNING probe_outbox_id = $2::bigint AS probing`;

function free(table: string): string {
  return `(${table}.probe_outbox_id IS NULL OR ${table}.probe_outbox_id = EXCLUDED.probe_outbox_id OR ${table}.probe_until < now())`;
}

/**
 * The drain: the channel is healthy again and its waiting rows are due now. updated_at goes into
 * the past so the sweeper's grace for fresh rows (which have a job on the way) does not hold
 * them back: these have none.
 */
const RECORD_RECOVERY = `
WITH healed AS (
  DELETE FROM delivery_health WHERE channel_id = $1 RETURNING channel_id
), woken AS (
  UPDATE outbox o SET next_attempt_at = now(), updated_at = now() - interval '1 hour'
  FROM messages m
  WHERE m.id = o.message_id AND m.channel_id = $1 AND o.status = 'pending' AND o.next_attempt_at > now()
    AND EXISTS (SELECT 1 FROM healed)
  RETURNING o.id
)
SELECT count(*) AS n FROM woken`;

export function createDeliveryHealth(db: Database): DeliveryHealth {
  return {
    async takeProbe(channelId, outboxId, holdMs) {
      const r = await db.query<Row>(TAKE_PROBE, [channelId, outboxId, holdMs], 'delivery_take_probe');
      return Boolean(r.rows[0]?.may_send);
    },
    async recordFailure(channelId, outboxId, error, holdMs) {
      const r = await db.query<Row>(RECORD_FAILURE, [channelId, outboxId, error, holdMs], 'delivery_record_failure');
      return Boolean(r.rows[0]?.probing);
    },
    async recordRecovery(channelId) {
      const r = await db.query<Row>(RECORD_RECOVERY, [channelId], 'delivery_record_recovery');
      return Number(r.rows[0]?.n ?? 0);
    },
    async releaseProbe(channelId, outboxId) {
      await db.query(
        `UPDATE delivery_health SET probe_outbox_id = NULL, probe_until = NULL, updated_at = now()
         WHERE channel_id = $1 AND probe_outbox_id = $2::bigint`,
        [channelId, outboxId],
      );
    },
  };
}
