/**
 * The 企业微信 智能机器人 channel (`wecom_bot`) in callback mode (protocols/wecom.md §6). Callbacks
 * and replies are encrypted JSON with receiveid "" (§1.4, §6.1). The bot has no send API in this
 * mode (§7.13): a user message is answered with a stream whose id names it, and WeCom then polls
 * that stream (流式消息刷新, §6.2) until we say it is finished, for at most 6 minutes. So replies
 * wait in the outbox and each refresh takes what is ready (ChannelAdapter.pollDelivery).
 */
import { randomInt } from 'node:crypto';
import { NotFoundError, PayloadError, PlatformError } from '../../src/domain/errors.js';
import type { Channel } from '../../src/domain/channel.js';
import { isSafeText, parseSafeJson } from '../../src/domain/text.js';
import type { Clock } from '../../src/ports/clock.js';
import type { ChannelAdapter, WebhookOutcome, WebhookReply, WebhookRequest } from '../../src/ports/channel-adapter.js';
import type { MediaFiles } from '../../src/ports/media-files.js';
import { configCache } from '../../src/domain/channel-config-cache.js';
import type { Logger } from 'pino';
import { configFields, DEFAULT_HANDOFF_BUTTON_MARGIN, isLongConnection, parseConfig, secretFields, type WecomBotConfig } from './bot-config.js';
import { openBotConnection, type BotLongConnection } from './bot-connection.js';
import { DownloadSlots, MediaFetcher } from './bot-media.js';
import { parseBotCallback } from './bot-parse.js';
import { encrypt, sign, verifyAndDecrypt, type CryptoSettings } from './crypto.js';
import { emptyAck, signedQuery, verifyUrl } from './webhook.js';

/** "从用户发消息开始最多等待6min" (100719): WeCom stops polling a stream after six minutes. */
export const STREAM_WINDOW_MS = 6 * 60_000;

export interface WecomBotAdapterOptions {
  /** WEBHOOK_MAX_SKEW_S; 0 turns the replay window off. */
  maxSkewS: number;
  clock?: Clock;
  /** WECOM_BOT_WS_URL: where long-connection channels dial (issue 15). */
  wsUrl?: string;
  logger?: Logger;
  /** First reconnect delay of a long connection (the SDK doubles it up to 30 s); default 1 s. */
  reconnectMs?: number;
  /** issue 15 item 2: where a long connection keeps the files members send; without it, only their ids are stored. */
  media?: MediaFiles;
  /** Largest file kept; default 20 MiB (a larger one is marked unavailable). */
  mediaMaxBytes?: number;
  /** Waits between download attempts (bot-media.ts DEFAULT_RETRY_DELAYS_MS). */
  mediaRetryDelaysMs?: readonly number[];
}

export const MEDIA_MAX_BYTES = 20 * 1024 * 1024;
/** One attempt, connection to last byte: a 20 MiB file at a slow 1 MB/s still fits. */
const MEDIA_TIMEOUT_MS = 30_000;

/**
 * A stream's id is the user message's msgid, reversibly encoded: a WeCom retry of the callback
 * gets the same stream, and a refresh names the message it is for without a lookup table.
 */
export const streamIdOf = (msgid: string): string => Buffer.from(msgid, 'utf8').toString('base64url');

function msgidOf(streamId: string): string {
  const msgid = /^[A-Za-z0-9_-]+$/.test(streamId) ? Buffer.from(streamId, 'base64url').toString('utf8') : '';
  if (!msgid || !isSafeText(msgid) || streamIdOf(msgid) !== streamId) throw new PayloadError('[-40008] refresh for a stream we did not open');
  return msgid;
}

export function createWecomBotAdapter(opts: WecomBotAdapterOptions): ChannelAdapter {
  const configOf = configCache(parseConfig);
  const now = () => opts.clock?.now() ?? new Date();
  /** Long connections this process holds, by channel id (the connector's lease says which). */
  const live = new Map<string, BotLongConnection>();
  /** One per channel, kept across reconnections: a file is downloaded once however often its frame comes. */
  const fetchers = new Map<string, MediaFetcher>();
  const wsUrl = opts.wsUrl ?? 'wss://openws.work.weixin.qq.com';
  // Review item 6: one set of download slots for the whole process, not one per channel.
  const slots = new DownloadSlots();
  const fetcherFor = (channelId: string): MediaFetcher | undefined => {
    if (!opts.media) return undefined;
    let fetcher = fetchers.get(channelId);
    if (!fetcher) {
      fetcher = new MediaFetcher({
        store: opts.media, channelId, slots, now: () => now().getTime(), retryDelaysMs: opts.mediaRetryDelaysMs, logger: opts.logger?.child({ channelId }),
        policy: { gatewayUrl: wsUrl, maxBytes: opts.mediaMaxBytes ?? MEDIA_MAX_BYTES, timeoutMs: MEDIA_TIMEOUT_MS },
      });
      fetchers.set(channelId, fetcher);
    }
    return fetcher;
  };
  const longConnection = (channel: Channel) => {
    try {
      return isLongConnection(configOf(channel));
    } catch {
      return false;
    }
  };

  return {
    kind: 'wecom_bot',
    label: '企业微信 · 智能机器人',
    secretFields,
    configFields,
    // A refresh repeats the whole text so far (replace semantics, §6.2), so handing it over again is harmless.
    safeToResend: true,
    // issue 15: over the long connection an unacked send (stream reply or aibot_send_msg) may have
    // reached the chat, and a resend would be a second message: never resent, left `unknown`.
    resendSafeFor: (channel) => !longConnection(channel),
    pollDelivery: { windowMs: STREAM_WINDOW_MS },
    parseConfig,
    // issue 15: long-connection channels hold one WebSocket per bot, on one process (a newer
    // connection of the same bot kicks the older): the connector's lease, and sends go through it.
    connectsFor: longConnection,
    exclusiveConnection: true,
    sendsOverConnection: longConnection,
    connectedHere: (channelId) => live.has(channelId),
    async connect(channel, deliver, report, actions) {
      const config = configOf(channel);
      if (!isLongConnection(config)) throw new PlatformError('a 智能机器人 in callback mode does not connect', { retryable: false });
      const media = fetcherFor(channel.id);
      const connection = openBotConnection({
        botId: config.botId, secret: config.secret, wsUrl,
        deliver, media, report, actions, logger: opts.logger?.child({ channelId: channel.id }), reconnectMs: opts.reconnectMs,
        welcome: () => channel.welcomeMessage,
      });
      live.get(channel.id)?.close().catch(() => undefined);
      live.set(channel.id, connection);
      // Review item 5: this process now holds the channel's lease: what an earlier holder left pending is fetched here.
      void media?.resume();
      return {
        close: async () => {
          if (live.get(channel.id) === connection) live.delete(channel.id);
          await connection.close();
        },
      };
    },
    handleWebhook(channel, request) {
      const config = configOf(channel);
      if (isLongConnection(config)) throw new PayloadError('this 智能机器人 channel uses the long connection, not callbacks');
      const settings: CryptoSettings = { token: config.token!, encodingAesKey: config.encodingAesKey!, receiveId: '', maxSkewS: opts.maxSkewS, now: now() };
      return request.method === 'GET' ? verifyUrl(settings, request) : receive(settings, config, channel, request, now());
    },
    async send(channel, to, message) {
      if (!longConnection(channel)) throw new PlatformError('a 智能机器人 in callback mode has no send API: WeCom fetches replies by polling', { retryable: false });
      const connection = live.get(channel.id);
      if (!connection) throw new PlatformError('this process does not hold the bot\'s long connection', { retryable: true });
      return connection.send(to, message, { handoffButton: offersHandoff(channel, configOf(channel), message.confidence) });
    },
    // issue 15 item 2: a long connection's files, kept when their message came (bot-media.ts).
    async fetchMedia(channel, mediaId) {
      const found = await opts.media?.get(channel.id, mediaId, now());
      if (!found || found.state === 'pending') throw new NotFoundError('MEDIA.NOT_FOUND', 'this file has not been downloaded from WeCom (yet)');
      if (found.state === 'unavailable') throw new NotFoundError('MEDIA.UNAVAILABLE', `this file could not be downloaded from WeCom: ${found.reason}`);
      const { contentType, body, fileName } = found.file;
      return fileName ? { contentType, body, fileName } : { contentType, body };
    },
  };
}

/**
 * issue 15: a bot answer the bot was barely sure of (confidence within handoffButtonMargin above the
 * channel's threshold) carries a 转人工 button.
 */
function offersHandoff(channel: Channel, config: WecomBotConfig, confidence: number | undefined): boolean {
  const margin = config.handoffButtonMargin ?? DEFAULT_HANDOFF_BUTTON_MARGIN;
  if (confidence === undefined || margin <= 0) return false;
  const threshold = channel.model.threshold;
  return confidence >= threshold && confidence < threshold + margin;
}

function receive(settings: CryptoSettings, config: WecomBotConfig, channel: Channel, request: WebhookRequest, now: Date): WebhookOutcome {
  const query = signedQuery(request);
  const encrypted = envelope(request.rawBody);
  const callback = parseBotCallback(verifyAndDecrypt(settings, { ...query, encrypted }), now);
  if (config.botId && callback.botId !== config.botId) throw new PayloadError('[-40008] callback for another bot (aibotid)');
  const reply = (plain: object): WebhookReply => encryptedReply(settings, JSON.stringify(plain), now);

  switch (callback.type) {
    case 'message': {
      const id = streamIdOf(callback.message.platformMessageId);
      return { type: 'messages', messages: [callback.message], reply: reply(stream(id, '', false)) };
    }
    case 'refresh': {
      const ref = msgidOf(callback.streamId);
      return { type: 'poll', ref, answer: (ready) => reply(stream(callback.streamId, ready.texts.join('\n\n'), ready.final)) };
    }
    case 'enter': {
      // The one moment a plain text reply is allowed (101031): the channel's welcome, if it has one.
      const welcome = channel.welcomeMessage?.trim();
      return { type: 'messages', messages: [callback.message], reply: welcome ? reply({ msgtype: 'text', text: { content: welcome } }) : emptyAck() };
    }
    case 'other':
      return { type: 'messages', messages: [callback.message], reply: emptyAck() };
  }
}

const stream = (id: string, content: string, finish: boolean) => ({ msgtype: 'stream', stream: { id, finish, content } });

/** The POST body: `{"encrypt": "…"}` and nothing we rely on beside it. */
function envelope(rawBody: Buffer): string {
  let body: unknown;
  try {
    body = parseSafeJson(rawBody.toString('utf8'));
  } catch {
    throw new PayloadError('[-40002] callback body is not JSON');
  }
  const encrypted = (body as { encrypt?: unknown } | null)?.encrypt;
  if (typeof encrypted !== 'string' || encrypted === '') throw new PayloadError('[-40002] callback body without encrypt');
  return encrypted;
}

/** The passive reply envelope (§1.4, JSON form): every value a string, `msgsignature` without underscore. */
function encryptedReply(settings: CryptoSettings, plain: string, now: Date): WebhookReply {
  const encryptedText = encrypt(settings.encodingAesKey, plain, settings.receiveId);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = String(randomInt(100_000_000, 999_999_999));
  const body = { encrypt: encryptedText, msgsignature: sign(settings.token, timestamp, nonce, encryptedText), timestamp, nonce };
  return { status: 200, contentType: 'application/json', body: JSON.stringify(body) };
}
