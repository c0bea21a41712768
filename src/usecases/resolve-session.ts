import { needsTouch, sessionEndsAt, sessionExpired } from '../domain/session.js';
import type { Actor, User } from '../domain/user.js';
import type { CoreDeps } from './deps.js';
import { sessionTokenHash } from './session-token.js';

export interface ResolvedSession {
  actor: Actor;
  user: User;
  csrfToken: string;
}

const policyOf = (deps: CoreDeps) => ({ idleMs: deps.settings.auth.sessionIdleMs, maxMs: deps.settings.auth.sessionMaxMs });

/**
 * The user behind a session cookie, or null. Role and disabled come from the users row on every
 * call, so a role change or a disabled account takes effect on the next request.
 */
export async function resolveSession(deps: CoreDeps, token: string): Promise<ResolvedSession | null> {
  const tokenHash = sessionTokenHash(token);
  const found = await deps.sessions.find(tokenHash);
  if (!found) return null;
  const now = deps.clock.now();
  if (found.user.disabled || sessionExpired(found.session, now, policyOf(deps))) {
    await deps.sessions.delete(tokenHash);
    return null;
  }
  if (needsTouch(found.session, now)) await deps.sessions.touch(tokenHash, now);
  const { user } = found;
  return { actor: { id: user.id, role: user.role, email: user.email, name: user.name }, user, csrfToken: found.session.csrfToken };
}

/**
 * When a session will end if nothing uses it, without counting as a use (a long-lived stream is
 * not activity); null when it has ended already.
 */
export async function sessionDeadline(deps: CoreDeps, token: string): Promise<Date | null> {
  const found = await deps.sessions.find(sessionTokenHash(token));
  if (!found || found.user.disabled || sessionExpired(found.session, deps.clock.now(), policyOf(deps))) return null;
  return sessionEndsAt(found.session, policyOf(deps));
}
