import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isStorableDate } from '../../src/domain/dates.js';
import { isRowId, isTextId } from '../../src/domain/ids.js';
import { inboundProblem, MAX_PLATFORM_ID_LENGTH, type InboundMessage } from '../../src/domain/message.js';
import { isSafeText, parseSafeJson, safeJson, safeText } from '../../src/domain/text.js';
import { safeRequestUrl, urlProblem } from '../../src/http/middleware/safe-request-url.js';
import { FUZZ_SEED, hostileString } from '../support/hostile-input.js';

/**
 * What PostgreSQL refuses of a string, checked another way than text.ts does: no NUL, and well-formed
 * UTF-16 (a lone surrogate does not survive a round trip through UTF-8).
 */
const storable = (s: string) => !s.includes('\u0000') && Buffer.from(s, 'utf8').toString('utf8') === s;

/** Every key and string value inside a parsed JSON value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
}

describe('safeText: the one text rule (issue 11)', () => {
  test('drops NUL and turns lone surrogates into U+FFFD, keeping pairs', () => {
    assert.equal(safeText('has\u0000nul'), 'hasnul');
    assert.equal(safeText('a\uD800b'), 'a\uFFFDb');
    assert.equal(safeText('\uDFFFa'), '\uFFFDa');
    assert.equal(safeText('\uD83D\uDE00 亲，包邮哦~'), '\uD83D\uDE00 亲，包邮哦~');
    assert.equal(safeText('end\uD83D'), 'end\uFFFD');
  });

  test('any string comes out storable, and a second pass changes nothing', () => {
    fc.assert(fc.property(hostileString(60), (s) => {
      const clean = safeText(s);
      assert.ok(isSafeText(clean));
      assert.ok(storable(clean));
      assert.equal(safeText(clean), clean);
      if (isSafeText(s)) assert.equal(clean, s);
    }), { seed: FUZZ_SEED, numRuns: 500 });
  });
});

describe('parseSafeJson', () => {
  test('cleans every string of a parsed body, keys included, and keeps __proto__ a plain key', () => {
    const value = parseSafeJson('{"te\\u0000xt":"has\\u0000nul","list":["\\ud800",{"__proto__":"\\u0000x"}]}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['list', 'text']);
    assert.equal(value.text, 'hasnul');
    const list = value.list as [string, Record<string, unknown>];
    assert.equal(list[0], '\uFFFD');
    assert.equal(Object.getPrototypeOf(list[1]), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(list[1], '__proto__')?.value, 'x');
  });

  test('parses what JSON.parse parses, to the same value when nothing needs cleaning', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const text = JSON.stringify(v);
      assert.deepEqual(parseSafeJson(text), JSON.parse(text));
    }), { seed: FUZZ_SEED, numRuns: 200 });
  });

  test('any JSON text with hostile strings parses to storable strings only', () => {
    const body = fc.dictionary(hostileString(8), fc.oneof(hostileString(), fc.array(hostileString(), { maxLength: 3 })));
    fc.assert(fc.property(body, (v) => {
      for (const str of stringsIn(parseSafeJson(JSON.stringify(v)))) assert.ok(storable(str), JSON.stringify(str));
    }), { seed: FUZZ_SEED, numRuns: 300 });
  });

  test('a megabyte of nesting neither overflows the stack nor hides a NUL', () => {
    const depth = 200_000;
    const value = parseSafeJson(`${'['.repeat(depth)}"\\u0000deep"${']'.repeat(depth)}`);
    let node: unknown = value;
    for (let i = 0; i < depth; i++) node = (node as unknown[])[0];
    assert.equal(node, 'deep');
  });

  test('still throws on text that is not JSON', () => {
    assert.throws(() => parseSafeJson('{"a":'), SyntaxError);
    assert.equal(safeJson('\u0000'), '');
  });
});

describe('the storable-input rules next to it', () => {
  const message = (over: Partial<InboundMessage> = {}): InboundMessage => ({
    platformMessageId: 'msg-1', contact: { externalId: 'zhangsan' }, kind: 'text', text: '包邮吗', sentAt: new Date(), ...over,
  });

  test('a message with a sane id, contact and date passes; oversized ids, bad dates and NUL do not', () => {
    assert.equal(inboundProblem(message()), null);
    assert.equal(inboundProblem(message({ platformMessageId: 'm'.repeat(MAX_PLATFORM_ID_LENGTH) })), null);
    assert.match(inboundProblem(message({ platformMessageId: 'm'.repeat(6000) }))!, /message id/);
    assert.match(inboundProblem(message({ contact: { externalId: 'u'.repeat(6000) } }))!, /contact id/);
    assert.match(inboundProblem(message({ contact: { externalId: '' } }))!, /contact id/);
    assert.match(inboundProblem(message({ address: { sessionWebhook: 'h'.repeat(5000) } }))!, /address/);
    assert.match(inboundProblem(message({ sentAt: new Date(1e20) }))!, /send time/);
    assert.match(inboundProblem(message({ sentAt: new Date('-271821-04-20T00:00:00Z') }))!, /send time/);
    assert.match(inboundProblem(message({ text: 'has\u0000nul' }))!, /text/);
    assert.match(inboundProblem(message({ attachment: { title: '\uD800' } }))!, /text/);
  });

  test('dates are storable between the years 1 and 9999 only', () => {
    assert.ok(isStorableDate(new Date('2026-12-04T00:00:00Z')));
    assert.ok(!isStorableDate(new Date(NaN)));
    assert.ok(!isStorableDate(new Date('-271821-04-20T00:00:00Z')));
    assert.ok(!isStorableDate(new Date(8.64e15)));
  });

  test('row ids are bigint-sized decimals; text ids are short and storable', () => {
    assert.ok(isRowId('1') && isRowId('9223372036854775807'));
    for (const bad of ['abc', '0', '01', '-1', '1.5', '9223372036854775808', '99999999999999999999', '']) assert.ok(!isRowId(bad), bad);
    assert.ok(isTextId('ch_0123456789ab'));
    for (const bad of ['', 'ch\u0000', 'x'.repeat(201), '\uD800']) assert.ok(!isTextId(bad), JSON.stringify(bad));
  });

  test('a URL that decodes to NUL or does not decode is refused; ordinary ones pass', () => {
    assert.equal(urlProblem('/webhooks/wecom/ch_1', 'msg_signature=a&echostr=ab%2B%2F%3D'), null);
    assert.equal(urlProblem('/api/knowledge', 'q=%E5%8C%85%E9%82%AE+%25'), null);
    assert.match(urlProblem('/webhooks/wecom/ch_1%00', '')!, /NUL/);
    assert.match(urlProblem('/api/knowledge', 'q=a%00b')!, /NUL/);
    assert.match(urlProblem('/api/knowledge', 'q=%E0%A4')!, /percent/);
    assert.match(urlProblem('/api/conversations/%ED%A0%80', '')!, /percent/);
  });

  test('the URL guard answers a bare 400 to platforms, the JSON error to everyone else, and passes the rest on', async () => {
    const guard = safeRequestUrl();
    const run = async (path: string, querystring = '') => {
      const ctx = { path, querystring, status: 404, body: undefined as unknown, type: '' };
      let passed = false;
      await guard(ctx as never, async () => {
        passed = true;
      });
      return { ...ctx, passed };
    };
    const webhook = await run('/webhooks/wecom/ch_1%00');
    assert.deepEqual([webhook.status, webhook.body, webhook.passed], [400, '', false]);
    const api = await run('/api/knowledge', 'q=%00');
    assert.deepEqual([api.status, (api.body as { error: { code: string } }).error.code, api.passed], [400, 'REQUEST.MALFORMED_URL', false]);
    assert.equal((await run('/api/knowledge', 'q=%E5%8C%85')).passed, true);
  });
});
