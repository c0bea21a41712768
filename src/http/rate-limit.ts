/** A token bucket: `burst` requests at once, then one more every `refillMs`. */
export interface BucketLimit {
  burst: number;
  refillMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by key, in this process's memory. A limiter is protection, not correctness
 * (issue 11): the state that matters lives in Postgres, so N web processes simply let N times the
 * traffic through, and a restart forgets every count. Memory stays bounded: a bucket that has
 * refilled is the same as no bucket and is dropped, and past `maxKeys` the least recently used go.
 */
export class TokenBuckets {
  /** In order of last use (re-inserted on every take), so the front holds the idlest buckets. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(readonly limit: BucketLimit, private readonly maxKeys = 10_000) {}

  /** How long until `key` may take a token; 0 when it may now. Takes nothing. */
  waitMs(key: string, now: number): number {
    const tokens = this.tokens(key, now);
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) * this.limit.refillMs);
  }

  take(key: string, now: number): void {
    const tokens = this.tokens(key, now);
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: Math.max(0, tokens - 1), at: now });
    this.prune(now);
  }

  /** Whether `key` has taken a token recently (its bucket has not refilled yet). */
  has(key: string, now: number): boolean {
    return this.buckets.has(key) && this.tokens(key, now) < this.limit.burst;
  }

  get size(): number {
    return this.buckets.size;
  }

  private tokens(key: string, now: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.limit.burst;
    return Math.min(this.limit.burst, bucket.tokens + Math.max(0, now - bucket.at) / this.limit.refillMs);
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const full = bucket.tokens + (now - bucket.at) / this.limit.refillMs >= this.limit.burst;
      if (!full && this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * One token from every bucket, or none at all: a refused request uses up nothing, so it cannot
 * eat into the budget of the requests that pass. Answers the wait when any bucket is empty.
 */
export function takeAll(charges: [TokenBuckets, string][], now: number): number {
  const waitMs = Math.max(0, ...charges.map(([buckets, key]) => buckets.waitMs(key, now)));
  if (waitMs === 0) for (const [buckets, key] of charges) buckets.take(key, now);
  return waitMs;
}
