/**
 * WeCom's XML bodies: the encrypted envelope (shared/protocols/wecom.md §1.3) and the decrypted
 * message (§5.1). Both are one `<xml>` root holding a flat, documented set of elements (a few events
 * nest a container such as ScanCodeInfo), so a small hand-written scanner reads them. It replaced
 * fast-xml-parser, whose validate + parse of the two documents of every callback cost ~15% of the
 * service's CPU in a profile of the webhook path.
 *
 * Strict and linear in the input: each character is looked at a bounded number of times (indexOf,
 * sticky regexes without nested quantifiers), nesting is capped at MAX_DEPTH on an explicit stack,
 * and DOCTYPE/ENTITY is refused before scanning (WeCom never sends a DTD), so the only references
 * are the five predefined entities and character references, each expanding to at most one
 * character. Anything else that is not well-formed is a PayloadError.
 */
import { PayloadError } from '../../src/domain/errors.js';
import { safeText } from '../../src/domain/text.js';

/** A decrypted WeCom message: element name → text; nested elements as `Parent.Child`. */
export type XmlRecord = Record<string, string>;

export interface Envelope {
  encrypted: string;
}

/** Elements open at once, `<xml>` included; WeCom's deepest (SendPicsInfo.PicList.item.PicMd5Sum) is 5. */
const MAX_DEPTH = 32;

// XML 1.0 names, BMP only: the set the previous parser accepted.
const NAME_START = ':A-Za-z_\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF'
  + '\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
// The combining marks (U+0300–036F) lead the class: after U+00B7 ESLint reads them as a combined character.
const NAME = new RegExp(`[${NAME_START}][\\u0300-\\u036F${NAME_START}\\-.0-9\\u00B7\\u203F-\\u2040]*`, 'y');

/** `&name;` (kept verbatim unless predefined) or a character reference with at least one digit. */
const REFERENCE = /&(?:#[0-9]+|#x[0-9a-fA-F]+|\w{1,20});/y;

const PREDEFINED: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  lt: '<', gt: '>', amp: '&', quot: '"', apos: "'",
});

const TAG_END = ['>', '/>'];
const DECLARATION_END = ['?>'];

/** Element names that could confuse a consumer copying the record into a plain object (refused before, too). */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

interface Element {
  name: string;
  children: Element[];
  /** Text and CDATA in document order; ignored once the element turns out to be a container. */
  text: string;
}

export function assertNoDoctype(body: string): void {
  if (/<!(doctype|entity)/i.test(body)) throw new PayloadError('[-40002] DOCTYPE/ENTITY not allowed in a callback body');
}

/** The outer `<xml><Encrypt>…</Encrypt></xml>` of a self-built app or 微信客服 callback. */
export function parseEnvelope(body: string | Buffer): Envelope {
  const record = parseXml(typeof body === 'string' ? body : body.toString('utf8'));
  const encrypted = record.Encrypt;
  if (encrypted === undefined || encrypted === '') throw new PayloadError('[-40002] callback XML has no Encrypt element');
  return { encrypted };
}

/** Parses `<xml>…</xml>` into a flat record; throws PayloadError on anything else. */
export function parseXml(xml: string): XmlRecord {
  assertNoDoctype(xml);
  const root = scanDocument(new Scanner(xml));
  if (root.name !== 'xml') throw new PayloadError('[-40002] XML root must be <xml>');
  const out = Object.create(null) as XmlRecord;
  flatten(root, '', out);
  return out;
}

function malformed(): never {
  throw new PayloadError('[-40002] malformed XML');
}

const isSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
const isAsciiNameStart = (code: number) => (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a;
/** `0-9`, `-` and `.`: the other ASCII characters NAME allows after the first. */
const isAsciiNameMore = (code: number) => (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e;

/** A cursor over the document; every method moves forward only. */
class Scanner {
  pos: number;

  constructor(readonly src: string) {
    this.pos = src.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 BOM decodes to U+FEFF
  }

  at(token: string): boolean {
    return this.src.startsWith(token, this.pos);
  }

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  /** Skips XML whitespace; says whether there was any. */
  skipSpace(): boolean {
    const start = this.pos;
    while (isSpace(this.src.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  expect(token: string): void {
    if (!this.at(token)) malformed();
    this.pos += token.length;
  }

  /** The text before the next `end`, consuming both. */
  upTo(end: string): string {
    const stop = this.src.indexOf(end, this.pos);
    if (stop < 0) malformed();
    const text = this.src.slice(this.pos, stop);
    this.pos = stop + end.length;
    return text;
  }

  /** An XML name (NAME); the ASCII names WeCom uses take the fast path. */
  name(): string {
    const start = this.pos;
    if (isAsciiNameStart(this.src.charCodeAt(start))) {
      let end = start + 1;
      while (isAsciiNameStart(this.src.charCodeAt(end)) || isAsciiNameMore(this.src.charCodeAt(end))) end++;
      if (!(this.src.charCodeAt(end) >= 0x80)) return this.src.slice(start, (this.pos = end));
    }
    NAME.lastIndex = start;
    if (!NAME.test(this.src)) malformed();
    this.pos = NAME.lastIndex;
    return this.src.slice(start, this.pos);
  }
}

/** Optional declaration (first thing only), then comments and whitespace around one root. */
function scanDocument(s: Scanner): Element {
  if (s.at('<?xml') && (isSpace(s.src.charCodeAt(s.pos + 5)) || s.src[s.pos + 5] === '?')) {
    s.pos += 5;
    skipAttributes(s, DECLARATION_END); // version="1.0" encoding="UTF-8"
  }
  let root: Element | undefined;
  for (s.skipSpace(); !s.atEnd(); s.skipSpace()) {
    if (s.at('<!--')) skipComment(s);
    else if (root === undefined && s.at('<')) root = scanElement(s);
    else malformed(); // text around the root, a second root
  }
  return root ?? malformed();
}

/** One element and everything inside it, iteratively: `open` is the stack of unclosed elements. */
function scanElement(s: Scanner): Element {
  const open: Element[] = [];
  const root = openElement(s, open);
  while (open.length > 0) {
    const parent = open[open.length - 1];
    const lt = s.src.indexOf('<', s.pos);
    if (lt < 0) malformed();
    if (lt > s.pos) parent.text += decodeText(s.src.slice(s.pos, lt));
    s.pos = lt;
    const next = s.src.charCodeAt(lt + 1);
    if (next === 0x2f) closeElement(s, open); // `</`
    else if (next !== 0x21) openElement(s, open); // `<?pi` and a stray `<` fail on the name
    else if (s.at('<![CDATA[')) parent.text += readCdata(s);
    else skipComment(s); // any other `<!` fails here
  }
  return root;
}

function openElement(s: Scanner, open: Element[]): Element {
  if (open.length >= MAX_DEPTH) malformed();
  s.expect('<');
  const name = s.name();
  if (RESERVED.has(name)) malformed();
  const element: Element = { name, children: [], text: '' };
  if (open.length > 0) open[open.length - 1].children.push(element);
  if (skipAttributes(s, TAG_END) === '>') open.push(element);
  return element;
}

function closeElement(s: Scanner, open: Element[]): void {
  s.expect('</');
  const name = s.name();
  s.skipSpace();
  s.expect('>');
  if (open.pop()?.name !== name) malformed();
}

/** Checks and skips `name="value"` pairs up to one of `ends` (tried in order); returns the end found. */
function skipAttributes(s: Scanner, ends: readonly string[]): string {
  let seen: Set<string> | undefined;
  for (;;) {
    const spaced = s.skipSpace();
    for (const end of ends) {
      if (s.at(end)) {
        s.pos += end.length;
        return end;
      }
    }
    if (!spaced) malformed();
    const name = s.name();
    if (seen?.has(name)) malformed();
    (seen ??= new Set()).add(name);
    s.skipSpace();
    s.expect('=');
    s.skipSpace();
    const quote = s.src[s.pos];
    if (quote !== '"' && quote !== "'") malformed();
    s.pos += 1;
    if (s.upTo(quote).includes('<')) malformed();
  }
}

function skipComment(s: Scanner): void {
  s.expect('<!--');
  s.upTo('-->');
}

function readCdata(s: Scanner): string {
  s.expect('<![CDATA[');
  return normalizeNewlines(s.upTo(']]>'));
}

/** XML end-of-line handling: CRLF and lone CR read as LF. */
function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** Character data: every `&` must start a reference (REFERENCE); predefined and numeric ones expand. */
function decodeText(raw: string): string {
  const text = normalizeNewlines(raw);
  let amp = text.indexOf('&');
  if (amp < 0) return text;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    REFERENCE.lastIndex = amp;
    const ref = REFERENCE.exec(text);
    if (ref === null) malformed();
    out += text.slice(from, amp) + expandReference(ref[0]);
    from = REFERENCE.lastIndex;
    amp = text.indexOf('&', from);
  }
  return out + text.slice(from);
}

/**
 * The five predefined entities and in-range character references (≤ 7 decimal or 6 hex digits);
 * any other reference stays as written. No DTD means no other entity can exist.
 */
function expandReference(ref: string): string {
  const body = ref.slice(1, -1);
  if (body[0] !== '#') return PREDEFINED[body] ?? ref;
  const hex = body[1] === 'x';
  const digits = body.slice(hex ? 2 : 1);
  if (digits.length > (hex ? 6 : 7)) return ref;
  const code = parseInt(digits, hex ? 16 : 10);
  return code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : ref;
}

/**
 * Leaves become strings; containers recurse with a dotted prefix (depth ≤ MAX_DEPTH). A name seen
 * twice at one level (list items such as SendPicsInfo.PicList.item) is dropped with its subtree
 * rather than guessed at. Leaves are made safe here, the one place WeCom's XML text comes out: a
 * NUL (raw, or `&#0;`) in Content or FromUserName answered 500 and WeCom retried (issue 11).
 */
function flatten(element: Element, prefix: string, out: XmlRecord): void {
  const count = new Map<string, number>();
  for (const child of element.children) count.set(child.name, (count.get(child.name) ?? 0) + 1);
  for (const child of element.children) {
    if (count.get(child.name) !== 1) continue;
    const key = prefix + child.name;
    if (child.children.length > 0) flatten(child, `${key}.`, out);
    else out[key] = safeText(child.text);
  }
}
