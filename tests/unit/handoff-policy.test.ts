import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handoffAfterModel, handoffBeforeModel, isOnlyHumanRequest, normalizeQuestion, promisesAPerson, type TurnFacts } from '../../src/domain/handoff-policy.js';
import { DEFAULT_HOLDING_MESSAGE } from '../../src/domain/channel.js';
import { HANDOFF_ANSWER } from '../../src/domain/training/out-of-scope.js';
import { NO_KNOWLEDGE_REPLY } from '../../src/model/knowledge-base-responder.js';
import type { MessageKind } from '../../src/domain/message.js';

const text = (t: string) => ({ kind: 'text' as MessageKind, text: t });
const facts = (over: Partial<TurnFacts> = {}): TurnFacts => ({
  botEnabled: true,
  messages: [text('你们几点发货？')],
  answeredQuestions: [],
  channelKeywords: [],
  ...over,
});

describe('normalizeQuestion', () => {
  test('drops spaces, ASCII and full-width punctuation, symbols and case', () => {
    assert.equal(normalizeQuestion(' 运费 多少？ '), '运费多少');
    assert.equal(normalizeQuestion('运费,多少?!'), '运费多少');
    assert.equal(normalizeQuestion('Do you ship to HK?'), 'doyoushiptohk');
    assert.equal(normalizeQuestion('价格~~ 😊'), '价格');
  });
});

describe('handoffBeforeModel', () => {
  test('an ordinary question goes to the model (null)', () => {
    assert.equal(handoffBeforeModel(facts()), null);
    assert.equal(handoffBeforeModel(facts({ messages: [text('这件衣服有M码吗')], answeredQuestions: ['运费多少'] })), null);
  });

  test('bot_disabled comes first, before every other rule', () => {
    const everything = facts({
      botEnabled: false,
      messages: [{ kind: 'image', text: null }, text('转人工 投诉')],
      answeredQuestions: ['转人工 投诉'],
      channelKeywords: ['投诉'],
    });
    assert.equal(handoffBeforeModel(everything), 'bot_disabled');
    assert.equal(handoffBeforeModel(facts({ botEnabled: false })), 'bot_disabled');
  });

  for (const kind of ['image', 'voice', 'file'] as const) {
    test(`a ${kind} message is unsupported_message`, () => {
      assert.equal(handoffBeforeModel(facts({ messages: [{ kind, text: null }] })), 'unsupported_message');
    });
  }

  test('one unreadable message among text makes the whole turn unsupported, ahead of a human request', () => {
    assert.equal(handoffBeforeModel(facts({ messages: [text('转人工'), { kind: 'voice', text: null }] })), 'unsupported_message');
  });

  for (const ask of ['转人工', '人工客服', '找客服']) {
    test(`"${ask}" is a customer_request`, () => {
      assert.equal(handoffBeforeModel(facts({ messages: [text(ask)] })), 'customer_request');
      assert.equal(handoffBeforeModel(facts({ messages: [text(`你好，请帮我${ask}，谢谢`)] })), 'customer_request');
    });
  }

  test('a request split by spaces or punctuation still counts', () => {
    assert.equal(handoffBeforeModel(facts({ messages: [text('转 人 工！')] })), 'customer_request');
    assert.equal(handoffBeforeModel(facts({ messages: [text('我要找')] })), null);
    assert.equal(handoffBeforeModel(facts({ messages: [text('我要找'), text('客服')] })), 'customer_request');
  });

  // Issue 12, rule 6a: a message that is only a call for a person.
  for (const ask of ['人工', 'rg', 'RG', '真人', '接人工', '有活人吗', '人工！！', '人工人工', '我要人工', '有人吗', '是真人吗', '人工 谢谢', '您好 人工',
    // Issue 12: typed in pinyin, syllables or initials.
    'rengong', 'Ren Gong Ke Fu', 'zrg', 'zhuan rg', 'rg KF']) {
    test(`"${ask}" alone is a customer_request`, () => {
      assert.equal(handoffBeforeModel(facts({ messages: [text(ask)] })), 'customer_request');
    });
  }

  test('人工 inside other words is not a request for a person (人工智能, 人工费)', () => {
    for (const q of ['人工智能是什么', '人工智能', '人工费多少', '有人工刺绣吗', '人造皮吗', 'rengong zhineng', 'zhuanyun']) {
      assert.equal(handoffBeforeModel(facts({ messages: [text(q)] })), null, q);
    }
    assert.equal(isOnlyHumanRequest(normalizeQuestion('人工智能')), false);
    assert.equal(isOnlyHumanRequest(normalizeQuestion('rgb灯')), false);
  });

  test('asking for a real person in other words, or saying the bot is no help, is a customer_request', () => {
    for (const q of ['能找个真人跟我说吗', '不要机器人，换个人', 'I want to talk to a real person']) {
      assert.equal(handoffBeforeModel(facts({ messages: [text(q)] })), 'customer_request', q);
    }
  });

  test('demands for compensation and angry complaints are keyword handoffs', () => {
    for (const q of ['你们得赔我', '必须给我个说法', '垃圾店铺', '要求补偿']) {
      assert.equal(handoffBeforeModel(facts({ messages: [text(q)] })), 'keyword', q);
    }
  });

  test('a customer_request wins over a complaint keyword', () => {
    assert.equal(handoffBeforeModel(facts({ messages: [text('我要投诉，转人工')] })), 'customer_request');
  });

  test('a complaint (投诉) is a keyword handoff', () => {
    assert.equal(handoffBeforeModel(facts({ messages: [text('我要投诉你们的快递')] })), 'keyword');
  });

  test("the channel's own keywords hand off, matched after normalizing both sides", () => {
    const channelKeywords = ['退款', 'V I P'];
    assert.equal(handoffBeforeModel(facts({ messages: [text('怎么申请退款？')], channelKeywords })), 'keyword');
    assert.equal(handoffBeforeModel(facts({ messages: [text('我是vip会员')], channelKeywords })), 'keyword');
    assert.equal(handoffBeforeModel(facts({ messages: [text('怎么申请退款？')] })), null);
  });

  test('a blank or punctuation-only channel keyword does not hand off every message', () => {
    assert.equal(handoffBeforeModel(facts({ channelKeywords: ['', '  ', '？！'] })), null);
  });

  test('a keyword handoff wins over a repeated question', () => {
    assert.equal(handoffBeforeModel(facts({ messages: [text('投诉')], answeredQuestions: ['投诉'] })), 'keyword');
  });

  test('the same question again, with other punctuation and spaces, is repeat_question', () => {
    const answeredQuestions = ['运费多少？'];
    assert.equal(handoffBeforeModel(facts({ messages: [text('运费 多少?')], answeredQuestions })), 'repeat_question');
    assert.equal(handoffBeforeModel(facts({ messages: [text('运费多少！！')], answeredQuestions })), 'repeat_question');
    assert.equal(handoffBeforeModel(facts({ messages: [text('Shipping cost?')], answeredQuestions: ['shipping  COST'] })), 'repeat_question');
  });

  test('a different question is not a repeat', () => {
    assert.equal(handoffBeforeModel(facts({ messages: [text('运费多少钱')], answeredQuestions: ['运费多少'] })), null);
  });

  test('punctuation-only lines are never a repeat', () => {
    assert.equal(handoffBeforeModel(facts({ messages: [text('？？')], answeredQuestions: ['？'] })), null);
  });
});

describe('handoffAfterModel', () => {
  test('confidence equal to the threshold answers', () => {
    assert.equal(handoffAfterModel(0.6, 0.6), null);
  });

  test('confidence above the threshold answers', () => {
    assert.equal(handoffAfterModel(0.61, 0.6), null);
  });

  test('confidence just below the threshold hands off with low_confidence', () => {
    assert.equal(handoffAfterModel(0.5999, 0.6), 'low_confidence');
  });

  test('threshold 0 always answers, threshold 1 only answers certainty', () => {
    assert.equal(handoffAfterModel(0, 0), null);
    assert.equal(handoffAfterModel(0.999, 1), 'low_confidence');
    assert.equal(handoffAfterModel(1, 1), null);
  });

  test('a NaN confidence hands off rather than answering', () => {
    assert.equal(handoffAfterModel(Number.NaN, 0.6), 'low_confidence');
  });
});

describe('promisesAPerson (issue 13: a reply that hands off rather than answers)', () => {
  test('our own hand-off lines and the way models say it are promises', () => {
    for (const reply of [
      DEFAULT_HOLDING_MESSAGE, HANDOFF_ANSWER, NO_KNOWLEDGE_REPLY,
      '亲，这个问题我这边无法确认，会为您转接人工客服，请稍等~',
      '您的订单信息需要人工查询，马上帮您转人工。',
      '好的，这就给您转到人工客服',
      '稍后安排专人为您处理',
    ]) assert.equal(promisesAPerson(reply), true, reply);
  });

  test('answers that mention people or 人工 without promising one are not', () => {
    for (const reply of [
      '人工客服工作时间是北京时间每天9:00-22:00，其他时间智能客服会先为您解答哦~',
      '如需人工服务，请回复“转人工”',
      '满299元包邮，偏远地区除外哦~',
      '这款是人工智能翻译机，支持40种语言',
      '转账付款也可以，到账后发货',
      '退款由人工客服审核处理，一般1-3个工作日到账',
      '发票由专人处理，下单后3天内开具',
      '点击下方转人工按钮即可',
      '人工客服会在工作时间内回复留言',
    ]) assert.equal(promisesAPerson(reply), false, reply);
  });

  test('handoffAfterModel: a confident promise is model_declined; low confidence stays low_confidence', () => {
    assert.equal(handoffAfterModel(0.95, 0.6, HANDOFF_ANSWER), 'model_declined');
    assert.equal(handoffAfterModel(0.3, 0.6, HANDOFF_ANSWER), 'low_confidence');
    assert.equal(handoffAfterModel(0.95, 0.6, '满299元包邮'), null);
  });
});
