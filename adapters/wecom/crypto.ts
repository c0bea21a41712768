/**
 * WXBizMsgCrypt for WeCom callbacks (protocols/wecom.md §1.1), strict where `@wecom/crypto` is lenient
 * (§3): it checks no receiveid, unpads leniently, has no bounds checks, and lets Node's base64
 * decoder skip invalid characters. Signatures and encryption still come from `@wecom/crypto`.
 *
 * Error messages carry the official library's code (-4000x, §1.1) so logs can be compared with
 * WeCom's own troubleshooting pages.
 */
import { createDecipheriv, randomInt, timingSafeEqual } from 'node:crypto';
import { encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import { InvalidSignatureError, PayloadError } from '../../src/domain/errors.js';

export interface CryptoSettings {
  token: string;
  encodingAesKey: string;
  /** CorpID for self-built apps and 微信客服 (§1.1 receiveid table). */
  receiveId: string;
  /** Seconds a callback's timestamp may be away from `now`, either way; 0 turns the check off. */
  maxSkewS: number;
  now?: Date;
}

export interface SignedPayload {
  signature: string;
  timestamp: string;
  nonce: string;
  /** The `Encrypt` element of a POST body, or `echostr` of a URL check. */
  encrypted: string;
}

export interface DecryptedPayload {
  message: string;
  receiveId: string;
}

const AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
const BLOCK = 32;
const HEADER = 20; // 16 random bytes + 4-byte big-endian msg_len (§1.1)
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Signature, replay window, decryption and receiveid, in that order: nothing is decrypted unsigned (§1.6). */
export function verifyAndDecrypt(settings: CryptoSettings, payload: SignedPayload): string {
  verifySignature(settings.token, payload);
  checkTimestamp(payload.timestamp, settings.maxSkewS, settings.now ?? new Date());
  const { message, receiveId } = decryptStrict(settings.encodingAesKey, payload.encrypted);
  if (receiveId !== settings.receiveId) {
    // Official libraries fail here too (sbzhu/weworkapi_php callback/pkcs7Encoder.php).
    throw new InvalidSignatureError('[-40005] receiveid does not match the configured corp id');
  }
  return message;
}

export function sign(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return getSignature(token, timestamp, nonce, encrypted);
}

export function verifySignature(token: string, payload: SignedPayload): void {
  const expected = Buffer.from(sign(token, payload.timestamp, payload.nonce, payload.encrypted), 'utf8');
  const given = Buffer.from(payload.signature, 'utf8');
  // timingSafeEqual throws on unequal lengths, so that check comes first.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidSignatureError('[-40001] msg_signature mismatch');
  }
}

/** WeCom documents no replay window (reliability.md §1), so the window is ours: WEBHOOK_MAX_SKEW_S. */
export function checkTimestamp(timestamp: string, maxSkewS: number, now: Date): void {
  if (maxSkewS <= 0) return;
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new InvalidSignatureError('[timestamp] not a unix timestamp');
  }
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > maxSkewS) {
    throw new InvalidSignatureError(`[timestamp] ${Math.round(skew)} s away from now, limit ${maxSkewS} s`);
  }
}

/** EncodingAESKey: 43 chars of [A-Za-z0-9]; AESKey = Base64_Decode(key + "=") → 32 bytes (§1.1). */
export function decodeAesKey(encodingAesKey: string): Buffer {
  const key = AES_KEY_PATTERN.test(encodingAesKey) ? Buffer.from(`${encodingAesKey}=`, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new PayloadError('[-40004] EncodingAESKey must be 43 letters or digits');
  return key;
}

export function decryptStrict(encodingAesKey: string, encrypted: string): DecryptedPayload {
  const key = decodeAesKey(encodingAesKey);
  const plain = unpad(aesDecrypt(key, decodeCiphertext(encrypted)));
  if (plain.length < HEADER) throw new PayloadError('[-40008] decrypted buffer shorter than its header');
  const msgLen = plain.readUInt32BE(16);
  if (HEADER + msgLen > plain.length) throw new PayloadError('[-40008] msg_len exceeds the decrypted buffer');
  try {
    return {
      message: utf8.decode(plain.subarray(HEADER, HEADER + msgLen)),
      receiveId: utf8.decode(plain.subarray(HEADER + msgLen)),
    };
  } catch {
    throw new PayloadError('[-40008] decrypted buffer is not UTF-8');
  }
}

/**
 * Node's base64 decoder skips characters it does not know, so a `+` that became a space in a
 * query string would decode to a shorter, wrong ciphertext (§1.6). Reject anything non-canonical.
 */
function decodeCiphertext(encrypted: string): Buffer {
  const bytes = BASE64_PATTERN.test(encrypted) && encrypted.length % 4 === 0 ? Buffer.from(encrypted, 'base64') : null;
  if (bytes === null || bytes.toString('base64') !== encrypted) {
    throw new PayloadError('[-40010] ciphertext is not valid base64');
  }
  if (bytes.length === 0 || bytes.length % BLOCK !== 0) {
    throw new PayloadError('[-40007] ciphertext length is not a multiple of 32 bytes');
  }
  return bytes;
}

function aesDecrypt(key: Buffer, ciphertext: Buffer): Buffer {
  try {
    // Auto padding off: WeCom pads to 32-byte blocks, Node's PKCS#7 to 16 (§1.1).
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new PayloadError('[-40007] AES decryption failed');
  }
}

/** PKCS#7 to 32-byte blocks: pad 1..32 and every pad byte equal to it; @wecom/crypto checks neither (§3). */
function unpad(data: Buffer): Buffer {
  const pad = data[data.length - 1];
  const bad = pad === undefined || pad < 1 || pad > BLOCK || pad > data.length;
  if (bad || data.subarray(data.length - pad).some((b) => b !== pad)) {
    throw new PayloadError('[-40007] invalid PKCS#7 padding');
  }
  return data.subarray(0, data.length - pad);
}

/**
 * Encrypts like WeCom does, for passive replies and for fakes that produce callbacks. The random
 * prefix is 16 ASCII alphanumerics, as the official libraries send (§1.1); pass one for a
 * deterministic result.
 */
export function encrypt(encodingAesKey: string, message: string, receiveId: string, random?: string | Buffer): string {
  decodeAesKey(encodingAesKey);
  const prefix = typeof random === 'string' ? Buffer.from(random, 'utf8') : random ?? Buffer.from(randomAlphanumeric(16));
  if (prefix.length !== 16) throw new PayloadError('[-40006] random prefix must be 16 bytes');
  return wecomEncrypt(encodingAesKey, message, receiveId, prefix);
}

export function randomAlphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}
