/**
 * Callback handling shared by the WeCom adapters whose callbacks are encrypted XML with
 * receiveid = CorpID: the self-built app (§5) and 微信客服 (§4.1). URL verification per
 * protocols/wecom.md §1.2, receiving per §1.3.
 */
import { InvalidSignatureError } from '../../src/domain/errors.js';
import type { Logger } from 'pino';
import type { Clock } from '../../src/ports/clock.js';
import type { AccessTokenCache } from './token-cache.js';
import type { WebhookOutcome, WebhookReply, WebhookRequest } from '../../src/ports/channel-adapter.js';
import { verifyAndDecrypt, type CryptoSettings, type SignedPayload } from './crypto.js';
import { assertNoDoctype, parseEnvelope, parseXml, type XmlRecord } from './xml.js';

/** "直接返回200（即以空串为返回包）" (§1.5): replies go out through the API, never passively. */
export function emptyAck(): WebhookReply {
  return { status: 200, body: '' };
}

export interface CallbackKeys {
  corpId: string;
  token: string;
  encodingAesKey: string;
}

export function cryptoSettings(config: CallbackKeys, maxSkewS: number, clock?: Clock): CryptoSettings {
  return {
    token: config.token, encodingAesKey: config.encodingAesKey, receiveId: config.corpId, maxSkewS,
    now: clock?.now(),
  };
}

/** URL verification (§1.2): answer the decrypted echostr exactly: no quotes, BOM or newline. */
export function verifyUrl(settings: CryptoSettings, request: WebhookRequest): WebhookOutcome {
  const query = signedQuery(request);
  const echostr = request.query.echostr;
  if (!echostr) throw new InvalidSignatureError('[-40001] URL verification without echostr');
  const plain = verifyAndDecrypt(settings, { ...query, encrypted: echostr });
  return { type: 'handshake', reply: { status: 200, contentType: 'text/plain', body: plain } };
}

/** A POST callback (§1.3): signature, replay window and receiveid checked before anything is parsed. */
export function decryptCallback(settings: CryptoSettings, request: WebhookRequest): XmlRecord {
  const query = signedQuery(request); // missing parameters are a 401, whatever the body
  const body = request.rawBody.toString('utf8');
  assertNoDoctype(body);
  const { encrypted } = parseEnvelope(body);
  return parseXml(verifyAndDecrypt(settings, { ...query, encrypted }));
}

/** msg_signature, timestamp and nonce of a callback's query; any missing is a 401, whatever the body. */
export function signedQuery(request: WebhookRequest): Omit<SignedPayload, 'encrypted'> {
  const { msg_signature: signature, timestamp, nonce } = request.query;
  if (!signature || !timestamp || !nonce) {
    throw new InvalidSignatureError('[-40001] callback without msg_signature, timestamp or nonce');
  }
  return { signature, timestamp, nonce };
}

/** What both WeCom adapters (self-built app, 微信客服) are built from. */
export interface WecomAdapterOptions {
  /** WECOM_API_BASE, e.g. https://qyapi.weixin.qq.com */
  apiBase: string;
  /** WEBHOOK_MAX_SKEW_S; 0 turns the replay window off. */
  maxSkewS: number;
  /** Per platform call; default 10 s. */
  timeoutMs?: number;
  logger?: Logger;
  /** Share one cache between the WeCom adapters of one app: one token per secret (§5.2). */
  tokens?: AccessTokenCache;
  /** The replay window (and sentAt of pulled items without send_time); default the system clock. */
  clock?: Clock;
}
