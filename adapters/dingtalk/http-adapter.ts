/**
 * The `dingtalk_http` channel: DingTalk POSTs the robot message JSON (protocols/dingtalk.md §2.1)
 * to /webhooks/dingtalk/:channelId with `timestamp` + `sign` headers (§3). We ack at once and
 * answer asynchronously through the outbox (sessionWebhook / OpenAPI, send.ts).
 */
import type { Logger } from 'pino';
import type { Channel } from '../../src/domain/channel.js';
import { configCache } from '../../src/domain/channel-config-cache.js';
import { PayloadError } from '../../src/domain/errors.js';
import { parseSafeJson } from '../../src/domain/text.js';
import type { Clock } from '../../src/ports/clock.js';
import type { ChannelAdapter, WebhookOutcome, WebhookReply, WebhookRequest } from '../../src/ports/channel-adapter.js';
import { configFields, parseDingtalkConfig, secretFields } from './config.js';
import { toInboundMessage } from './parse.js';
import type { RateLimit } from './rate-limit.js';
import { createDingtalkSender, type DingtalkSender } from './send.js';
import { verifyDingtalkSignature } from './sign.js';
import type { DingtalkTokenCache } from './token-cache.js';

export interface DingtalkHttpAdapterOptions {
  /** DINGTALK_API_BASE. */
  apiBase: string;
  /** WEBHOOK_MAX_SKEW_S; 0 turns the window off. DingTalk's own limit is 1 h (§3). */
  maxSkewS: number;
  timeoutMs?: number;
  logger?: Logger;
  /** Share one cache with the Stream adapter: one token per app (§2.3). */
  tokens?: DingtalkTokenCache;
  clock?: Clock;
  /** Share one sender with the Stream adapter so both modes of a robot count against one rate limit. */
  sender?: DingtalkSender;
  rateLimit?: RateLimit;
  sessionWebhookOrigins?: string[];
}

/**
 * "answer 200 {"msgtype":"empty"} quickly and reply asynchronously" (§3; the synchronous-reply
 * format is UNVERIFIED there, and "empty" is what adapters send for no reply).
 */
export const DINGTALK_HTTP_ACK: WebhookReply = { status: 200, contentType: 'application/json', body: '{"msgtype":"empty"}' };

export function createDingtalkHttpAdapter(opts: DingtalkHttpAdapterOptions): ChannelAdapter {
  const now = (): Date => opts.clock?.now() ?? new Date();
  const sender = opts.sender ?? createDingtalkSender({
    apiBase: opts.apiBase, timeoutMs: opts.timeoutMs, tokens: opts.tokens, now, logger: opts.logger,
    rateLimit: opts.rateLimit, sessionWebhookOrigins: opts.sessionWebhookOrigins,
  });
  const configOf = dingtalkConfigCache();

  return {
    kind: 'dingtalk_http',
    label: '钉钉机器人 · HTTP 回调',
    secretFields,
    configFields,
    // No idempotency key at DingTalk: an unknown outcome is shown to agents, never resent (issue #4).
    safeToResend: false,
    parseConfig: parseDingtalkConfig,
    async testConnection(channel: Channel): Promise<void> {
      // The token proves clientId + clientSecret; the callback signature uses the same secret.
      const config = parseDingtalkConfig(channel.config);
      await sender.tokens.refresh({ clientId: config.clientId, clientSecret: config.clientSecret });
    },
    handleWebhook(channel: Channel, request: WebhookRequest): WebhookOutcome {
      if (request.method !== 'POST') throw new PayloadError('dingtalk_http callbacks are POSTs');
      const config = configOf(channel);
      // Checked before the body is even parsed: an unsigned caller learns nothing about parsing.
      verifyDingtalkSignature({
        timestamp: header(request, 'timestamp'), sign: header(request, 'sign'),
        appSecret: config.clientSecret, maxSkewS: opts.maxSkewS, now: now(),
      });
      let payload: unknown;
      try {
        payload = parseSafeJson(request.rawBody.toString('utf8')); // issue 11: NUL in text or nick answered 500
      } catch {
        throw new PayloadError('dingtalk callback body is not JSON');
      }
      const message = toInboundMessage(payload, { robotCode: config.robotCode, now: now() });
      if (message === null) opts.logger?.debug({ channelId: channel.id }, 'dingtalk group message without @robot ignored');
      return { type: 'messages', messages: message === null ? [] : [message], reply: DINGTALK_HTTP_ACK };
    },
    send(channel, to, message) {
      return sender.send(configOf(channel, true), to, message);
    },
  };
}

/** Header names are case-insensitive (§3 Koa notes); the edge normally lower-cases them already. */
function header(request: WebhookRequest, name: string): string | undefined {
  const direct = request.headers[name];
  if (direct !== undefined) return direct;
  const key = Object.keys(request.headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : request.headers[key];
}

/** Parsed config per channel config object (see src/domain/channel-config-cache.ts). */
export const dingtalkConfigCache = () => configCache(parseDingtalkConfig);
