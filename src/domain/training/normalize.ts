/**
 * 归一化 (issue 13 item 1): one form of every pair, so the adapter learns the shop's voice rather
 * than each agent's habits. Width and whitespace; Chinese full-width punctuation in Chinese text
 * (decimals 299.00, times 10:30, 1,299 and URLs stay as they are); the shop's form of address in
 * place of 亲 / 亲爱的 / 宝宝; the sign-off appended once.
 */
import { normalizeAnswer } from '../answer-match.js';

export interface VoiceSettings {
  /** How answers address the customer: 亲 (default), 您, … */
  customerAddress: string;
  /** Appended to every answer once; empty for none. */
  signOff: string;
}

const HAN = /\p{Script=Han}/u;
const URL_LIKE = /(?:https?:\/\/|www\.)[^\s\u3000-\u303f\uff00-\uffef\p{Script=Han}]+/giu;

/** Full-width letters, digits and ASCII punctuation folded (ＡＢＣ１２３ → ABC123); ideographic space → space. */
function foldWidth(text: string): string {
  return text.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** One space between words, none around Chinese characters or full-width punctuation; lines kept, trimmed. */
function tidySpaces(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) =>
      line
        .replace(/[\t\f\v \u00a0\u2000-\u200b\u3000]+/g, ' ')
        .replace(/ ?([\p{Script=Han}\u3000-\u303f\uff00-\uffef]) ?/gu, '$1')
        .replace(/([\p{Script=Han}\u3000-\u303f\uff00-\uffef]) (?=[\p{Script=Han}\u3000-\u303f\uff00-\uffef])/gu, '$1')
        .trim(),
    )
    .filter(Boolean)
    .join('\n');
}

const FULL_WIDTH: Record<string, string> = { ',': '，', '!': '！', '?': '？', ';': '；', ':': '：', '(': '（', ')': '）' };

/** Chinese punctuation in a text with Chinese in it; numbers, times and URLs untouched. */
function chinesePunctuation(text: string): string {
  if (!HAN.test(text)) return text;
  const urls: string[] = [];
  let s = text.replace(URL_LIKE, (u) => `\u0000${urls.push(u) - 1}\u0000`);
  // 1,299 and 10:30 keep their ASCII separator; so do the digits of 299.00.
  s = s.replace(/[,!?;:()]/g, (c, offset: number, whole: string) => {
    const before = whole[offset - 1] ?? '';
    const after = whole[offset + 1] ?? '';
    if ((c === ',' || c === ':') && /\d/.test(before) && /\d/.test(after)) return c;
    return FULL_WIDTH[c];
  });
  s = s.replace(/\.{3,}|。{2,}/g, '……');
  // A full stop after Chinese (not a decimal point, not inside a URL or a file name).
  s = s.replace(/(?<=[\p{Script=Han}）」』"'~])\.(?!\d)/gu, '。');
  // eslint-disable-next-line no-control-regex -- NUL delimits the URL placeholders made above: it is the one character text never carries.
  s = s.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => urls[Number(i)]);
  return s;
}

/** Width, whitespace and punctuation: what questions and answers both get. */
export function normalizeText(text: string): string {
  return chinesePunctuation(tidySpaces(foldWidth(text.normalize('NFC'))));
}

/** Shop-talk forms of address an agent may open with or drop in (亲, 亲爱的, 宝宝, 小主 …). */
const VOCATIVES = '亲爱的|亲亲|亲|宝宝|宝子|宝贝|小主|小仙女|小可爱|美女|帅哥|姐妹|集美';
const LEADING_VOCATIVE = new RegExp(`^(?:${VOCATIVES})(?:[~～!！,，。\\s]+|(?=您好|你好))`, 'u');
/** 好的亲， / 哦亲~: a form of address between punctuation or a particle and punctuation (亲自, 亲子 stay). */
const INNER_VOCATIVE = new RegExp(`(?<=[的哦呢呀啊哈吧嘛，,！!。~～])(?:${VOCATIVES})(?=[~～!！,，。]|$)`, 'gu');

/** The configured address in place of the agent's own: 亲，… → 您好，… when the shop says 您. */
export function applyAddress(answer: string, address: string): string {
  const lead = address === '您' ? '您好，' : address ? `${address}，` : '';
  let s = answer;
  if (LEADING_VOCATIVE.test(s)) {
    const rest = s.replace(LEADING_VOCATIVE, '');
    // 亲您好 → 您好 already greets; don't say it twice.
    s = address === '您' && /^(您好|你好)/.test(rest) ? rest : lead + rest;
  }
  s = s.replace(INNER_VOCATIVE, address === '您' ? '' : address);
  return s.replace(/([，,])[，,]+/g, '$1');
}

/** The sign-off appended once: never twice, also when the agent already wrote it (in any width or punctuation). */
export function applySignOff(answer: string, signOff: string): string {
  const sign = signOff.trim();
  if (!sign) return answer;
  const n = normalizeAnswer(sign);
  if (n && normalizeAnswer(answer).endsWith(n)) return answer;
  return /[。！？~～…]$/u.test(answer) || !HAN.test(answer) ? `${answer}${sign}` : `${answer}。${sign}`;
}

/** An answer in the shop's voice: normalized text, its form of address, its sign-off. */
export function normalizeAnswerText(answer: string, voice: VoiceSettings): string {
  return applySignOff(normalizeText(applyAddress(normalizeText(answer), voice.customerAddress.trim())), normalizeText(voice.signOff));
}
