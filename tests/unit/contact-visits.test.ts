import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCloseNote, visitsOf, type TimelineEntry } from '../../src/domain/contact-visits.js';

/** issue 14 item 1: a contact's visits are their one conversation's history cut at closes. */
let seq = 0;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute));
const entry = (sender: TimelineEntry['sender'], text: string | null, minute: number, kind: TimelineEntry['kind'] = 'text'): TimelineEntry =>
  ({ id: String(++seq), sender, kind, text, createdAt: at(minute) });

describe('visitsOf', () => {
  test('no history, no visits', () => {
    assert.deepEqual(visitsOf([]), []);
  });

  test('one visit still going on: its first message, its first customer words, no end', () => {
    const first = entry('customer', null, 0, 'event');
    const timeline = [first, entry('customer', '  包邮吗 ', 1), entry('bot', '满299包邮', 1), entry('customer', '好的', 2)];
    const [visit, ...rest] = visitsOf(timeline);
    assert.equal(rest.length, 0);
    assert.equal(visit.firstMessageId, first.id);
    assert.deepEqual(visit.startedAt, at(0));
    assert.equal(visit.endedAt, null);
    assert.equal(visit.firstCustomerText, '包邮吗', 'an event has no words; the first text is trimmed');
    assert.equal(visit.messageCount, 3, 'events are not messages');
    assert.deepEqual(visit.agentIds, []);
  });

  test('closes cut visits, newest first; takeovers name who handled each; system notes are not messages', () => {
    const timeline = [
      entry('customer', '第一次', 0),
      entry('system', 'handoff:customer_request', 1),
      entry('system', 'status:queued->assigned by u_wang', 2),
      entry('agent', '您好', 3),
      entry('system', 'status:assigned->closed by u_wang', 4),
      entry('customer', '第二次', 10),
      entry('system', 'status:bot->assigned by u_li', 11),
      entry('system', 'status:assigned->queued by u_li', 12),
      entry('system', 'status:queued->assigned by u_wang', 13),
      entry('system', 'platform:session_ended', 14),
      entry('customer', '第三次', 20),
    ];
    const visits = visitsOf(timeline, 'u_zhao');
    assert.deepEqual(visits.map((v) => v.firstCustomerText), ['第三次', '第二次', '第一次']);
    assert.deepEqual(visits.map((v) => v.endedAt), [null, at(14), at(4)]);
    assert.deepEqual(visits.map((v) => v.agentIds), [['u_zhao'], ['u_li', 'u_wang'], ['u_wang']]);
    assert.deepEqual(visits.map((v) => v.messageCount), [1, 1, 2]);
    assert.deepEqual(visits.map((v) => v.firstMessageId), [timeline[10].id, timeline[5].id, timeline[0].id]);
  });

  test('a close with nothing said since makes no empty visit; the system is nobody', () => {
    const timeline = [
      entry('customer', '你好', 0),
      entry('system', 'status:queued->assigned by system', 1),
      entry('system', 'status:assigned->closed by u_wang', 2),
      entry('system', 'status:bot->closed by u_wang', 3),
    ];
    const visits = visitsOf(timeline);
    assert.equal(visits.length, 1);
    assert.deepEqual(visits[0].agentIds, []);
    assert.deepEqual(visits[0].endedAt, at(2));
  });

  test('who held it, not who clicked: auto-assignments, an admin assigning someone, transfers (issue 14 review)', () => {
    const assigned = (text: string, minute: number, assignedTo: string | null): TimelineEntry => ({ ...entry('system', text, minute), assignedTo });
    const timeline = [
      entry('customer', '第一次', 0),
      assigned('status:queued->assigned by system', 1, 'u_zhao'),
      entry('system', 'transfer:u_zhao->u_li by u_admin', 2),
      entry('system', 'status:assigned->closed by u_li', 3),
      entry('customer', '第二次', 10),
      assigned('status:queued->assigned by u_admin', 11, 'u_wang'),
      entry('system', 'transfer:u_wang->queue by u_wang', 12),
      assigned('status:queued->assigned by u_li', 13, null),
      entry('system', 'status:assigned->closed by u_admin', 14),
      entry('customer', '第三次', 20),
      assigned('status:queued->assigned by system', 21, null),
    ];
    const visits = visitsOf(timeline);
    assert.deepEqual(visits.map((v) => v.firstCustomerText), ['第三次', '第二次', '第一次']);
    assert.deepEqual(visits.map((v) => v.agentIds), [
      [],
      ['u_wang', 'u_li'],
      ['u_zhao', 'u_li'],
    ], 'no admin who only assigned or closed, no system, no queue; an auto-assignment without its audit row names nobody');
  });

  test('a visit where the customer only sent media has no first words', () => {
    const [visit] = visitsOf([entry('customer', null, 0, 'image'), entry('bot', '收到图片', 1)]);
    assert.equal(visit.firstCustomerText, null);
    assert.equal(visit.messageCount, 2);
  });
});

describe('isCloseNote', () => {
  test('console closes and platform session ends, nothing else', () => {
    assert.equal(isCloseNote({ sender: 'system', text: 'status:assigned->closed by u_1' }), true);
    assert.equal(isCloseNote({ sender: 'system', text: 'platform:session_ended' }), true);
    assert.equal(isCloseNote({ sender: 'system', text: 'status:closed->bot by u_1' }), false);
    assert.equal(isCloseNote({ sender: 'customer', text: 'status:assigned->closed by u_1' }), false, 'a customer typing it closes nothing');
    assert.equal(isCloseNote({ sender: 'system', text: null }), false);
  });
});
