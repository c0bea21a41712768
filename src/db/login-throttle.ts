import type { FailureCount, LoginThrottle } from '../ports/login-throttle.js';
import type { Database } from './database.js';

interface ThrottleRow {
  key: string;
  failures: number;
  window_start: Date | string;
}

/**
 * Fixed windows in Postgres: the counts hold across web processes and restarts, and one upsert
 * for all keys keeps concurrent failures from losing increments (keys always come in the same
 * order, so two upserts sharing keys cannot deadlock).
 */
export function createLoginThrottle(db: Database): LoginThrottle {
  return {
    async counts(keys: string[], windowMs: number, now: Date) {
      const counts = new Map<string, FailureCount>();
      if (keys.length === 0) return counts;
      const r = await db.query<ThrottleRow>(
        'SELECT key, failures, window_start FROM login_throttle WHERE key = ANY($1::text[]) AND window_start > $2',
        [keys, new Date(now.getTime() - windowMs)],
      );
      for (const row of r.rows) counts.set(row.key, { failures: row.failures, windowEndsAt: new Date(new Date(row.window_start).getTime() + windowMs) });
      return counts;
    },
    async recordFailure(keys: string[], windowMs: number, now: Date) {
      if (keys.length === 0) return;
      const closedBefore = new Date(now.getTime() - windowMs);
      await db.query(
        `INSERT INTO login_throttle (key, failures, window_start) SELECT k, 1, $2 FROM unnest($1::text[]) AS k
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.failures + 1 END,
           window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END`,
        [keys, now, closedBefore],
      );
      // Keeps the table as small as the attack: closed windows are worth nothing.
      await db.query('DELETE FROM login_throttle WHERE window_start <= $1', [closedBefore]);
    },
    async clear(keys: string[]) {
      if (keys.length > 0) await db.query('DELETE FROM login_throttle WHERE key = ANY($1::text[])', [keys]);
    },
  };
}
