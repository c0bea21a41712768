import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TEXT_BYTES, splitText, textBody } from '../../adapters/wecom/send.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Every part fits, survives a UTF-8 round trip whole (no cut character), and the parts rebuild the text. */
function assertGoodSplit(text: string, maxBytes = MAX_TEXT_BYTES): string[] {
  const parts = splitText(text, maxBytes);
  for (const part of parts) {
    assert.ok(bytes(part) <= maxBytes, `part of ${bytes(part)} bytes`);
    assert.ok(part.length > 0);
    assert.equal(Buffer.from(part, 'utf8').toString('utf8'), part, 'a character was cut');
  }
  assert.equal(parts.join(''), text);
  return parts;
}

describe('splitText', () => {
  test('short text is one part; empty text none', () => {
    assert.deepEqual(splitText('亲，满299元包邮哦~'), ['亲，满299元包邮哦~']);
    assert.deepEqual(splitText('x'.repeat(2048)), ['x'.repeat(2048)]);
    assert.deepEqual(splitText(''), []);
  });

  test('Chinese text without breaks is cut between characters', () => {
    const text = '这个包包有现货吗'.repeat(200); // 3 bytes a character, 4800 bytes
    const parts = assertGoodSplit(text);
    assert.equal(parts.length, 3);
    assert.equal(bytes(parts[0] ?? ''), 2046); // 682 whole characters
  });

  test('4-byte characters (emoji) and mixed widths are never split', () => {
    assertGoodSplit('😀'.repeat(1500));
    assertGoodSplit('a😀é中'.repeat(700));
    for (let offset = 0; offset < 4; offset += 1) assertGoodSplit(`${'x'.repeat(offset)}${'😀'.repeat(600)}`);
  });

  test('prefers a newline in the second half of the window', () => {
    const first = `${'问'.repeat(500)}\n`; // 1501 bytes
    const text = first + '答'.repeat(600);
    const parts = assertGoodSplit(text);
    assert.equal(parts[0], first);
  });

  test('prefers a Chinese sentence end, then an ASCII one followed by a space', () => {
    const cjk = `${'好'.repeat(400)}。${'的'.repeat(400)}`;
    assert.equal(assertGoodSplit(cjk)[0], `${'好'.repeat(400)}。`);
    const ascii = `${'word '.repeat(300)}end. ${'x'.repeat(1500)}`;
    assert.ok(assertGoodSplit(ascii)[0]?.endsWith('end.'));
  });

  test('a break early in the window does not make a tiny part', () => {
    const text = `ab\n${'字'.repeat(1000)}`;
    const parts = assertGoodSplit(text);
    assert.ok(bytes(parts[0] ?? '') > MAX_TEXT_BYTES / 2);
  });

  test('a dot inside a number or URL is not a sentence end', () => {
    const text = `${'x'.repeat(1500)}https://shop.example/item/3.14?q=1${'y'.repeat(1000)}`;
    const parts = assertGoodSplit(text);
    assert.equal(bytes(parts[0] ?? ''), MAX_TEXT_BYTES);
  });

  test('random texts always split cleanly', () => {
    const alphabet = ['a', ' ', '\n', '。', '.', '中', 'é', '😀', '！'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 50; round += 1) {
      const length = next() % 5000;
      let text = '';
      for (let i = 0; i < length; i += 1) text += alphabet[next() % alphabet.length];
      assertGoodSplit(text);
      assertGoodSplit(text, 64);
    }
  });
});

describe('textBody', () => {
  test('asks WeCom to drop identical requests for 30 minutes, with a stable key order', () => {
    assert.equal(
      JSON.stringify(textBody(1000002, 'zhangsan', '你好')),
      '{"touser":"zhangsan","msgtype":"text","agentid":1000002,"text":{"content":"你好"},"enable_duplicate_check":1,"duplicate_check_interval":1800}',
    );
  });
});
