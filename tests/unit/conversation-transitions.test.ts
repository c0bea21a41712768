import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertTransition, canTransition, CONVERSATION_STATUSES, type ConversationStatus } from '../../src/domain/conversation.js';
import { AppError, ConflictError } from '../../src/domain/errors.js';
import { auditMessages } from '../../src/console/admin/audit-messages.js';
import { detailPhrases, sentence, type AuditNames, type Words } from '../../src/console/admin/audit-words.js';
import type { AuditItem } from '../../src/console/admin/types.js';
import { consoleMessages } from '../../src/console/messages.js';
import { shiftMessages } from '../../src/console/pages/shift-messages.js';

/** DESIGN.md §4.4, written out independently of the table in src/domain/conversation.ts. */
const ALLOWED: [ConversationStatus, ConversationStatus, string][] = [
  ['bot', 'queued', 'handoff'],
  ['queued', 'assigned', 'agent takes over'],
  ['bot', 'assigned', 'agent steps in (issue 14 item 2)'],
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

  test('covers all 16 pairs, 9 allowed and 7 refused', () => {
    assert.equal(pairs.length, 16);
    assert.equal(pairs.filter(([f, t]) => isAllowed(f, t)).length, 9);
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

describe('stepping in (issue 14 item 2)', () => {
  test('an agent may take a chat the bot is handling, with no handoff first', () => {
    assert.equal(canTransition('bot', 'assigned', 'agent'), true);
    assert.doesNotThrow(() => assertTransition('bot', 'assigned', 'agent'));
  });

  test('from the bot a chat goes to the queue (handoff), to an agent (step-in) or closed, nowhere else', () => {
    assert.deepEqual(CONVERSATION_STATUSES.filter((to) => canTransition('bot', to, 'agent')), ['queued', 'assigned', 'closed']);
  });

  test('a closed chat is never stepped into: it reopens with the bot first', () => {
    assert.equal(canTransition('closed', 'assigned', 'agent'), false);
    assert.equal(canTransition('closed', 'assigned', 'system'), false);
  });
});

/**
 * The same moves in words (issue 14 items 2, 3): the audit log reads as sentences, never as
 * `conversation.transfer` and user ids. (The timeline's notes are read in tests/e2e/console-shift.test.ts.)
 */
describe('step-ins, transfers and notes in words', () => {
  const dict = (lang: 'zh-CN' | 'en'): Record<string, string> => ({ ...consoleMessages[lang], ...auditMessages[lang], ...shiftMessages[lang] });
  const wordsOf = (lang: 'zh-CN' | 'en'): Words => {
    const d = dict(lang);
    return { t: (key, vars) => (d[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole)), has: (key) => key in d };
  };
  const zh = wordsOf('zh-CN');
  const names: AuditNames = { channels: new Map(), users: new Map([['u_wang', '小王'], ['u_li', '小李']]) };
  const row = (actor: string, action: string, details: Record<string, unknown>): AuditItem => ({ id: '1', actor, actorEmail: null, action, target: 'conversation:123456789', details, at: '2026-01-01T00:00:00Z' });
  const say = (item: AuditItem) => { const s = sentence(zh, item, names); return `${s.actor} ${s.action}`; };

  test('the audit log: step-in, transfer (to a person, for someone else, to the queue), note; no raw ids', () => {
    assert.equal(say(row('u_wang', 'conversation.assigned', { from: 'bot' })), '小王 从机器人手中接管了会话 456789');
    assert.equal(say(row('u_wang', 'conversation.assigned', { from: 'queued' })), '小王 接手了会话 456789');
    assert.equal(say(row('u_wang', 'conversation.transfer', { from: 'u_wang', to: 'u_li', noteId: '7' })), '小王 把会话 456789转给了 小李');
    assert.equal(say(row('admin-token', 'conversation.transfer', { from: 'u_wang', to: 'u_li' })).replace(/^\S+ /, ''), '把会话 456789从 小王 转给了 小李');
    assert.equal(say(row('u_li', 'conversation.transfer', { from: 'u_li', to: 'queue' })), '小李 把会话 456789退回了队列');
    assert.equal(say(row('u_wang', 'conversation.note', { noteId: '7' })), '小王 在会话 456789中写了内部备注');
    for (const [action, details] of [['conversation.transfer', { from: 'u_wang', to: 'u_li', noteId: '7' }], ['conversation.note', { noteId: '7' }]] as const) {
      assert.deepEqual(detailPhrases(zh, row('u_wang', action, details)), [], action);
    }
  });

  test('every string of the feature exists in both languages', () => {
    assert.deepEqual(Object.keys(shiftMessages.en).sort(), Object.keys(shiftMessages['zh-CN']).sort());
    for (const value of Object.values(shiftMessages.en)) assert.doesNotMatch(value, /[\u4e00-\u9fff]/, value);
  });
});
