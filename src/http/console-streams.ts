import { randomBytes } from 'node:crypto';
import { STREAM_GRACE_MS, STREAM_HEARTBEAT_MS } from '../domain/presence.js';
import type { CoreDeps } from '../usecases/deps.js';
import { dropAbsentAgents } from '../usecases/set-presence.js';

/**
 * The console streams of this web process (issue 14 item 4), each a console_streams row so that
 * every process knows whether an agent still has a tab open: inserted when a signed-in user's
 * stream opens, refreshed together every STREAM_HEARTBEAT_MS while open, marked closed when it
 * ends. Once the grace period after a close has passed, the user drops to offline unless another
 * tab (on any process) still counts; a process that dies leaves rows the sweeper ages out.
 */
export interface ConsoleStreams {
  /** Registers a stream of `userId`; returns the function that ends it (call once, when it closes). */
  open(userId: string): () => void;
}

export function createConsoleStreams(core: CoreDeps, heartbeatMs = STREAM_HEARTBEAT_MS, graceMs = STREAM_GRACE_MS): ConsoleStreams {
  /** Open streams of this process: id → the insert, so a close never overtakes its own open. */
  const open = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | null = null;
  const warn = (what: string) => (err: Error) => core.log.warn({ err: err.message }, what);

  const heartbeat = () => {
    if (open.size === 0) return;
    void core.presence.touchStreams([...open.keys()]).catch(warn('console stream heartbeat failed'));
  };
  const startTimer = () => {
    if (timer) return;
    timer = setInterval(heartbeat, heartbeatMs);
    timer.unref();
  };
  const stopTimerIfIdle = () => {
    if (open.size > 0 || !timer) return;
    clearInterval(timer);
    timer = null;
  };

  return {
    open(userId) {
      const id = 'cs_' + randomBytes(9).toString('base64url');
      const inserted = core.presence.openStream(id, userId, core.workerId).catch(warn('console stream not recorded'));
      open.set(id, inserted);
      startTimer();
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        open.delete(id);
        stopTimerIfIdle();
        void inserted
          .then(() => core.presence.closeStream(id))
          .catch(warn('console stream close not recorded'));
        // After the grace period: the last tab closed (a reload has opened another by then) drops them.
        const check = setTimeout(() => void dropAbsentAgents(core, [userId]).catch(warn('presence drop failed')), graceMs + 250);
        check.unref();
      };
    },
  };
}
