import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SYSTEM_PROMPT } from '../../src/domain/channel.js';
import { buildChatMessages, MAX_PROMPT_KNOWLEDGE } from '../../src/model/prompt.js';
import type { KnowledgeHit } from '../../src/ports/responder.js';

const hit = (id: string, instruction: string, input: string, output: string, score = 0.9): KnowledgeHit => ({
  entry: { id, channelId: null, instruction, input, output },
  score,
});

const SHIPPING = hit('1', '客户问是否包邮', '', '亲，订单满299元包邮哦~');
const EUROPE = hit('2', '客户问发不发欧洲', '能寄到德国吗', '我们发往欧洲大部分国家~', 0.7);

describe('buildChatMessages', () => {
  test('puts the system prompt, the knowledge and the rules into one system message first', () => {
    const [system] = buildChatMessages({ systemPrompt: '你是小店客服。', knowledge: [SHIPPING, EUROPE], history: [], question: '包邮吗' });
    assert.equal(system.role, 'system');
    assert.ok(system.content.startsWith('你是小店客服。'));
    assert.match(system.content, /店铺知识/);
    assert.match(system.content, /客户问是否包邮/);
    assert.match(system.content, /订单满299元包邮/);
    assert.match(system.content, /客户问发不发欧洲 \/ 能寄到德国吗/, 'both phrasings of an entry are listed');
    assert.match(system.content, /只根据上面的店铺知识回答/);
    assert.match(system.content, /转接人工客服/);
  });

  test('keeps the given order (best first) and lists each entry once', () => {
    const [system] = buildChatMessages({ systemPrompt: 'x', knowledge: [SHIPPING, EUROPE, SHIPPING], history: [], question: 'q' });
    assert.ok(system.content.indexOf('包邮') < system.content.indexOf('欧洲'));
    assert.equal(system.content.split('订单满299元包邮').length - 1, 1);
  });

  test(`lists at most ${MAX_PROMPT_KNOWLEDGE} entries by default`, () => {
    const many = Array.from({ length: 9 }, (_, i) => hit(String(i), `问题${i}`, '', `答案${i}`));
    const [system] = buildChatMessages({ systemPrompt: 'x', knowledge: many, history: [], question: 'q' });
    assert.ok(system.content.includes(`答案${MAX_PROMPT_KNOWLEDGE - 1}`));
    assert.ok(!system.content.includes(`答案${MAX_PROMPT_KNOWLEDGE}`));
  });

  test('says so when no knowledge matched, so the model offers a human instead of guessing', () => {
    const [system] = buildChatMessages({ systemPrompt: 'x', knowledge: [], history: [], question: '老板电话' });
    assert.match(system.content, /没有找到/);
    assert.match(system.content, /转接人工客服/);
  });

  test('falls back to the default system prompt when the channel has none', () => {
    const [system] = buildChatMessages({ systemPrompt: '  ', knowledge: [], history: [], question: 'q' });
    assert.ok(system.content.startsWith(DEFAULT_SYSTEM_PROMPT));
  });

  test('follows with the history oldest first and ends with the question', () => {
    const messages = buildChatMessages({
      systemPrompt: 'x',
      knowledge: [SHIPPING],
      history: [
        { role: 'user', content: '你好' },
        { role: 'assistant', content: '亲，在的~' },
        { role: 'assistant', content: '   ' },
      ],
      question: '包邮吗',
    });
    assert.deepEqual(
      messages.slice(1),
      [
        { role: 'user', content: '你好' },
        { role: 'assistant', content: '亲，在的~' },
        { role: 'user', content: '包邮吗' },
      ],
    );
  });
});
