/**
 * Number and money normalization for knowledge search (issue 12): customers write 两百九十九, 299块,
 * ¥299 or 299rmb where the shop wrote 299元, and 双十一 where it wrote 双11. Both sides of the search
 * go through this, so the shop's own text and the question meet on one form.
 */

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** The value of a Chinese numeral (一百零五, 两千, 十一, 二九九 read digit by digit), or null. */
export function parseChineseNumber(text: string): number | null {
  if (text.length === 0) return null;
  // 二九九: digits without units, read positionally.
  if ([...text].every((c) => c in DIGITS)) {
    return text.length === 1 ? DIGITS[text] : Number([...text].map((c) => DIGITS[c]).join(''));
  }
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  for (const c of text) {
    if (c in DIGITS) {
      // 十五一 is two numbers (十五 + 一个), not one: a second digit without a unit between is no numeral.
      // 零 is the exception, it only marks a gap (一百零五).
      if (digit !== null && digit !== 0) return null;
      digit = DIGITS[c];
    } else if (c in UNITS) {
      section += (digit ?? 1) * UNITS[c];
      digit = null;
    } else if (c === '万') {
      total += (section + (digit ?? 0)) * 10000;
      section = 0;
      digit = null;
    } else return null;
  }
  return total + section + (digit ?? 0);
}

/**
 * A numeral is rewritten only where it is surely a number: it has a unit character (十, 百, 千, 万),
 * or it is a lone digit before a counter (三天, 一百积分 → 100积分). A bare 一 is a word far more often
 * (一下, 一般, 一样) and stays. 十分 ("very") is not ten points.
 */
const COUNTERS = '天|个|件|次|周|星期|月|号|日|年|小时|分钟|块|元|美元|刀|镑|欧|码|岁|斤|公斤|双|条|单|积分|分|折|倍|张|位';
const UNIT_NUMERAL = '(?:[零〇一二两三四五六七八九]+[十百千万]|十)[零〇一二两三四五六七八九十百千万]*';
const NUMERAL = new RegExp(`[零〇一二两三四五六七八九十百千万]+(?=(${COUNTERS}))|${UNIT_NUMERAL}`, 'gu');


/** Money in any of the customer's spellings becomes `N元` (yuan) or `N美元` (dollars). */
const MONEY_RULES: [RegExp, string][] = [
  [/[¥￥]\s*(\d+(?:\.\d+)?)/gu, '$1元'],
  [/(\d+(?:\.\d+)?)\s*(?:块钱|块|元钱|rmb|人民币|cny)/gu, '$1元'],
  [/[$＄]\s*(\d+(?:\.\d+)?)/gu, '$1美元'],
  [/(\d+(?:\.\d+)?)\s*(?:美金|美刀|刀|usd|dollars?|bucks)/gu, '$1美元'],
];

/** Chinese numerals to digits and money to one form; expects lower-cased, NFKC-folded text. */
export function normalizeNumbers(text: string): string {
  let out = text.replace(NUMERAL, (m, _counter, offset: number, whole: string) => {
    if (m === '十' && whole.startsWith('十分', offset)) return m;
    const n = parseChineseNumber(m);
    if (n !== null) return String(n);
    // 十五一个: the longest numeral at the start (十五) is read, the rest (一个) stays a word.
    for (let end = m.length - 1; end > 0; end -= 1) {
      const head = parseChineseNumber(m.slice(0, end));
      if (head !== null && /[十百千万]/u.test(m.slice(0, end))) return `${head}${m.slice(end)}`;
    }
    return m;
  });
  for (const [pattern, replacement] of MONEY_RULES) out = out.replace(pattern, replacement);
  return out;
}
