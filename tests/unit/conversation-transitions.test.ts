import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertTransition, canTransition, CONVERSATION_STATUSES, type ConversationStatus } from '../../src/domain/conversation.js';
import { AppError, ConflictError } from '../../src/domain/errors.js';

/** DESIGN.md §4.4, written out independently of the table in src/domain/conversation.ts. */
const ALLOWED: [ConversationStatus, ConversationStatus, string][] = [
  ['bot', 'queued', 'handoff'],
  ['queued', 'assigned', 'agent takes over'],
  ['assigned', 'queued', 'agent gives it up'],
  ['bot', 'closed', 'close'],
  ['queued', 'closed', 'close'],
  ['assigned', 'closed', 'close'],
  ['assigned', 'bot', 'release'],
  ['closed', 'bot', 'a new customer message reopens'],
];
const isAllowed = (from: ConversationStatus, to: ConversationStatus) => ALLOWED.some(([f, t]) => f === from && t === to);

describe('conversation transitions (DESIGN.md §4.4)', () => {
  test('knows exactly the four statuses of the SQL CHECK', () => {
    assert.deepEqual([...CONVERSATION_STATUSES], ['bot', 'queued', 'assigned', 'closed']);
  });

  const pairs = CONVERSATION_STATUSES.flatMap((from) => CONVERSATION_STATUSES.map((to) => [from, to] as const));

  test('covers all 16 pairs, 8 allowed and 8 refused', () => {
    assert.equal(pairs.length, 16);
    assert.equal(pairs.filter(([f, t]) => isAllowed(f, t)).length, 8);
  });

  for (const [from, to, why] of ALLOWED) {
    test(`allows ${from} → ${to} (${why})`, () => {
      assert.equal(canTransition(from, to), true);
      assert.doesNotThrow(() => assertTransition(from, to));
    });
  }

  for (const [from, to] of pairs.filter(([f, t]) => !isAllowed(f, t))) {
    test(`refuses ${from} → ${to} with CONVERSATION.INVALID_TRANSITION`, () => {
      assert.equal(canTransition(from, to), false);
      assert.throws(
        () => assertTransition(from, to),
        (err: unknown) => {
          assert.ok(err instanceof ConflictError);
          assert.ok(err instanceof AppError);
          assert.equal(err.code, 'CONVERSATION.INVALID_TRANSITION');
          assert.equal(err.httpStatus, 409);
          assert.equal(err.retryable, false);
          assert.match(err.message, new RegExp(`${from}.*${to}`));
          return true;
        },
      );
    });
  }

  test('staying in the same status is not a transition', () => {
    for (const s of CONVERSATION_STATUSES) {
      assert.equal(canTransition(s, s), false, s);
      assert.equal(canTransition(s, s, 'system'), false, s);
    }
  });

  test('people are the default actor: an agent is held to the table above', () => {
    for (const [from, to] of pairs) assert.equal(canTransition(from, to, 'agent'), canTransition(from, to), `${from} → ${to}`);
  });
});

describe('the system\'s own transitions (issue 11: model handback)', () => {
  test('queued → bot is the system\'s only: an agent gets CONVERSATION.INVALID_TRANSITION', () => {
    assert.equal(canTransition('queued', 'bot', 'system'), true);
    assert.doesNotThrow(() => assertTransition('queued', 'bot', 'system'));
    assert.equal(canTransition('queued', 'bot', 'agent'), false);
    assert.throws(() => assertTransition('queued', 'bot', 'agent'), (err: unknown) => err instanceof ConflictError && err.code === 'CONVERSATION.INVALID_TRANSITION');
    assert.throws(() => assertTransition('queued', 'bot'), ConflictError);
  });

  test('the system may make every transition people may, and nothing else besides queued → bot', () => {
    const pairs = CONVERSATION_STATUSES.flatMap((from) => CONVERSATION_STATUSES.map((to) => [from, to] as const));
    for (const [from, to] of pairs) {
      const expected = isAllowed(from, to) || (from === 'queued' && to === 'bot');
      assert.equal(canTransition(from, to, 'system'), expected, `${from} → ${to}`);
    }
  });
});
