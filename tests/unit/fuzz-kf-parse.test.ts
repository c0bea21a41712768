import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toInboundMessages } from '../../adapters/wecom/kf-parse.js';
import { inboundProblem, MAX_PLATFORM_ID_LENGTH } from '../../src/domain/message.js';
import { parseSafeJson } from '../../src/domain/text.js';
import { FUZZ_SEED, hostileId, hostileJsonValue, hostileNumber, hostileString } from '../support/hostile-input.js';

/**
 * Issue 11: a sync_msg page as the service reads it (api-client's JSON parse, then kf-parse) never
 * throws, and what it yields can be stored, except a message whose contact id no one could file:
 * that one pull-messages leaves out. Either way the page, and the cursor after it, go through.
 */
describe('微信客服 sync_msg page: any page in, storable messages out', () => {
  const ctx = { openKfId: 'wkPULLED', now: new Date('2026-12-04T00:00:00Z') };
  const item = fc.record({
    msgid: fc.option(hostileId, { nil: undefined }), external_userid: fc.option(hostileId, { nil: undefined }), open_kfid: fc.option(hostileString(10), { nil: undefined }),
    origin: fc.constantFrom(3, 4, 5, '3', null), msgtype: fc.constantFrom('text', 'image', 'location', 'link', 'file', 'event', 'bogus'),
    text: fc.record({ content: hostileJsonValue, menu_id: hostileJsonValue }), location: fc.record({ latitude: hostileNumber, address: hostileString() }),
    link: fc.record({ title: hostileString(), url: hostileString(), pic_url: hostileJsonValue }),
    event: fc.record({ event_type: fc.constantFrom('enter_session', 'msg_send_fail', 'session_status_change', 'user_recall_msg', 'x'), external_userid: hostileId, welcome_code: hostileJsonValue, scene: hostileString(), fail_type: hostileNumber, change_type: hostileNumber, new_servicer_userid: hostileJsonValue }),
    send_time: hostileNumber, servicer_userid: hostileJsonValue,
  }, { requiredKeys: ['msgtype'] });
  /** The JSON WeCom sends: a page of items, or anything at all in msg_list's place. */
  const page = fc.oneof(
    { arbitrary: fc.array(item, { maxLength: 6 }).map((list) => JSON.stringify({ errcode: 0, msg_list: list })), weight: 4 },
    { arbitrary: fc.array(hostileJsonValue, { maxLength: 4 }).map((list) => JSON.stringify({ errcode: 0, msg_list: list })), weight: 1 },
  );

  test('never throws; every message is storable, or unfileable for its contact id alone', () => {
    fc.assert(fc.property(page, (text) => {
      const { msg_list: list } = parseSafeJson(text) as { msg_list: unknown[] };
      for (const message of toInboundMessages(list, ctx)) {
        assert.ok(message.platformMessageId.length <= MAX_PLATFORM_ID_LENGTH, 'a long msgid is kept as its digest');
        const problem = inboundProblem(message);
        assert.ok(problem === null || /^contact id/.test(problem), `${problem}: ${JSON.stringify(message).slice(0, 300)}`);
      }
    }), { seed: FUZZ_SEED, numRuns: 1000 });
  });

  test('a long msgid gets the same digest on every pull, so a re-pull still dedupes', () => {
    const long = { msgid: 'x'.repeat(6000), external_userid: 'wmUSER', origin: 3, msgtype: 'text', text: { content: '长编号' } };
    const [a] = toInboundMessages([long], ctx);
    const [b] = toInboundMessages([{ ...long, text: { content: '再拉一次' } }], ctx);
    assert.match(a.platformMessageId, /^kf:[0-9a-f]{32}$/);
    assert.equal(a.platformMessageId, b.platformMessageId);
  });
});
