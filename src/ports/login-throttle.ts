/** A counter: at most `limit` failed logins per `windowMs` for one key (an email+IP, an IP, an email). */
export interface ThrottleRule {
  key: string;
  limit: number;
  windowMs: number;
}

/** Failed-login counters shared by every web process (reliability.md §3.6). */
export interface LoginThrottle {
  /** How long until every rule allows another attempt; 0 when none is exhausted. */
  blockedForMs(rules: ThrottleRule[], now: Date): Promise<number>;
  /** Counts one failure against every rule. */
  recordFailure(rules: ThrottleRule[], now: Date): Promise<void>;
  /** Forgets the failures of these keys (a successful login). */
  clear(keys: string[]): Promise<void>;
}
