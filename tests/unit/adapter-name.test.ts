import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterNameProblem, assertAdapterName, isAdapterName, MAX_ADAPTER_NAME_LENGTH } from '../../src/domain/adapter-name.js';
import { ValidationError } from '../../src/domain/errors.js';

/** issue 13 item 4, review item 5: the one rule for adapter names. */

test('vLLM model ids and LoRA module names pass', () => {
  for (const name of ['support-v2', 'Qwen/Qwen2.5-7B-Instruct', 'qwen2.5-7b-instruct', 'org/model:latest', 'a', '7b', 'lora_stage.2', 'a..b', 'x'.repeat(MAX_ADAPTER_NAME_LENGTH)]) {
    assert.equal(adapterNameProblem(name), null, name);
  }
});

test('blanks, whitespace, control characters, paths and odd characters are refused', () => {
  const bad = [
    '', ' ', ' support-v2', 'support-v2 ', 'x\ny', 'x\ty', 'x\u0000y', 'x\u007fy', 'x\u200by', '支持v2',
    '../../etc/passwd', '..', '.hidden', '-rf', '_x', ':x', '/abs', 'a/../b', 'a/./b', 'a/..', 'a//b', 'a/',
    'x'.repeat(MAX_ADAPTER_NAME_LENGTH + 1), 'a b', 'a;b', 'a%2Fb', 'a\\b', 'a?b', 'a#b',
  ];
  for (const name of bad) {
    assert.equal(isAdapterName(name), false, JSON.stringify(name));
    assert.equal(typeof adapterNameProblem(name), 'string', JSON.stringify(name));
  }
});

test('assertAdapterName throws 400 MODEL.INVALID_NAME without echoing the name', () => {
  assert.doesNotThrow(() => assertAdapterName('support-v2'));
  assert.throws(() => assertAdapterName('../../etc/passwd'), (err: unknown) => {
    assert.ok(err instanceof ValidationError);
    assert.equal(err.code, 'MODEL.INVALID_NAME');
    assert.equal(err.httpStatus, 400);
    assert.doesNotMatch(err.message, /etc/);
    return true;
  });
});
