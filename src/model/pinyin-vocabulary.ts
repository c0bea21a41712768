import { pinyin } from 'pinyin-pro';

/**
 * Pinyin typed for Chinese words (issue 12): `bao shui`, `baoshui` or `bs` for 包税. Built from the
 * knowledge base's own words, so a spelling maps only to something the shop wrote down; each ASCII
 * run of a question that is not a word of the knowledge base is read as the full pinyin or the
 * initials of a vocabulary word and replaced by it. pinyin-pro (MIT) gives the readings.
 */

/** Initials shorter than this are too ambiguous (every two-word pair has some two initials). */
const MIN_INITIALS = 2;
/** At most this many words share one spelling in a rewrite (the most used ones). */
const MAX_READINGS = 3;
/** Sentence particles typed in pinyin (bao you ma): they carry no topic and are dropped. */
const PARTICLES = new Set(['ma', 'ne', 'a', 'ba', 'la', 'le', 'de', 'ya', 'o', 'ah', 'me', 'mei']);

/**
 * Readings, cached for the process: an index is rebuilt on every knowledge edit, and pinyin-pro's
 * context-aware reading of a word (还 in 还款 is huan) costs ~25 µs. Words of jieba's get that reading;
 * the many bigrams of a large knowledge base are read character by character.
 */
const WORD_READINGS = new Map<string, string[]>();
const CHAR_READINGS = new Map<string, string>();

function readWord(word: string): string[] {
  let r = WORD_READINGS.get(word);
  if (r === undefined) WORD_READINGS.set(word, (r = pinyin(word, { toneType: 'none', type: 'array', v: true })));
  return r;
}

function readChars(word: string): string[] {
  return [...word].map((c) => {
    let r = CHAR_READINGS.get(c);
    if (r === undefined) CHAR_READINGS.set(c, (r = pinyin(c, { toneType: 'none', v: true })));
    return r;
  });
}

interface Candidate {
  word: string;
  count: number;
}

export class PinyinVocabulary {
  /** Full pinyin or initials of 2–4 character words → the most used word. */
  private readonly words = new Map<string, Candidate[]>();
  /** One syllable → the most used character with that reading. */
  private readonly syllables = new Map<string, Candidate[]>();

  /**
   * @param words Han words and characters with how often the knowledge base uses them (the most used wins).
   * @param asciiTerms ASCII words the knowledge base itself uses (dhl, paypal, xs): never rewritten.
   * @param isWord whether a string is a real word (read in context) rather than a bigram (read by character).
   */
  constructor(words: ReadonlyMap<string, number>, private readonly asciiTerms: ReadonlySet<string>, isWord: (w: string) => boolean = () => true) {
    const put = (map: Map<string, Candidate[]>, key: string, word: string, count: number) => {
      const list = map.get(key) ?? [];
      list.push({ word, count });
      list.sort((a, b) => b.count - a.count);
      map.set(key, list.slice(0, MAX_READINGS));
    };
    for (const [word, count] of words) {
      if (word.length > 4 || !/^\p{Script=Han}+$/u.test(word)) continue;
      const readings = word.length === 1 || !isWord(word) ? readChars(word) : readWord(word);
      if (word.length === 1) {
        put(this.syllables, readings[0], word, count);
        continue;
      }
      put(this.words, readings.join(''), word, count);
      if (word.length >= MIN_INITIALS) put(this.words, readings.map((s) => s[0]).join(''), word, count);
    }
  }

  /**
   * Replaces pinyin in a lower-cased text. In each run of ASCII words the longest span of consecutive
   * words spelling a vocabulary word is taken first; a spelling several words share (baoshui: 包税 and
   * 保税) yields them all and the ranking decides. Lone syllables are read as characters only when the
   * whole run reads as pinyin, so English words (how, long, to) are left alone.
   */
  rewrite(text: string): string {
    return text.replace(/[a-z]+(?:\s+[a-z]+)*/g, (run) => {
      const words = run.split(/\s+/);
      const spans: { original: string; read: string | null }[] = [];
      let allPinyin = true;
      for (let i = 0; i < words.length; ) {
        let matched = 0;
        if (!this.asciiTerms.has(words[i])) {
          for (let j = words.length; j > i && matched === 0; j -= 1) {
            const hits = this.words.get(words.slice(i, j).join(''));
            if (hits !== undefined) {
              spans.push({ original: words.slice(i, j).join(' '), read: hits.map((h) => h.word).join(' ') });
              matched = j - i;
            }
          }
        }
        if (matched === 0) {
          const w = words[i];
          if (!PARTICLES.has(w) && !this.syllables.has(w)) allPinyin = false;
          spans.push({ original: w, read: null });
          matched = 1;
        }
        i += matched;
      }
      const read = spans.map(({ original, read }) => {
        if (read !== null) return read;
        if (!allPinyin) return original;
        if (PARTICLES.has(original)) return '';
        return this.syllables.get(original)?.[0].word ?? original;
      });
      return ` ${read.join(' ')} `;
    });
  }
}
