import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toInboundMessage as dingtalkMessage } from '../../adapters/dingtalk/parse.js';
import { parseBotCallback } from '../../adapters/wecom/bot-parse.js';
import { detectKfNotice, toInboundMessage as wecomMessage } from '../../adapters/wecom/parse.js';
import { parseXml } from '../../adapters/wecom/xml.js';
import { PayloadError } from '../../src/domain/errors.js';
import { inboundProblem, type InboundMessage } from '../../src/domain/message.js';
import { isSafeText, parseSafeJson } from '../../src/domain/text.js';
import { FUZZ_SEED, hostileId, hostileJsonValue, hostileNumber, hostileString } from '../support/hostile-input.js';

/**
 * The pure half of the per-parser fuzz tests (issue 11; the HTTP half is
 * tests/integration/hostile-input-fuzz.test.ts): many more runs, no I/O. A parser either refuses
 * with a PayloadError (a 400) or yields text that can be stored; nothing else escapes it.
 */
const options = { seed: FUZZ_SEED, numRuns: 1000 };
const now = new Date('2026-12-04T00:00:00Z');

/** Runs `parse`; a PayloadError is a fine answer, any other error fails the property. */
function refusedOr<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (err instanceof PayloadError) return undefined;
    throw err;
  }
}

const cdata = (v: string) => `<![CDATA[${v.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

describe('parsers: any input is refused with a PayloadError or made storable', () => {
  test('WeCom XML (scanner, then the message and kf-notice readers)', () => {
    const element = fc.tuple(fc.constantFrom('FromUserName', 'Content', 'MsgId', 'CreateTime', 'MsgType', 'Event', 'OpenKfId', 'Token'), hostileString(), fc.boolean())
      .map(([name, value, raw]) => `<${name}>${raw ? value : cdata(value)}</${name}>`);
    const xml = fc.oneof(hostileString(200), fc.array(element, { maxLength: 8 }).map((els) => `<xml>${els.join('')}</xml>`));
    fc.assert(fc.property(xml, (text) => {
      const record = refusedOr(() => parseXml(text));
      if (record === undefined) return;
      for (const value of Object.values(record)) assert.ok(isSafeText(value), JSON.stringify(value));
      refusedOr(() => detectKfNotice(record));
      const message = refusedOr(() => wecomMessage(record));
      if (message) assertStorableOrIdProblem(message);
    }), options);
  });

  test('智能机器人 JSON', () => {
    const callback = fc.record({
      msgid: hostileId, aibotid: hostileString(8), chattype: fc.constantFrom('single', 'group'), chatid: hostileId, from: fc.record({ userid: hostileId }),
      create_time: hostileNumber, msgtype: fc.constantFrom('text', 'mixed', 'voice', 'image', 'file', 'event', 'stream', 'x'),
      text: fc.record({ content: hostileJsonValue }), voice: fc.record({ content: hostileString() }), image: fc.record({ url: hostileString() }),
      stream: fc.record({ id: hostileString(12) }), event: fc.record({ eventtype: hostileString(10) }),
    }, { requiredKeys: ['msgtype'] });
    fc.assert(fc.property(fc.oneof(hostileString(200), callback.map((c) => JSON.stringify(c))), (plain) => {
      const parsed = refusedOr(() => parseBotCallback(plain, now));
      if (parsed && parsed.type !== 'refresh') assertStorableOrIdProblem(parsed.message, /send time/);
    }), options);
  });

  test('DingTalk robot JSON (HTTP body and Stream frame data alike)', () => {
    const payload = fc.record({
      msgId: hostileId, conversationType: fc.constantFrom('1', '2'), conversationId: hostileId, senderStaffId: hostileId, senderId: hostileId,
      senderNick: hostileString(), conversationTitle: hostileString(), msgtype: fc.constantFrom('text', 'richText', 'picture', 'audio', 'x'),
      text: fc.record({ content: hostileJsonValue }), createAt: hostileNumber, isInAtList: fc.boolean(), sessionWebhook: hostileString(),
      content: fc.record({ recognition: hostileString(), downloadCode: hostileJsonValue, richText: fc.array(fc.record({ text: hostileString(), type: fc.constantFrom('text', 'picture'), downloadCode: hostileString() }), { maxLength: 3 }) }),
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(hostileString(200), payload.map((p) => JSON.stringify(p))), (body) => {
      let json: unknown;
      try {
        json = parseSafeJson(body);
      } catch {
        return; // not JSON: the adapter answers 400 before the parser
      }
      const message = refusedOr(() => dingtalkMessage(json, { now }));
      // Ids and the send time are checked when stored; a Stream frame refused there is acked and dropped (jobs/connector.ts).
      if (message) assertStorableOrIdProblem(message, /^(send time|reply address)/);
    }), options);
  });
});

/**
 * Text is always safe. Ids and dates are checked when stored (receive-messages.ts), so the only
 * problems left here are those: oversized ids, or a send time out of range where `allowed` says so.
 */
function assertStorableOrIdProblem(message: InboundMessage, allowed = /^$/): void {
  const problem = inboundProblem(message);
  assert.ok(problem === null || /^(message|contact) id/.test(problem) || allowed.test(problem), `${problem}: ${JSON.stringify(message).slice(0, 300)}`);
}
