import { randomBytes } from 'node:crypto';
import { normalizeEmail, type User } from '../domain/user.js';
import type { CoreDeps } from './deps.js';
import { checkPassword } from './create-user.js';

export interface FirstAdmin {
  user: User;
  /** Set when no ADMIN_PASSWORD was given: shown once on stdout, never stored in clear. */
  generatedPassword: string | null;
}

const SYSTEM = 'system';

/**
 * On an empty users table: an admin from ADMIN_EMAIL / ADMIN_PASSWORD, else admin@localhost with a
 * random password (DESIGN.md §4.1). Null when users exist already; the env values are not applied
 * to an existing account (change passwords through the API).
 */
export async function ensureFirstAdmin(deps: CoreDeps, wanted: { email?: string; password?: string }): Promise<FirstAdmin | null> {
  if ((await deps.users.count()) > 0) return null;
  const email = normalizeEmail(wanted.email ?? 'admin@localhost');
  const generatedPassword = wanted.password ? null : randomBytes(18).toString('base64url');
  const password = wanted.password ?? generatedPassword!;
  checkPassword(password);
  const user = await deps.users.createFirst({ email, name: email.split('@')[0], role: 'admin', passwordHash: await deps.passwords.hash(password) });
  if (!user) return null;
  await deps.audit.record({ actor: SYSTEM, action: 'user.create', target: `user:${user.id}`, details: { email, role: 'admin', firstAdmin: true } });
  return { user, generatedPassword };
}
