import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pickAssignee, takesNewChats, type AssignmentCandidate } from '../../src/domain/presence.js';
import { startOfDay } from '../../src/usecases/get-dashboard-stats.js';

/** issue 14 item 4: who gets the next chat (the order src/db/assignment-queries.ts applies in SQL). */
const agent = (id: string, over: Partial<AssignmentCandidate> = {}): AssignmentCandidate => ({
  id, presence: 'online', disabled: false, capacity: 5, openChats: 0, lastAssignedAt: null, ...over,
});
const at = (iso: string) => new Date(`2024-05-06T${iso}Z`);

describe('auto-assignment picks', () => {
  test('only online agents take new chats', () => {
    assert.deepEqual((['online', 'away', 'offline'] as const).map(takesNewChats), [true, false, false]);
  });

  test('the fewest open chats wins', () => {
    assert.equal(pickAssignee([agent('a', { openChats: 2 }), agent('b', { openChats: 1 }), agent('c', { openChats: 3 })]), 'b');
  });

  test('ties: the oldest last assignment, never-assigned first, then the id', () => {
    assert.equal(pickAssignee([agent('a', { openChats: 1, lastAssignedAt: at('10:05:00') }), agent('b', { openChats: 1, lastAssignedAt: at('10:01:00') })]), 'b');
    assert.equal(pickAssignee([agent('a', { openChats: 1, lastAssignedAt: at('10:05:00') }), agent('b', { openChats: 1 })]), 'b', 'never assigned goes first');
    assert.equal(pickAssignee([agent('b'), agent('a')]), 'a', 'then the id');
    assert.equal(pickAssignee([agent('b', { lastAssignedAt: at('09:00:00') }), agent('a', { lastAssignedAt: at('09:00:00') })]), 'a');
  });

  test('full, away, offline and disabled agents are skipped; nobody left → null (the chat stays queued)', () => {
    const busy = agent('busy', { openChats: 5, capacity: 5 });
    assert.equal(pickAssignee([busy, agent('away', { presence: 'away' }), agent('off', { presence: 'offline' }), agent('gone', { disabled: true })]), null);
    assert.equal(pickAssignee([busy, agent('free', { openChats: 4, capacity: 5 })]), 'free', 'fewer than capacity is enough');
    assert.equal(pickAssignee([agent('over', { openChats: 7, capacity: 5 })]), null, 'over capacity (taken by hand) gets none');
    assert.equal(pickAssignee([]), null);
  });
});

describe("the dashboard's today", () => {
  test("starts at the viewer's midnight", () => {
    assert.deepEqual(startOfDay(new Date('2024-05-06T10:42:13Z')), new Date('2024-05-06T00:00:00Z'));
    // 00:30 in Shanghai is still the 5th in UTC: today began at 16:00 UTC the day before.
    assert.deepEqual(startOfDay(new Date('2024-05-05T16:30:00Z'), 480), new Date('2024-05-05T16:00:00Z'));
    assert.deepEqual(startOfDay(new Date('2024-05-06T03:00:00Z'), -300), new Date('2024-05-05T05:00:00Z'));
  });
});
