import type { SessionTimes } from '../domain/session.js';
import type { User } from '../domain/user.js';

export interface SessionRecord extends SessionTimes {
  /** sha256 of the cookie value; the token itself is never stored. */
  tokenHash: string;
  userId: string;
  csrfToken: string;
}

/** Server-side sessions in Postgres, so logout, disabling and role changes apply at once everywhere. */
export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  /** The session with its user row as it is now (role and disabled are read on every request). */
  find(tokenHash: string): Promise<{ session: SessionRecord; user: User } | null>;
  touch(tokenHash: string, at: Date): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  /** Every session of a user (disabled, password changed). Returns how many there were. */
  deleteForUser(userId: string): Promise<number>;
  /** Housekeeping: sessions past `now` or last seen before `idleBefore`. */
  deleteExpired(now: Date, idleBefore: Date): Promise<number>;
}
