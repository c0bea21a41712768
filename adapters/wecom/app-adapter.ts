/**
 * The WeCom self-built app (自建应用) channel: callbacks per protocols/wecom.md §1.2–§1.3, replies
 * through message/send (§5.3). 微信客服 notices reach the same URL when the app manages a kf
 * account (§4); this adapter acknowledges and ignores them.
 */
import type { Logger } from 'pino';
import type { Channel } from '../../src/domain/channel.js';
import type { InboundMessage } from '../../src/domain/message.js';
import type {
  ChannelAdapter, OutgoingMessage, SendReceipt, SendTarget, WebhookOutcome, WebhookRequest,
} from '../../src/ports/channel-adapter.js';
import { WecomApiClient } from './api-client.js';
import { configFields, parseConfig, secretFields, type WecomAppConfig } from './config.js';
import { WecomContactNames } from './contact-names.js';
import type { CryptoSettings } from './crypto.js';
import { detectKfNotice, toInboundMessage } from './parse.js';
import { DUPLICATE_CHECK_INTERVAL_S, sendText } from './send.js';
import { AccessTokenCache } from './token-cache.js';
import { configCache } from '../../src/domain/channel-config-cache.js';
import { cryptoSettings, decryptCallback, emptyAck, verifyUrl, type WecomAdapterOptions } from './webhook.js';

export type WecomAppAdapterOptions = WecomAdapterOptions;

/**
 * How long a reply is retried while WeCom fails (issue 11): an answer minutes late still answers
 * the member, an hour late it does not. It also keeps every resend inside message/send's
 * duplicate check (send.ts), with five minutes to spare for a slow call and clock drift, so a
 * resend after an unknown outcome cannot reach the member twice.
 */
const RETRY_WINDOW_MS = (DUPLICATE_CHECK_INTERVAL_S - 300) * 1000;

export function createWecomAppAdapter(opts: WecomAppAdapterOptions): ChannelAdapter {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const tokens = opts.tokens ?? new AccessTokenCache({ apiBase: opts.apiBase, timeoutMs });
  const client = new WecomApiClient({ apiBase: opts.apiBase, timeoutMs, tokens });
  const configOf = configCache(parseConfig);
  // issue 14 item 1: members' names from the contact API, so agents see 张三, not zhangsan.
  const names = new WecomContactNames(client, opts.logger);

  return {
    kind: 'wecom_app',
    label: '企业微信 · 自建应用',
    secretFields,
    configFields,
    safeToResend: true,
    retryWindowMs: RETRY_WINDOW_MS,
    parseConfig,
    async testConnection(channel) {
      // gettoken checks corpId + secret only; callback keys are checked by WeCom's URL verification.
      const config = parseConfig(channel.config);
      await tokens.refresh({ corpId: config.corpId, secret: config.secret });
    },
    async handleWebhook(channel, request) {
      const config = configOf(channel);
      const settings = cryptoSettings(config, opts.maxSkewS, opts.clock);
      if (request.method === 'GET') return verifyUrl(settings, request);
      const outcome = receive(settings, request, channel, opts.logger);
      if (outcome.type === 'messages' && outcome.messages.length > 0) await nameSenders(names, channel, config, outcome.messages);
      return outcome;
    },
    async send(channel: Channel, to: SendTarget, message: OutgoingMessage): Promise<SendReceipt> {
      const config = configOf(channel, true);
      const app = { corpId: config.corpId, secret: config.secret, agentId: config.agentId };
      const msgid = await sendText(client, app, to.externalId, message.text);
      return msgid === undefined ? {} : { platformMessageId: msgid };
    },
  };
}

/** Names the senders where WeCom tells (contact-names.ts); never fails the callback. */
async function nameSenders(names: WecomContactNames, channel: Channel, config: WecomAppConfig, messages: InboundMessage[]): Promise<void> {
  await names.annotate(channel.id, { corpId: config.corpId, secret: config.secret }, messages);
}

/** A message callback (§1.3). An empty 200 is the whole answer; replies go out via the API (§1.5). */
function receive(settings: CryptoSettings, request: WebhookRequest, channel: Channel, logger?: Logger): WebhookOutcome {
  const inner = decryptCallback(settings, request);
  const messages: InboundMessage[] = [];
  const kf = detectKfNotice(inner);
  if (kf !== null) {
    // Messages behind it are pulled with sync_msg by a wecom_kf channel (§4.2); acking is all we owe here.
    logger?.debug({ channelId: channel.id, openKfId: kf.openKfId }, 'wecom_app ignores a 微信客服 notice');
  } else {
    messages.push(toInboundMessage(inner));
  }
  return { type: 'messages', messages, reply: emptyAck() };
}
