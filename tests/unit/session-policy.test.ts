import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { absoluteExpiry, needsTouch, SESSION_TOUCH_MS, sessionEndsAt, sessionExpired } from '../../src/domain/session.js';

const policy = { idleMs: 120 * 60_000, maxMs: 24 * 3_600_000 };
const start = new Date('2024-01-01T00:00:00Z');
const at = (ms: number) => new Date(start.getTime() + ms);
const session = (lastSeenMs = 0) => ({ createdAt: start, lastSeenAt: at(lastSeenMs), expiresAt: absoluteExpiry(start, policy) });

describe('session timeouts (reliability.md §3.4)', () => {
  test('a session used within the idle timeout lives', () => {
    assert.equal(sessionExpired(session(), at(policy.idleMs - 1), policy), false);
  });

  test('idle for the whole idle timeout ends it, to the millisecond', () => {
    assert.equal(sessionExpired(session(), at(policy.idleMs), policy), true);
  });

  test('activity does not extend a session past its absolute end', () => {
    const busy = session(policy.maxMs - 1000);
    assert.equal(sessionExpired(busy, at(policy.maxMs - 1), policy), false);
    assert.equal(sessionExpired(busy, at(policy.maxMs), policy), true);
  });

  test('a lowered SESSION_MAX_HOURS also shortens sessions issued before', () => {
    const shorter = { ...policy, maxMs: 3_600_000 };
    assert.equal(sessionExpired(session(3_600_000 - 10), at(3_600_000), shorter), true);
  });

  test('the stored expires_at is honoured even when the policy would allow more', () => {
    const s = { ...session(), expiresAt: at(60_000) };
    assert.equal(sessionExpired(s, at(60_000), policy), true);
  });

  test('an open event stream is ended at the idle deadline, which moves with use, and never after the absolute end', () => {
    assert.deepEqual(sessionEndsAt(session(), policy), at(policy.idleMs));
    assert.deepEqual(sessionEndsAt(session(60_000), policy), at(60_000 + policy.idleMs));
    assert.deepEqual(sessionEndsAt(session(policy.maxMs - 1000), policy), at(policy.maxMs));
    // It agrees with sessionExpired at the boundary.
    const s = session(5000);
    assert.equal(sessionExpired(s, new Date(sessionEndsAt(s, policy).getTime() - 1), policy), false);
    assert.equal(sessionExpired(s, sessionEndsAt(s, policy), policy), true);
  });

  test('last_seen_at is written at most once a minute', () => {
    assert.equal(needsTouch(session(), at(SESSION_TOUCH_MS - 1)), false);
    assert.equal(needsTouch(session(), at(SESSION_TOUCH_MS)), true);
  });
});
