export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  /** The acting user's email; null for the admin token, the system and anonymous callers. */
  actorEmail: string | null;
  at: Date;
}

/** Append-only: who changed what, when. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  list(limit: number): Promise<AuditRecord[]>;
}
