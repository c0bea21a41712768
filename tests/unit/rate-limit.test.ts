import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RateLimitedError } from '../../src/domain/errors.js';
import { createWebchatLimiter, WEBCHAT_LIMITS } from '../../src/http/rate-limit-webchat.js';
import { takeAll, TokenBuckets } from '../../src/http/rate-limit.js';

describe('TokenBuckets (issue 11: bounded, expiring in-process limits)', () => {
  test('a burst, then one per refill period; the wait says when the next token comes', () => {
    const buckets = new TokenBuckets({ burst: 3, refillMs: 1000 });
    for (let i = 0; i < 3; i++) {
      assert.equal(buckets.waitMs('a', 0), 0);
      buckets.take('a', 0);
    }
    assert.equal(buckets.waitMs('a', 0), 1000);
    assert.equal(buckets.waitMs('a', 400), 600);
    assert.equal(buckets.waitMs('a', 1000), 0);
    assert.equal(buckets.waitMs('b', 0), 0, 'keys are independent');
  });

  test('a refilled bucket is forgotten, and no more than maxKeys are ever kept', () => {
    const buckets = new TokenBuckets({ burst: 2, refillMs: 1000 }, 100);
    for (let i = 0; i < 50; i++) buckets.take(`idle-${i}`, 0);
    buckets.take('late', 2000);
    assert.equal(buckets.size, 1, 'the idle ones had refilled: dropped');
    for (let i = 0; i < 1000; i++) buckets.take(`flood-${i}`, 3000);
    assert.equal(buckets.size, 100);
    assert.equal(buckets.has('flood-999', 3000), true, 'the most recent are kept');
  });

  test('takeAll takes from every bucket or from none', () => {
    const roomy = new TokenBuckets({ burst: 10, refillMs: 1000 });
    const tight = new TokenBuckets({ burst: 1, refillMs: 5000 });
    assert.equal(takeAll([[roomy, 'k'], [tight, 'k']], 0), 0);
    assert.equal(takeAll([[roomy, 'k'], [tight, 'k']], 0), 5000);
    assert.equal(roomy.waitMs('k', 0), 0);
    for (let i = 0; i < 9; i++) roomy.take('k', 0);
    assert.equal(roomy.waitMs('k', 0), 1000, 'the refused call took nothing: 1 + 9 = the burst of 10');
  });
});

describe('the web chat limiter', () => {
  const from = (visitorId: string, address = '10.0.0.1') => ({ channelId: 'ch-1', address, visitorId });
  const refused = (e: unknown) => e instanceof RateLimitedError && e.code === 'WEBCHAT.RATE_LIMITED' && e.httpStatus === 429;

  test('new visitors from one address are counted; known ones are not, and a flood is refused without asking', async () => {
    const limiter = createWebchatLimiter();
    let asked = 0;
    const isNew = async () => (asked++, true);
    for (let i = 0; i < WEBCHAT_LIMITS.newVisitorsPerAddress.burst; i++) await limiter.admit(from(`new-${i}`), 0, isNew);
    await assert.rejects(limiter.admit(from('one-too-many'), 0, isNew), refused);
    await limiter.admit(from('returning'), 0, async () => false);
    await limiter.admit(from('elsewhere', '10.0.0.2'), 0, isNew);
    const askedBefore = asked;
    await limiter.admit(from('new-0'), 0, isNew);
    assert.equal(asked, askedBefore, 'a visitor seen lately is not looked up');
  });

  test('one visitor: a burst of 10, then refused until a token comes back', async () => {
    const limiter = createWebchatLimiter();
    const known = async () => false;
    for (let i = 0; i < WEBCHAT_LIMITS.perVisitor.burst; i++) await limiter.admit(from('chatty'), 0, known);
    await assert.rejects(limiter.admit(from('chatty'), 0, known), (e: unknown) => refused(e) && (e as RateLimitedError).retryAfterS === 2);
    await limiter.admit(from('chatty'), WEBCHAT_LIMITS.perVisitor.refillMs, known);
  });
});
