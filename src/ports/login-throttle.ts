/** Failed sign-ins counted under one key (an account+address, an address, an account) in one fixed window. */
export interface FailureCount {
  failures: number;
  /** When this window closes; the next failure after it starts a new count. */
  windowEndsAt: Date;
}

/**
 * Failed-login counters shared by every web process (reliability.md §3.6). They only count:
 * what a count means (refuse, or not) is the login use case's decision (issue 11).
 */
export interface LoginThrottle {
  /** The counts of the keys whose window is still open at `now`; a key without one is absent. */
  counts(keys: string[], windowMs: number, now: Date): Promise<Map<string, FailureCount>>;
  /** Counts one failure under every key, opening a new window of `windowMs` where the last one closed. */
  recordFailure(keys: string[], windowMs: number, now: Date): Promise<void>;
  /** Forgets the failures of these keys (a successful login). */
  clear(keys: string[]): Promise<void>;
}
