import type { AgentStatus, Presence } from '../domain/presence.js';
import type { PresenceState, PresenceStore, StreamTiming } from '../ports/presence.js';
import type { Role } from '../domain/user.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * Agent presence and console streams (issue 14 item 4; migrations/017_agent_presence.sql). Times
 * are the database's now(), so every web process measures staleness against the same clock.
 */

/** A stream that still counts: open and heard from lately, or closed within the grace period. Never NULL (the DELETE negates it). */
const counts = (staleMs: string, graceMs: string) =>
  `((s.closed_at IS NULL AND s.seen_at > now() - ${staleMs} * interval '1 millisecond') OR (s.closed_at IS NOT NULL AND s.closed_at > now() - ${graceMs} * interval '1 millisecond'))`;

/**
 * Offline, in one statement, whoever is not and has no stream that counts. Not someone whose
 * presence changed within the grace period: they may have set it a moment before their stream opened.
 */
const DROP = `
UPDATE users u SET presence = 'offline', presence_since = now()
WHERE u.presence <> 'offline' AND ($1::text[] IS NULL OR u.id = ANY($1::text[]))
  AND (u.presence_since IS NULL OR u.presence_since < now() - $3 * interval '1 millisecond')
  AND NOT EXISTS (SELECT 1 FROM console_streams s WHERE s.user_id = u.id AND ${counts('$2', '$3')})
RETURNING u.id, u.presence, u.presence_since`;

/** Sets presence; `since` moves only when it changes, and the old value says whether it did. */
const SET = `
WITH old AS (SELECT id, presence FROM users WHERE id = $1 FOR UPDATE)
UPDATE users u SET presence = $2, presence_since = CASE WHEN old.presence = $2 THEN u.presence_since ELSE now() END
FROM old WHERE u.id = old.id
RETURNING u.id, u.presence, u.presence_since, old.presence <> $2 AS changed`;

/** Enabled users who may take chats (both roles may), with the chats they hold now. */
const AGENTS = `
SELECT u.id, u.name, u.email, u.role, u.presence, u.presence_since, u.capacity,
  (SELECT count(*) FROM conversations c WHERE c.assignee_id = u.id AND c.status = 'assigned') AS open_chats
FROM users u WHERE NOT u.disabled AND u.role IN ('agent', 'admin')
ORDER BY u.created_at, u.id`;

const toState = (r: Row): PresenceState => ({
  userId: String(r.id),
  presence: r.presence as Presence,
  since: r.presence_since == null ? null : new Date(r.presence_since as string),
});

const toAgent = (r: Row): AgentStatus => ({
  id: String(r.id),
  name: String(r.name),
  email: String(r.email),
  role: r.role as Role,
  presence: r.presence as Presence,
  presenceSince: r.presence_since == null ? null : new Date(r.presence_since as string),
  capacity: Number(r.capacity),
  openChats: Number(r.open_chats),
});

export function createPresenceStore(db: Database): PresenceStore {
  return {
    async get(userId) {
      const r = await db.query<Row>('SELECT id, presence, presence_since FROM users WHERE id = $1', [userId]);
      return r.rows[0] ? toState(r.rows[0]) : null;
    },

    async set(userId, presence) {
      const r = await db.query<Row>(SET, [userId, presence]);
      return r.rows[0] ? { ...toState(r.rows[0]), changed: r.rows[0].changed === true } : null;
    },

    async openStream(streamId, userId, instance) {
      await db.query('INSERT INTO console_streams (id, user_id, instance) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [streamId, userId, instance]);
    },

    async touchStreams(streamIds) {
      if (streamIds.length === 0) return;
      await db.query('UPDATE console_streams SET seen_at = now() WHERE id = ANY($1::text[]) AND closed_at IS NULL', [streamIds]);
    },

    async closeStream(streamId) {
      await db.query('UPDATE console_streams SET closed_at = now() WHERE id = $1 AND closed_at IS NULL', [streamId]);
    },

    async dropWithoutStreams(userIds: string[] | null, timing: StreamTiming) {
      const r = await db.query<Row>(DROP, [userIds, timing.staleMs, timing.graceMs]);
      return r.rows.map(toState);
    },

    async deleteDeadStreams(timing: StreamTiming) {
      const r = await db.query(
        `DELETE FROM console_streams s WHERE NOT ${counts('$1', '$2')}`,
        [timing.staleMs, timing.graceMs],
      );
      return r.rowCount;
    },

    async listAgents() {
      return (await db.query<Row>(AGENTS)).rows.map(toAgent);
    },
  };
}
