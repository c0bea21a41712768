import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeNumbers, parseChineseNumber } from '../../src/model/chinese-numbers.js';
import { PinyinVocabulary } from '../../src/model/pinyin-vocabulary.js';
import { segment } from '../../src/model/segmenter.js';
import { entityReader } from '../../src/model/shop-entities.js';
import { applyShopLexicon, shopWords } from '../../src/model/shop-lexicon.js';
import { canonicalize, contentWords, DEFAULT_ANALYSIS, isChitChat, shopTermsOf, tokenize } from '../../src/model/text-analysis.js';

/** Issue 12: the pieces of "retrieval that reads Chinese". */

describe('numbers and money', () => {
  test('reads Chinese numerals with and without units', () => {
    assert.equal(parseChineseNumber('两百九十九'), 299);
    assert.equal(parseChineseNumber('十一'), 11);
    assert.equal(parseChineseNumber('一百零五'), 105);
    assert.equal(parseChineseNumber('一万二千'), 12000);
    assert.equal(parseChineseNumber('二九九'), 299);
    assert.equal(parseChineseNumber('包邮'), null);
  });

  test('299元, 299块, ¥299, 两百九十九块 and 299rmb all become 299元', () => {
    for (const s of ['299元', '299块', '299块钱', '¥299', '￥299', '两百九十九块', '299rmb', '二百九十九元']) {
      assert.equal(normalizeNumbers(s), '299元', s);
    }
    assert.equal(normalizeNumbers('$10'), '10美元');
    assert.equal(normalizeNumbers('20刀'), '20美元');
  });

  test('turns numerals into digits only where they are surely numbers', () => {
    assert.equal(normalizeNumbers('双十一有活动吗'), '双11有活动吗');
    assert.equal(normalizeNumbers('三天了还没到'), '3天了还没到');
    assert.equal(normalizeNumbers('一百积分'), '100积分');
    for (const word of ['一下', '一般', '一样', '十分满意', '万一丢了']) assert.equal(normalizeNumbers(word), word);
  });

  test('reads two numerals in a row as two, not as a wrong one (十五一个 is not 11个)', () => {
    assert.equal(normalizeNumbers('十五一个'), '15一个');
    assert.equal(parseChineseNumber('十五一'), null);
    assert.equal(normalizeNumbers('一百零五天'), '105天');
    assert.equal(normalizeNumbers('一万二千件'), '12000件');
  });
});

describe('shop lexicon', () => {
  test('rewrites homophones, typos and colloquial forms to the shop words', () => {
    const cases: [string, string][] = [
      ['包油吗', '包邮'], ['能开发漂吗', '发票'], ['退钱要多久', '退款'], ['咋退货', '怎么'], ['啥时候发货', '什么时候'],
      ['有木有优惠卷', '没有'], ['有木有优惠卷', '优惠券'], ['免运费吗', '包邮'], ['能撤回订单吗', '取消'],
    ];
    for (const [text, word] of cases) assert.ok(applyShopLexicon(text).includes(word), `${text} → ${applyShopLexicon(text)}`);
  });

  test('reads English shop words and pinyin shorthand as whole words only', () => {
    assert.ok(applyShopLexicon('cod 可以吗').includes('货到付款'));
    assert.ok(applyShopLexicon('tk几天到').includes('退款'));
    assert.ok(applyShopLexicon('yhq有吗').includes('优惠券'));
    // Inside a longer ASCII word nothing is rewritten.
    assert.equal(applyShopLexicon('codex tkx'), 'codex tkx');
  });

  test('is idempotent: the shop forms stay whole (优惠券 is not 优惠 + 券 → 优惠券)', () => {
    for (const text of ['优惠券怎么用', '物流单号在哪', '支持7天无理由退换货']) {
      const once = applyShopLexicon(text);
      assert.equal(applyShopLexicon(once).replace(/\s+/g, ' '), once.replace(/\s+/g, ' '));
      assert.equal(once.replace(/\s+/g, ''), text.replace(/\s+/g, ''));
    }
  });
});

describe('segmentation', () => {
  test("keeps the shop's words whole, which jieba's own dictionary cuts", () => {
    assert.ok(shopWords().includes('包邮'));
    assert.ok(segment('满299包邮吗').includes('包邮'));
    assert.ok(segment('支持货到付款吗').includes('货到付款'));
  });

  test("the knowledge base's own words are the strings two entries' phrasings share, without question words", () => {
    const terms = shopTermsOf(['是否包税', '包税清关吗', '有海外仓吗', '海外仓发货', '什么时候']);
    assert.ok(terms.includes('包税') && terms.includes('海外仓'), terms.join(','));
    assert.ok(!terms.some((t) => t.includes('什么') || t.includes('吗')), terms.join(','));
  });

  test('topic words leave out question words and particles', () => {
    const topics = contentWords(canonicalize('请问寄到加拿大要多久呢'));
    assert.ok(topics.includes('加拿大'), topics.join(','));
    assert.ok(!topics.some((w) => ['请问', '多久', '什么'].includes(w)), topics.join(','));
    assert.deepEqual(contentWords(canonicalize('好的谢谢亲')), []);
  });
});

describe('canonical form', () => {
  test('traditional and simplified questions meet on one form', () => {
    assert.equal(canonicalize('請問訂單要滿多少才免運費'), canonicalize('请问订单要满多少才免运费'));
  });

  test('each step can be switched off (the ablations measure them)', () => {
    assert.ok(canonicalize('包油吗', { ...DEFAULT_ANALYSIS, lexicon: false }).includes('包油'));
    assert.ok(canonicalize('發票', { ...DEFAULT_ANALYSIS, simplify: false }).includes('發'));
    assert.ok(canonicalize('两百块', { ...DEFAULT_ANALYSIS, numbers: false }).includes('两百'));
  });

  test('jieba words of three characters and more come next to the n-grams', () => {
    const texts = tokenize('能货到付款吗').map((t) => t.text);
    assert.ok(texts.includes('w:货到付款'), texts.join(' '));
    assert.ok(texts.includes('付款') && texts.includes('付'));
    assert.ok(!tokenize('能货到付款吗', { ...DEFAULT_ANALYSIS, words: false }).some((t) => t.kind === 'word'));
  });
});

describe('chat without a question', () => {
  test('greetings, thanks and particles alone are chit-chat; one topic character is not', () => {
    for (const q of ['在吗', '好的谢谢亲', '哈哈', 'ok', '你好']) assert.equal(isChitChat(canonicalize(q)), true, q);
    for (const q of ['包稅嗎？', '包邮吗', '在吗 发货了吗', 'dhl?']) assert.equal(isChitChat(canonicalize(q)), false, q);
  });

  test('an acknowledgement word inside a question does not make it chat (多久能收到)', () => {
    for (const q of ['多久能收到', '几点', '好的 什么时候发货']) assert.equal(isChitChat(canonicalize(q)), false, q);
    for (const q of ['收到', '好的收到', '收到了谢谢']) assert.equal(isChitChat(canonicalize(q)), true, q);
  });
});

describe('terms of issue 12', () => {
  test('a sales day is one term: 双12 shares nothing with 双11', () => {
    const texts = (q: string) => tokenize(q).map((t) => t.text);
    assert.ok(texts('双12有活动吗').includes('双12'));
    assert.ok(!texts('双12有活动吗').includes('双'));
    assert.ok(texts('双十一有活动吗').includes('双11'));
    assert.ok(!texts('双12有活动吗').some((t) => texts('双十一有活动吗').includes(t) && t.includes('双')));
  });

  test('a 3-character word also yields its outer characters (退换货 → 退货)', () => {
    assert.ok(tokenize('可以退换货吗').some((t) => t.text === '退货' && t.kind === 'bigram'));
  });
});

describe('pinyin', () => {
  const vocabulary = new PinyinVocabulary(
    new Map([['包税', 3], ['保税', 1], ['发货', 5], ['发票', 2], ['开', 2], ['快', 1], ['货', 4]]),
    new Set(['dhl']),
    (w) => w.length > 1,
  );

  test('reads full pinyin, spaced or not, and initials as the shop words', () => {
    assert.ok(vocabulary.rewrite('bao shui ma').includes('包税'));
    assert.ok(vocabulary.rewrite('baoshui吗').includes('包税'));
    assert.ok(vocabulary.rewrite('fh要多久').includes('发货'));
  });

  test('a spelling two words share yields both; particles go', () => {
    const read = vocabulary.rewrite('bao shui ma');
    assert.ok(read.includes('包税') && read.includes('保税'), read);
    assert.ok(!read.includes('ma'), read);
  });

  test('leaves English and the knowledge base own ASCII words alone', () => {
    assert.equal(vocabulary.rewrite('how long to germany').trim(), 'how long to germany');
    assert.equal(vocabulary.rewrite('dhl').trim(), 'dhl');
  });
});

describe('listed entities', () => {
  const reader = entityReader(canonicalize('我们发往德国、法国、美国；支持paypal和visa付款；默认走dhl'));

  test('counts a country, a payment method or a carrier the shop does not list', () => {
    assert.equal(reader.unlisted(canonicalize('寄到日本要多久')), 1);
    assert.equal(reader.unlisted(canonicalize('可以用支付宝吗')), 1);
    assert.equal(reader.unlisted(canonicalize('能走顺丰吗')), 1);
  });

  test('does not count listed ones, nor classes the shop never mentions', () => {
    assert.equal(reader.unlisted(canonicalize('寄到德国要多久')), 0);
    assert.equal(reader.unlisted(canonicalize('paypal可以吗')), 0);
    assert.equal(reader.unlisted(canonicalize('黑五有活动吗')), 0);
  });

  test('微信支付 is one mention, not two', () => {
    assert.equal(reader.unlisted(canonicalize('微信支付行吗')), 1);
  });
});

describe('shop lexicon from general knowledge (issue 12)', () => {
  const rewrites = (text: string, word: string) => assert.ok(canonicalize(text).includes(word), `${text} → ${canonicalize(text)}`);

  test('reads dialect, homophone typos, pinyin initials and English as the shop words', () => {
    const cases: [string, string][] = [
      ['几时发货', '什么时候'], ['有冇现货', '没有'], ['咋个退货', '怎么'], ['退宽几天到帐', '到账'], ['优惠劵', '优惠券'], ['尺玛', '尺码'],
      ['发火了吗', '发货'], ['bs吗', '包税'], ['qx订单', '取消'], ['zfb可以吗', '支付宝'], ['能用pp吗', 'paypal'], ['vat要交吗', '关税'],
      ['shipping cost多少', '运费'], ['is it authentic', '正品'], ['是不是高仿', '正品'], ['免关税吗', '包税'], ['多久能到手', '送达'],
    ];
    for (const [text, word] of cases) rewrites(text, word);
  });

  test('folds cities and other names of a country into the name the entity lists use, idempotently', () => {
    rewrites('能寄到巴黎吗', '法国');
    rewrites('寄到纽约要多久', '美国');
    rewrites('ship to london', '英国');
    rewrites('能寄到澳大利亚吗', '澳洲');
    rewrites('欧美都发吗', '欧洲');
    for (const text of ['寄到巴黎要多久', '我们在美国洛杉矶有仓', '港澳台能发吗']) {
      const once = canonicalize(text);
      assert.equal(canonicalize(once).replace(/\s+/g, ' ').trim(), once.replace(/\s+/g, ' ').trim(), text);
    }
    assert.ok(!shopWords().some((w) => !/^\p{Script=Han}+$/u.test(w)), 'only Han words go to the segmenter');
  });

  test('leaves names that only contain a shop word alone', () => {
    assert.ok(canonicalize('订单号在哪').includes('订单号') && !canonicalize('订单号在哪').includes('物流单号'));
    assert.ok(!canonicalize('巴黎世家的包').includes('法国'));
    assert.ok(canonicalize('google pay可以吗').includes('google pay'));
    assert.ok(canonicalize('请拍下照片').includes('拍下'), 'taking a photo is not placing an order');
  });
});

describe('listed entities from general knowledge (issue 12)', () => {
  const reader = entityReader(
    canonicalize('发往欧洲的德国、法国、美国；支持paypal、visa和澳大利亚；走dhl；双11和圣诞节有活动；衣服和包包'),
  );
  const unlisted = (q: string) => reader.unlisted(canonicalize(q));

  test('a city, a synonym or an English name of a listed place is listed', () => {
    for (const q of ['能寄到巴黎吗', '寄到纽约多久', 'ship to germany', '澳洲能发吗', '欧美都发吗', '欧盟国家包税吗', '圣诞有活动吗']) {
      assert.equal(unlisted(q), 0, q);
    }
  });

  test('counts unlisted places, payments, carriers, events and kinds of goods', () => {
    for (const q of ['寄到东京要多久', '能寄到巴西吗', '能用支付宝吗', 'klarna可以吗', '可以发顺丰吗', '黑五有活动吗', '卖鞋吗', '有化妆品吗']) {
      assert.equal(unlisted(q), 1, q);
    }
  });

  test('does not see places or payments inside other words', () => {
    for (const q of ['东西非常好', '寄到上海地址', '手机号写错了', '现金券能用吗', '邮政编码怎么填']) assert.equal(unlisted(q), 0, q);
  });
});
