import type { LoginThrottle, ThrottleRule } from '../ports/login-throttle.js';
import type { Database } from './database.js';

interface ThrottleRow {
  key: string;
  failures: number;
  window_start: Date | string;
}

/**
 * Fixed windows in Postgres: the count holds across web processes and restarts, and one upsert per
 * key keeps concurrent failures from losing increments.
 */
export function createLoginThrottle(db: Database): LoginThrottle {
  return {
    async blockedForMs(rules: ThrottleRule[], now: Date) {
      if (rules.length === 0) return 0;
      const r = await db.query<ThrottleRow>('SELECT key, failures, window_start FROM login_throttle WHERE key = ANY($1::text[])', [rules.map((x) => x.key)]);
      const rows = new Map(r.rows.map((row) => [row.key, row]));
      let wait = 0;
      for (const rule of rules) {
        const row = rows.get(rule.key);
        if (!row || row.failures < rule.limit) continue;
        const reopens = new Date(row.window_start).getTime() + rule.windowMs - now.getTime();
        wait = Math.max(wait, reopens);
      }
      return wait;
    },
    async recordFailure(rules: ThrottleRule[], now: Date) {
      for (const rule of rules) {
        const windowOpenedAfter = new Date(now.getTime() - rule.windowMs);
        await db.query(
          `INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $2)
           ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.failures + 1 END,
             window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END`,
          [rule.key, now, windowOpenedAfter],
        );
      }
      // Keeps the table as small as the attack: closed windows are worth nothing.
      const longest = Math.max(...rules.map((x) => x.windowMs));
      await db.query('DELETE FROM login_throttle WHERE window_start <= $1', [new Date(now.getTime() - longest)]);
    },
    async clear(keys: string[]) {
      if (keys.length > 0) await db.query('DELETE FROM login_throttle WHERE key = ANY($1::text[])', [keys]);
    },
  };
}
