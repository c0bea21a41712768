/**
 * The `dingtalk_stream` channel (DESIGN.md §4.3): robot messages arrive over a Stream connection
 * the connector role opens per enabled channel (protocols/dingtalk.md §1); replies go out over
 * HTTP (sessionWebhook or the robot OpenAPI, §2.2-2.3) — never over the socket (§2.1).
 */
import type { Logger } from 'pino';
import type { Channel } from '../../src/domain/channel.js';
import type { ChannelAdapter, DeliverMessages, OutgoingMessage, PlatformConnection, ReportConnection, SendReceipt, SendTarget } from '../../src/ports/channel-adapter.js';
import { configFields, parseDingtalkConfig, secretFields } from './config.js';
import { createDingtalkSender } from './send.js';
import { openStreamConnection, type StreamBackoff } from './stream-connection.js';

type SenderOptions = Parameters<typeof createDingtalkSender>[0];

export interface DingtalkStreamAdapterOptions {
  /** DINGTALK_API_BASE, e.g. https://api.dingtalk.com: the gateway open call and the OpenAPI. */
  apiBase: string;
  /** Per platform call; default 10 s. */
  timeoutMs?: number;
  logger?: Logger;
  /** Share one token cache with the dingtalk_http adapter (one token per app, §2.3). */
  tokens?: SenderOptions['tokens'];
  /** Share one sender with the dingtalk_http adapter: both modes of a robot count against one rate limit. */
  sender?: ReturnType<typeof createDingtalkSender>;
  /** Reconnect backoff; default 1 s → 60 s. */
  backoff?: StreamBackoff;
}

export function createDingtalkStreamAdapter(opts: DingtalkStreamAdapterOptions): ChannelAdapter {
  const sender = opts.sender ?? createDingtalkSender({ apiBase: opts.apiBase, timeoutMs: opts.timeoutMs, tokens: opts.tokens, logger: opts.logger });
  return {
    kind: 'dingtalk_stream',
    label: '钉钉机器人 · Stream 模式',
    secretFields,
    configFields,
    // DingTalk has no idempotency key: an unknown outcome must not be resent blindly (issue 4).
    safeToResend: false,
    parseConfig: parseDingtalkConfig,
    async testConnection(channel) {
      // The robot OpenAPI token proves clientId + clientSecret; the Stream socket is the connector's.
      const config = parseDingtalkConfig(channel.config);
      await sender.tokens.refresh({ clientId: config.clientId, clientSecret: config.clientSecret });
    },
    connect(channel: Channel, deliver: DeliverMessages, report?: ReportConnection): Promise<PlatformConnection> {
      const logger = opts.logger?.child({ channelId: channel.id });
      return openStreamConnection({
        config: parseDingtalkConfig(channel.config), apiBase: opts.apiBase, deliver, logger,
        backoff: opts.backoff, timeoutMs: opts.timeoutMs, report,
      });
    },
    send(channel: Channel, to: SendTarget, message: OutgoingMessage): Promise<SendReceipt> {
      return sender.send(parseDingtalkConfig(channel.config), to, message);
    },
  };
}
