import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bigramDice, normalizeAnswer } from '../../src/domain/answer-match.js';
import { HANDOFF_ANSWER } from '../../src/domain/training/out-of-scope.js';
import { buildTrainingSet, type PipelineOptions } from '../../src/domain/training/pipeline.js';
import type { SourcePair } from '../../src/domain/training/types.js';
import { asksAboutOwnRecords } from '../../src/model/knowledge-base-responder.js';

let n = 0;
const pair = (question: string, answer: string, source: SourcePair['source'] = 'agent_answer'): SourcePair => ({
  conversationId: String(++n), channelId: 'ch', source, answerKind: 'text', answer, answeredAt: new Date(0), question: question.split('|').map((text) => ({ kind: 'text', text })),
});
const options = (extra: Partial<PipelineOptions> = {}): PipelineOptions => ({
  voice: { customerAddress: '您', signOff: '' }, k: 5, heldoutShare: 0.5, holdingTexts: ['已为您转接人工客服，请稍候~'],
  entries: [{ id: '1', output: '双11全场满300减50。', stage: 'promotion' }], asksAboutOwnRecords, stage: null, ...extra,
});

/** 40 answers with nothing in common (pseudo-random characters), so the held-out share has groups to hold out. */
const CHARS = '春夏秋冬东南西北山水风云花草树木金银铜铁红黄蓝绿黑白大小多少长短高低快慢新旧甜酸苦辣';
let seed = 7;
const randomChar = () => CHARS[(seed = (seed * 1103515245 + 12345) % 2147483648) % CHARS.length];
const ANSWERS = Array.from({ length: 40 }, () => Array.from({ length: 16 }, randomChar).join('') + '。');

/** issue 13 item 1: the whole pipeline on pairs, every step counted. */
describe('training data: pipeline', () => {
  test('no phrasing of a held-out answer is in the training split', () => {
    const pairs = ANSWERS.flatMap((a, i) => [pair(`问题${i}怎么办`, a), pair(`第${i}个问题是什么情况`, `亲，${a}`), pair(`请问第${i}件事`, `亲亲，${a}`)]);
    const { train, heldout, report } = buildTrainingSet(pairs, options());
    assert.ok(train.length > 0 && heldout.length > 0, `both splits used (train ${train.length}, heldout ${heldout.length})`);
    for (const h of heldout) {
      for (const t of train) assert.ok(bigramDice(normalizeAnswer(h.output), normalizeAnswer(t.output)) < 0.8, `${h.output} leaked as ${t.output}`);
    }
    assert.equal(report.split.train + report.split.heldout, 120);
    assert.equal(report.split.trainGroups + report.split.heldoutGroups, 40);
    // The same data splits the same way.
    assert.deepEqual(buildTrainingSet(pairs, options()).heldout, heldout);
  });

  test('every step is counted: read, denoise, masked per kind, out of scope, dedup, K, stages', () => {
    const pairs = [
      pair('在吗|包邮吗', '亲，满299元包邮，偏远地区除外。'),
      pair('包邮吗', '满299元包邮，偏远地区除外~', 'good_bot_answer'),
      pair('在吗', '您好，有什么可以帮您'),
      pair('哈哈哈', '满299元包邮，偏远地区除外。'),
      pair('包邮吗', '稍等'),
      pair('包邮吗', '已为您转接人工客服，请稍候~'),
      pair('我的快递到哪了', '您的快递单号SF1234567890，已到达杭州中转站。'),
      pair('电话13812345678，双11有活动吗', '双11全场满300减50哦', 'correction'),
      pair('你们发货太慢了', '非常抱歉让您久等，仓库今天已加急处理所有订单。'),
    ];
    const { train, heldout, report } = buildTrainingSet(pairs, options({ heldoutShare: 0 }));
    assert.deepEqual(report.read, { total: 9, agent_answer: 7, good_bot_answer: 1, correction: 1 });
    assert.deepEqual(report.denoise.dropped, { noQuestion: 0, mediaOnly: 0, emojiOnly: 0, greetingOrFiller: 1, humanRequestOnly: 0, holdingMessage: 1, agentFiller: 2 });
    assert.equal(report.denoise.kept, 5);
    assert.equal(report.denoise.linesRemoved, 1);
    assert.deepEqual(report.masked, { orderNumber: 1, mobile: 1 });
    assert.equal(report.maskedPairs, 2);
    assert.equal(report.outOfScope, 2, 'the parcel answer, and the question carrying a phone number');
    assert.equal(report.diversity.duplicateQuestions, 1, '包邮吗 twice for one answer');
    assert.equal(heldout.length, 0);
    assert.deepEqual(train, [
      { instruction: '包邮吗', input: '', output: '您好，满299元包邮，偏远地区除外。', stage: 'basic' },
      // Account-specific: the answer told one customer about their parcel; the question carried a phone number.
      { instruction: '我的快递到哪了', input: '', output: HANDOFF_ANSWER, stage: 'basic' },
      { instruction: '电话[手机号]，双11有活动吗', input: '', output: HANDOFF_ANSWER, stage: 'promotion' },
      { instruction: '你们发货太慢了', input: '', output: '非常抱歉让您久等，仓库今天已加急处理所有订单。', stage: 'emotion' },
    ]);
    assert.deepEqual(report.stages, { basic: 2, promotion: 1, emotion: 1 });
    assert.ok(!JSON.stringify(train).includes('13812345678') && !JSON.stringify(train).includes('SF1234567890'), 'no customer data in the file');
  });

  test('a stage filter writes only that stage, and counts the rest', () => {
    const pairs = [pair('双11有活动吗', '双11全场满300减50哦'), pair('包邮吗', '满299元包邮，偏远地区除外。')];
    const { train, report } = buildTrainingSet(pairs, options({ heldoutShare: 0, stage: 'promotion' }));
    assert.deepEqual(train.map((e) => [e.instruction, e.stage]), [['双11有活动吗', 'promotion']]);
    assert.equal(report.otherStages, 1);
  });

  test('the shop\'s sign-off and form of address are applied', () => {
    const { train } = buildTrainingSet([pair('包邮吗', '亲，满299元包邮，偏远地区除外。祝您购物愉快')], options({ heldoutShare: 0, voice: { customerAddress: '亲', signOff: '祝您购物愉快！' } }));
    assert.equal(train[0].output, '亲，满299元包邮，偏远地区除外。祝您购物愉快');
  });
});
