import type { SessionRecord, SessionStore } from '../ports/session-store.js';
import type { Database } from './database.js';
import { toUser } from './user-store.js';

interface SessionRow {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  s_created_at: Date | string;
  last_seen_at: Date | string;
  expires_at: Date | string;
}

export function createSessionStore(db: Database): SessionStore {
  return {
    async create(s: SessionRecord) {
      await db.query(
        'INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [s.tokenHash, s.userId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt],
      );
    },
    async find(tokenHash: string) {
      // Every authenticated request runs this: one indexed join, prepared once per connection.
      const r = await db.query<SessionRow & Parameters<typeof toUser>[0]>(
        `SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at,
                u.id, u.email, u.name, u.role, u.disabled, u.password_hash, u.created_at, u.last_login_at
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
        [tokenHash], 'session_find',
      );
      const row = r.rows[0];
      if (!row) return null;
      return {
        session: {
          tokenHash: row.token_hash, userId: row.user_id, csrfToken: row.csrf_token,
          createdAt: new Date(row.s_created_at), lastSeenAt: new Date(row.last_seen_at), expiresAt: new Date(row.expires_at),
        },
        user: toUser(row),
      };
    },
    async touch(tokenHash: string, at: Date) {
      await db.query('UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2', [tokenHash, at]);
    },
    async delete(tokenHash: string) {
      await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
    },
    async deleteForUser(userId: string) {
      return (await db.query('DELETE FROM sessions WHERE user_id = $1', [userId])).rowCount;
    },
    async deleteExpired(now: Date, idleBefore: Date) {
      return (await db.query('DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2', [now, idleBefore])).rowCount;
    },
  };
}
