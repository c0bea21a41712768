import { RateLimitedError } from '../domain/errors.js';
import { takeAll, TokenBuckets, type BucketLimit } from './rate-limit.js';

export interface WebchatLimits {
  perVisitor: BucketLimit;
  perAddress: BucketLimit;
  newVisitorsPerAddress: BucketLimit;
  perChannel: BucketLimit;
}

/**
 * The public web chat takes anyone's messages, and each may cost a bot turn (GPU time with a model
 * node): issue 11 item 6 saw 300 messages from one visitor in 1.6 s and 200 made-up visitors from
 * one address. Loose enough for people, including many visitors behind one office or carrier NAT.
 */
export const WEBCHAT_LIMITS: WebchatLimits = {
  // A visitor is one conversation, and turns coalesce (DESIGN.md §3.5), so one message starts at
  // most one bot turn: this is also the bound on bot turns per conversation.
  perVisitor: { burst: 10, refillMs: 2_000 },
  perAddress: { burst: 60, refillMs: 1_000 },
  // 20 new visitors (new conversations) per 10 minutes from one address.
  newVisitorsPerAddress: { burst: 20, refillMs: 30_000 },
  // The ceiling across everybody: 50 messages a second once a burst of 300 is spent.
  perChannel: { burst: 300, refillMs: 20 },
};

export interface WebchatSender {
  channelId: string;
  /** The caller's address (ctx.ip: X-Forwarded-For only under TRUST_PROXY). */
  address: string;
  visitorId: string;
}

export interface WebchatLimiter {
  /**
   * Admits one message or throws RateLimitedError (429 WEBCHAT.RATE_LIMITED with Retry-After).
   * `isNewVisitor` is asked only when this process has not seen the visitor lately and the
   * message would otherwise pass: a flood is refused without a database round trip.
   */
  admit(from: WebchatSender, now: number, isNewVisitor: () => Promise<boolean>): Promise<void>;
}

/** Per web process, in memory (see TokenBuckets): protection, not correctness. */
export function createWebchatLimiter(limits: WebchatLimits = WEBCHAT_LIMITS): WebchatLimiter {
  const visitors = new TokenBuckets(limits.perVisitor);
  const addresses = new TokenBuckets(limits.perAddress);
  const newVisitors = new TokenBuckets(limits.newVisitorsPerAddress);
  const channels = new TokenBuckets(limits.perChannel, 1_000);
  const refuse = (waitMs: number) => new RateLimitedError(waitMs / 1000, 'too many messages; try again later', 'WEBCHAT.RATE_LIMITED');

  return {
    async admit(from, now, isNewVisitor) {
      const visitorKey = `${from.channelId}:${from.visitorId}`;
      const charges: [TokenBuckets, string][] = [[channels, from.channelId], [addresses, from.address], [visitors, visitorKey]];
      const waitMs = Math.max(...charges.map(([buckets, key]) => buckets.waitMs(key, now)));
      if (waitMs > 0) throw refuse(waitMs);
      if (!visitors.has(visitorKey, now) && (await isNewVisitor())) charges.push([newVisitors, from.address]);
      const stillWaitMs = takeAll(charges, now);
      if (stillWaitMs > 0) throw refuse(stillWaitMs);
    },
  };
}
