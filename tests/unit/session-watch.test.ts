import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { watchSessionEnd } from '../../src/http/session-watch.js';
import type { SessionRecord, SessionStore } from '../../src/ports/session-store.js';
import { sessionTokenHash } from '../../src/usecases/session-token.js';
import { fakeDeps, FakeEventBus, unused } from '../support/fake-ports.js';

const MIN = 60_000;
const T0 = new Date('2026-11-29T08:00:00Z').getTime();
const user = { id: 'u1', email: 'agent@example.com', name: 'agent', role: 'agent' as const, disabled: false, createdAt: new Date(T0), lastLoginAt: null };

/** A session store with one session, a clock the test moves, and mocked timers (the watch's deadline timer). */
function setup(t: { after(fn: () => void): void }) {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let now = T0;
  const token = 'cookie-token';
  const record: SessionRecord = {
    tokenHash: sessionTokenHash(token), userId: user.id, csrfToken: 'csrf',
    createdAt: new Date(T0), lastSeenAt: new Date(T0), expiresAt: new Date(T0 + 24 * 60 * MIN),
  };
  let exists = true;
  const sessions: SessionStore = {
    ...unused<SessionStore>('sessions'),
    find: async (hash) => (exists && hash === record.tokenHash ? { session: { ...record }, user } : null),
  };
  const events = new FakeEventBus();
  const core = fakeDeps({ sessions, events, clock: { now: () => new Date(now) }, settings: { auth: { ...fakeDeps().settings.auth, sessionIdleMs: 10 * MIN, sessionMaxMs: 60 * MIN } } });
  let ends = 0;
  const stop = watchSessionEnd(core, { token, userId: user.id }, () => ends++);
  /** Moves the clock and the timers together, letting each deadline check's lookup settle. */
  const advance = async (ms: number) => {
    for (let left = ms; left > 0; left -= Math.min(left, 1000)) {
      now += Math.min(left, 1000);
      mock.timers.tick(Math.min(left, 1000));
      await new Promise((r) => setImmediate(r));
    }
  };
  return { record, events, stop, advance, ends: () => ends, drop: () => (exists = false) };
}

test('an open stream outlives its idle deadline when the session was used meanwhile, and ends at the moved deadline', async (t) => {
  const s = setup(t);
  await s.advance(5 * MIN);
  s.record.lastSeenAt = new Date(T0 + 5 * MIN); // a request in another tab
  await s.advance(5 * MIN + 2000);
  assert.equal(s.ends(), 0, 'the idle deadline moved to 15 min');
  await s.advance(5 * MIN);
  assert.equal(s.ends(), 1, 'ended once the moved deadline passed');
  await s.advance(30 * MIN);
  assert.equal(s.ends(), 1, 'ended once only');
});

test('the absolute deadline ends the stream even when the session is used all along', async (t) => {
  const s = setup(t);
  for (let minute = 1; minute < 60; minute++) {
    s.record.lastSeenAt = new Date(T0 + minute * MIN);
    await s.advance(MIN);
  }
  assert.equal(s.ends(), 0);
  await s.advance(2 * MIN);
  assert.equal(s.ends(), 1, 'SESSION_MAX_HOURS is the end whatever the use');
});

test('a session deleted in the database ends the stream at its next check', async (t) => {
  const s = setup(t);
  s.drop();
  await s.advance(10 * MIN + 2000);
  assert.equal(s.ends(), 1);
});

test('sessions.ended for this session or all of its user\'s ends it; for others it does not', async (t) => {
  const s = setup(t);
  await s.events.publish({ type: 'sessions.ended', userId: user.id, tokenHash: 'another-sessions-hash' });
  await s.events.publish({ type: 'sessions.ended', userId: 'u2', tokenHash: null });
  assert.equal(s.ends(), 0);
  await s.events.publish({ type: 'sessions.ended', userId: user.id, tokenHash: null });
  assert.equal(s.ends(), 1);
});

test('after stop nothing ends it: not an event, not a deadline', async (t) => {
  const s = setup(t);
  s.stop();
  await s.events.publish({ type: 'sessions.ended', userId: user.id, tokenHash: s.record.tokenHash });
  await s.advance(70 * MIN);
  assert.equal(s.ends(), 0);
});
