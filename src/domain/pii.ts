/**
 * Masks personal data in chat text before it is stored where admins read it (issue 12 item 5:
 * knowledge suggestions; issue 13 reuses it). Pure; patterns are for mainland-China formats.
 * Order matters: the most specific kinds are masked first, so an 18-digit ID card is not taken for
 * a bank card, nor a mobile number for an order number.
 */

export type PiiKind = 'email' | 'idCard' | 'bankCard' | 'mobile' | 'landline' | 'socialAccount' | 'orderNumber' | 'address';

export const PII_PLACEHOLDERS: Record<PiiKind, string> = {
  email: '[邮箱]',
  idCard: '[身份证]',
  bankCard: '[银行卡]',
  mobile: '[手机号]',
  landline: '[电话]',
  socialAccount: '[社交账号]',
  orderNumber: '[订单号]',
  address: '[地址]',
};

export interface PiiOptions {
  /** Order numbers with letters, e.g. SF1234567890, A20261128-5531. A parameter: shops differ. */
  orderNumberPattern?: RegExp;
  /** Digit runs at least this long that no other kind claimed count as order numbers. */
  longDigitRun?: number;
}

export interface MaskedText {
  text: string;
  counts: Partial<Record<PiiKind, number>>;
}

export const DEFAULT_ORDER_NUMBER_PATTERN = /[A-Z]{1,3}\d{6,}(?:-\d+)?/i;
export const DEFAULT_LONG_DIGIT_RUN = 8;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** Region, birth date (19xx/20xx, valid month and day), sequence, check digit (X allowed). */
const ID_CARD = /(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g;
/** 16–19 digits, plain or in groups of four. */
const CARD_LIKE = /(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?:[ -]?\d{1,3})?(?!\d)/g;
/**
 * 1[3-9]x xxxx xxxx, with an optional +86 / 86 / 0086 (issue 13 item 1: `0086 138…` left 0086 in
 * the text) and spaces or dashes between the groups.
 */
const MOBILE = /(?<![\d+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)/g;
/**
 * Area code (0 + 2–3 digits), optional dash or brackets, then 7–8 digits, whole or split by a dash
 * or space into 3–4 + 4 (issue 13 item 1: `(010)8888-6666`, `010-8888-6666` were not masked).
 */
const LANDLINE = /(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ -]?(?:\d{7,8}|\d{3,4}[ -]\d{4})(?!\d)/g;
/** A local number without its area code, where the text just said it is a phone: 座机 8888-6666. */
const LOCAL_LANDLINE = /(?<=(?:座机|固话|电话|tel)(?:号码?)?(?:是|为)?[:：]?\s?)\d{3,4}[ -]?\d{4}(?![\d-])/gi;
/**
 * Issue 13 item 1: chat ids after the word that names the app (微信 wxid_abc123, vx: abc_123456,
 * QQ 12345678; QQ numbers were taken for order numbers). WeChat ids are 6–20 letters, digits, _ and
 * -; QQ numbers 5–11 digits; 5 characters at least, so `wx 好` or `QQ群` stay as written.
 */
const SOCIAL_ACCOUNT =
  /(?<![A-Za-z])(微信号?|威信|薇信|wechat|weixin|wx|vx|v信|qq号?|扣扣)((?:号码?|账号|帐号|id)?\s*(?:是|为)?\s*[:：]?\s*)([A-Za-z0-9][-_A-Za-z0-9]{4,19})(?![-_A-Za-z0-9])/giu;

/** Ends an address's leading place-name run: verbs and particles that precede an address in chat. */
const ADDRESS_STOP = '\\s，,。.!！?？:：;；到在住寄送发往是的我地址收货';
const PLACE = `[^${ADDRESS_STOP}\\[\\]]`;
const NUM = '[0-9一二三四五六七八九十百零〇两]+';
const CN_NUM = '[一二三四五六七八九十百零〇两]+';
const UNIT_WORD = '(?:号楼|号院|栋|幢|座|单元|室|层|楼|号|期|区|门|户|院)';
/**
 * Issue 13 item 1: what follows the anchor of an address (the street number, the compound, the
 * village group) is more of it: building names, blocks, floors, rooms (…88号SOHO现代城3号楼1201室,
 * …191号中石化大厦B座2508, …18号德基广场二期5楼). It is masked piece by piece to the clause's end:
 * a few words of name, then a number (letters and digits, or a Chinese numeral with its unit).
 * A trailing 可以吗 has no number and stays; over-masking a word beats leaking a room number.
 */
const TAIL = `(?:${PLACE}{0,8}?(?:[0-9A-Za-z]+(?:[-－#][0-9A-Za-z]+)*${UNIT_WORD}?|${CN_NUM}${UNIT_WORD}))*`;
/** Spaces between the street and its number (文三路 478 号) are typed too. */
const STREET_NUMBER = `(?:路|街|大道|大街|巷|弄)[ \\t]*${NUM}[ \\t]*号`;
const ADDRESSES: readonly RegExp[] = [
  // …路/街/大道/巷/弄 + number + 号, then building, unit, room.
  new RegExp(`${PLACE}{1,16}?${STREET_NUMBER}${TAIL}`, 'gu'),
  // …小区/花园/公寓… + building/unit/room (B座 too).
  new RegExp(`${PLACE}{1,16}?(?:小区|花园|家园|公寓|新村|苑|大厦)(?:[-－]?(?:${NUM}|[A-Za-z])(?:号楼|栋|幢|座|单元|室|层|楼|号))+${TAIL}`, 'gu'),
  // Issue 13: rural addresses, …村 / …社区 + number + 组/队/号 (张家村3组).
  new RegExp(`${PLACE}{1,16}?(?:村|社区)${NUM}(?:组|队|号)${TAIL}`, 'gu'),
  // 邮编 123456
  /邮编[:：]?\s*\d{6}(?!\d)/gu,
];

/**
 * Chinese IMEs often type full-width digits and letters (１３８１２３４５６７８, ＳＦ１２３…) and the
 * separators between them (１３８－１２３４, ６２２２\u3000０２１２, zhang．san＠qq．com): they are folded to
 * ASCII first so that every pattern below sees them (issue 13; otherwise a later width
 * normalization turned an unmasked number into plain ASCII in the training file). Full-width
 * brackets only around an area code, so that Chinese punctuation elsewhere stays as written.
 */
function foldFullWidthAlphanumerics(text: string): string {
  return text
    .replace(/[０-９Ａ-Ｚａ-ｚ＠＋－．＿]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/（(0\d{2,3})）/g, '($1)');
}

/** Luhn check: most bank cards pass it, most other long numbers (order numbers) do not. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A 16–19 digit number is a bank card when the text says so, or (unless it says "order") when it passes Luhn. */
function cardOrOrder(match: string, before: string): PiiKind {
  const context = before.slice(-8);
  if (/订单|单号|快递|物流|运单/.test(context)) return 'orderNumber';
  if (/卡|银行|账号|帐号/.test(context)) return 'bankCard';
  return luhnValid(match.replace(/\D/g, '')) ? 'bankCard' : 'orderNumber';
}

/**
 * 20241111 (双11), 20250618: an 8-digit date is shop talk, not an order number, unless the text
 * just said 订单 / 单号 (issue 13: a customer's data must be masked, the shop's dates must not).
 */
function isBareDate(digits: string, before: string): boolean {
  if (!/^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/.test(digits)) return false;
  return !/订单|单号|快递|物流|运单/.test(before.slice(-8));
}

/** Replaces every piece of personal data with its placeholder; counts what was masked, per kind. */
export function maskPii(input: string, options: PiiOptions = {}): MaskedText {
  const counts: Partial<Record<PiiKind, number>> = {};
  const count = (kind: PiiKind) => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    return PII_PLACEHOLDERS[kind];
  };
  const orderSource = options.orderNumberPattern ?? DEFAULT_ORDER_NUMBER_PATTERN;
  const orderFlags = orderSource.flags.includes('g') ? orderSource.flags : orderSource.flags + 'g';
  // Not inside a longer token of letters and digits (a URL path, a product code's middle).
  const order = new RegExp(`(?<![A-Za-z0-9])(?:${orderSource.source})(?![A-Za-z0-9])`, orderFlags);
  const longRun = new RegExp(`(?<!\\d)\\d{${options.longDigitRun ?? DEFAULT_LONG_DIGIT_RUN},}(?!\\d)`, 'g');

  let text = foldFullWidthAlphanumerics(input);
  text = text.replace(EMAIL, () => count('email'));
  text = text.replace(ID_CARD, () => count('idCard'));
  text = text.replace(CARD_LIKE, (m, offset: number, whole: string) => count(cardOrOrder(m, whole.slice(0, offset))));
  text = text.replace(MOBILE, () => count('mobile'));
  text = text.replace(LANDLINE, () => count('landline'));
  text = text.replace(LOCAL_LANDLINE, () => count('landline'));
  // Before order numbers: a QQ number is a run of digits too.
  text = text.replace(SOCIAL_ACCOUNT, (_m, app: string, between: string) => `${app}${between}${count('socialAccount')}`);
  text = text.replace(order, () => count('orderNumber'));
  text = text.replace(longRun, (m, offset: number, whole: string) => (isBareDate(m, whole.slice(0, offset)) ? m : count('orderNumber')));
  for (const pattern of ADDRESSES) text = text.replace(pattern, () => count('address'));
  return { text, counts };
}
