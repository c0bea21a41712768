import { createRequire } from 'node:module';
import type { Jieba } from '@node-rs/jieba';
import { shopWords } from './shop-lexicon.js';

/**
 * Chinese word segmentation for knowledge search (issue 12): jieba (@node-rs/jieba, MIT, its bundled
 * dictionary) with the shop's own words added, so 包邮, 海外仓 or 货到付款 come out whole. One
 * segmenter per process: the dictionary takes ~150 ms to load, so it loads on first use, and words
 * learned from a knowledge base are added to it (a larger dictionary never hurts another channel).
 */

const require = createRequire(import.meta.url);
/** A high frequency makes jieba keep an added word whole rather than cut it by its own statistics. */
const SHOP_WORD_FREQUENCY = 20000;

/**
 * Recent segmentations: a question's runs are cut for its terms and again for its topic words, an
 * entry's for its terms and its vocabulary. Cleared whole when full, and whenever words are added.
 */
const MEMO_LIMIT = 20000;
const memo = new Map<string, string[]>();

let instance: Jieba | null = null;
const known = new Set<string>();

function jieba(): Jieba {
  if (instance === null) {
    const { Jieba: JiebaClass } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    instance = JiebaClass.withDict(dict);
    addWords(shopWords());
  }
  return instance;
}

/** Adds words (Han, 2+ characters) to the segmenter's dictionary; known ones are skipped. */
export function addWords(words: Iterable<string>): void {
  const fresh = [...words].filter((w) => w.length >= 2 && !/\s/.test(w) && !known.has(w));
  if (fresh.length === 0) return;
  for (const w of fresh) known.add(w);
  memo.clear();
  const seg = jieba();
  seg.loadDict(Buffer.from(fresh.map((w) => `${w} ${SHOP_WORD_FREQUENCY}`).join('\n') + '\n', 'utf8'));
}

/** The words of a text, in order (no HMM: unknown strings fall apart into characters, as n-grams cover them). */
export function segment(text: string): string[] {
  let words = memo.get(text);
  if (words === undefined) {
    words = jieba().cut(text, false);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, words);
  }
  return words;
}
