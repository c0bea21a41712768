/**
 * The WeCom self-built app (自建应用) channel: callbacks per protocols/wecom.md §1.2–§1.3, replies
 * through message/send (§5.3). 微信客服 notices reach the same URL when the app manages a kf
 * account (§4); this adapter acknowledges and ignores them.
 */
import type { Logger } from 'pino';
import { AppError, InvalidSignatureError, PlatformError } from '../../src/domain/errors.js';
import type { Channel } from '../../src/domain/channel.js';
import type { InboundMessage } from '../../src/domain/message.js';
import type { Clock } from '../../src/ports/clock.js';
import type {
  ChannelAdapter, OutgoingMessage, SendReceipt, SendTarget, WebhookOutcome, WebhookRequest,
} from '../../src/ports/channel-adapter.js';
import { WecomApiClient } from './api-client.js';
import { parseConfig, secretFields, type WecomAppConfig } from './config.js';
import { verifyAndDecrypt, type CryptoSettings, type SignedPayload } from './crypto.js';
import { detectKfNotice, toInboundMessage } from './parse.js';
import { sendText } from './send.js';
import { AccessTokenCache } from './token-cache.js';
import { assertNoDoctype, parseEnvelope, parseXml } from './xml.js';

export interface WecomAppAdapterOptions {
  /** WECOM_API_BASE, e.g. https://qyapi.weixin.qq.com */
  apiBase: string;
  /** WEBHOOK_MAX_SKEW_S; 0 turns the replay window off. */
  maxSkewS: number;
  /** Per platform call; default 10 s. */
  timeoutMs?: number;
  logger?: Logger;
  /** Share one cache with other WeCom adapters that use the same app secret (§5.2: one token per secret). */
  tokens?: AccessTokenCache;
  /** For the replay window; default the system clock. */
  clock?: Clock;
}

export function createWecomAppAdapter(opts: WecomAppAdapterOptions): ChannelAdapter {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const tokens = opts.tokens ?? new AccessTokenCache({ apiBase: opts.apiBase, timeoutMs });
  const client = new WecomApiClient({ apiBase: opts.apiBase, timeoutMs, tokens });
  // Parsed once per config object: the webhook path is hot (DESIGN.md §3.4 targets p99 ≤ 20 ms).
  const configs = new WeakMap<object, WecomAppConfig>();
  const configOf = (channel: Channel): WecomAppConfig => {
    const cached = configs.get(channel.config);
    if (cached !== undefined) return cached;
    const parsed = parseConfig(channel.config);
    configs.set(channel.config, parsed);
    return parsed;
  };

  return {
    kind: 'wecom_app',
    secretFields,
    safeToResend: true,
    parseConfig,
    handleWebhook(channel, request) {
      const config = usableConfig(channel, configOf);
      const settings: CryptoSettings = {
        token: config.token, encodingAesKey: config.encodingAesKey, receiveId: config.corpId, maxSkewS: opts.maxSkewS,
        now: opts.clock?.now(),
      };
      return request.method === 'GET' ? verifyUrl(settings, request) : receive(settings, request, channel, opts.logger);
    },
    async send(channel: Channel, to: SendTarget, message: OutgoingMessage): Promise<SendReceipt> {
      const config = usableConfig(channel, configOf, true);
      const app = { corpId: config.corpId, secret: config.secret, agentId: config.agentId };
      const msgid = await sendText(client, app, to.externalId, message.text);
      return msgid === undefined ? {} : { platformMessageId: msgid };
    },
  };
}

/** URL verification (§1.2): answer the decrypted echostr exactly: no quotes, BOM or newline. */
function verifyUrl(settings: CryptoSettings, request: WebhookRequest): WebhookOutcome {
  const query = signedQuery(request);
  const echostr = request.query.echostr;
  if (!echostr) throw new InvalidSignatureError('[-40001] URL verification without echostr');
  const plain = verifyAndDecrypt(settings, { ...query, encrypted: echostr });
  return { type: 'handshake', reply: { status: 200, contentType: 'text/plain', body: plain } };
}

/** A message callback (§1.3). An empty 200 is the whole answer; replies go out via the API (§1.5). */
function receive(settings: CryptoSettings, request: WebhookRequest, channel: Channel, logger?: Logger): WebhookOutcome {
  const query = signedQuery(request); // missing parameters are a 401, whatever the body
  const body = request.rawBody.toString('utf8');
  assertNoDoctype(body);
  const { encrypted } = parseEnvelope(body);
  const inner = parseXml(verifyAndDecrypt(settings, { ...query, encrypted }));
  const messages: InboundMessage[] = [];
  const kf = detectKfNotice(inner);
  if (kf !== null) {
    // Messages behind it are pulled with sync_msg by a wecom_kf channel (§4.2); acking is all we owe here.
    logger?.debug({ channelId: channel.id, openKfId: kf.openKfId }, 'wecom_app ignores a 微信客服 notice');
  } else {
    messages.push(toInboundMessage(inner));
  }
  return { type: 'messages', messages, reply: { status: 200, body: '' } };
}

function signedQuery(request: WebhookRequest): Omit<SignedPayload, 'encrypted'> {
  const { msg_signature: signature, timestamp, nonce } = request.query;
  if (!signature || !timestamp || !nonce) {
    throw new InvalidSignatureError('[-40001] callback without msg_signature, timestamp or nonce');
  }
  return { signature, timestamp, nonce };
}

/**
 * A channel whose stored config no longer validates is our fault, not the caller's: 500 for a
 * webhook (WeCom retries), a permanent PlatformError for a send (shown to agents).
 */
function usableConfig(channel: Channel, configOf: (c: Channel) => WecomAppConfig, forSend = false): WecomAppConfig {
  try {
    return configOf(channel);
  } catch (err) {
    const message = `channel ${channel.id}: ${err instanceof Error ? err.message : 'invalid config'}`;
    if (forSend) throw new PlatformError(message, { retryable: false, cause: err });
    throw new AppError('CHANNEL.INVALID_CONFIG', message, { httpStatus: 500, cause: err });
  }
}
