import type { AuditLog } from '../ports/audit-log.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

export function createAuditLog(db: Database): AuditLog {
  return {
    async record(entry) {
      await db.query('INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4)', [
        entry.actor, entry.action, entry.target, entry.details ? JSON.stringify(entry.details) : null,
      ]);
    },
    async list(limit) {
      // Users are named by email where the actor is one (ids stay: users may be renamed, never deleted).
      const r = await db.query<Row>('SELECT a.*, u.email AS actor_email FROM audit_log a LEFT JOIN users u ON u.id = a.actor ORDER BY a.id DESC LIMIT $1', [limit]);
      return r.rows.map((row) => ({
        id: String(row.id),
        actor: String(row.actor),
        actorEmail: row.actor_email == null ? null : String(row.actor_email),
        action: String(row.action),
        target: String(row.target),
        details: (row.details ?? undefined) as Record<string, unknown> | undefined,
        at: new Date(row.at as string),
      }));
    },
  };
}
