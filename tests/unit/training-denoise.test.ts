import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HOLDING_MESSAGE } from '../../src/domain/channel.js';
import { denoisePair, isCustomerFiller, isEmojiOnly, isHumanRequestLine, judgeCustomerLine, withoutHumanRequestClauses } from '../../src/domain/training/denoise.js';
import { pairsFromConversation, type TrainingMessage } from '../../src/domain/training/pairs.js';
import type { SourcePair } from '../../src/domain/training/types.js';
import { QUEUED_ACKNOWLEDGEMENT } from '../../src/usecases/decide-turn.js';

const HOLDING = [DEFAULT_HOLDING_MESSAGE, QUEUED_ACKNOWLEDGEMENT, '稍等，马上为您安排客服'];
const pair = (question: string[] | SourcePair['question'], answer: string | null, answerKind = 'text'): SourcePair => ({
  conversationId: '1', channelId: 'ch', source: 'agent_answer', answerKind, answer, answeredAt: new Date(0),
  question: question.map((q) => (typeof q === 'string' ? { kind: 'text', text: q } : q)),
});
const dropped = (p: SourcePair) => {
  const r = denoisePair(p, HOLDING);
  return 'dropped' in r ? r.dropped : null;
};

/** issue 13 item 1, 去噪. */
describe('training data: denoise', () => {
  test('greetings, fillers, acknowledgements and laughter are not questions', () => {
    for (const s of ['在吗', '在吗？？', '哈哈哈', '哈哈哈哈哈', '好的', '嗯', '嗯嗯', '谢谢', '好的谢谢亲', 'ok', '你好', '您好~', '收到', '88']) {
      assert.equal(isCustomerFiller(s), true, s);
    }
    for (const s of ['包邮吗', '可以开发票吗', '好用吗', '在吗？包邮吗', '谢谢，那XL有货吗']) assert.equal(isCustomerFiller(s), false, s);
  });

  test('emoji-only lines, pictographs and platform emoticons alike', () => {
    for (const s of ['👍', '😂😂😂', '[微笑]', '[捂脸][捂脸]', '🙏🏻', '👍！']) assert.equal(isEmojiOnly(s), true, s);
    for (const s of ['👍包邮吗', '好的', '', '？']) assert.equal(isEmojiOnly(s), false, s);
  });

  test('a turn\'s noise lines are removed and the question kept', () => {
    const r = denoisePair(pair(['在吗', '转人工', '👍', '满多少包邮？'], '满299元包邮，偏远地区除外。'), HOLDING);
    assert.ok('kept' in r);
    assert.equal(r.kept.question, '满多少包邮？');
    assert.equal(r.kept.linesRemoved, 3);
    assert.equal(judgeCustomerLine('转人工'), 'humanRequest');
  });

  test('each rule drops what it names', () => {
    const answer = '满299元包邮，偏远地区除外。';
    assert.equal(dropped(pair(['在吗', '哈哈哈'], answer)), 'greetingOrFiller');
    assert.equal(dropped(pair(['😂', '[微笑]'], answer)), 'emojiOnly');
    assert.equal(dropped(pair(['人工', '转人工'], answer)), 'humanRequestOnly');
    assert.equal(dropped(pair([{ kind: 'image', text: null }], answer)), 'mediaOnly');
    assert.equal(dropped(pair(['这个能用吗'], null, 'image')), 'mediaOnly');
    assert.equal(dropped(pair([], answer)), 'noQuestion');
    for (const a of ['稍等', '好的', '收到', '好的，稍等一下', '嗯嗯收到']) assert.equal(dropped(pair(['包邮吗'], a)), 'agentFiller', a);
    for (const h of HOLDING) assert.equal(dropped(pair(['包邮吗'], h)), 'holdingMessage', h);
    assert.equal(dropped(pair(['包邮吗'], '已为您转接人工客服, 请稍候～')), 'holdingMessage', 'in any width and punctuation');
    assert.equal(dropped(pair(['包邮吗'], '👍👍')), 'emojiOnly');
    assert.equal(dropped(pair(['包邮吗'], answer)), null);
  });
});

describe('training data: pairing answers with the turn they answer', () => {
  const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
  const msg = (sender: TrainingMessage['sender'], text: string, s: number, extra: Partial<TrainingMessage> = {}): TrainingMessage =>
    ({ sender, kind: 'text', text, confidence: null, createdAt: at(s), label: null, ...extra });

  test('an agent\'s 稍等 before the answer does not use up the question; bot answers and their labels pair too', () => {
    const pairs = pairsFromConversation({
      id: '7', channelId: 'ch', messages: [
        msg('customer', '包邮吗', 1),
        msg('bot', DEFAULT_HOLDING_MESSAGE, 2),
        msg('agent', '稍等', 3),
        msg('agent', '满299元包邮哦', 4),
        msg('customer', '几天发货', 5),
        msg('bot', '付款后48小时内发货', 6, { confidence: 0.9, label: { verdict: 'good', correction: null, at: at(20) } }),
        msg('customer', '能开发票吗', 7),
        msg('bot', '不能', 8, { confidence: 0.8, label: { verdict: 'bad', correction: '可以开电子发票，下单时填写抬头即可', at: at(21) } }),
        msg('customer', '好的', 9),
        msg('bot', '还有别的吗', 10, { confidence: 0.7 }),
      ],
    }, at(0), HOLDING);
    assert.deepEqual(pairs.map((p) => [p.source, p.question.map((q) => q.text).join('|'), p.answer]), [
      ['agent_answer', '包邮吗', '稍等'],
      ['agent_answer', '包邮吗', '满299元包邮哦'],
      ['good_bot_answer', '几天发货', '付款后48小时内发货'],
      ['correction', '能开发票吗', '可以开电子发票，下单时填写抬头即可'],
    ]);
  });

  test('only answers and labels from `since` on', () => {
    const pairs = pairsFromConversation({
      id: '7', channelId: 'ch', messages: [msg('customer', '包邮吗', 1), msg('agent', '满299元包邮哦', 2), msg('customer', '几天发货', 3), msg('agent', '48小时内发货', 30)],
    }, at(10), HOLDING);
    assert.deepEqual(pairs.map((p) => p.answer), ['48小时内发货']);
  });
  // issue 13 item 1: 找客服 (any phrase the live turn hands off on) stayed in front of the real question.
  test('lines and clauses that only ask for a person go; questions that mention one stay', () => {
    for (const s of ['找客服', '我要找客服', '麻烦转人工谢谢', '人工客服在吗', '转人工！！', '真人客服快点', '找人工', '联系人工', '人工']) {
      assert.equal(isHumanRequestLine(s), true, s);
      assert.equal(judgeCustomerLine(s), 'humanRequest', s);
    }
    for (const s of ['我想问人工客服一个问题', '人工智能是什么', '找客服我想改地址', '人工费多少', '客服几点上班', '我想改一下收货地址']) {
      assert.equal(isHumanRequestLine(s), false, s);
    }
    assert.equal(withoutHumanRequestClauses('找客服，我想改一下收货地址'), '我想改一下收货地址');
    assert.equal(withoutHumanRequestClauses('我想改一下收货地址，转人工'), '我想改一下收货地址');
    assert.equal(withoutHumanRequestClauses('客服几点上班？'), '客服几点上班？');
    const answer = '下单后未发货前可以在订单页修改收货地址。';
    const kept = (question: string[]) => {
      const r = denoisePair(pair(question, answer), HOLDING);
      return 'kept' in r ? [r.kept.question, r.kept.linesRemoved] : r.dropped;
    };
    assert.deepEqual(kept(['找客服\n我想改一下收货地址']), ['我想改一下收货地址', 1]);
    assert.deepEqual(kept(['找客服', '我想改一下收货地址']), ['我想改一下收货地址', 1]);
    assert.deepEqual(kept(['找客服，我想改一下收货地址']), ['我想改一下收货地址', 0]);
    assert.equal(kept(['找客服', '在吗']), 'humanRequestOnly');
  });
});
