/**
 * Is an agent's reply (nearly) a knowledge entry's answer? (issue 12 item 5). Agents copy an entry's
 * answer and touch it up: 亲~ in front, a 哦 at the end, full-width punctuation, a changed comma.
 * Both sides are normalized, then compared by the Dice coefficient of their character bigrams.
 */
import { normalizeQuestion } from './handoff-policy.js';

/** Shop-talk particles that change nothing of an answer's content. */
const PARTICLES = /[亲哦噢喔哟呦~～]/gu;

/** Width and case folded; spaces, punctuation, symbols and particles dropped. */
export function normalizeAnswer(text: string): string {
  return normalizeQuestion(text.normalize('NFKC').replace(PARTICLES, ''));
}

/** At or above this Dice coefficient a reply counts as "nearly the entry's answer". */
const NEAR_ANSWER_DICE = 0.8;

function bigrams(s: string): Map<string, number> {
  const counts = new Map<string, number>();
  const chars = [...s];
  for (let i = 0; i + 1 < chars.length; i++) {
    const g = chars[i] + chars[i + 1];
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return counts;
}

/** Dice coefficient of the character-bigram multisets of two normalized texts, 0..1. */
export function bigramDice(a: string, b: string): number {
  if (a === b) return a.length > 0 ? 1 : 0;
  const ga = bigrams(a);
  const gb = bigrams(b);
  const total = Math.max(0, [...a].length - 1) + Math.max(0, [...b].length - 1);
  if (total === 0) return 0;
  let shared = 0;
  for (const [g, n] of ga) shared += Math.min(n, gb.get(g) ?? 0);
  return (2 * shared) / total;
}

export interface AnswerCandidate {
  id: string;
  output: string;
}

export interface AnswerMatch {
  entryId: string;
  dice: number;
}

interface Prepared {
  length: number;
  grams: Map<string, number>;
}

/**
 * Normalized answers by their text: matching a reply against 2,000 entries normalizes each answer
 * once, not once per reply (2,000 demo-sized answers: p50 16.5 ms → 1.8 ms per reply). Bounded; a
 * full cache starts over.
 */
const prepared = new Map<string, Prepared>();
const MAX_PREPARED = 50_000;

function prepare(text: string): Prepared {
  let p = prepared.get(text);
  if (!p) {
    const n = normalizeAnswer(text);
    p = { length: [...n].length, grams: bigrams(n) };
    if (prepared.size >= MAX_PREPARED) prepared.clear();
    prepared.set(text, p);
  }
  return p;
}

function dicePrepared(a: Prepared, b: Prepared): number {
  const total = Math.max(0, a.length - 1) + Math.max(0, b.length - 1);
  if (total === 0) return 0;
  let shared = 0;
  for (const [g, n] of a.grams) shared += Math.min(n, b.grams.get(g) ?? 0);
  return (2 * shared) / total;
}

/** Every entry whose answer the reply nearly is (Dice ≥ minDice), in the entries' order. */
export function nearAnswers(reply: string, entries: readonly AnswerCandidate[], minDice = NEAR_ANSWER_DICE): AnswerMatch[] {
  const r = normalizeAnswer(reply);
  if (!r) return [];
  const mine: Prepared = { length: [...r].length, grams: bigrams(r) };
  const near: AnswerMatch[] = [];
  for (const e of entries) {
    const o = prepare(e.output);
    // Dice ≤ 2·min/(sum) of the lengths: skip entries that cannot reach the bar without counting.
    if (o.length === 0 || (2 * Math.min(mine.length, o.length)) / (mine.length + o.length) < minDice) continue;
    // One character each side has no bigram: only equal texts match.
    const dice = mine.length === 1 || o.length === 1 ? (r === normalizeAnswer(e.output) ? 1 : 0) : dicePrepared(mine, o);
    if (dice >= minDice) near.push({ entryId: e.id, dice });
  }
  return near;
}

/** The entry whose answer the reply nearly is (highest Dice ≥ NEAR_ANSWER_DICE), or null. */
export function matchAnswer(reply: string, entries: readonly AnswerCandidate[], minDice = NEAR_ANSWER_DICE): AnswerMatch | null {
  let best: AnswerMatch | null = null;
  for (const m of nearAnswers(reply, entries, minDice)) if (!best || m.dice > best.dice) best = m;
  return best;
}

/**
 * What agents say that answers nothing: acknowledgements and "please wait" lines. Removed from a
 * reply before its length is judged.
 */
const FILLER_PHRASES = [
  '您好', '你好', '在的', '在呢', '好的', '收到', '明白', '了解', '稍等', '请稍等', '稍后', '马上', '一下', '请问', '有什么可以帮您', '有什么可以帮你',
  '有什么需要', '我帮您查', '帮您查', '我看看', '我查查', '看下', '查下', '谢谢', '感谢', '不客气', '客气了', '嗯', '哈哈',
];
const FILLER_REGEX = new RegExp(FILLER_PHRASES.sort((a, b) => b.length - a.length).join('|'), 'gu');

/** Shorter than this after normalization (and after fillers are removed), a reply teaches nothing. */
const MIN_ANSWER_LENGTH = 6;

/**
 * True for replies not worth proposing as an answer: fillers (稍等, 好的, 在的, 收到 …), anything
 * shorter than ~6 characters once fillers are removed, and the channel's own holding text(s).
 */
export function isFillerAnswer(reply: string, holdingTexts: readonly string[] = []): boolean {
  const n = normalizeAnswer(reply);
  if (holdingTexts.some((h) => normalizeAnswer(h) === n)) return true;
  const content = n.replace(FILLER_REGEX, '');
  return [...content].length < MIN_ANSWER_LENGTH;
}

/** The key that makes repeats of one question one suggestion: the normalized question. */
export function questionKey(question: string): string {
  return normalizeAnswer(question);
}
