import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDingtalkSign, verifyDingtalkSignature } from '../../adapters/dingtalk/sign.js';
import { InvalidSignatureError } from '../../src/domain/errors.js';

// protocols/dingtalk.md §3, worked examples (cross-checked there with Python hmac).
const EXAMPLES = [
  { timestamp: '1700000000000', appSecret: 'test-app-secret', sign: 'dhJB8TJ0cHPEbwpUauugV2Wz8v4qlWoO+C42nEhJW+c=' },
  { timestamp: '1577262236757', appSecret: 'this is secret', sign: 'hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=' },
];

const refused = (input: Parameters<typeof verifyDingtalkSignature>[0]) =>
  assert.throws(() => verifyDingtalkSignature(input), InvalidSignatureError);

describe('verifyDingtalkSignature', () => {
  for (const ex of EXAMPLES) {
    test(`§3 example ${ex.timestamp} verifies`, () => {
      assert.equal(computeDingtalkSign(ex.timestamp, ex.appSecret), ex.sign);
      verifyDingtalkSignature({ ...ex, maxSkewS: 300, now: new Date(Number(ex.timestamp) + 1000) });
    });
  }

  const [ex] = EXAMPLES as [typeof EXAMPLES[number]];
  const at = (deltaMs: number) => new Date(Number(ex.timestamp) + deltaMs);

  test('forged: wrong secret, flipped bit, other timestamp, junk', () => {
    refused({ ...ex, appSecret: 'other-secret', maxSkewS: 300, now: at(0) });
    const flipped = Buffer.from(ex.sign, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    refused({ ...ex, sign: flipped.toString('base64'), maxSkewS: 300, now: at(0) });
    refused({ ...ex, timestamp: '1700000000001', maxSkewS: 300, now: at(0) });
    refused({ ...ex, sign: `${ex.sign}!!`, maxSkewS: 300, now: at(0) });
    refused({ ...ex, sign: 'AAAA', maxSkewS: 300, now: at(0) });
  });

  test('stale and future timestamps beyond the window are refused; the edge is accepted', () => {
    refused({ ...ex, maxSkewS: 300, now: at(300_001) });
    refused({ ...ex, maxSkewS: 300, now: at(-300_001) });
    verifyDingtalkSignature({ ...ex, maxSkewS: 300, now: at(300_000) });
    verifyDingtalkSignature({ ...ex, maxSkewS: 300, now: at(-300_000) });
  });

  test('maxSkewS 0 turns the window off but still checks the signature', () => {
    verifyDingtalkSignature({ ...ex, maxSkewS: 0, now: at(10 * 365 * 86_400_000) });
    refused({ ...ex, appSecret: 'x', maxSkewS: 0, now: at(0) });
  });

  test('missing or malformed headers are refused', () => {
    refused({ ...ex, timestamp: undefined, maxSkewS: 300, now: at(0) });
    refused({ ...ex, sign: undefined, maxSkewS: 300, now: at(0) });
    refused({ ...ex, sign: '', maxSkewS: 300, now: at(0) });
    refused({ ...ex, timestamp: '1700000000000.5', maxSkewS: 0, now: at(0) });
  });
});
