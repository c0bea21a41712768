/**
 * Active replies through 发送应用消息 (protocols/wecom.md §5.3, https://developer.work.weixin.qq.com/document/path/90236).
 */
import { PlatformError } from '../../src/domain/errors.js';
import type { WecomApiClient } from './api-client.js';
import type { AppCredentials } from './token-cache.js';

/** "text content ≤ 2048 bytes"; WeCom truncates longer text silently (§5.1, §5.3). */
export const MAX_TEXT_BYTES = 2048;

export interface AppSendSettings extends AppCredentials {
  agentId: number;
}

/** Newlines first, then sentence ends; ASCII ones only before whitespace, so "3.14" or a URL stays whole. */
const CJK_STOPS = new Set(['。', '！', '？', '；', '…']);
const ASCII_STOPS = new Set(['.', '!', '?', ';']);

/**
 * Sends `text` to one member, split into several messages when it exceeds 2048 bytes, in order.
 * Returns the msgid of the last part.
 */
export async function sendText(client: WecomApiClient, app: AppSendSettings, touser: string, text: string): Promise<string | undefined> {
  const parts = splitText(text);
  if (parts.length === 0) throw new PlatformError('WeCom /cgi-bin/message/send: empty text', { retryable: false });
  let msgid: string | undefined;
  for (const content of parts) {
    const res = await client.post(app, '/cgi-bin/message/send', textBody(app.agentId, touser, content));
    msgid = typeof res.msgid === 'string' && res.msgid !== '' ? res.msgid : msgid;
  }
  return msgid;
}

/** The dedupe span we ask of message/send (seconds, WeCom's default; the most it allows is 4 h). */
export const DUPLICATE_CHECK_INTERVAL_S = 1800;

/**
 * WeCom has no idempotency key for message/send, only content dedupe: with
 * enable_duplicate_check, the same request JSON within duplicate_check_interval is delivered once
 * (reliability.md §2.2). So a retry after an unknown outcome, or after a later part of a split
 * message failed, resends byte-identical JSON and cannot reach the member twice. The key order
 * below is fixed for that reason. The price: the same text to the same member within 30 min is
 * sent once.
 */
export function textBody(agentId: number, touser: string, content: string): Record<string, unknown> {
  return {
    touser,
    msgtype: 'text',
    agentid: agentId,
    text: { content },
    enable_duplicate_check: 1,
    duplicate_check_interval: DUPLICATE_CHECK_INTERVAL_S,
  };
}

/** Splits into parts of at most `maxBytes` UTF-8 bytes that concatenate back to `text`. */
export function splitText(text: string, maxBytes = MAX_TEXT_BYTES): string[] {
  const parts: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest, 'utf8') > maxBytes) {
    const cut = cutIndex(rest, maxBytes);
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest !== '') parts.push(rest);
  return parts;
}

/**
 * The UTF-16 index to cut at: the longest whole-code-point prefix within `maxBytes`, shortened
 * to the last newline or sentence end in its second half, so no part is needlessly small.
 */
function cutIndex(text: string, maxBytes: number): number {
  let bytes = 0;
  let index = 0;
  let newline = 0;
  let stop = 0;
  let previous = '';
  for (const ch of text) {
    const size = utf8Size(ch);
    if (bytes + size > maxBytes) break;
    const late = bytes >= maxBytes / 2;
    if (late && ASCII_STOPS.has(previous) && /\s/.test(ch)) stop = index;
    bytes += size;
    index += ch.length;
    if (late && ch === '\n') newline = index;
    if (late && CJK_STOPS.has(ch)) stop = index;
    previous = ch;
  }
  if (newline > 0) return newline;
  if (stop > 0) return stop;
  return index > 0 ? index : String.fromCodePoint(text.codePointAt(0) ?? 0).length; // maxBytes < 4 only
}

function utf8Size(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  return cp < 0x10000 ? 3 : 4; // a lone surrogate encodes as U+FFFD: 3 bytes
}
