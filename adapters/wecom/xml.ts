/**
 * WeCom's XML bodies: the encrypted envelope (protocols/wecom.md §1.3) and the decrypted message
 * (§5.1). Entity processing stays off and DOCTYPE is refused before parsing: fast-xml-parser has
 * had several entity-expansion advisories (reliability.md, fast-xml-parser CVEs), and WeCom never
 * sends a DTD.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PayloadError } from '../../src/domain/errors.js';

/** A decrypted WeCom message: element name → text; nested elements as `Parent.Child`. */
export type XmlRecord = Record<string, string>;

export interface Envelope {
  encrypted: string;
}

type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true, // keeps CDATA sections and text in document order
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false, // MsgId is a 64-bit integer: keep it a string (§1.6)
  ignoreAttributes: true,
  trimValues: false,
  cdataPropName: '#cdata',
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

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
  if (XMLValidator.validate(xml) !== true) throw new PayloadError('[-40002] malformed XML');
  let doc: OrderedNode[];
  try {
    doc = parser.parse(xml) as OrderedNode[];
  } catch {
    throw new PayloadError('[-40002] malformed XML');
  }
  const roots = doc.filter((node) => !('?xml' in node) && !isBlankText(node));
  const root = roots.length === 1 ? roots[0]?.xml : undefined;
  if (!Array.isArray(root)) throw new PayloadError('[-40002] XML root must be <xml>');
  const out: XmlRecord = Object.create(null) as XmlRecord;
  flatten(root as OrderedNode[], '', out);
  return out;
}

/**
 * Leaves become strings; containers recurse with a dotted prefix. A name seen twice at one level
 * (list items such as SendPicsInfo.PicList.item) is dropped rather than guessed at.
 */
function flatten(children: OrderedNode[], prefix: string, out: XmlRecord): void {
  const seen = new Set<string>();
  for (const child of children) {
    const name = elementName(child);
    if (name === undefined) continue;
    const key = prefix + name;
    const grandchildren = child[name] as OrderedNode[];
    if (seen.has(key)) {
      dropKey(out, key);
      continue;
    }
    seen.add(key);
    if (grandchildren.some((g) => elementName(g) !== undefined)) flatten(grandchildren, `${key}.`, out);
    else out[key] = textOf(grandchildren);
  }
}

function dropKey(out: XmlRecord, key: string): void {
  for (const k of Object.keys(out)) if (k === key || k.startsWith(`${key}.`)) delete out[k];
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== '#text' && k !== '#cdata' && k !== ':@');
}

function textOf(nodes: OrderedNode[]): string {
  let text = '';
  for (const node of nodes) {
    if ('#cdata' in node) text += (node['#cdata'] as OrderedNode[]).map((n) => String(n['#text'] ?? '')).join('');
    else if ('#text' in node) text += decodeEntities(String(node['#text']));
  }
  return text;
}

function isBlankText(node: OrderedNode): boolean {
  return Object.keys(node).length === 1 && typeof node['#text'] === 'string' && node['#text'].trim() === '';
}

/**
 * The five predefined entities and character references only: no DTD means no other entity can
 * exist, and each reference expands to at most one character, so nothing can blow up.
 */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED[ref] ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}
