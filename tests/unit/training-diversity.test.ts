import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { diversify, groupByAnswer } from '../../src/domain/training/diversity.js';
import { isHeldOut, unitHash } from '../../src/domain/training/split.js';
import { isComplaint, stageOf } from '../../src/domain/training/stage.js';

const item = (question: string, groupAnswer: string) => ({ question, groupAnswer });

/** issue 13 item 1, 多样性, 分阶段 and the split. */
describe('training data: diversity', () => {
  test('near-duplicate answers form one group; different answers do not', () => {
    const groups = groupByAnswer([
      item('包邮吗', '满299元包邮，偏远地区除外。'),
      item('几天发货', '付款后48小时内发货。'),
      item('满多少包邮', '满299元包邮哦，偏远地区除外'),
    ]);
    assert.deepEqual(groups.map((g) => g.items.map((i) => i.question)), [['包邮吗', '满多少包邮'], ['几天发货']]);
  });

  test('exact and near-duplicate questions are dropped, and at most K phrasings kept', () => {
    const answer = '满299元包邮，偏远地区除外。';
    const { groups, counts } = diversify([
      item('包邮吗', answer), item('包邮吗？亲', answer), item('请问你们家的衣服包邮吗', answer), item('请问你们家衣服包邮吗', answer),
      item('满多少包邮', answer), item('运费怎么算', answer), item('要邮费吗', answer), item('免运费吗', answer),
    ], 3);
    assert.deepEqual(groups[0].items.map((i) => i.question), ['包邮吗', '请问你们家的衣服包邮吗', '满多少包邮']);
    assert.deepEqual(counts, { answerGroups: 1, duplicateQuestions: 1, nearDuplicateQuestions: 1, cappedByK: 3 });
  });
});

describe('training data: stages', () => {
  const entries = [
    { id: '1', output: '双11全场满300减50，11月11日0点开始。', stage: 'promotion' as const },
    { id: '2', output: '满299元包邮，偏远地区除外。', stage: 'basic' as const },
  ];
  test('the matched knowledge entry decides; else a complaint is emotion; else basic', () => {
    assert.equal(stageOf('双11有活动吗', '亲，双11全场满300减50，11月11日0点开始哦', entries), 'promotion');
    assert.equal(stageOf('你们太慢了，我要投诉', '满299元包邮，偏远地区除外。', entries), 'basic', 'the entry wins over the mood');
    assert.equal(stageOf('等了三天还没到，太慢了', '非常抱歉给您带来不便，我们马上为您加急处理。', entries), 'emotion');
    assert.equal(stageOf('能开发票吗', '可以开电子发票。', entries), 'basic');
    assert.equal(stageOf('能开发票吗', '可以开电子发票。', []), 'basic');
  });
  test('complaints', () => {
    for (const q of ['我要投诉', '给差评', '发货太慢了', '垃圾东西', '你们是骗子吧', '很生气']) assert.equal(isComplaint(q), true, q);
    for (const q of ['包邮吗', '有优惠吗', '评价有返现吗']) assert.equal(isComplaint(q), false, q);
  });
});

describe('training data: split by answer group', () => {
  test('deterministic, in [0, 1), and roughly the share asked for', () => {
    assert.equal(unitHash('满299元包邮'), unitHash('满299元包邮'));
    const keys = Array.from({ length: 2000 }, (_, i) => `答案${i}`);
    const held = keys.filter((k) => isHeldOut(k, 0.15)).length;
    assert.ok(held > 2000 * 0.11 && held < 2000 * 0.19, `held out ${held} of 2000`);
    assert.ok(keys.every((k) => unitHash(k) >= 0 && unitHash(k) < 1));
    assert.equal(keys.filter((k) => isHeldOut(k, 0)).length, 0);
  });
});
