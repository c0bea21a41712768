/**
 * HTTP-mode callback signature (protocols/dingtalk.md §3, official "接收消息" page):
 * sign = base64(HMAC-SHA256(key = appSecret, msg = timestamp + "\n" + appSecret)), timestamp in
 * epoch ms, no URL-encoding on the inbound header. The signature does not cover the body, so it
 * proves only that the caller knows the secret; dedupe by msgId and keep the window short.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidSignatureError } from '../../src/domain/errors.js';

export interface DingtalkSignatureInput {
  timestamp: string | undefined;
  sign: string | undefined;
  appSecret: string;
  /** WEBHOOK_MAX_SKEW_S; 0 turns the window off. DingTalk itself allows 1 h (§3). */
  maxSkewS: number;
  now: Date;
}

export function computeDingtalkSign(timestamp: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`, 'utf8').digest('base64');
}

/** Throws InvalidSignatureError (→ 401); returns normally when the headers check out. */
export function verifyDingtalkSignature(input: DingtalkSignatureInput): void {
  const { timestamp, sign, appSecret, maxSkewS, now } = input;
  if (!timestamp || !sign) throw new InvalidSignatureError('dingtalk callback without timestamp or sign header');
  if (!/^\d{1,16}$/.test(timestamp)) throw new InvalidSignatureError('dingtalk callback timestamp is not epoch ms');
  if (maxSkewS > 0 && Math.abs(now.getTime() - Number(timestamp)) > maxSkewS * 1000) {
    throw new InvalidSignatureError('dingtalk callback timestamp outside the allowed window');
  }
  const expected = createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`, 'utf8').digest();
  // Base64 decoding skips junk characters, so also insist the header is canonical base64.
  const got = Buffer.from(sign, 'base64');
  if (got.length !== expected.length || got.toString('base64') !== sign || !timingSafeEqual(got, expected)) {
    throw new InvalidSignatureError('dingtalk callback signature mismatch');
  }
}
