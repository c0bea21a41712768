import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDingtalkConfig } from '../../adapters/dingtalk/config.js';
import { toInboundMessage } from '../../adapters/dingtalk/parse.js';
import { PayloadError, ValidationError } from '../../src/domain/errors.js';
import { buildRobotPayload } from '../fakes/fake-dingtalk-openapi.js';

const now = new Date('2024-01-01T00:00:00Z');
const parse = (payload: unknown) => toInboundMessage(payload, { robotCode: 'dingCONFIG', now });

describe('toInboundMessage', () => {
  test('1:1 text: contact is the staff id, address keeps what replies need', () => {
    const p = buildRobotPayload({ msgId: 'msgA==', text: '  退货怎么办 ', createAt: 1690362101894, sessionWebhookExpiredTime: 1690367502152 });
    const m = parse(p);
    assert.ok(m);
    assert.equal(m.platformMessageId, 'msgA==');
    assert.deepEqual(m.contact, { externalId: 'staff001', name: '张三' });
    assert.equal(m.kind, 'text');
    assert.equal(m.text, '退货怎么办');
    assert.equal(m.sentAt.getTime(), 1690362101894);
    assert.deepEqual(m.address, {
      conversationType: '1', conversationId: 'cidSINGLE1==', sessionWebhook: p.sessionWebhook,
      sessionWebhookExpiredTime: '1690367502152', senderStaffId: 'staff001', robotCode: 'dingROBOT',
    });
  });

  test('1:1 without senderStaffId falls back to senderId; robotCode from options; no createAt → now', () => {
    const m = parse(buildRobotPayload({ extra: { senderStaffId: undefined, robotCode: undefined, createAt: undefined } }));
    assert.equal(m?.contact.externalId, '$:LWCP_v1:$SENDER');
    assert.equal(m?.address?.robotCode, 'dingCONFIG');
    assert.equal(m?.address?.senderStaffId, undefined);
    assert.equal(m?.sentAt.getTime(), now.getTime());
  });

  test('group with @robot: the contact is the group, the @mention is stripped', () => {
    const m = parse(buildRobotPayload({ group: true, conversationId: 'cidG==', text: '@小助手 发货了吗', senderStaffId: 's9' }));
    assert.ok(m);
    assert.deepEqual(m.contact, { externalId: 'group:cidG==', name: '测试群' });
    assert.equal(m.text, '发货了吗');
    assert.equal(m.address?.conversationType, '2');
    assert.equal(m.address?.conversationId, 'cidG==');
    assert.equal(m.address?.senderStaffId, 's9');
  });

  test('group without @robot is ignored; atUsers naming the bot counts as @', () => {
    assert.equal(parse(buildRobotPayload({ group: true, atRobot: false })), null);
    const viaAtUsers = buildRobotPayload({ group: true, extra: { isInAtList: undefined } });
    assert.ok(parse(viaAtUsers));
    assert.equal(parse(buildRobotPayload({ group: true, extra: { isInAtList: undefined, atUsers: [] } })), null);
  });

  test('other msgtypes map to kinds without throwing', () => {
    const of = (msgtype: string, content: unknown) => parse(buildRobotPayload({ extra: { msgtype, text: undefined, content } }));
    const picture = of('picture', { downloadCode: 'dc1', pictureDownloadCode: 'p1' });
    assert.equal(picture?.kind, 'image');
    assert.equal(picture?.text, null);
    assert.equal(picture?.attachment?.downloadCode, 'dc1');
    const audio = of('audio', { downloadCode: 'dc2', recognition: '我要退款' });
    assert.deepEqual([audio?.kind, audio?.text], ['voice', '我要退款']);
    assert.deepEqual([of('file', { fileName: 'a.pdf', downloadCode: 'd' })?.kind, of('video', {})?.kind], ['file', 'video']);
    const rich = of('richText', { richText: [{ text: '看这个' }, { type: 'picture', downloadCode: 'dp' }] });
    assert.deepEqual([rich?.kind, rich?.text, rich?.attachment?.downloadCodes], ['other', '看这个', 'dp']);
    assert.deepEqual([of('richText', { richText: [{ text: '纯文字' }] })?.kind], ['text']);
    assert.equal(of('unknownMsgType', undefined)?.kind, 'other');
    assert.equal(of('picture', 'not an object')?.kind, 'image');
    assert.equal(of('richText', { richText: 'nope' })?.text, null);
  });

  test('a body that is not a robot message is a PayloadError', () => {
    for (const bad of [null, 'x', 42, [], {}, { msgId: 'm' }, buildRobotPayload({ extra: { conversationType: '3' } }),
      buildRobotPayload({ extra: { msgId: '' } }), buildRobotPayload({ extra: { senderId: undefined, senderStaffId: undefined } })]) {
      assert.throws(() => parse(bad), PayloadError, JSON.stringify(bad));
    }
  });
});

describe('parseDingtalkConfig', () => {
  test('robotCode defaults to clientId; values are trimmed', () => {
    assert.deepEqual(parseDingtalkConfig({ clientId: ' dingK ', clientSecret: 's3cret' }), { clientId: 'dingK', clientSecret: 's3cret', robotCode: 'dingK' });
    assert.equal(parseDingtalkConfig({ clientId: 'k', clientSecret: 's', robotCode: 'r' }).robotCode, 'r');
  });

  test('errors name the fields, never the values', () => {
    const err = (() => { try { parseDingtalkConfig({ clientId: '', clientSecret: 7, robotCode: '' }); } catch (e) { return e; } })();
    assert.ok(err instanceof ValidationError);
    assert.match(err.message, /clientId/);
    assert.match(err.message, /clientSecret/);
    assert.match(err.message, /robotCode/);
    assert.throws(() => parseDingtalkConfig(null), ValidationError);
    const leaked = (() => { try { parseDingtalkConfig({ clientId: 'k', clientSecret: ['TOPSECRET'] }); } catch (e) { return String(e); } })();
    assert.doesNotMatch(leaked ?? '', /TOPSECRET/);
  });
});
