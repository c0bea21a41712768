import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bigramDice, isFillerAnswer, matchAnswer, normalizeAnswer, questionKey } from '../../src/domain/answer-match.js';

const SHIPPING = { id: '1', output: '全场满299元包邮，偏远地区（新疆、西藏）除外。' };
const INVOICE = { id: '2', output: '可以开电子发票，下单时在备注里写上抬头和税号就行。' };
const RETURNS = { id: '3', output: '支持7天无理由退换货，商品需保持完好，不影响二次销售。' };
const ENTRIES = [SHIPPING, INVOICE, RETURNS];

/** issue 12 item 5: an agent who pastes an entry's answer (touched up) is recognised; anything else is not. */
describe('matching an agent reply to knowledge answers', () => {
  test('normalization folds width and case, drops spaces, punctuation and 亲/哦/~', () => {
    assert.equal(normalizeAnswer('亲~ 满２９９元包邮哦！ ＯＫ'), '满299元包邮ok');
    assert.equal(questionKey('包邮吗？？'), questionKey('包邮吗'));
  });

  test('Dice of character bigrams', () => {
    assert.equal(bigramDice('包邮', '包邮'), 1);
    assert.equal(bigramDice('abcd', 'wxyz'), 0);
    // ab bc cd vs ab bc ce: 2 shared of 3+3 → 4/6.
    assert.equal(bigramDice('abcd', 'abce'), 4 / 6);
    assert.equal(bigramDice('', ''), 0);
  });

  test('the exact answer, or one touched up, matches its entry', () => {
    assert.deepEqual(matchAnswer(SHIPPING.output, ENTRIES), { entryId: '1', dice: 1 });
    assert.equal(matchAnswer('亲，全场满299元包邮哦~ 偏远地区(新疆、西藏)除外', ENTRIES)?.entryId, '1');
    assert.equal(matchAnswer('可以开电子发票的，下单时在备注里写上抬头和税号就行哦', ENTRIES)?.entryId, '2');
  });

  test('a different answer on the same topic does not', () => {
    assert.equal(matchAnswer('满199就包邮了，新疆西藏也包', ENTRIES), null);
    assert.equal(matchAnswer('发票要联系财务开，大概三天', ENTRIES), null);
    assert.equal(matchAnswer('', ENTRIES), null);
  });

  test('the best of several near answers wins', () => {
    const close = { id: '9', output: '全场满299元包邮，偏远地区（新疆、西藏、青海）除外。' };
    assert.equal(matchAnswer(SHIPPING.output, [close, SHIPPING])?.entryId, '1');
  });

  test('fillers and holding texts teach nothing; real answers do', () => {
    for (const s of ['稍等', '好的', '在的', '收到', '好的，稍等哦~', '在的，请问有什么可以帮您？', '好的，我帮您查一下', '嗯嗯', '可以的']) assert.ok(isFillerAnswer(s), s);
    assert.ok(isFillerAnswer('已为您转接人工客服，请稍候~', ['已为您转接人工客服，请稍候~']));
    for (const s of ['满299元包邮哦', '可以开电子发票', '7天无理由退换', SHIPPING.output]) assert.ok(!isFillerAnswer(s), s);
  });
});
