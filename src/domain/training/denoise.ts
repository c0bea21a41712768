/**
 * 去噪 (issue 13 item 1): pairs that teach the adapter nothing are dropped, and the noise lines of a
 * customer's turn (在吗, 哈哈哈, 转人工, 👍) are removed from the question before it is judged.
 * Agent-side fillers reuse answer-match.ts's isFillerAnswer, the rule knowledge suggestions use.
 */
import { isFillerAnswer, normalizeAnswer } from '../answer-match.js';
import { handoffBeforeModel, isOnlyHumanRequest, normalizeQuestion } from '../handoff-policy.js';
import type { SourcePair } from './types.js';

export type DenoiseRule = 'noQuestion' | 'mediaOnly' | 'emojiOnly' | 'greetingOrFiller' | 'humanRequestOnly' | 'holdingMessage' | 'agentFiller';
export const DENOISE_RULES: readonly DenoiseRule[] = ['noQuestion', 'mediaOnly', 'emojiOnly', 'greetingOrFiller', 'humanRequestOnly', 'holdingMessage', 'agentFiller'];

/**
 * What customers say that asks nothing: greetings, acknowledgements, laughter, thanks. Matched on
 * the normalized line (answer-match.ts normalizeAnswer: no punctuation, particles 亲哦~ removed).
 */
const CUSTOMER_FILLERS = [
  '在吗', '在不在', '在么', '在嘛', '有人吗', '你好', '您好', '哈喽', 'hello', 'hi', '早上好', '下午好', '晚上好',
  '哈', '呵', '嘿', '嘻', '嗯', '恩', '哦', '噢', '喔', '啊', '呀', '哇', '额', '呃',
  '好的', '好滴', '好吧', '好', '行', '可以', '收到', '知道了', '明白了', '明白', '了解', 'ok', 'okay', '对', '是的', '是', '没事了', '没问题',
  '谢谢', '谢了', '多谢', '感谢', '辛苦了', '辛苦', 'thanks', 'thx', '拜拜', '再见', '88', '麻烦了', '麻烦你了', '亲', '客服',
];
const CUSTOMER_FILLER_REGEX = new RegExp([...CUSTOMER_FILLERS].sort((a, b) => b.length - a.length).join('|'), 'gu');

/** WeCom / DingTalk text emoticons: [微笑], [捂脸], /::) …; and pictographic emoji. */
const TEXT_EMOTICON = /\[[\p{Script=Han}A-Za-z]{1,4}\]|\/::?[^\s/]{1,3}/gu;
// ZWJ, VS16 and the keycap mark stand alone, outside the class: inside one, ESLint's
// no-misleading-character-class reads them as parts of a joined emoji.
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}]|\u200d|\ufe0f|\u20e3/gu;

/** True for a line that is nothing but emoji, emoticons, punctuation and spaces (and not empty). */
export function isEmojiOnly(line: string): boolean {
  const stripped = line.replace(TEXT_EMOTICON, '').replace(EMOJI, '');
  return line.trim() !== '' && normalizeQuestion(stripped) === '' && stripped !== line;
}

/** True for a customer line that asks nothing: 在吗, 哈哈哈, 好的谢谢, 嗯嗯. */
export function isCustomerFiller(line: string): boolean {
  const n = normalizeAnswer(line);
  return n !== '' && n.replace(CUSTOMER_FILLER_REGEX, '') === '';
}

/** Does this (normalized) text ask for a person, by the live turn's own rule (handoff-policy.ts HUMAN_REQUESTS)? */
function asksForPerson(normalized: string): boolean {
  return handoffBeforeModel({ botEnabled: true, messages: [{ kind: 'text', text: normalized }], answeredQuestions: [], channelKeywords: [] }) === 'customer_request';
}

/** Words around a call for a person that add nothing: 我要 找客服, 麻烦 转人工 快点. */
const REQUEST_WORDS = /^(?:我要|我想|我需要|请|麻烦|帮我|给我|快点?|马上|赶紧|立刻|一下|你们|你|能|可以|吗|呢|啊|呀|吧|谢谢|在吗)*$/u;
/** Lines longer than this are questions with a request in them, not a request alone. */
const MAX_REQUEST_LINE = 30;

/**
 * True for a line that only asks for a person: isOnlyHumanRequest's forms (人工, rg, 有活人吗), and
 * any phrase the live turn hands off on (找客服, 转人工, 人工客服 …) with nothing but politeness,
 * particles and filler around it (issue 13 item 1: 找客服 stayed in front of 我想改一下收货地址). The
 * phrase is found as a smallest span that asks for a person, so the list stays in handoff-policy.ts.
 */
export function isHumanRequestLine(line: string): boolean {
  const n = normalizeQuestion(line);
  if (n === '') return false;
  if (isOnlyHumanRequest(n)) return true;
  if (n.length > MAX_REQUEST_LINE || !asksForPerson(n)) return false;
  for (let i = 0; i < n.length; i++) {
    for (let j = i + 1; j <= n.length; j++) {
      const span = n.slice(i, j);
      // Smallest spans only: a longer one would swallow the question around the phrase.
      if (!asksForPerson(span) || asksForPerson(span.slice(1)) || asksForPerson(span.slice(0, -1))) continue;
      const rest = n.slice(0, i) + n.slice(j);
      if (REQUEST_WORDS.test(rest) || isCustomerFiller(rest) || isHumanRequestLine(rest)) return true;
    }
  }
  return false;
}

/** 找客服，我想改一下收货地址 → 我想改一下收货地址: a clause that only asks for a person goes too. */
export function withoutHumanRequestClauses(line: string): string {
  const clauses = line.split(/(?<=[，,。！!？?；;\s])/u);
  const kept = clauses.filter((c) => !isHumanRequestLine(c));
  if (kept.length === clauses.length || kept.length === 0) return line;
  return kept.join('').replace(/^[，,。！!？?；;\s]+|[，,；;\s]+$/gu, '');
}

export type LineVerdict = 'keep' | 'emoji' | 'filler' | 'humanRequest' | 'empty';

export function judgeCustomerLine(line: string): LineVerdict {
  if (isEmojiOnly(line)) return 'emoji';
  if (normalizeQuestion(line) === '') return 'empty';
  if (isCustomerFiller(line)) return 'filler';
  if (isHumanRequestLine(line)) return 'humanRequest';
  return 'keep';
}

export interface DenoisedPair {
  pair: SourcePair;
  /** The question's kept lines, joined by newlines. */
  question: string;
  answer: string;
  /** Lines removed from the question although the pair is kept. */
  linesRemoved: number;
}

export type DenoiseResult = { kept: DenoisedPair } | { dropped: DenoiseRule };

/** An agent message that answers nothing (稍等, 好的, 收到, a holding text): it does not use up the customer's question. */
export function answersNothing(answer: string, holdingTexts: readonly string[]): boolean {
  return isHoldingText(answer, holdingTexts) || isFillerAnswer(answer) || isEmojiOnly(answer);
}

/** Is this a holding text (the channels' handoff messages, the queued acknowledgement)? */
export function isHoldingText(answer: string, holdingTexts: readonly string[]): boolean {
  const n = normalizeAnswer(answer);
  return n !== '' && holdingTexts.some((h) => normalizeAnswer(h) === n);
}

/** Keeps a pair with its question's noise lines removed, or says which rule drops it. */
export function denoisePair(pair: SourcePair, holdingTexts: readonly string[]): DenoiseResult {
  if (pair.answerKind !== 'text') return { dropped: 'mediaOnly' };
  const answer = (pair.answer ?? '').trim();
  if (!answer) return { dropped: 'agentFiller' };
  // Customer turns of pictures, voice or files only: the answer is to something we cannot write down.
  const textParts = pair.question.filter((p) => p.kind === 'text' && p.text && p.text.trim());
  if (pair.question.length === 0) return { dropped: 'noQuestion' };
  if (textParts.length === 0) return { dropped: 'mediaOnly' };
  if (isEmojiOnly(answer)) return { dropped: 'emojiOnly' };
  if (isHoldingText(answer, holdingTexts)) return { dropped: 'holdingMessage' };
  if (isFillerAnswer(answer)) return { dropped: 'agentFiller' };

  const lines = textParts.flatMap((p) => p.text!.split(/\r?\n/)).map((l) => l.trim()).filter(Boolean);
  const verdicts = lines.map(judgeCustomerLine);
  const kept = lines.filter((_, i) => verdicts[i] === 'keep').map(withoutHumanRequestClauses);
  if (kept.length === 0) {
    if (verdicts.every((v) => v === 'emoji' || v === 'empty')) return { dropped: 'emojiOnly' };
    if (verdicts.includes('humanRequest')) return { dropped: 'humanRequestOnly' };
    return { dropped: 'greetingOrFiller' };
  }
  return { kept: { pair, question: kept.join('\n'), answer, linesRemoved: lines.length - kept.length } };
}
