/**
 * Session lifetime rules (reliability.md §3.4): an idle timeout and an absolute one. Pure, so the
 * edge cases are unit-tested without a clock or a database.
 */
export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/**
 * last_seen_at is written at most this often: one UPDATE per minute per session instead of one per
 * request. The idle timeout is therefore honoured to within this much.
 */
export const SESSION_TOUCH_MS = 60_000;

/** When a session created at `createdAt` dies whatever happens. */
export function absoluteExpiry(createdAt: Date, policy: SessionPolicy): Date {
  return new Date(createdAt.getTime() + policy.maxMs);
}

/**
 * Expired when idle too long or past its absolute end. The policy is checked as well as the stored
 * expires_at, so lowering SESSION_MAX_HOURS also shortens sessions already issued.
 */
export function sessionExpired(s: SessionTimes, now: Date, policy: SessionPolicy): boolean {
  const t = now.getTime();
  return t >= s.expiresAt.getTime() || t >= absoluteExpiry(s.createdAt, policy).getTime() || t - s.lastSeenAt.getTime() >= policy.idleMs;
}

/** The moment the session ends unless it is used before then (the idle deadline moves with use). */
export function sessionEndsAt(s: SessionTimes, policy: SessionPolicy): Date {
  return new Date(Math.min(s.expiresAt.getTime(), absoluteExpiry(s.createdAt, policy).getTime(), s.lastSeenAt.getTime() + policy.idleMs));
}

export function needsTouch(s: SessionTimes, now: Date): boolean {
  return now.getTime() - s.lastSeenAt.getTime() >= SESSION_TOUCH_MS;
}
