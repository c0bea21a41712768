/**
 * The 微信客服 (WeChat Customer Service) channel, protocols/wecom.md §4. Callbacks carry no
 * content, only a notice with a pull Token (§4.1): the adapter answers it with a 'pull' outcome
 * and the core pulls with sync_msg in a job, never inside the 5 s callback deadline (§1.5).
 */
import type { Channel } from '../../src/domain/channel.js';
import { PlatformError } from '../../src/domain/errors.js';
import { systemClock } from '../../src/ports/clock.js';
import type {
  ChannelAdapter, OutgoingMessage, PullPage, PullRequest, SendReceipt, SendTarget, WebhookOutcome, WebhookRequest,
} from '../../src/ports/channel-adapter.js';
import { WecomApiClient } from './api-client.js';
import { WecomKfApi, type SyncMsgPage, type SyncMsgRequest } from './kf-api.js';
import { configFields, parseConfig, secretFields, type WecomKfConfig } from './kf-config.js';
import { KfCustomerNames } from './kf-customers.js';
import { toInboundMessages } from './kf-parse.js';
import { endKf, kfTarget, sendKf, transferKf } from './kf-send.js';
import { detectKfNotice } from './parse.js';
import { AccessTokenCache, type AppCredentials } from './token-cache.js';
import { configCache } from '../../src/domain/channel-config-cache.js';
import { cryptoSettings, decryptCallback, emptyAck, verifyUrl, type WecomAdapterOptions } from './webhook.js';

export type WecomKfAdapterOptions = WecomAdapterOptions;

/**
 * UNVERIFIED: the errcode sync_msg answers for a Token it no longer accepts (95007 "不合法的msgtoken"
 * in WeCom's global error list, not confirmed here). The Token only lifts a rate limit (§4.2), so the
 * pull is retried once without it.
 */
export const PULL_TOKEN_REFUSED_ERRCODE = 95007;

/** sync_msg's maximum page (§4.2). */
const PULL_LIMIT = 1000;

export function createWecomKfAdapter(opts: WecomKfAdapterOptions): ChannelAdapter {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const tokens = opts.tokens ?? new AccessTokenCache({ apiBase: opts.apiBase, timeoutMs });
  const client = new WecomApiClient({ apiBase: opts.apiBase, timeoutMs, tokens });
  const api = new WecomKfApi(client);
  const names = new KfCustomerNames(client, opts.logger);
  const clock = opts.clock ?? systemClock;
  const configOf = configCache(parseConfig);
  const credsOf = (channel: Channel): { config: WecomKfConfig; creds: AppCredentials } => {
    const config = configOf(channel, true);
    return { config, creds: { corpId: config.corpId, secret: config.secret } };
  };

  return {
    kind: 'wecom_kf',
    label: '企业微信 · 微信客服',
    secretFields,
    configFields,
    // send_msg carries our msgid (derived from the outbox id), so a resend cannot deliver twice.
    safeToResend: true,
    // "48小时内 … 最多可发送5条消息" after each customer message (§4.3).
    replyWindow: { hours: 48, maxMessages: 5 },
    // Issue 11: an answer minutes late still helps the customer, an hour late it does not, and
    // each late one uses up one of the 5 messages the 48-hour window allows (§4.3), which the
    // agent taking over may need. Resending is safe for longer: the msgid dedupes it.
    retryWindowMs: 30 * 60_000,
    parseConfig,
    async testConnection(channel: Channel): Promise<void> {
      const config = parseConfig(channel.config);
      await tokens.refresh({ corpId: config.corpId, secret: config.secret });
    },
    handleWebhook(channel: Channel, request: WebhookRequest): WebhookOutcome {
      const config = configOf(channel);
      const settings = cryptoSettings(config, opts.maxSkewS, clock);
      if (request.method === 'GET') return verifyUrl(settings, request);
      const notice = detectKfNotice(decryptCallback(settings, request));
      if (notice === null || (config.openKfIds !== undefined && !config.openKfIds.includes(notice.openKfId))) {
        // App events, or another kf account the same app manages: acknowledged, nothing stored.
        opts.logger?.debug({ channelId: channel.id, openKfId: notice?.openKfId }, 'wecom_kf ignores a callback');
        return { type: 'messages', messages: [], reply: emptyAck() };
      }
      return { type: 'pull', source: notice.openKfId, token: notice.token, reply: emptyAck() };
    },
    async pull(channel: Channel, request: PullRequest): Promise<PullPage> {
      const { creds } = credsOf(channel);
      const page = await syncOnce(api, creds, request);
      const messages = toInboundMessages(page.msgList, { openKfId: request.source, now: clock.now() });
      await names.annotate(creds, messages);
      return {
        messages,
        // No next_cursor (an empty page): stay where we were rather than restart 3 days back.
        nextCursor: page.nextCursor ?? request.cursor,
        hasMore: page.hasMore,
      };
    },
    async send(channel: Channel, to: SendTarget, message: OutgoingMessage): Promise<SendReceipt> {
      const { creds } = credsOf(channel);
      const msgid = await sendKf(api, creds, kfTarget(to), message, opts.logger);
      return { platformMessageId: msgid };
    },
    keepsHandedOffSessions: (channel: Channel) => credsOf(channel).config.handoffMode === 'wecom',
    async transferToHuman(channel: Channel, to: SendTarget): Promise<void> {
      const { config, creds } = credsOf(channel);
      // 'console': agents answer here, so the WeCom session stays with the API (state 1).
      if (config.handoffMode === 'wecom') await transferKf(api, creds, config, kfTarget(to), opts.logger);
    },
    async endSession(channel: Channel, to: SendTarget): Promise<void> {
      const { config, creds } = credsOf(channel);
      if (config.handoffMode === 'wecom') await endKf(api, creds, kfTarget(to));
    },
    async fetchMedia(channel: Channel, mediaId: string): Promise<{ contentType: string; body: Buffer }> {
      return api.getMedia(credsOf(channel).creds, mediaId);
    },
  };
}

/** One sync_msg call, with the callback Token while the core still holds one (§4.2). */
async function syncOnce(api: WecomKfApi, creds: AppCredentials, request: PullRequest): Promise<SyncMsgPage> {
  const body = (token: string | null): SyncMsgRequest => ({
    ...(request.cursor ? { cursor: request.cursor } : {}),
    ...(token ? { token } : {}),
    limit: PULL_LIMIT,
    voice_format: 0,
    open_kfid: request.source,
  });
  try {
    return await api.syncMsg(creds, body(request.token));
  } catch (err) {
    const refused = err instanceof PlatformError && err.platformCode === String(PULL_TOKEN_REFUSED_ERRCODE);
    if (!refused || !request.token) throw err;
    return api.syncMsg(creds, body(null));
  }
}
