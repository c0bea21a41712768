import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startOfLocalUnit } from '../../src/domain/dates.js';
import { startOfDay } from '../../src/usecases/get-dashboard-stats.js';

/**
 * issue 14 item 4. Who auto-assignment picks is tested against its SQL, in
 * tests/integration/auto-assignment.test.ts; here only the dashboard's "today".
 */
describe("the dashboard's today", () => {
  test("starts at the viewer's midnight", () => {
    assert.deepEqual(startOfDay(new Date('2024-05-06T10:42:13Z')), new Date('2024-05-06T00:00:00Z'));
    // 00:30 in Shanghai is still the 5th in UTC: today began at 16:00 UTC the day before.
    assert.deepEqual(startOfDay(new Date('2024-05-05T16:30:00Z'), 480), new Date('2024-05-05T16:00:00Z'));
    assert.deepEqual(startOfDay(new Date('2024-05-06T03:00:00Z'), -300), new Date('2024-05-05T05:00:00Z'));
  });

  test('the same floor as the windows: hours in a half-hour zone, midnight itself', () => {
    const hour = 3600_000;
    // India (+05:30): the hour began at hh:30 UTC.
    assert.deepEqual(startOfLocalUnit(new Date('2024-05-06T10:42:13Z'), hour, 330), new Date('2024-05-06T10:30:00Z'));
    assert.deepEqual(startOfLocalUnit(new Date('2024-05-06T16:00:00Z'), 24 * hour, 480), new Date('2024-05-06T16:00:00Z'), 'midnight starts its own day');
  });
});
