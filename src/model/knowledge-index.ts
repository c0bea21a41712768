import type { KnowledgeEntry, KnowledgeHit } from '../ports/responder.js';
import { PinyinVocabulary } from './pinyin-vocabulary.js';
import { entityReader, type EntityReader } from './shop-entities.js';
import { CONFIDENCE_MODEL, confidenceOf, type ConfidenceModel, type MatchFeatures } from './score-calibration.js';
import { addWords } from './segmenter.js';
import { canonicalize, contentWords, DEFAULT_ANALYSIS, isChitChat, normalizeText, shopTermsOf, termsOf, tokenize, wordsOf, type AnalysisOptions, type Term } from './text-analysis.js';

export { normalizeText, tokenize, type Term };

/**
 * In-memory retrieval over the shop's Q&A for short Chinese chat questions (issue 12): the text
 * analysis of text-analysis.ts (canonical form, character n-grams next to jieba words), BM25 over an
 * inverted index, and a score that is the probability the best entry answers the question
 * (score-calibration.ts). What each analysis step gains on the dev split: tests/eval/ablate.ts.
 */

/**
 * A bigram the knowledge base never contains is, far more often than not, two words glued across a
 * boundary (从哪里发货 → 里发); real unknown words show up through their unseen characters anyway.
 */
const UNSEEN_BIGRAM_FACTOR = 0.25;
/**
 * A character the knowledge base never uses at all is the clearest sign that the question is about
 * something the shop did not write down (a destination: 澳大利亚, a person: 老板); with a few dozen
 * entries, idf alone barely separates "never seen" (ln 66 ≈ 4.2 for 32 entries) from "seen once" (3.1).
 */
const UNSEEN_CHAR_FACTOR = 3;
/** Weight of a term found only in the answer: answers restate the topic but also say much else. */
const OUTPUT_FIELD_WEIGHT = 0.5;
/** Training-data instructions read "客户问是否包邮": the speaker prefix is boilerplate, not content. */
const INSTRUCTION_PREFIX = /^(客户|顾客|用户|买家|客人|消费者)(想要|想|询问|咨询|问|要求|要|说)?/u;
const K1 = 1.2;
const B = 0.75;

export interface KnowledgeIndexOptions {
  analysis?: Partial<AnalysisOptions>;
  /** Another confidence model than the fitted one (the fitting script passes its candidates). */
  model?: ConfidenceModel;
}

/** A ranked entry with the features its score comes from (for the eval and the fitting script). */
export interface ScoredEntry {
  entry: KnowledgeEntry;
  bm25: number;
  features: MatchFeatures;
  score: number;
}

/** Share (by weight) of the question's terms found anywhere in the texts; no corpus statistics. */
export function termCoverage(question: string, texts: readonly string[]): number {
  const found = new Set(texts.flatMap((t) => tokenize(t).map((x) => x.text)));
  let total = 0;
  let hit = 0;
  for (const t of tokenize(question)) {
    total += t.weight;
    if (found.has(t.text)) hit += t.weight;
  }
  return total > 0 ? hit / total : 0;
}

/**
 * Clause ends (sentence punctuation, a comma not inside a number, a space between Han characters) as
 * line breaks: a long message's question is usually one clause of it (issue 12). Not the ASCII full
 * stop, which is inside 11.11 and 29.9.
 */
function markClauses(question: string): string {
  return question.replace(/[，。！？；～、!?;~\n]+|,(?!\d)|(?<=\p{Script=Han})\s+(?=\p{Script=Han})/gu, '\n');
}

interface PostingList {
  docs: Int32Array;
  /** BM25's saturated, length-normalised term frequency, tf·(k1+1)/(tf + k1·(1−b+b·len/avg)): precomputed. */
  norms: Float64Array;
  /** Best field the term appears in (1 phrasing, OUTPUT_FIELD_WEIGHT answer). */
  fields: Float64Array;
}

interface Posting {
  doc: number;
  /** Field-weighted frequency (1 per phrasing occurrence, OUTPUT_FIELD_WEIGHT per answer one). */
  tf: number;
  /** Best field the term appears in (1 phrasing, OUTPUT_FIELD_WEIGHT answer). */
  field: number;
}

function termCounts(text: string, opts: AnalysisOptions): Map<string, number> {
  const counts = new Map<string, number>();
  // Phrasings may list alternatives ("XS码还有吗 / 尺码怎么选"): no bigram across the separator.
  for (const part of text.split(/[/|；;\n]/)) {
    for (const t of termsOf(part, opts)) counts.set(t.text, (counts.get(t.text) ?? 0) + 1);
  }
  return counts;
}

/** The k best entries by score (ties: the earlier entry first), without sorting every candidate. */
function topK(candidates: readonly number[], score: Float64Array, k: number): number[] {
  const best: number[] = [];
  const better = (a: number, b: number) => score[a] > score[b] || (score[a] === score[b] && a < b);
  for (const doc of candidates) {
    if (score[doc] <= 0) continue;
    if (best.length === k && !better(doc, best[k - 1])) continue;
    let at = best.length < k ? best.length : k - 1;
    best[at] = doc;
    while (at > 0 && better(best[at], best[at - 1])) {
      [best[at], best[at - 1]] = [best[at - 1], best[at]];
      at -= 1;
    }
  }
  return best;
}

/**
 * BM25 ranking over an inverted index (phrasings weigh 1, answers OUTPUT_FIELD_WEIGHT); each hit's
 * score is matchProbability of its features (score-calibration.ts): the probability that the entry
 * answers the question, cost-weighted so that the default threshold 0.6 means P(right) ≥ 0.82 (NEGATIVE_WEIGHT 3).
 * A search reads only the postings of the question's terms: ~0.3 ms p50 on 2,000 entries
 * (tests/bench/knowledge-search-bench.ts).
 */
export class KnowledgeIndex {
  private readonly entries: KnowledgeEntry[];
  private readonly lengths: number[];
  /** term → its postings, as parallel typed arrays (a search's inner loop reads them in order). */
  private readonly postings = new Map<string, PostingList>();
  private readonly bm25Scratch: Float64Array;
  private readonly coveredScratch: Float64Array;
  private readonly presentScratch: Float64Array;
  private readonly chars = new Set<string>();
  /** The knowledge base's words, bigrams and characters (wordsOf), to see which topic words it has at all. */
  private readonly vocabulary: ReadonlySet<string>;
  private readonly entities: EntityReader;
  private readonly avgLength: number;
  private readonly analysis: AnalysisOptions;
  private readonly model: ConfidenceModel;
  private readonly pinyin: PinyinVocabulary | null;
  /** Per entry, the terms of each of its phrasings (instruction, input, each alternative), for phrasingCover. */
  private readonly phrasingTerms: Term[][][];

  constructor(entries: readonly KnowledgeEntry[], opts: KnowledgeIndexOptions = {}) {
    this.analysis = { ...DEFAULT_ANALYSIS, ...opts.analysis };
    this.model = opts.model ?? CONFIDENCE_MODEL;
    this.entries = [...entries];
    const phrasings = this.entries.map((e) => canonicalize(`${e.instruction.trim().replace(INSTRUCTION_PREFIX, '')}\n${e.input}`, this.analysis));
    const answers = this.entries.map((e) => canonicalize(e.output, this.analysis));
    if (this.analysis.words && this.analysis.shopWords) addWords(shopTermsOf(phrasings));
    this.entities = entityReader(this.entries.map((_, doc) => `${phrasings[doc]}\n${answers[doc]}`).join('\n'));
    const vocabulary = new Map<string, number>();
    const segmented = new Set<string>();
    for (const text of [...phrasings, ...answers]) for (const w of wordsOf(text, segmented)) vocabulary.set(w, (vocabulary.get(w) ?? 0) + 1);
    this.vocabulary = new Set(vocabulary.keys());
    this.bm25Scratch = new Float64Array(this.entries.length);
    this.coveredScratch = new Float64Array(this.entries.length);
    this.presentScratch = new Float64Array(this.entries.length);
    const building = new Map<string, Posting[]>();
    this.lengths = this.entries.map((_, doc) => {
      const tf = new Map<string, number>();
      const field = new Map<string, number>();
      for (const [t, n] of termCounts(answers[doc], this.analysis)) {
        tf.set(t, n * OUTPUT_FIELD_WEIGHT);
        field.set(t, OUTPUT_FIELD_WEIGHT);
      }
      for (const [t, n] of termCounts(phrasings[doc], this.analysis)) {
        tf.set(t, (tf.get(t) ?? 0) + n);
        field.set(t, 1);
      }
      let length = 0;
      for (const [t, n] of tf) {
        length += n;
        let list = building.get(t);
        if (list === undefined) building.set(t, (list = []));
        list.push({ doc, tf: n, field: field.get(t) ?? 0 });
      }
      for (const c of `${phrasings[doc]}${answers[doc]}`) this.chars.add(c);
      return length;
    });
    const total = this.lengths.reduce((s, n) => s + n, 0);
    this.avgLength = Math.max(1, total / Math.max(1, this.entries.length));
    for (const [t, list] of building) {
      this.postings.set(t, {
        docs: Int32Array.from(list, (p) => p.doc),
        norms: Float64Array.from(list, (p) => this.bm25Term(1, p.tf, this.lengths[p.doc])),
        fields: Float64Array.from(list, (p) => p.field),
      });
    }
    this.phrasingTerms = phrasings.map((text) =>
      text
        .split(/[/|；;\n]/)
        .map((part) => termsOf(part, this.analysis).filter((t) => t.kind !== 'unigram'))
        .filter((terms) => terms.length > 0),
    );
    const asciiTerms = new Set([...this.postings.keys()].filter((t) => /^[a-z0-9]+$/.test(t)));
    this.pinyin = this.analysis.pinyin ? new PinyinVocabulary(vocabulary, asciiTerms, (w) => segmented.has(w)) : null;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Best entries first; only entries sharing at least one term with the question. */
  search(question: string, limit: number): KnowledgeHit[] {
    return this.rank(question, limit).map(({ entry, score }) => ({ entry, score }));
  }

  /** search, with each hit's BM25 and features. */
  rank(question: string, limit: number): ScoredEntry[] {
    if (limit <= 0) return [];
    // Clause ends become line breaks, which every analysis step keeps: one canonical form serves the
    // whole message and its clauses (clauseRelative) without analysing the text twice.
    let canonical = canonicalize(markClauses(question), this.analysis);
    if (this.pinyin !== null) canonical = this.pinyin.rewrite(canonical);
    const terms = this.weigh(canonical);
    if (terms.length === 0) return [];
    const self = this.selfScore(terms);
    const total = terms.reduce((s, t) => s + t.w, 0);
    const rawWeight = terms.reduce((s, t) => s + t.weight, 0);
    const unseenWeight = terms.filter((t) => t.kind === 'unigram' && !this.chars.has(t.text)).reduce((s, t) => s + t.weight, 0);
    // Accumulators indexed by entry, reused (a search runs to its end synchronously), and the entries
    // touched: a search costs the postings it reads, and allocates no array per entry (no GC pauses).
    const bm25 = this.bm25Scratch;
    const covered = this.coveredScratch;
    const present = this.presentScratch;
    const touched: number[] = [];
    for (const t of terms) {
      const list = this.postings.get(t.text);
      if (list === undefined) continue;
      const { docs, norms, fields } = list;
      for (let i = 0; i < docs.length; i += 1) {
        const doc = docs[i];
        if (bm25[doc] === 0) touched.push(doc);
        bm25[doc] += t.w * norms[i];
        covered[doc] += t.w * fields[i];
        present[doc] += t.weight;
      }
    }
    const topics = contentWords(canonical);
    const novel = topics.filter((w) => !this.vocabulary.has(w));
    const unlisted = this.entities.unlisted(canonical);
    // The runner-up is needed for the margin even when one entry is asked for.
    const ranked = topK(touched, bm25, Math.max(limit, 2));
    const scores = ranked.map((doc) => ({ doc, bm25: bm25[doc], covered: covered[doc], present: present[doc] }));
    for (const doc of touched) {
      bm25[doc] = 0;
      covered[doc] = 0;
      present[doc] = 0;
    }
    const noTopic = isChitChat(canonical) ? 1 : 0;
    const asked = new Set(terms.map((t) => t.text));
    const clauses = this.clausesOf(canonical);
    return scores.slice(0, limit).map(({ doc, bm25: score, covered: coveredWeight, present: presentWeight }, i) => {
      const rival = i === 0 ? (scores[1]?.bm25 ?? 0) : scores[0].bm25;
      const features: MatchFeatures = {
        relative: Math.min(1, score / self),
        coverage: coveredWeight / total,
        margin: Math.max(-1, (score - rival) / score),
        unseen: rawWeight > 0 ? unseenWeight / rawWeight : 0,
        novelShare: topics.length > 0 ? novel.length / topics.length : 0,
        noTopic,
        termShare: rawWeight > 0 ? presentWeight / rawWeight : 0,
        unlisted,
        phrasingCover: this.phrasingCover(doc, asked),
        clauseRelative: clauses.length > 0 ? this.clauseRelative(doc, clauses) : Math.min(1, score / self),
      };
      return { entry: this.entries[doc], bm25: score, features, score: confidenceOf(features, this.model) };
    });
  }

  /** The best share (term weight · idf) of one of the entry's phrasings that the question contains. */
  private phrasingCover(doc: number, asked: ReadonlySet<string>): number {
    let best = 0;
    for (const part of this.phrasingTerms[doc]) {
      let total = 0;
      let hit = 0;
      for (const t of part) {
        const w = t.weight * this.idf(t);
        total += w;
        if (asked.has(t.text)) hit += w;
      }
      if (total > 0) best = Math.max(best, hit / total);
    }
    return best;
  }

  /** The message's clauses (the lines markClauses made) with their weighted terms and self score; none for one clause. */
  private clausesOf(canonical: string): { terms: (Term & { w: number })[]; self: number }[] {
    const parts = canonical.split('\n').filter((p) => /[\p{Script=Han}a-z0-9]/u.test(p));
    if (parts.length < 2) return [];
    return parts.map((p) => {
      const terms = this.weigh(p);
      return { terms, self: this.selfScore(terms) };
    });
  }

  /** The best BM25 of the entry on one clause / that clause's self score: the question part of a long message. */
  private clauseRelative(doc: number, clauses: readonly { terms: (Term & { w: number })[]; self: number }[]): number {
    let best = 0;
    for (const c of clauses) {
      if (c.self <= 0) continue;
      let score = 0;
      for (const t of c.terms) {
        const at = this.positionOf(t.text, doc);
        if (at >= 0) score += t.w * this.postings.get(t.text)!.norms[at];
      }
      best = Math.max(best, Math.min(1, score / c.self));
    }
    return best;
  }

  /** Index of the entry in the term's postings, or -1 (binary search: postings are in entry order). */
  private positionOf(term: string, doc: number): number {
    const docs = this.postings.get(term)?.docs;
    if (docs === undefined) return -1;
    let lo = 0;
    let hi = docs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (docs[mid] === doc) return mid;
      if (docs[mid] < doc) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The question's terms with their search weight (term weight · idf). */
  private weigh(canonical: string): (Term & { w: number })[] {
    return termsOf(canonical, this.analysis).map((t) => ({ ...t, w: t.weight * this.idf(t) }));
  }

  /** BM25 of a text against an entry that is exactly that text. */
  private selfScore(terms: readonly { w: number }[]): number {
    return terms.reduce((s, t) => s + this.bm25Term(t.w, 1, terms.length), 0);
  }

  private bm25Term(weight: number, tf: number, length: number): number {
    return (weight * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / this.avgLength));
  }

  /** BM25 idf (with +1, so always positive); unseen terms get the largest value. */
  private idf(t: Term): number {
    const n = this.entries.length;
    const df = this.postings.get(t.text)?.docs.length ?? 0;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    if (df > 0) return idf;
    return t.kind === 'bigram' || t.kind === 'word' ? idf * UNSEEN_BIGRAM_FACTOR : t.kind === 'unigram' ? idf * UNSEEN_CHAR_FACTOR : idf;
  }
}
