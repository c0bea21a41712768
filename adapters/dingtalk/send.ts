/**
 * Replies (protocols/dingtalk.md §2.2, §2.3, §7): through the message's sessionWebhook while it
 * is valid (no auth, about 90 min), otherwise the robot OpenAPI: oToMessages/batchSend for 1:1,
 * groupMessages/send for groups. Replies cannot go over the Stream socket (§2.1).
 */
import type { Logger } from 'pino';
import { PlatformError } from '../../src/domain/errors.js';
import type { OutgoingMessage, SendReceipt, SendTarget } from '../../src/ports/channel-adapter.js';
import type { DingtalkConfig } from './config.js';
import { callDingtalk, isTokenRefusal, type DingtalkJson } from './http-call.js';
import { GROUP_PREFIX } from './parse.js';
import { RobotRateLimiter, type RateLimit } from './rate-limit.js';
import { DingtalkTokenCache } from './token-cache.js';

export interface DingtalkSenderOptions {
  /** DINGTALK_API_BASE. */
  apiBase: string;
  /** Per platform call; default 10 s. */
  timeoutMs?: number;
  tokens?: DingtalkTokenCache;
  now?: () => Date;
  logger?: Logger;
  /** Per robotCode; default 20 a minute (§2.2). */
  rateLimit?: RateLimit;
  /**
   * Origins a sessionWebhook may point at. The HTTP-mode signature does not cover the body (§3),
   * so a replayed callback could carry any URL; default: DingTalk's hosts and apiBase's origin.
   */
  sessionWebhookOrigins?: string[];
  /** A webhook this close to its expiry is not used (the send itself takes time); default 60 s. */
  sessionMarginMs?: number;
}

export interface DingtalkSender {
  send(config: DingtalkConfig, to: SendTarget, message: OutgoingMessage): Promise<SendReceipt>;
  readonly limiter: RobotRateLimiter;
  /** The robot's access tokens; the adapters' connection test fetches one fresh through it. */
  readonly tokens: DingtalkTokenCache;
}

export function createDingtalkSender(opts: DingtalkSenderOptions): DingtalkSender {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const now = opts.now ?? (() => new Date());
  const tokens = opts.tokens ?? new DingtalkTokenCache({ apiBase: opts.apiBase, timeoutMs, now });
  const limiter = new RobotRateLimiter(opts.rateLimit);
  const origins = new Set(opts.sessionWebhookOrigins ?? ['https://oapi.dingtalk.com', 'https://api.dingtalk.com', new URL(opts.apiBase).origin]);
  const marginMs = opts.sessionMarginMs ?? 60_000;

  function usableWebhook(address: Record<string, string>): string | undefined {
    const url = address.sessionWebhook;
    const expires = Number(address.sessionWebhookExpiredTime);
    if (!url || !Number.isFinite(expires) || now().getTime() >= expires - marginMs) return undefined;
    try {
      return origins.has(new URL(url).origin) ? url : undefined;
    } catch {
      return undefined;
    }
  }

  async function viaSession(url: string, to: Target, text: string): Promise<SendReceipt | undefined> {
    const body: DingtalkJson = markdownTitle(text) === undefined
      ? { msgtype: 'text', text: { content: text } }
      : { msgtype: 'markdown', markdown: { title: markdownTitle(text), text } };
    if (to.group && to.staffId) body.at = { atUserIds: [to.staffId] };
    try {
      await callDingtalk(url, { what: 'sessionWebhook', body, timeoutMs, hasEffects: true });
      return {};
    } catch (err) {
      // A definite refusal that is not throttling (expired or unknown session): nothing was
      // delivered, so the OpenAPI may carry it instead. Unknown outcomes and throttling propagate.
      if (err instanceof PlatformError && !err.retryable && !err.outcomeUnknown) {
        opts.logger?.info({ code: err.platformCode }, 'dingtalk sessionWebhook refused; using the OpenAPI');
        return undefined;
      }
      throw err;
    }
  }

  async function viaOpenApi(config: DingtalkConfig, to: Target, text: string): Promise<SendReceipt> {
    const title = markdownTitle(text);
    const msgKey = title === undefined ? 'sampleText' : 'sampleMarkdown';
    // msgParam is a JSON *string* (§2.3).
    const msgParam = JSON.stringify(title === undefined ? { content: text } : { title, text });
    const path = to.group ? '/v1.0/robot/groupMessages/send' : '/v1.0/robot/oToMessages/batchSend';
    const body = to.group
      ? { robotCode: to.robotCode, openConversationId: to.conversationId, msgKey, msgParam }
      : { robotCode: to.robotCode, userIds: [to.userId], msgKey, msgParam };
    const creds = { clientId: config.clientId, clientSecret: config.clientSecret };
    const call = async (): Promise<DingtalkJson> => {
      const token = await tokens.get(creds);
      try {
        return await callDingtalk(`${opts.apiBase}${path}`, { what: path, body, timeoutMs, hasEffects: true, headers: { 'x-acs-dingtalk-access-token': token } });
      } catch (err) {
        if (!isTokenRefusal(err)) throw err;
        tokens.invalidate(creds, token); // a refused token delivered nothing: one retry is safe
        const fresh = await tokens.get(creds);
        return callDingtalk(`${opts.apiBase}${path}`, { what: path, body, timeoutMs, hasEffects: true, headers: { 'x-acs-dingtalk-access-token': fresh } });
      }
    };
    const answer = await call();
    return typeof answer.processQueryKey === 'string' ? { platformMessageId: answer.processQueryKey } : {};
  }

  return {
    limiter,
    tokens,
    async send(config, to, message) {
      const target = targetOf(config, to);
      await limiter.acquire(target.robotCode);
      const webhook = usableWebhook(to.address ?? {});
      if (webhook !== undefined) {
        const receipt = await viaSession(webhook, target, message.text);
        if (receipt !== undefined) return receipt;
      }
      return viaOpenApi(config, target, message.text);
    },
  };
}

interface Target { group: boolean; robotCode: string; conversationId: string; userId: string; staffId?: string }

/** Group contacts are `group:<conversationId>` (parse.ts); 1:1 contacts are the staff id. */
function targetOf(config: DingtalkConfig, to: SendTarget): Target {
  const address = to.address ?? {};
  const group = address.conversationType === '2' || to.externalId.startsWith(GROUP_PREFIX);
  const conversationId = address.conversationId ?? (group ? to.externalId.slice(GROUP_PREFIX.length) : '');
  const userId = address.senderStaffId ?? to.externalId;
  if (group ? !conversationId : !userId) throw new PlatformError('DingTalk send: no recipient', { retryable: false });
  return { group, robotCode: address.robotCode ?? config.robotCode, conversationId, userId, staffId: address.senderStaffId };
}

/**
 * Markdown when the text has structure (lists, headings, several paragraphs); its title is what
 * DingTalk shows in the chat list. Plain text otherwise, which renders exactly as written.
 */
export function markdownTitle(text: string): string | undefined {
  const structured = /^(?:- |\* |\d+\. |#)/m.test(text) || /\n\s*\n/.test(text.trim());
  if (!structured) return undefined;
  const first = text.trim().split('\n')[0] ?? '';
  const title = first.replace(/^(?:#+\s*|- |\* |\d+\.\s)/, '').trim();
  return (title || '回复').slice(0, 30);
}
