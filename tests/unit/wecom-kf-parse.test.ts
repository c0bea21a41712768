import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kfItemToInbound, toInboundMessages } from '../../adapters/wecom/kf-parse.js';
import type { InboundMessage } from '../../src/domain/message.js';

// Items shaped as protocols/wecom.md §4.2 shows them; literal JSON so the test does not trust the fake.
const NOW = new Date('2024-03-01T00:00:00Z');
const ctx = { openKfId: 'wkPULLED', now: NOW };
const KF = 'wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q';
const USER = 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw';

function parse(item: unknown): InboundMessage {
  const m = kfItemToInbound(item, ctx);
  assert.ok(m !== null, 'expected a message');
  return m;
}

const customer = (msgtype: string, body: unknown, extra: Record<string, unknown> = {}) => ({
  msgid: 'from_msgid_4622416642169452483', open_kfid: KF, external_userid: USER, send_time: 1615478585,
  origin: 3, msgtype, [msgtype]: body, ...extra,
});

const event = (fields: Record<string, unknown>, msgid = 'evt_1') => ({
  msgid, send_time: 1615478600, origin: 4, msgtype: 'event',
  event: { open_kfid: KF, external_userid: USER, ...fields },
});

describe('customer messages (origin 3)', () => {
  test('text: msgid, contact, address and sentAt from the item', () => {
    assert.deepEqual(parse(customer('text', { content: '这个包包有现货吗' })), {
      platformMessageId: 'from_msgid_4622416642169452483',
      contact: { externalId: USER },
      address: { openKfId: KF },
      kind: 'text',
      text: '这个包包有现货吗',
      sentAt: new Date(1615478585 * 1000),
    });
  });
  test('a menu click keeps its menu_id; the text is still readable', () => {
    const m = parse(customer('text', { content: '查物流', menu_id: '101' }));
    assert.equal(m.text, '查物流');
    assert.deepEqual(m.attachment, { menuId: '101' });
  });
  test('image, voice, video and file keep media_id as an attachment, never as text', () => {
    for (const kind of ['image', 'voice', 'video', 'file'] as const) {
      const m = parse(customer(kind, { media_id: `M-${kind}` }));
      assert.equal(m.kind, kind);
      assert.equal(m.text, null);
      assert.deepEqual(m.attachment, { mediaId: `M-${kind}` });
      assert.equal(m.sender, undefined);
    }
  });
  test('location keeps coordinates (numbers as strings), name and address', () => {
    const m = parse(customer('location', { latitude: 23.1, longitude: 113.3, name: '广州塔', address: '广州市海珠区' }));
    assert.equal(m.kind, 'location');
    assert.deepEqual(m.attachment, { latitude: '23.1', longitude: '113.3', name: '广州塔', address: '广州市海珠区' });
  });
  test('link keeps its fields; the URL is stored, not followed', () => {
    const m = parse(customer('link', { title: 'T', desc: 'D', url: 'https://x.example/a', pic_url: 'https://x.example/p.jpg' }));
    assert.equal(m.kind, 'link');
    assert.deepEqual(m.attachment, { title: 'T', description: 'D', url: 'https://x.example/a', picUrl: 'https://x.example/p.jpg' });
  });
  test('other types (business_card, miniprogram, msgmenu…) become kind other, naming the type', () => {
    for (const type of ['business_card', 'miniprogram', 'channels_shop_product', 'merged_msg']) {
      const m = parse(customer(type, { userid: 'u', title: 't' }));
      assert.equal(m.kind, 'other');
      assert.equal(m.text, null);
      assert.deepEqual(m.attachment, { type });
    }
  });
});

describe('servicer messages (origin 5)', () => {
  test('sender agent with the servicer as agentRef; the contact is still the customer', () => {
    const m = parse(customer('text', { content: '亲，已发货' }, { origin: 5, servicer_userid: 'zhangsan' }));
    assert.equal(m.sender, 'agent');
    assert.equal(m.agentRef, 'zhangsan');
    assert.equal(m.contact.externalId, USER);
    assert.equal(m.text, '亲，已发货');
  });
});

describe('events (origin 4)', () => {
  test('enter_session → enter, with welcome_code as replyCode and the scene kept', () => {
    const m = parse(event({ event_type: 'enter_session', scene: '123', scene_param: 'abc', welcome_code: 'WELCOME1' }));
    assert.deepEqual(m, {
      platformMessageId: 'evt_1', contact: { externalId: USER }, address: { openKfId: KF },
      kind: 'event', text: null, event: 'enter', replyCode: 'WELCOME1', attachment: { scene: '123', sceneParam: 'abc' },
      sentAt: new Date(1615478600 * 1000),
    });
  });
  test('enter_session without welcome_code has no replyCode', () => {
    assert.equal(parse(event({ event_type: 'enter_session' })).replyCode, undefined);
  });
  test('msg_send_fail → send_failed, refersTo fail_msgid, a reason from fail_type', () => {
    const expected: Record<number, string> = { 0: '未知原因', 4: '会话已过期，超过48小时', 6: '超过5条限制', 10: '用户拒收' };
    for (const [failType, reason] of Object.entries(expected)) {
      const m = parse(event({ event_type: 'msg_send_fail', fail_msgid: 'kb-42', fail_type: Number(failType) }));
      assert.equal(m.event, 'send_failed');
      assert.equal(m.refersTo, 'kb-42');
      assert.equal(m.text, reason);
    }
    assert.equal(parse(event({ event_type: 'msg_send_fail', fail_msgid: 'x', fail_type: 99 })).text, '未知原因 (99)');
  });
  test('session_status_change: 1, 2, 4 → human_took_over with the new servicer; 3 → session_ended', () => {
    for (const change of [1, 2, 4]) {
      const m = parse(event({ event_type: 'session_status_change', change_type: change, new_servicer_userid: 'lisi' }));
      assert.equal(m.event, 'human_took_over', `change_type ${change}`);
      assert.equal(m.agentRef, 'lisi');
    }
    const ended = parse(event({ event_type: 'session_status_change', change_type: 3, old_servicer_userid: 'lisi' }));
    assert.equal(ended.event, 'session_ended');
    assert.equal(ended.agentRef, undefined);
    assert.equal(parse(event({ event_type: 'session_status_change', change_type: 9 })).event, 'other');
  });
  test('user_recall_msg → recalled; the event keeps its own msgid, refersTo the recalled one', () => {
    const m = parse(event({ event_type: 'user_recall_msg', recall_msgid: 'from_msgid_1' }, 'evt_recall'));
    assert.equal(m.event, 'recalled');
    assert.equal(m.platformMessageId, 'evt_recall');
    assert.equal(m.refersTo, 'from_msgid_1');
  });
  test('other event types → event other, naming the type', () => {
    const m = parse(event({ event_type: 'reject_customer_msg_switch_change', reject_switch: 1 }));
    assert.equal(m.kind, 'event');
    assert.equal(m.event, 'other');
    assert.deepEqual(m.attachment, { eventType: 'reject_customer_msg_switch_change' });
  });
  test('outer open_kfid / external_userid win when present', () => {
    const m = parse({ ...event({ event_type: 'enter_session' }), open_kfid: 'wkOUTER', external_userid: 'wmOUTER' });
    assert.deepEqual([m.contact.externalId, m.address], ['wmOUTER', { openKfId: 'wkOUTER' }]);
  });
});

describe('unknown shapes never sink the page', () => {
  test('a page with junk keeps the good items in order; contactless items are left out', () => {
    const page = [
      null, 42, 'x', [],
      customer('text', { content: 'a' }, { msgid: 'm1' }),
      { msgid: 'svc', origin: 4, msgtype: 'event', event: { event_type: 'servicer_status_change', servicer_userid: 'zs', status: 1 } },
      customer('text', undefined, { msgid: 'm2' }),
      customer('image', 'not an object', { msgid: 'm3' }),
      { msgid: 'm4', external_userid: USER, origin: 7, msgtype: 'text', text: { content: 'x' } },
      { msgid: 'm5', external_userid: USER, msgtype: 'event', event: 'broken' },
      customer('text', { content: 'b' }, { msgid: 'm6' }),
    ];
    const messages = toInboundMessages(page, ctx);
    assert.deepEqual(messages.map((m) => [m.platformMessageId, m.kind, m.text]), [
      ['m1', 'text', 'a'], ['m2', 'other', null], ['m3', 'other', null], ['m4', 'other', null], ['m5', 'event', null], ['m6', 'text', 'b'],
    ]);
    assert.equal(messages[4]?.event, 'other');
  });
  test('missing msgid, open_kfid and send_time fall back to a stable digest, the pulled account and now', () => {
    const item = { origin: 3, external_userid: USER, msgtype: 'text', text: { content: 'hi' } };
    const a = parse(item);
    assert.match(a.platformMessageId, /^kf:[0-9a-f]{32}$/);
    assert.equal(parse(structuredClone(item)).platformMessageId, a.platformMessageId);
    assert.deepEqual(a.address, { openKfId: 'wkPULLED' });
    assert.deepEqual(a.sentAt, NOW);
    assert.deepEqual(parse({ ...item, send_time: 'soon' }).sentAt, NOW);
  });
});
