/** Console users (issue #5). Roles are checked server-side on every request (reliability.md §3.4). */
export const ROLES = ['admin', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  /** Stored lower-cased: the login key. */
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
  /**
   * issue 14 item 4: open chats auto-assignment gives them at most (domain/presence.ts,
   * DEFAULT_CAPACITY); absent where a query did not read it (the session lookup).
   */
  capacity?: number;
}

/**
 * Who is acting: a signed-in user, or the ADMIN_TOKEN bearer (`{ id: 'admin-token', role: 'admin' }`).
 * Audit entries record `id`.
 */
export interface Actor {
  id: string;
  role: Role;
  email?: string;
  name?: string;
}

export const ADMIN_TOKEN_ACTOR: Actor = Object.freeze({ id: 'admin-token', role: 'admin' });

/** An admin may do everything an agent may. */
export function roleAllows(actual: Role, required: Role): boolean {
  return actual === 'admin' || actual === required;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Deliberately loose: `admin@localhost` must pass, and the real check is that the person can sign in. */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

/** ASVS 6.2.1: at least 8 characters; long passphrases allowed. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/**
 * The actor the audit log and system notes name for what the service does by itself: a model
 * handback (issue 11), an auto-assignment (issue 14). No user id is ever `system`.
 */
export const SYSTEM_ACTOR = 'system';
