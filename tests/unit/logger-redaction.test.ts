import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

test('channel secrets and customer text never reach the log', () => {
  const out = capture();
  const log = createLogger('info', out.stream);
  log.info({ config: { corpId: 'ww1', secret: 'S3CRET', token: 'T0KEN', encodingAesKey: 'AESKEY' }, text: '我的手机号13800000000' }, 'channel saved');
  log.warn({ message: { text: '包邮吗', content: 'raw xml' }, headers: { authorization: 'Bearer abc', cookie: 'sid=1' } }, 'refused');
  const all = out.lines.join('\n');
  for (const secret of ['S3CRET', 'T0KEN', 'AESKEY', '13800000000', '包邮吗', 'raw xml', 'Bearer abc', 'sid=1']) {
    assert.ok(!all.includes(secret), `${secret} leaked`);
  }
  assert.match(all, /"corpId":"ww1"/, 'what is not secret stays readable');
  assert.match(all, /\[redacted\]/);
});
