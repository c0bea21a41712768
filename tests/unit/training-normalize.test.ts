import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAddress, applySignOff, normalizeAnswerText, normalizeText } from '../../src/domain/training/normalize.js';

/** issue 13 item 1, 归一化. */
describe('training data: normalize', () => {
  test('width: full-width letters and digits folded, ideographic spaces too', () => {
    assert.equal(normalizeText('ＸＬ码有货吗？'), 'XL码有货吗？');
    assert.equal(normalizeText('满２９９包邮'), '满299包邮');
  });

  test('whitespace: runs collapsed, none around Chinese, lines trimmed', () => {
    assert.equal(normalizeText('  请问   这个  有货吗 ?  '), '请问这个有货吗？');
    assert.equal(normalizeText('iPhone 15  Pro 有货吗'), 'iPhone 15 Pro有货吗');
    assert.equal(normalizeText('包邮吗\n\n  几天到 '), '包邮吗\n几天到');
  });

  test('one punctuation style: full-width in Chinese text', () => {
    assert.equal(normalizeText('好的,马上发货!还有问题吗?'), '好的，马上发货！还有问题吗？');
    assert.equal(normalizeText('发货时间:下午;周日(休息)'), '发货时间：下午；周日（休息）');
    assert.equal(normalizeText('请稍等...'), '请稍等……');
    assert.equal(normalizeText('已经发货了.'), '已经发货了。');
  });

  test('decimals, prices, thousands, times and URLs stay intact', () => {
    assert.equal(normalizeText('价格299.00元,活动10:30开始'), '价格299.00元，活动10:30开始');
    assert.equal(normalizeText('原价1,299元,现价999.5元.'), '原价1,299元，现价999.5元。');
    assert.equal(normalizeText('详见https://shop.example.com/a?b=1,c:d 谢谢'), '详见https://shop.example.com/a?b=1,c:d谢谢');
    assert.equal(normalizeText('Hello, world!'), 'Hello, world!', 'text without Chinese keeps its punctuation');
  });

  test('the configured form of address replaces the agent\'s', () => {
    assert.equal(applyAddress('亲，满299包邮哦', '您'), '您好，满299包邮哦');
    assert.equal(applyAddress('亲爱的~满299包邮', '亲'), '亲，满299包邮');
    assert.equal(applyAddress('宝宝，满299包邮', '亲'), '亲，满299包邮');
    assert.equal(applyAddress('亲您好，满299包邮', '您'), '您好，满299包邮', 'no 您好 twice');
    assert.equal(applyAddress('好的亲，马上发货', '您'), '好的，马上发货');
    assert.equal(applyAddress('好的亲，马上发货', '亲'), '好的亲，马上发货');
    assert.equal(applyAddress('亲自试穿过，亲子款也有', '您'), '亲自试穿过，亲子款也有', '亲 inside words stays');
  });

  test('the sign-off is appended once, never twice', () => {
    assert.equal(applySignOff('满299包邮', '祝您购物愉快！'), '满299包邮。祝您购物愉快！');
    assert.equal(applySignOff('满299包邮~', '祝您购物愉快！'), '满299包邮~祝您购物愉快！');
    assert.equal(applySignOff('满299包邮。祝您购物愉快!', '祝您购物愉快！'), '满299包邮。祝您购物愉快!');
    assert.equal(applySignOff('满299包邮', ''), '满299包邮');
    const once = normalizeAnswerText('亲,满299包邮', { customerAddress: '您', signOff: '祝您购物愉快！' });
    assert.equal(once, '您好，满299包邮。祝您购物愉快！');
    assert.equal(normalizeAnswerText(once, { customerAddress: '您', signOff: '祝您购物愉快！' }), once, 'normalizing twice changes nothing');
  });
});
