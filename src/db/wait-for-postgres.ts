import type { Log } from '../ports/logger.js';
import type { Queryable } from './database.js';

/**
 * Start-up waits for PostgreSQL with backoff instead of exiting at once (issue 11: a database that
 * starts a few seconds after us, as in a compose file or a cluster restart, should not need a
 * supervisor's restart loop). Refusals no wait can fix — a wrong password, a missing database
 * (SQLSTATE classes 28 and 3D) — still fail at once.
 */
export async function waitForPostgres(db: Queryable, where: string, logger: Log, maxDelayMs = 10_000): Promise<void> {
  let delay = 250;
  for (;;) {
    try {
      await db.query('SELECT 1');
      return;
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? '');
      if (/^(28|3D)/.test(code)) throw err;
      logger.warn({ err: (err as Error).message, database: where, retryInMs: delay }, 'PostgreSQL is not reachable yet; waiting');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(maxDelayMs, delay * 2);
    }
  }
}
