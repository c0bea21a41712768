/**
 * Per-robot send pacing. The custom robot is documented at "每个机器人每分钟最多发送20条…如果超过20条，
 * 会限流10分钟" (protocols/dingtalk.md §2.2); whether sendBySession shares it is UNVERIFIED, so every
 * send of a robot is budgeted against it. Going over costs ten minutes of silence, so this is a
 * sliding window (never more than `limit` starts in any `windowMs`), not a bucket that allows a
 * double burst. Sends wait their turn in arrival order; none is dropped.
 */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

export const DEFAULT_ROBOT_RATE_LIMIT: RateLimit = { limit: 20, windowMs: 60_000 };

interface Lane {
  /** Start times (ms) of the last `limit` sends. */
  starts: number[];
  /** The previous caller's turn; each caller waits for it, which keeps arrival order. */
  tail: Promise<void>;
  waiting: number;
}

export class RobotRateLimiter {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly rate: RateLimit = DEFAULT_ROBOT_RATE_LIMIT, private readonly nowMs: () => number = Date.now) {
    if (!(rate.limit >= 1) || !(rate.windowMs > 0)) throw new RangeError('rate limit needs limit >= 1 and windowMs > 0');
  }

  /** Resolves when `key` may start one more send. */
  acquire(key: string): Promise<void> {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { starts: [], tail: Promise.resolve(), waiting: 0 };
      this.lanes.set(key, lane);
    }
    const current = lane;
    current.waiting += 1;
    const turn = current.tail.then(() => this.takeSlot(current)).finally(() => {
      current.waiting -= 1;
    });
    current.tail = turn;
    return turn;
  }

  /** Sends of `key` still waiting for their slot. */
  waiting(key: string): number {
    return this.lanes.get(key)?.waiting ?? 0;
  }

  private async takeSlot(lane: Lane): Promise<void> {
    for (;;) {
      const now = this.nowMs();
      while (lane.starts.length > 0 && (lane.starts[0] ?? 0) <= now - this.rate.windowMs) lane.starts.shift();
      if (lane.starts.length < this.rate.limit) {
        lane.starts.push(now);
        return;
      }
      const waitMs = (lane.starts[0] ?? now) + this.rate.windowMs - now;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, waitMs)));
    }
  }
}
