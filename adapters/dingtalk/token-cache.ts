/**
 * Robot OpenAPI access tokens (protocols/dingtalk.md §2.3): POST /v1.0/oauth2/accessToken
 * {appKey, appSecret} → {accessToken, expireIn: 7200}. The docs ask to cache it for a little
 * under 7,200 s and not to call it often, so one cache is shared by every channel of a process
 * (Stream and HTTP alike), keyed per clientId, with single flight and an early refresh.
 */
import { createHash } from 'node:crypto';
import { PlatformError } from '../../src/domain/errors.js';
import { callDingtalk } from './http-call.js';

export interface DingtalkCredentials {
  clientId: string;
  clientSecret: string;
}

export interface DingtalkTokenCacheOptions {
  /** DINGTALK_API_BASE, e.g. https://api.dingtalk.com */
  apiBase: string;
  timeoutMs?: number;
  /** Refresh this long before expireIn (default 300 s, as the Python SDK does, §2.3). */
  refreshMarginS?: number;
  now?: () => Date;
}

export class DingtalkTokenCache {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  /** Concurrent sends share one token request. */
  private readonly inflight = new Map<string, Promise<string>>();
  /** How many token requests went out; for metrics and tests. */
  fetches = 0;

  constructor(private readonly opts: DingtalkTokenCacheOptions) {}

  async get(creds: DingtalkCredentials): Promise<string> {
    const key = cacheKey(creds);
    const cached = this.tokens.get(key);
    if (cached !== undefined && cached.expiresAt > this.nowMs()) return cached.token;
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.fetchToken(creds, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /** A token fetched now, not from the cache (an admin's connection test); it replaces the cached one. */
  async refresh(creds: DingtalkCredentials): Promise<string> {
    this.tokens.delete(cacheKey(creds));
    return this.get(creds);
  }

  /** After DingTalk refused a token; a token already replaced by another caller is left alone. */
  invalidate(creds: DingtalkCredentials, staleToken?: string): void {
    const key = cacheKey(creds);
    if (staleToken === undefined || this.tokens.get(key)?.token === staleToken) this.tokens.delete(key);
  }

  private async fetchToken(creds: DingtalkCredentials, key: string): Promise<string> {
    this.fetches += 1;
    const body = await callDingtalk(`${this.opts.apiBase}/v1.0/oauth2/accessToken`, {
      what: '/v1.0/oauth2/accessToken',
      body: { appKey: creds.clientId, appSecret: creds.clientSecret },
      timeoutMs: this.opts.timeoutMs ?? 10_000,
      hasEffects: false,
    });
    const token = body.accessToken;
    const expireIn = body.expireIn;
    if (typeof token !== 'string' || token === '' || typeof expireIn !== 'number' || expireIn <= 0) {
      throw new PlatformError('DingTalk /v1.0/oauth2/accessToken: response without accessToken/expireIn', { retryable: true });
    }
    const margin = this.opts.refreshMarginS ?? 300;
    const ttlS = expireIn > margin * 2 ? expireIn - margin : expireIn / 2;
    this.tokens.set(key, { token, expiresAt: this.nowMs() + ttlS * 1000 });
    return token;
  }

  private nowMs(): number {
    return (this.opts.now?.() ?? new Date()).getTime();
  }
}

/** Per clientId; the secret is hashed in so a rotated secret gets a fresh token, and is never a readable key. */
function cacheKey(creds: DingtalkCredentials): string {
  return `${creds.clientId}\u0000${createHash('sha256').update(creds.clientSecret).digest('hex')}`;
}
