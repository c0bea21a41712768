import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectKfNotice, toInboundMessage } from '../../adapters/wecom/parse.js';
import { parseEnvelope, parseXml } from '../../adapters/wecom/xml.js';
import { PayloadError } from '../../src/domain/errors.js';

const parse = (xml: string) => toInboundMessage(parseXml(xml));

/** A decrypted message as WeCom sends it (protocols/wecom.md §5.1). */
function inner(msgType: string, fields: string, from = 'zhangsan', createTime = '1700000000'): string {
  return `<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>`
    + `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[${msgType}]]></MsgType>${fields}<AgentID>1000002</AgentID></xml>`;
}

const isPayloadError = (err: unknown) => err instanceof PayloadError && err.httpStatus === 400;

describe('messages', () => {
  test('text: Set B keeps its 64-bit MsgId as an exact string', () => {
    const xml = '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>';
    assert.deepEqual(parse(xml), {
      platformMessageId: '4561255354251345929',
      contact: { externalId: 'mycreate' },
      kind: 'text',
      text: 'hello',
      sentAt: new Date(1409659813 * 1000),
    });
  });
  test('text without CDATA (Set A) and with entities, spaces and "]]>" in the content', () => {
    assert.equal(parse(inner('text', '<Content>你好</Content><MsgId>1456453720</MsgId>')).text, '你好');
    assert.equal(parse(inner('text', '<Content> a &lt;b&gt; &amp; &#20320; </Content><MsgId>1</MsgId>')).text, ' a <b> & 你 ');
    assert.equal(parse(inner('text', '<Content><![CDATA[x]]]]><![CDATA[>y &amp;]]></Content><MsgId>1</MsgId>')).text, 'x]]>y &amp;');
  });
  test('image keeps MediaId and PicUrl as an attachment, never as text', () => {
    const m = parse(inner('image', '<PicUrl><![CDATA[http://p.example/1.jpg]]></PicUrl><MediaId><![CDATA[media1]]></MediaId><MsgId>11</MsgId>'));
    assert.equal(m.kind, 'image');
    assert.equal(m.text, null);
    assert.deepEqual(m.attachment, { mediaId: 'media1', picUrl: 'http://p.example/1.jpg' });
  });
  test('voice keeps MediaId and Format', () => {
    const m = parse(inner('voice', '<MediaId><![CDATA[v1]]></MediaId><Format><![CDATA[amr]]></Format><MsgId>12</MsgId>'));
    assert.equal(m.kind, 'voice');
    assert.deepEqual(m.attachment, { mediaId: 'v1', format: 'amr' });
  });
  test('file, location and unknown types', () => {
    assert.equal(parse(inner('file', '<MediaId>f1</MediaId><MsgId>13</MsgId>')).kind, 'file');
    const loc = parse(inner('location', '<Location_X>23.13</Location_X><Location_Y>113.26</Location_Y><Label>广州</Label><MsgId>14</MsgId>'));
    assert.deepEqual([loc.kind, loc.attachment], ['location', { latitude: '23.13', longitude: '113.26', label: '广州' }]);
    assert.equal(parse(inner('miniprogram', '<MsgId>15</MsgId>')).kind, 'other');
  });
  test('a message without FromUserName, MsgId or a numeric CreateTime is refused', () => {
    assert.throws(() => parse(inner('text', '<Content>x</Content>')), isPayloadError);
    assert.throws(() => parse(inner('text', '<Content>x</Content><MsgId>1</MsgId>', '')), isPayloadError);
    assert.throws(() => parse(inner('text', '<Content>x</Content><MsgId>1</MsgId>', 'u', 'yesterday')), isPayloadError);
  });
});

describe('events', () => {
  const event = (name: string, extra = '', createTime = '1700000000') =>
    parse(inner('event', `<Event><![CDATA[${name}]]></Event>${extra}`, 'zhangsan', createTime));

  test('subscribe and enter_agent are "enter", unsubscribe "leave", others "other"', () => {
    assert.deepEqual(
      ['subscribe', 'enter_agent', 'unsubscribe', 'click', 'LOCATION'].map((e) => event(e).event),
      ['enter', 'enter', 'leave', 'other', 'other'],
    );
    const m = event('enter_agent');
    assert.equal(m.kind, 'event');
    assert.equal(m.text, null);
    assert.equal(m.contact.externalId, 'zhangsan');
  });
  test('the key is stable for a redelivered event', () => {
    assert.equal(event('click', '<EventKey>a</EventKey>').platformMessageId, event('click', '<EventKey>a</EventKey>').platformMessageId);
    assert.match(event('subscribe').platformMessageId, /^event:zhangsan:1700000000:subscribe:[0-9a-f]{16}$/);
  });
  test('distinct events in the same second get distinct keys', () => {
    const keys = new Set([
      event('click', '<EventKey>menu_a</EventKey>').platformMessageId,
      event('click', '<EventKey>menu_b</EventKey>').platformMessageId,
      event('change_contact', '<ChangeType>update_user</ChangeType>').platformMessageId,
      event('change_contact', '<ChangeType>create_user</ChangeType>').platformMessageId,
      event('enter_agent').platformMessageId,
      event('enter_agent', '', '1700000001').platformMessageId,
    ]);
    assert.equal(keys.size, 6);
  });
  test('detects a 微信客服 notice and returns its token and account', () => {
    const kf = parseXml('<xml><ToUserName><![CDATA[ww1]]></ToUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR]]></Token><OpenKfId><![CDATA[wkxxxxxxx]]></OpenKfId></xml>');
    assert.deepEqual(detectKfNotice(kf), { token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR', openKfId: 'wkxxxxxxx', createTime: '1348831860' });
    assert.equal(detectKfNotice(parseXml(inner('event', '<Event>subscribe</Event>'))), null);
    assert.throws(() => detectKfNotice(parseXml(inner('event', '<Event>kf_msg_or_event</Event>'))), isPayloadError);
  });
});

describe('xml safety', () => {
  test('DOCTYPE and ENTITY are refused before parsing, in any case', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>';
    assert.throws(() => parseEnvelope(bomb), isPayloadError);
    assert.throws(() => parseXml('<!doctype xml><xml><A>1</A></xml>'), isPayloadError);
    assert.throws(() => parseXml('<xml><A><!EnTiTy x "y"></A></xml>'), isPayloadError);
  });
  test('malformed XML is a payload error', () => {
    for (const bad of ['<xml><A>1</B></xml>', '<xml><A>1</A>', 'not xml', '<a>1</a><b>2</b>', '<root><A>1</A></root>', '']) {
      assert.throws(() => parseXml(bad), isPayloadError, bad);
    }
  });
  test('the envelope yields Encrypt; an envelope without it is refused', () => {
    const body = '<xml><ToUserName><![CDATA[ww1]]></ToUserName>\n<Encrypt><![CDATA[abc+/==]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>';
    assert.deepEqual(parseEnvelope(Buffer.from(body)), { encrypted: 'abc+/==' });
    assert.throws(() => parseEnvelope('<xml><ToUserName>ww1</ToUserName></xml>'), isPayloadError);
  });
  test('nested elements flatten with dots; repeated ones are dropped, never guessed', () => {
    const rec = parseXml('<xml><A><B>1</B></A><L><item>1</item><item>2</item></L><M>x</M><M>y</M></xml>');
    assert.deepEqual({ ...rec }, { 'A.B': '1' });
  });
});
