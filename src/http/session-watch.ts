import { sessionDeadline } from '../usecases/resolve-session.js';
import { sessionTokenHash } from '../usecases/session-token.js';
import type { CoreDeps } from '../usecases/deps.js';

/**
 * Calls `onEnd` once a cookie session is over, for a stream opened with it: at once when it is
 * ended (logout, a disabled user, a new password — announced on the event bus to every process),
 * and at its idle or absolute deadline, checked when that comes (use in between moves it; an open
 * stream is not use). Returns the stop function for when the stream closes first.
 */
export function watchSessionEnd(core: CoreDeps, session: { token: string; userId: string }, onEnd: () => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tokenHash = sessionTokenHash(session.token);
  const end = () => {
    if (!stopped) onEnd();
  };
  const checkDeadline = async () => {
    const deadline = await sessionDeadline(core, session.token).catch(() => null);
    if (stopped) return;
    // The deadline comes from the core's clock, so it is measured against the same clock.
    const left = deadline ? deadline.getTime() - core.clock.now().getTime() : 0;
    if (left <= 0) return end();
    timer = setTimeout(() => void checkDeadline(), Math.min(left + 1000, 2 ** 31 - 1));
    timer.unref();
  };
  const unsubscribe = core.events.subscribe((event) => {
    if (event.type === 'sessions.ended' && event.userId === session.userId && (event.tokenHash === null || event.tokenHash === tokenHash)) end();
  });
  void checkDeadline();
  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
  };
}
