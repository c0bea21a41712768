import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bigramDice, normalizeAnswer } from '../../src/domain/answer-match.js';
import { HANDOFF_ANSWER } from '../../src/domain/training/out-of-scope.js';
import { buildTrainingSet, type PipelineOptions } from '../../src/domain/training/pipeline.js';
import { isHeldOut } from '../../src/domain/training/split.js';
import { questionKey } from '../../src/domain/answer-match.js';
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
    assert.equal(report.outOfScope, 1, 'the parcel answer; a phone number the customer volunteered is masked, not a reason to hand off');
    assert.equal(report.diversity.duplicateQuestions, 1, '包邮吗 twice for one answer');
    assert.equal(heldout.length, 0);
    assert.deepEqual(train, [
      { instruction: '包邮吗', input: '', output: '您好，满299元包邮，偏远地区除外。', stage: 'basic' },
      // Account-specific: the answer told one customer about their parcel.
      { instruction: '我的快递到哪了', input: '', output: HANDOFF_ANSWER, stage: 'basic' },
      // issue 13 item 1: the phone number is masked; the question is still a general one.
      { instruction: '电话[手机号]，双11有活动吗', input: '', output: '双11全场满300减50哦', stage: 'promotion' },
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
  // issue 13 item 1, an outside probe writing as a customer.
  test('contact details a customer volunteers are masked, not a reason to hand off; order numbers and own-record questions are', () => {
    const answer = '可以机洗，请用洗衣机的羊毛模式，水温不超过30度。';
    const pairs = [
      pair('请问衣服能不能机洗？我电话是13812345678', answer),
      pair('能机洗吗，我地址是杭州市西湖区文三路478号2幢301室', answer),
      pair('羊毛衫可以机洗不？微信 wxid_abc123', answer),
      pair('订单SF1234567890能改地址吗', '可以的，请在订单页点击修改地址。'),
      pair('我的订单怎么还没发货', '仓库按付款顺序发货，一般48小时内发出。'),
      pair('包邮吗？有事打我座机010-8888-6666', '全场满299元包邮。'),
    ];
    const { train, report } = buildTrainingSet(pairs, options({ heldoutShare: 0 }));
    const byQuestion = new Map(train.map((e) => [e.instruction, e.output]));
    assert.equal(byQuestion.get('请问衣服能不能机洗？我电话是[手机号]'), answer);
    assert.equal(byQuestion.get('能机洗吗，我地址是[地址]'), answer);
    assert.equal(byQuestion.get('羊毛衫可以机洗不？微信[社交账号]'), answer);
    assert.equal(byQuestion.get('包邮吗？有事打我座机[电话]'), '全场满299元包邮。');
    assert.equal(byQuestion.get('订单[订单号]能改地址吗'), HANDOFF_ANSWER, 'an order number names one customer\'s order');
    assert.equal(byQuestion.get('我的订单怎么还没发货'), HANDOFF_ANSWER, 'asksAboutOwnRecords still decides on the masked question');
    assert.equal(report.outOfScope, 2);
    assert.deepEqual(report.masked, { mobile: 1, address: 1, socialAccount: 1, orderNumber: 1, landline: 1 });
  });

  test('nothing of the probe\'s personal data reaches the examples, and the counts match the placeholders', () => {
    const leaks = [
      '地址是北京市朝阳区建国路88号SOHO现代城3号楼1201室', '广州市天河区体育西路191号中石化大厦B座2508', '南京市鼓楼区中山路18号德基广场二期5楼',
      '老地址 杭州市西湖区文三路 478 号', '座机(010)8888-6666', '010-8888-6666', '0086 13812345678', '微信 wxid_abc123', 'vx: abc_123456', 'QQ 12345678',
    ];
    const pairs = leaks.map((l, i) => pair(`第${i}件能开发票吗？${l}`, ANSWERS[i]));
    const { train, heldout, report } = buildTrainingSet(pairs, options({ heldoutShare: 0.5 }));
    const all = [...train, ...heldout];
    assert.equal(all.length, leaks.length);
    const text = JSON.stringify(all);
    for (const secret of ['SOHO', '1201', '2508', '中石化大厦', '德基广场', '5楼', '478', '8888', '6666', '0086', '13812345678', 'wxid_abc123', 'abc_123456', '12345678']) {
      assert.ok(!text.includes(secret), `${secret} is not in the export: ${text}`);
    }
    const placeholders = (text.match(/\[(?:邮箱|身份证|银行卡|手机号|电话|社交账号|订单号|地址)\]/g) ?? []).length;
    assert.equal(placeholders, Object.values(report.masked).reduce((n, c) => n + (c ?? 0), 0), JSON.stringify(report.masked));
    assert.deepEqual(report.masked, { address: 4, landline: 2, mobile: 1, socialAccount: 3 });
    assert.equal(report.outOfScope, 0, 'contact details alone hand nothing off');
  });

  test('a line that only asks for a person is removed from a longer question', () => {
    const { train, report } = buildTrainingSet([
      pair('找客服|我想改一下收货地址', '下单后未发货前可以在订单页修改收货地址。'),
      pair('我要人工客服，怎么开发票', '下单时填写发票抬头即可。'),
    ], options({ heldoutShare: 0, asksAboutOwnRecords: () => false }));
    assert.deepEqual(train.map((e) => e.instruction), ['我想改一下收货地址', '怎么开发票']);
    assert.equal(report.denoise.linesRemoved, 1);
  });

  test('answer chains A≈B≈C (A≉C) and one question answered two ways are one group: nothing held out is in training', () => {
    // Per chain: 299/199元, 48/72小时 and an added 青海 (issue 13 item 1: single linkage, diversity.ts).
    const chains = Array.from({ length: 24 }, (_, i) => {
      const tag = ANSWERS[i].slice(0, 3);
      return [
        `${tag}全场满299元包邮，偏远地区除外，一般48小时内发货，节假日顺延。`,
        `${tag}全场满199元包邮，偏远地区除外，一般48小时内发货，节假日顺延。`,
        `${tag}全场满199元包邮，青海等偏远地区除外，一般72小时内发货，节假日顺延。`,
      ];
    });
    const dice = (a: string, b: string) => bigramDice(normalizeAnswer(a), normalizeAnswer(b));
    for (const [a, b, c] of chains) assert.ok(dice(a, b) >= 0.8 && dice(b, c) >= 0.8 && dice(a, c) < 0.8, `a chain: ${dice(a, b)} ${dice(b, c)} ${dice(a, c)}`);
    const share = 0.5;
    // The data must be able to leak: split answer by answer, some chain's ends would land on both sides.
    assert.ok(chains.some(([a, , c]) => isHeldOut(normalizeAnswer(a), share) !== isHeldOut(normalizeAnswer(c), share)), 'some chain straddles when split by single answers');
    const pairs = [
      // C first, then A, then B that links them: a grouping by first representative keeps A and C apart.
      ...chains.flatMap(([a, b, c], i) => [pair(`第${i}款偏远地区发货吗`, c), pair(`第${i}款包不包邮`, a), pair(`第${i}款满多少包邮`, b)]),
      // One question, two different answers (包邮吗 vs 包邮吗？): one group.
      ...ANSWERS.slice(24).flatMap((a, i) => [pair(`第${i}号包邮吗`, a), pair(`第${i}号包邮吗？`, `${ANSWERS[(i + 30) % 40]}另外`)]),
    ];
    const { train, heldout } = buildTrainingSet(pairs, options({ heldoutShare: share, asksAboutOwnRecords: () => false }));
    assert.ok(train.length > 0 && heldout.length > 0, `both sides used (train ${train.length}, heldout ${heldout.length})`);
    for (const h of heldout) for (const t of train) assert.ok(dice(h.output, t.output) < 0.8, `${h.output} leaked as ${t.output}`);
    const heldKeys = new Set(heldout.map((e) => questionKey(e.instruction)));
    for (const t of train) assert.ok(!heldKeys.has(questionKey(t.instruction)), `${t.instruction} is on both sides`);
  });
});
