import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_THRESHOLD } from '../../src/domain/channel.js';
import {
  asksAboutOwnRecords,
  createKnowledgeBaseResponder,
  NO_KNOWLEDGE_REPLY,
  OWN_RECORDS_CAP,
} from '../../src/model/knowledge-base-responder.js';
import { KnowledgeIndex } from '../../src/model/knowledge-index.js';
import { matchProbability, MIN_QUESTION_COVERAGE } from '../../src/model/score-calibration.js';
import type { KnowledgeEntry, ResponderInput } from '../../src/ports/responder.js';

const entries: KnowledgeEntry[] = [
  { id: '1', channelId: null, instruction: '客户问会员积分', input: '积分怎么用', output: '100积分抵1元，结算时勾选使用积分~' },
  { id: '2', channelId: null, instruction: '客户问怎么查物流', input: '快递单号在哪看', output: '在“我的订单”里点击“查看物流”即可~' },
  { id: '3', channelId: null, instruction: '客户问是否包邮', input: '', output: '满199元包邮~' },
  { id: '4', channelId: null, instruction: '客户想修改收货地址', input: '地址写错了能改吗', output: '未发货的订单可以修改地址~' },
];
const index = new KnowledgeIndex(entries);
const responder = createKnowledgeBaseResponder();

function ask(question: string): ReturnType<typeof responder.answer> {
  const input: ResponderInput = { modelName: 'kb', systemPrompt: '', knowledge: index.search(question, 5), history: [], question };
  return responder.answer(input);
}

describe('knowledge-base responder', () => {
  test("answers with the best entry's answer and its normalized score", async () => {
    const knowledge = index.search('积分怎么用', 5);
    const answer = await responder.answer({ modelName: 'kb', systemPrompt: '', knowledge, history: [], question: '积分怎么用' });
    assert.equal(answer.text, '100积分抵1元，结算时勾选使用积分~');
    assert.equal(answer.confidence, knowledge[0].score);
    assert.ok(answer.confidence >= DEFAULT_THRESHOLD);
  });

  test('takes the first hit (the ranking), not the highest score', async () => {
    const [a, b] = [index.search('包邮吗', 1)[0], index.search('积分怎么用', 1)[0]];
    const answer = await responder.answer({
      modelName: 'kb', systemPrompt: '', history: [], question: '包邮吗',
      knowledge: [{ ...a, score: 0.7 }, { ...b, score: 0.9 }],
    });
    assert.equal(answer.text, a.entry.output);
  });

  test('returns a fallback with confidence 0 when nothing matched, instead of throwing', async () => {
    const answer = await responder.answer({ modelName: 'kb', systemPrompt: '', knowledge: [], history: [], question: '你们招聘吗' });
    assert.deepEqual(answer, { text: NO_KNOWLEDGE_REPLY, confidence: 0 });
  });

  test("caps questions about the customer's own records below the threshold", async () => {
    for (const q of ['帮我查一下我的积分余额', '我的订单号 B20250101-0042 到哪了', '我的快递单号在哪看']) {
      const answer = await ask(q);
      assert.ok(answer.confidence <= OWN_RECORDS_CAP, `${q}: ${answer.confidence}`);
      assert.ok(answer.confidence < DEFAULT_THRESHOLD);
    }
  });

  test('lowers confidence when the best entry covers little of the question', async () => {
    const focused = await ask('地址写错了能改吗');
    const diluted = await ask('地址写错了能改吗，另外发票抬头和税号怎么填，周末有人值班吗');
    const [hit] = index.rank('地址写错了能改吗，另外发票抬头和税号怎么填，周末有人值班吗', 1);
    assert.ok(focused.confidence >= DEFAULT_THRESHOLD);
    assert.ok(diluted.confidence < focused.confidence);
    // Three questions, one covered: the partial-coverage rule takes its share off the match probability.
    assert.ok(hit.features.termShare < MIN_QUESTION_COVERAGE, String(hit.features.termShare));
    assert.ok(diluted.confidence < matchProbability(hit.features), `${diluted.confidence} vs ${matchProbability(hit.features)}`);
    const scattered = await ask('地址写错了能改吗，另外发票抬头和税号怎么填，周末有人值班吗，支付宝能用吗，能开增值税专票吗');
    assert.ok(scattered.confidence < DEFAULT_THRESHOLD, String(scattered.confidence));
  });
});

describe('asksAboutOwnRecords', () => {
  test('spots order numbers, possessive records, lookups for me and past purchases', () => {
    for (const q of ['A20261128-5531什么时候发', '订单SF1234567890', '我的订单呢', '帮我查下物流', '我的积分余额', '上周买的裙子能换吗', '昨天下的单能改吗', '怎么还没到',
      // Issue 12: where one particular order or return stands.
      '我那个退款到哪一步了', '寄回去的退货你们收到没', '三天了还没动静', '我的包裹到哪了',
      // Issue 12: short order references, an account's e-mail address, the customer's own invoice or coupon.
      '#B77120 能改地址吗', '手机尾号5521的那单', '账号amy.w@qq.com积分不对', '我的发票抬头写错了', '我的券过期了',
      // Issue 12: read in the canonical form (traditional, typos), and records that changed or one thing's state.
      '我的發票呢', '我的发漂呢', '积分怎么少了', '优惠券不见了', '发票开了没']) {
      assert.equal(asksAboutOwnRecords(q), true, q);
    }
  });

  test('leaves policy questions alone, even in the first person', () => {
    for (const q of ['满299包邮吗', '我不想要了，怎么取消订单', '今天下单什么时候发货', '怎么查物流', '积分有什么用', '双11有活动吗', '7-12天能到吗',
      '退款多久到账', '发货后多久能收到', '什么时候发货', '能开发票吗', '快递到哪了在哪查']) {
      assert.equal(asksAboutOwnRecords(q), false, q);
    }
  });
});
