import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_THRESHOLD } from '../../src/domain/channel.js';
import { IndexedKnowledgeSearch } from '../../src/model/indexed-knowledge-search.js';
import { KnowledgeIndex, normalizeText, termCoverage, tokenize } from '../../src/model/knowledge-index.js';
import type { KnowledgeEntry } from '../../src/ports/responder.js';
import { MemoryKnowledgeRepository } from '../support/memory-knowledge-repository.js';

let nextId = 0;
const entry = (instruction: string, input: string, output: string): KnowledgeEntry => ({
  id: String(++nextId),
  channelId: null,
  instruction,
  input,
  output,
});

// A small shop of its own, so these tests say nothing about the eval's questions.
const KB = [
  entry('客户问是否包邮', '', '亲，满199元包邮，不满收10元运费~'),
  entry('客户问发货地', '从哪里发货', '我们从杭州仓库发货哦~'),
  entry('客户问多久发货', '什么时候发货', '付款后48小时内发货~'),
  entry('客户问能不能退货', '不喜欢可以退吗', '支持15天无理由退货，商品需保持完好~'),
  entry('客户问是否支持Visa', '能用信用卡吗', '支持Visa和万事达卡付款~'),
  entry('客户问茶叶怎么保存', '茶叶放冰箱吗', '请密封避光保存，绿茶建议冷藏~'),
  entry('客户问送不送日本', '能寄到日本吗', '可以寄到日本，一般5-7天送达~'),
];

describe('tokenize', () => {
  test('yields CJK unigrams and bigrams and lowercase ASCII words', () => {
    const terms = tokenize('支持VISA卡').map((t) => t.text);
    for (const t of ['支', '持', '支持', 'visa', '卡']) assert.ok(terms.includes(t), t);
  });

  test('splits at particles and pronouns, so no bigram crosses them', () => {
    const terms = tokenize('收到的衣服').map((t) => t.text);
    assert.ok(terms.includes('收到') && terms.includes('衣服'));
    assert.ok(!terms.includes('到的') && !terms.includes('的衣') && !terms.includes('的'));
  });

  test('weighs question words less than topic words', () => {
    const byText = new Map(tokenize('怎么退货').map((t) => [t.text, t.weight]));
    assert.ok((byText.get('怎么') ?? 1) < (byText.get('退货') ?? 0));
  });

  test('folds full-width characters and A-not-A questions', () => {
    assert.equal(normalizeText('ＶＩＳＡ能不能用'), 'visa能用');
    assert.equal(normalizeText('有没有货'), '有货');
  });
});

describe('KnowledgeIndex', () => {
  const index = new KnowledgeIndex(KB);

  test('finds an entry from a paraphrase that is not one of its phrasings', () => {
    const [best] = index.search('你们在哪发货的', 3);
    assert.equal(best?.entry.instruction, '客户问发货地');
  });

  test('ranks the entry whose phrasing matches above one that only shares answer words', () => {
    const hits = index.search('绿茶要冷藏吗', 3);
    assert.equal(hits[0]?.entry.instruction, '客户问茶叶怎么保存');
  });

  test('matches ASCII words case-insensitively', () => {
    assert.equal(index.search('visa可以吗', 1)[0]?.entry.instruction, '客户问是否支持Visa');
  });

  test('scores a known phrasing near 1 and every score within 0..1', () => {
    const hits = index.search('不喜欢可以退吗', 7);
    assert.equal(hits[0]?.entry.instruction, '客户问能不能退货');
    assert.ok(hits[0].score > 0.85, `score ${hits[0].score}`);
    for (const h of hits) assert.ok(h.score >= 0 && h.score <= 1);
  });

  test('scores a question about something the shop never wrote down low', () => {
    const known = index.search('能寄到日本吗', 1)[0];
    const unknown = index.search('能寄到澳大利亚吗', 1)[0];
    assert.ok(known.score > 0.8, `known ${known.score}`);
    assert.ok(unknown === undefined || unknown.score < 0.6, `unknown ${unknown?.score}`);
  });

  test('scores a partial match below a full one', () => {
    const full = index.search('多久发货', 1)[0];
    const partial = index.search('发货用的纸箱环保吗', 1)[0];
    assert.ok(partial.score < full.score - 0.2, `partial ${partial.score} full ${full.score}`);
  });

  test('returns nothing for an empty question, an empty index or no shared terms', () => {
    assert.deepEqual(index.search('？？', 3), []);
    assert.deepEqual(new KnowledgeIndex([]).search('包邮吗', 3), []);
    assert.deepEqual(index.search('招聘', 3), []);
  });

  test('respects the limit and orders best first', () => {
    const hits = index.search('发货', 2);
    assert.equal(hits.length, 2);
    assert.ok(hits.every((h) => /发货/.test(h.entry.instruction + h.entry.input + h.entry.output)));
  });
});

describe('KnowledgeIndex reads customers\' Chinese (issue 12)', () => {
  const index = new KnowledgeIndex(KB);
  const best = (q: string) => index.search(q, 1)[0];

  test('traditional characters find the same entry with the same score', () => {
    assert.equal(best('能寄到日本嗎')?.entry.instruction, '客户问送不送日本');
    assert.equal(best('能寄到日本嗎')?.score, best('能寄到日本吗')?.score);
  });

  test('homophone typos, colloquial forms and pinyin find the shop words', () => {
    for (const q of ['包油吗', '免运费吗', 'bao you ma', 'by吗']) {
      const hit = best(q);
      assert.equal(hit?.entry.instruction, '客户问是否包邮', q);
      assert.ok(hit.score >= DEFAULT_THRESHOLD, `${q}: ${hit.score}`);
    }
    assert.equal(best('咋退货')?.entry.instruction, '客户问能不能退货');
  });

  test('chat without a topic scores 0 whatever it shares with an entry', () => {
    for (const q of ['好的谢谢亲', '哈哈', '在吗']) assert.ok((best(q)?.score ?? 0) === 0, q);
  });

  test('a country the shop does not list lowers the score below the threshold', () => {
    const listed = best('能寄到日本吗');
    const unlisted = best('能寄到韩国吗');
    assert.ok(listed.score >= DEFAULT_THRESHOLD, String(listed.score));
    assert.ok(unlisted === undefined || unlisted.score < DEFAULT_THRESHOLD, String(unlisted?.score));
    assert.equal(index.rank('能寄到韩国吗', 1)[0]?.features.unlisted, 1);
  });

  test('rank gives each hit the features its score comes from', () => {
    const [top] = index.rank('不喜欢可以退吗', 2);
    assert.equal(top.entry.instruction, '客户问能不能退货');
    assert.ok(top.features.relative > 0.5 && top.features.coverage > 0.8 && top.features.margin > 0, JSON.stringify(top.features));
    assert.equal(top.score, index.search('不喜欢可以退吗', 1)[0].score);
  });

  test('the question inside a long message: clauseRelative reads its best clause, relative the whole', () => {
    const long = '我上个月在你们这买过一次，挺满意的，这次想给我妈买一件，她住在北京，不喜欢可以退吗';
    const [top] = index.rank(long, 1);
    assert.equal(top.entry.instruction, '客户问能不能退货');
    assert.ok(top.features.clauseRelative > 0.6 && top.features.relative < 0.3, JSON.stringify(top.features));
    const [short] = index.rank('不喜欢可以退吗', 1);
    assert.equal(short.features.clauseRelative, short.features.relative);
  });

  test("phrasingCover is the share of the entry's own phrasing the question holds", () => {
    assert.ok(index.rank('茶叶放冰箱吗 我住得远', 1)[0].features.phrasingCover > 0.9);
    assert.ok(index.rank('茶叶', 1)[0].features.phrasingCover < 0.8);
  });

  test('every analysis step can be switched off (the ablations compare them)', () => {
    const bare = new KnowledgeIndex(KB, { analysis: { lexicon: false, pinyin: false } });
    assert.notEqual(bare.search('bao you ma', 1)[0]?.entry.instruction, '客户问是否包邮');
  });
});

describe('termCoverage', () => {
  test('is the weighted share of question terms present in the texts', () => {
    assert.equal(termCoverage('包邮', ['是否包邮']), 1);
    assert.equal(termCoverage('包邮', ['退货']), 0);
    const half = termCoverage('包邮退货', ['包邮']);
    assert.ok(half > 0.3 && half < 0.7, String(half));
  });
});

describe('IndexedKnowledgeSearch', () => {
  const clockAt = (ms: { now: number }) => ({ now: () => new Date(ms.now) });
  const row = (channelId: string | null, instruction: string, input: string, output: string) => ({ channelId, instruction, input, output });

  test('searches the channel entries together with the global ones, not other channels', async () => {
    const repo = new MemoryKnowledgeRepository();
    await repo.insertMany([row(null, '客户问是否包邮', '', '满199包邮'), row('a', '客户问发货地', '', '杭州发货'), row('b', '客户问发货地', '', '广州发货')]);
    const search = new IndexedKnowledgeSearch(repo);
    assert.equal((await search.search('a', '包邮吗', 1))[0]?.entry.output, '满199包邮');
    assert.deepEqual((await search.search('a', '从哪发货', 5)).map((h) => h.entry.output), ['杭州发货']);
  });

  test('builds an index once and rebuilds after the repository version changes', async () => {
    const time = { now: 0 };
    const repo = new MemoryKnowledgeRepository();
    await repo.insertMany([row(null, '客户问是否包邮', '', '满199包邮')]);
    const search = new IndexedKnowledgeSearch(repo, { clock: clockAt(time) });
    await search.search('a', '包邮吗', 1);
    await search.search('a', '包邮吗', 1);
    assert.equal(repo.listCalls, 1);
    await repo.insertMany([row(null, '客户问发货地', '', '杭州发货')]);
    time.now += 999;
    assert.deepEqual(await search.search('a', '发货地', 1), [], 'version is not re-read within a second');
    time.now += 1;
    assert.equal((await search.search('a', '发货地', 1))[0]?.entry.output, '杭州发货');
    assert.equal(repo.listCalls, 2);
  });

  test('reads large knowledge bases page by page', async () => {
    const repo = new MemoryKnowledgeRepository();
    await repo.insertMany(Array.from({ length: 25 }, (_, i) => row(null, `客户问商品${i}号`, '', `答案${i}`)));
    const search = new IndexedKnowledgeSearch(repo, { pageSize: 10 });
    assert.equal((await search.search('a', '商品24号', 1))[0]?.entry.output, '答案24');
    assert.equal(repo.listCalls, 3);
  });

  test('does not keep a failed load: the next search tries again', async () => {
    const repo = new MemoryKnowledgeRepository();
    await repo.insertMany([row(null, '客户问是否包邮', '', '满199包邮')]);
    const listFor = repo.listFor.bind(repo);
    let fail = true;
    repo.listFor = async (...args) => {
      if (fail) throw new Error('database down');
      return listFor(...args);
    };
    const search = new IndexedKnowledgeSearch(repo);
    await assert.rejects(search.search('a', '包邮吗', 1), /database down/);
    fail = false;
    assert.equal((await search.search('a', '包邮吗', 1)).length, 1);
  });
});
