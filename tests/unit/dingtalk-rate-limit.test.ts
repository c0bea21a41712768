import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RobotRateLimiter } from '../../adapters/dingtalk/rate-limit.js';

describe('RobotRateLimiter', () => {
  test('never more than `limit` starts per window, in arrival order, none dropped', async () => {
    // A clock that moves one tick per reading: waiting is simulated, not measured.
    let clock = 0;
    const limiter = new RobotRateLimiter({ limit: 2, windowMs: 10 }, () => (clock += 1));
    const started: Array<[number, number]> = [];
    const all = [1, 2, 3, 4, 5].map((i) => limiter.acquire('robotA').then(() => { started.push([i, clock]); }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started.map(([i]) => i), [1, 2]);
    assert.equal(limiter.waiting('robotA'), 3);
    await Promise.all(all);
    assert.deepEqual(started.map(([i]) => i), [1, 2, 3, 4, 5]);
    for (let k = 2; k < started.length; k += 1) {
      assert.ok((started[k]?.[1] ?? 0) - (started[k - 2]?.[1] ?? 0) >= 10, `start ${k} keeps the window`);
    }
    assert.equal(limiter.waiting('robotA'), 0);
  });

  test('robots have separate lanes', async () => {
    const limiter = new RobotRateLimiter({ limit: 1, windowMs: 60_000 }, () => 0);
    await limiter.acquire('a');
    await limiter.acquire('b'); // would wait a minute if lanes were shared
    assert.equal(limiter.waiting('a'), 0);
  });
});
