import type { Actor } from '../domain/user.js';
import type { CoreDeps } from './deps.js';
import { sessionTokenHash } from './session-token.js';

/** Ends one session: its row goes, so the cookie is worthless from now on in every process. */
export async function logout(deps: CoreDeps, actor: Actor, token: string): Promise<void> {
  const tokenHash = sessionTokenHash(token);
  await deps.sessions.delete(tokenHash);
  await deps.events.publish({ type: 'sessions.ended', userId: actor.id, tokenHash }).catch(() => undefined);
  await deps.audit.record({ actor: actor.id, action: 'auth.logout', target: `user:${actor.id}` });
}
