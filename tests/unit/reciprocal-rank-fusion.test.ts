/** Reciprocal rank fusion and the pieces of dense retrieval that are pure functions (issue 12, item 3). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentHash, entryEmbeddingText, normalized, reciprocalRankFusion, RRF_K } from '../../src/model/fused-knowledge-search.js';

describe('reciprocal rank fusion', () => {
  test('an id ranked well by both lists beats one ranked first by a single list', () => {
    // b: 1/62 + 1/62 = 0.03226 > a: 1/61 = 0.01639; c: 1/63 + 1/61
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['c', 'b', 'd'],
    ]);
    assert.deepEqual(fused, ['c', 'b', 'a', 'd']);
  });

  test('scores are 1 / (k + rank) summed over the lists: k decides how much a first place outweighs agreement', () => {
    // With k = 60: x = 1/61 (first once), y = 1/64 + 1/64 = 0.03125 → y first.
    assert.deepEqual(reciprocalRankFusion([['x', 'p', 'q', 'y'], ['r', 's', 't', 'y']]).slice(0, 1), ['y']);
    // With k = 1: x = 1/2 > y = 1/5 + 1/5 → x first.
    assert.deepEqual(reciprocalRankFusion([['x', 'p', 'q', 'y'], ['r', 's', 't', 'y']], 1).slice(0, 1), ['x']);
    assert.equal(RRF_K, 60);
  });

  test('equal scores go to the earlier list: a lexical first place ahead of a dense-only first place', () => {
    assert.deepEqual(reciprocalRankFusion([['lexical'], ['dense']]), ['lexical', 'dense']);
    assert.deepEqual(reciprocalRankFusion([['dense'], ['lexical']]), ['dense', 'lexical']);
  });

  test('equal sums go to the id with the better single rank', () => {
    // k = 2: m = 1/6 + 1/3 = 0.5 (ranks 4 and 1), n = 1/4 + 1/4 = 0.5 (ranks 2 and 2): m was first somewhere.
    assert.deepEqual(reciprocalRankFusion([['x', 'n', 'y', 'm'], ['m', 'n']], 2).slice(0, 2), ['m', 'n']);
    // Same sums and same best rank: the first list decides.
    assert.deepEqual(reciprocalRankFusion([['m', 'n'], ['n', 'm']]), ['m', 'n']);
  });

  test('an id repeated within one list counts once, at its best place; empty lists change nothing', () => {
    assert.deepEqual(reciprocalRankFusion([['a', 'b', 'a'], []]), ['a', 'b']);
    assert.deepEqual(reciprocalRankFusion([['b', 'a'], ['a']]), ['a', 'b']);
    assert.deepEqual(reciprocalRankFusion([]), []);
  });

  test('every id of every list is kept', () => {
    const fused = reciprocalRankFusion([['1', '2', '3'], ['4', '2', '5']]);
    assert.deepEqual([...fused].sort(), ['1', '2', '3', '4', '5']);
    assert.equal(fused[0], '2');
  });
});

describe('what is embedded for an entry', () => {
  test('the phrasings (instruction, then input), then the answer; empty parts left out', () => {
    assert.equal(entryEmbeddingText({ instruction: '客户问是否包邮', input: '', output: '满299元包邮' }), '客户问是否包邮\n满299元包邮');
    assert.equal(entryEmbeddingText({ instruction: ' 客户问是否包邮 ', input: '满多少包邮', output: '满299元包邮 ' }), '客户问是否包邮\n满多少包邮\n满299元包邮');
    assert.equal(entryEmbeddingText({ instruction: '', input: '', output: '' }), '');
  });

  test('the content hash changes with the text and only with it', () => {
    assert.equal(contentHash('包邮吗'), contentHash('包邮吗'));
    assert.notEqual(contentHash('包邮吗'), contentHash('包邮吗？'));
    assert.match(contentHash('包邮吗'), /^[0-9a-f]{32}$/);
  });

  test('vectors are scaled to unit length; a zero vector stays zero', () => {
    const v = normalized([3, 4]);
    assert.ok(Math.abs(v[0] - 0.6) < 1e-6 && Math.abs(v[1] - 0.8) < 1e-6);
    assert.deepEqual([...normalized([0, 0])], [0, 0]);
  });
});
