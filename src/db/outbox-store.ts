import type { ClaimedSend, OutboxStore, PollTake } from '../ports/outbox-store.js';
import type { Database } from './database.js';
import { createDeliveryHealth } from './delivery-health.js';
import type { Row } from './row-mappers.js';

/** Sets the outbox row and mirrors the delivery state on its message, in one statement. */
const finish = (status: string) => `
WITH o AS (
  UPDATE outbox SET status = '${status}', last_error = $2, platform_message_id = $3, lease_until = NULL, updated_at = now()
  WHERE id = $1 RETURNING message_id
)
UPDATE messages SET status = '${status}', error = $2, sent_at = CASE WHEN '${status}' = 'sent' THEN now() ELSE sent_at END
FROM o WHERE messages.id = o.message_id`;

/**
 * One poll (OutboxStore.takeForPoll) in one statement: the customer message `ref` names, every
 * pending reply of its conversation marked sent under `ref` (outbox and message; one written
 * while no stream was open goes out with the next), and those marked under `ref` before, found
 * through the outbox's platform-id index (migration 002), not by reading the whole conversation.
 * The statement's snapshot does not see its own updates, so the two lists never overlap. Replies
 * a sender holds (`sending`) are left to it and reported as in flight, and so is a reply the
 * snapshot saw pending but could not take: a sender claimed it while this statement waited for
 * its row lock. Read as "nothing more to come", that race once ended a stream empty.
 */
const TAKE_FOR_POLL = `
WITH asked AS (
  SELECT id, conversation_id, status, created_at FROM messages
  WHERE channel_id = $1 AND platform_message_id = $2 AND sender = 'customer'
), taken AS (
  UPDATE outbox o SET status = 'sent', platform_message_id = $2, lease_until = NULL, last_error = NULL, updated_at = now()
  FROM messages b, asked
  WHERE b.id = o.message_id AND b.conversation_id = asked.conversation_id AND o.status = 'pending'
  RETURNING o.message_id
), marked AS (
  UPDATE messages SET status = 'sent', error = NULL, sent_at = now()
  FROM taken WHERE messages.id = taken.message_id
  RETURNING messages.id, messages.sender, messages.text
), earlier AS (
  SELECT b.id, b.sender, b.text FROM outbox o JOIN messages b ON b.id = o.message_id
  WHERE o.platform_message_id = $2 AND o.status = 'sent' AND b.conversation_id = (SELECT conversation_id FROM asked)
)
SELECT asked.conversation_id, asked.status AS asked_status, asked.created_at AS asked_at, c.status AS conversation_status,
  (SELECT json_agg(id ORDER BY id) FROM marked) AS taken_ids,
  (SELECT json_agg(json_build_object('sender', d.sender, 'text', d.text) ORDER BY d.id)
   FROM (SELECT * FROM earlier UNION ALL SELECT * FROM marked) d) AS delivered,
  EXISTS (SELECT 1 FROM outbox o JOIN messages b ON b.id = o.message_id
          WHERE b.conversation_id = asked.conversation_id AND o.status IN ('pending', 'sending')
            AND o.message_id NOT IN (SELECT message_id FROM taken)) AS in_flight
FROM asked JOIN conversations c ON c.id = asked.conversation_id`;

/**
 * Marks a due pending row `sending` and reads what the send needs, with whether its channel's
 * platform is failing (delivery_health, migration 007) so a healthy send pays no extra round trip.
 */
const CLAIM = `
WITH o AS (
  UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = now() + $2 * interval '1 millisecond', updated_at = now()
  WHERE id = $1 AND status = 'pending' AND next_attempt_at <= now()
  RETURNING id, message_id, attempts, created_at, retry_until
)
SELECT o.id, o.message_id, o.attempts, o.created_at, o.retry_until, m.sender, m.text, m.conversation_id, m.channel_id,
       m.attachment->>'replyCode' AS reply_code, m.confidence, ct.external_id, ct.address, h.channel_id IS NOT NULL AS channel_failing
FROM o JOIN messages m ON m.id = o.message_id
JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
LEFT JOIN delivery_health h ON h.channel_id = m.channel_id`;

function toClaimedSend(row: Row): ClaimedSend {
  return {
    outboxId: String(row.id),
    messageId: String(row.message_id),
    sender: row.sender === 'agent' ? 'agent' : 'bot',
    conversationId: String(row.conversation_id),
    channelId: String(row.channel_id),
    contactExternalId: String(row.external_id),
    contactAddress: (row.address ?? {}) as Record<string, string>,
    text: String(row.text ?? ''),
    replyCode: (row.reply_code ?? null) as string | null,
    attempts: Number(row.attempts),
    queuedAt: new Date(row.created_at as string),
    retryUntil: row.retry_until == null ? null : new Date(row.retry_until as string),
    channelFailing: Boolean(row.channel_failing),
    confidence: row.confidence == null ? null : Number(row.confidence),
  };
}

export function createOutboxStore(db: Database, pendingGraceMs: number): OutboxStore {
  return {
    ...createDeliveryHealth(db),
    async claim(outboxId, leaseMs) {
      const r = await db.query<Row>(CLAIM, [outboxId, leaseMs], 'outbox_claim');
      const row = r.rows[0];
      return row ? toClaimedSend(row) : null;
    },
    async markSent(outboxId, platformMessageId) {
      await db.query(finish('sent'), [outboxId, null, platformMessageId], 'outbox_sent');
    },
    async markFailed(outboxId, error) {
      await db.query(finish('failed'), [outboxId, error, null]);
    },
    async markUnknown(outboxId, error) {
      await db.query(finish('unknown'), [outboxId, error, null]);
    },
    async markRetry(outboxId, error, delayMs) {
      await db.query(
        `UPDATE outbox SET status = 'pending', last_error = $2, lease_until = NULL, updated_at = now(),
           next_attempt_at = now() + $3 * interval '1 millisecond'
         WHERE id = $1 AND status = 'sending'`,
        [outboxId, error, delayMs],
      );
    },
    async markWaiting(outboxId, reason, delayMs) {
      await db.query(
        `UPDATE outbox SET status = 'pending', attempts = attempts - 1, last_error = $2, lease_until = NULL, updated_at = now(),
           next_attempt_at = now() + $3 * interval '1 millisecond'
         WHERE id = $1 AND status = 'sending'`,
        [outboxId, reason, delayMs],
      );
    },
    async setRetryUntil(outboxId, until) {
      await db.query('UPDATE outbox SET retry_until = $2 WHERE id = $1', [outboxId, until.toISOString()]);
    },
    async findDue(limit) {
      // Fresh pending rows already have a job on the way; the grace keeps the sweeper off them.
      const r = await db.query<Row>(
        `SELECT id, status = 'sending' AS expired FROM outbox
         WHERE (status = 'pending' AND next_attempt_at <= now() AND updated_at < now() - $1 * interval '1 millisecond')
            OR (status = 'sending' AND lease_until < now())
         ORDER BY id LIMIT $2`,
        [pendingGraceMs, limit],
      );
      return r.rows.map((row) => ({ outboxId: String(row.id), expiredLease: Boolean(row.expired) }));
    },
    async requeueExpired(outboxId) {
      const r = await db.query(
        `UPDATE outbox SET status = 'pending', lease_until = NULL, updated_at = now() - interval '1 hour'
         WHERE id = $1 AND status = 'sending' AND lease_until < now()`,
        [outboxId],
      );
      return r.rowCount > 0;
    },
    async failByPlatformId(channelId, platformMessageId, error) {
      const r = await db.query<Row>(
        `WITH o AS (
           UPDATE outbox SET status = 'failed', last_error = $3, lease_until = NULL, updated_at = now()
           FROM messages m WHERE m.id = outbox.message_id AND m.channel_id = $1 AND outbox.platform_message_id = $2
           RETURNING outbox.message_id
         )
         UPDATE messages SET status = 'failed', error = $3 FROM o WHERE messages.id = o.message_id
         RETURNING messages.id, messages.conversation_id`,
        [channelId, platformMessageId, error],
      );
      return r.rows[0] ? { conversationId: String(r.rows[0].conversation_id), messageId: String(r.rows[0].id) } : null;
    },
    async retryFailed(conversationId, messageId) {
      if (!/^\d{1,18}$/.test(conversationId) || !/^\d{1,18}$/.test(messageId)) return 'not_found';
      return db.transaction(async (tx) => {
        // A fresh row rather than the old one reset: the outbox id is the idempotency key platforms
        // dedupe on (微信客服 msgid), and a platform that accepted the old send before failing it
        // (msg_send_fail) would swallow a resend under the same key as a duplicate.
        const dropped = await tx.query(
          `DELETE FROM outbox WHERE message_id = $2 AND status = 'failed'
             AND EXISTS (SELECT 1 FROM messages WHERE id = $2 AND conversation_id = $1)`,
          [conversationId, messageId],
        );
        if (dropped.rowCount === 0) {
          const known = await tx.query('SELECT 1 FROM messages WHERE id = $2 AND conversation_id = $1', [conversationId, messageId]);
          return known.rows.length ? 'not_failed' : 'not_found';
        }
        const inserted = await tx.query<Row>('INSERT INTO outbox (message_id) VALUES ($1) RETURNING id', [messageId]);
        await tx.query(`UPDATE messages SET status = 'pending', error = NULL WHERE id = $1`, [messageId]);
        return { outboxId: String(inserted.rows[0].id) };
      });
    },
    async takeForPoll(channelId, ref): Promise<PollTake | null> {
      const r = await db.query<Row>(TAKE_FOR_POLL, [channelId, ref], 'outbox_take_for_poll');
      const row = r.rows[0];
      if (!row) return null;
      const delivered = ((row.delivered as { sender: string; text: string | null }[] | null) ?? [])
        .map((d) => ({ sender: d.sender === 'agent' ? 'agent' as const : 'bot' as const, text: d.text ?? '' }));
      return {
        conversationId: String(row.conversation_id),
        delivered,
        takenMessageIds: ((row.taken_ids as (string | number)[] | null) ?? []).map(String),
        unanswered: row.asked_status === 'pending',
        inFlight: Boolean(row.in_flight),
        conversationStatus: row.conversation_status as PollTake['conversationStatus'],
        askedAt: new Date(row.asked_at as string),
      };
    },
    async channelOf(outboxId) {
      const r = await db.query<Row>('SELECT m.channel_id FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.id = $1', [outboxId]);
      return r.rows[0] ? String(r.rows[0].channel_id) : null;
    },
    async pendingCount() {
      const r = await db.query<Row>(`SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sending')`);
      return Number(r.rows[0].n);
    },
  };
}
