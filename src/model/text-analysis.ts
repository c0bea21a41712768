import * as OpenCC from 'opencc-js/t2cn';
import { normalizeNumbers } from './chinese-numbers.js';
import { segment } from './segmenter.js';
import { applyShopLexicon } from './shop-lexicon.js';

/**
 * How knowledge search reads Chinese (issue 12 item 2): one canonical form for the question and the
 * knowledge entries (width, case, traditional → simplified, A-not-A, numbers, the shop lexicon), then
 * terms: character unigrams and bigrams (segmentation-free, robust to typos) next to jieba words.
 * Each step can be switched off, so that the eval measures what it gains (tests/eval/ablate.ts).
 */
export interface AnalysisOptions {
  /** Traditional → simplified Chinese (opencc-js, OpenCC's tables). */
  simplify: boolean;
  /** 两百九十九 → 299, ¥299 / 299块 → 299元. */
  numbers: boolean;
  /** Colloquial forms, typos, synonyms, English and pinyin shorthand → the shop's words. */
  lexicon: boolean;
  /** jieba words next to the character n-grams. */
  words: boolean;
  /** The knowledge base's own words added to jieba's dictionary (shopTermsOf). */
  shopWords: boolean;
  /** Pinyin spellings of the knowledge base's words (bao shui, baoshui → 包税). */
  pinyin: boolean;
}

export const DEFAULT_ANALYSIS: AnalysisOptions = { simplify: true, numbers: true, lexicon: true, words: true, shopWords: true, pinyin: true };

// opencc-js's types import './core' without an extension, which NodeNext resolution cannot follow,
// so its ConverterFunction type is unresolved; this is what that type says.
const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' }) as (text: string) => string;

/** Folds width and case, and A-not-A questions (能不能 → 能, 有没有 → 有, 发不发 → 发). */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/(\p{Script=Han})[不没]\1/gu, '$1');
}

/** The canonical form both sides of the search are compared in. */
export function canonicalize(text: string, opts: AnalysisOptions = DEFAULT_ANALYSIS): string {
  let out = text.normalize('NFKC').toLowerCase();
  if (opts.simplify) out = toSimplified(out);
  out = out.replace(/(\p{Script=Han})[不没]\1/gu, '$1');
  if (opts.numbers) out = normalizeNumbers(out);
  if (opts.lexicon) out = applyShopLexicon(out);
  return out;
}

/**
 * Sentence particles, pronouns, the shop talk's 亲 and 在 (在吗, 我在法国) never carry the topic of a
 * question. They split runs, so 收到的衣服 yields 收到 + 衣服 and not the noise bigrams 到的/的衣, and
 * an unseen particle (呀, 嘛) cannot look like an unknown topic word.
 */
const FUNCTION_CHARS = '的了吗呢吧啊呀哦哈嘛啦哟噢嗯呗哇咯喔我你您他她它们这那亲在';
const FUNCTION_SPLIT = new RegExp(`[${FUNCTION_CHARS}]`, 'u');

/**
 * Question words, modals, the copula, classifiers and politeness formulas say what kind of answer is
 * wanted, or nothing, not what the question is about: they count, but little. A character inside
 * one of these words, or in WEAK_CHARS, also weakens the bigrams it forms (哪里发货 → 里发, 买个包 → 个包).
 */
const WEAK_WORDS = [
  '什么时候', '多长时间', '为什么', '怎么办', '怎么样', '什么', '怎么', '怎样', '如何', '哪里', '哪儿', '哪个', '多少', '多久', '几天', '几点',
  '是否', '能否', '可以', '可否', '还是', '还有', '请问', '一下', '你好', '您好', '谢谢', '麻烦', '帮忙', '行不行', '好不好',
  '东西', '信息', '情况', '一般', '大概', '现在', '已经', '这样', '那个', '这个', '就是', '比较', '的话',
];
// Not 款: it is a classifier (这款) but far more often part of 退款, 付款, 尾款.
const WEAK_CHARS = new Set('什么怎样如何哪儿多少久几为是否能可以会要想有还请问一下办就都也很个件只吗行把给让被');
/** Weight of a weak word or character relative to a topic one. */
const WEAK_FACTOR = 0.25;
/** A unigram says less than a bigram; bigrams carry most of the meaning of Chinese words. */
const UNIGRAM_WEIGHT = 0.5;
/** Weight of a jieba word of 3+ characters (a 2-character word is already its bigram). */
const WORD_WEIGHT = 1;
/**
 * Weight of the outer characters of a 3-character word as a bigram (退换货 → 退货, 进出口 → 进口):
 * Chinese coordinates two verbs over one object, so an entry about 退换货 also answers 退货 (issue 12).
 * On dev (leave-one-writer-out): 0 → 57.5 % answered, 0.3 → 59.4 %, 0.6 → 59.2 % with fewer wrong answers.
 */
const SKIP_WEIGHT = 0.6;

export interface Term {
  text: string;
  kind: 'unigram' | 'bigram' | 'word' | 'ascii';
  weight: number;
}

/** Per character of a Han run: true where it belongs to a weak word or is a weak character. */
function weakMask(run: string): boolean[] {
  const mask = run.split('').map((c) => WEAK_CHARS.has(c));
  for (const word of WEAK_WORDS) {
    for (let at = run.indexOf(word); at >= 0; at = run.indexOf(word, at + 1)) {
      mask.fill(true, at, at + word.length);
    }
  }
  return mask;
}

/**
 * Sales days are one term: read as 双 + 11, 双12 would share 双 with 双11 and look half asked
 * (issue 12). A Han run stops before one.
 */
const SALES_DAY = /^双1[12]$/u;
const SALES_DAY_OR_RUN = /双1[12](?![\d码号])|(?:(?!双1[12](?![\d码号]))\p{Script=Han})+|[a-z0-9]+/gu;

/** The unique terms of an already canonical text, each with its weight (the highest it gets). */
export function termsOf(canonical: string, opts: AnalysisOptions = DEFAULT_ANALYSIS): Term[] {
  const terms = new Map<string, Term>();
  const put = (t: string, kind: Term['kind'], weight: number) => {
    const seen = terms.get(t);
    if (seen === undefined || seen.weight < weight) terms.set(t, { text: t, kind, weight });
  };
  for (const part of canonical.split(FUNCTION_SPLIT)) {
    for (const run of part.match(SALES_DAY_OR_RUN) ?? []) {
      if (!/\p{Script=Han}/u.test(run) || SALES_DAY.test(run)) {
        put(run, 'ascii', 1);
        continue;
      }
      // Common Han characters are all in the BMP, so string indexes are character indexes here.
      const weak = weakMask(run);
      for (let i = 0; i < run.length; i += 1) {
        put(run[i], 'unigram', UNIGRAM_WEIGHT * (weak[i] ? WEAK_FACTOR : 1));
        if (i + 1 < run.length) put(run.slice(i, i + 2), 'bigram', weak[i] || weak[i + 1] ? WEAK_FACTOR : 1);
      }
      if (opts.words && run.length >= 3) {
        let at = 0;
        for (const word of segment(run)) {
          if (word.length >= 3) put(`w:${word}`, 'word', WORD_WEIGHT * (weak.slice(at, at + word.length).every(Boolean) ? WEAK_FACTOR : 1));
          if (word.length === 3 && SKIP_WEIGHT > 0 && !weak[at] && !weak[at + 2]) put(word[0] + word[2], 'bigram', SKIP_WEIGHT);
          at += word.length;
        }
      }
    }
  }
  return [...terms.values()];
}

/** canonicalize + termsOf. */
export function tokenize(text: string, opts: AnalysisOptions = DEFAULT_ANALYSIS): Term[] {
  return termsOf(canonicalize(text, opts), opts);
}

/**
 * The topic words of a canonical text: jieba words of 2+ characters that are not weak words (什么, 可以)
 * and carry no function character. What a question is about, for the coverage features of the index.
 */
export function contentWords(canonical: string): string[] {
  const out = new Set<string>();
  for (const part of canonical.split(FUNCTION_SPLIT)) {
    for (const run of part.match(/\p{Script=Han}+/gu) ?? []) {
      const weak = weakMask(run);
      let at = 0;
      for (const word of segment(run)) {
        if (word.length >= 2 && !weak.slice(at, at + word.length).every(Boolean)) out.add(word);
        at += word.length;
      }
    }
  }
  return [...out];
}

/**
 * The Han words of a canonical text (jieba's also go into `segmented`), for the pinyin vocabulary: jieba words, every bigram that does not
 * hold a function character (the shop's own words, 包税, are often not in jieba's dictionary), and
 * single characters (a lone pinyin syllable maps to the shop's most used character with that reading).
 */
export function wordsOf(canonical: string, segmented?: Set<string>): string[] {
  const out: string[] = [];
  for (const part of canonical.split(FUNCTION_SPLIT)) {
    for (const run of part.match(/\p{Script=Han}+/gu) ?? []) {
      for (const w of segment(run)) {
        if (w.length < 2) continue;
        out.push(w);
        segmented?.add(w);
      }
      out.push(...run);
      for (let i = 0; i + 1 < run.length; i += 1) out.push(run.slice(i, i + 2));
    }
  }
  return out;
}

/**
 * The shop's own words, from its knowledge base (issue 12): 2–4 character strings without question
 * words or particles that at least two entries' phrasings share (包税, 海外仓). jieba's general
 * dictionary often cuts them; added to it, they come out whole in questions too.
 */
export function shopTermsOf(canonicalPhrasings: readonly string[]): string[] {
  const df = new Map<string, number>();
  for (const text of canonicalPhrasings) {
    const seen = new Set<string>();
    for (const part of text.split(FUNCTION_SPLIT)) {
      for (const run of part.match(/\p{Script=Han}+/gu) ?? []) {
        const weak = weakMask(run);
        for (let n = 2; n <= 4; n += 1) {
          for (let i = 0; i + n <= run.length; i += 1) if (!weak.slice(i, i + n).some(Boolean)) seen.add(run.slice(i, i + n));
        }
      }
    }
    for (const t of seen) df.set(t, (df.get(t) ?? 0) + 1);
  }
  return [...df].filter(([, n]) => n >= 2).map(([t]) => t);
}

/** Words that ask something: a message holding one is a question, whatever greeting surrounds it. */
const QUESTION_WORD = /什么|啥|怎么|咋|怎样|如何|哪|多久|多少|多长|几|为什么|是否|能否|可否/u;

/** Greetings, thanks and acknowledgements: a message of nothing else asks nothing. */
const CHIT_CHAT = /好的|好滴|好吧|好哒|嗯嗯|哈哈+|呵呵|谢谢|多谢|感谢|收到|知道了|明白了|了解了|你好|您好|早上好|晚上好|晚安|再见|拜拜|辛苦了|ok|okay|thanks|thank you|thx|hi|hello|hey|bye|[好嗯哦噢行]/gu;

/**
 * True when a canonical message holds no question at all: once greetings, thanks, particles and
 * question words are gone, no Han character or ASCII word is left (在吗, 好的谢谢亲, 哈哈).
 */
export function isChitChat(canonical: string): boolean {
  // 多久能收到: 收到 is an acknowledgement only where nothing is asked (issue 12).
  if (QUESTION_WORD.test(canonical)) return false;
  let rest = canonical.replace(CHIT_CHAT, ' ').replace(new RegExp(`[${FUNCTION_CHARS}]`, 'gu'), ' ');
  for (const w of WEAK_WORDS) rest = rest.split(w).join(' ');
  return !/[\p{Script=Han}a-z0-9]/u.test([...rest].filter((c) => !WEAK_CHARS.has(c)).join(''));
}
