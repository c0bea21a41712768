/**
 * Access tokens per (corpId, secret) (protocols/wecom.md §5.2, https://developer.work.weixin.qq.com/document/path/91039):
 * "开发者需要缓存access_token … 不能频繁调用gettoken接口，否则会受到频率拦截". An L1 cache only: losing it
 * costs one gettoken per process, so it is never persisted.
 */
import { createHash } from 'node:crypto';
import NodeCache from 'node-cache';
import { PlatformError } from '../../src/domain/errors.js';
import { callWecom, type AccessTokenSource, type AppCredentials } from './api-client.js';

// Re-exported: the adapters have always taken the credentials type from here.
export type { AppCredentials };

export interface TokenCacheOptions {
  apiBase: string;
  timeoutMs: number;
  /** Refresh this long before WeCom's expires_in (default 300 s), so no call carries a token about to lapse. */
  refreshMarginS?: number;
}

export class AccessTokenCache implements AccessTokenSource {
  private readonly cache = new NodeCache({ stdTTL: 0, checkperiod: 0, useClones: false });
  /** Single flight: concurrent callers share one gettoken instead of tripping its rate limit. */
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly opts: TokenCacheOptions) {}

  async get(creds: AppCredentials): Promise<string> {
    const key = cacheKey(creds);
    const cached = this.cache.get<string>(key);
    if (cached !== undefined) return cached;
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.fetchToken(creds, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /**
   * A token fetched now, not taken from the cache (an admin's connection test: the secret may have
   * changed on WeCom's side since the cached token was issued). The fresh token replaces the cached one.
   */
  async refresh(creds: AppCredentials): Promise<string> {
    this.cache.del(cacheKey(creds));
    return this.get(creds);
  }

  /**
   * Drops the cached token after WeCom refused it (40014/42001; it may revoke tokens early, §5.2).
   * With `staleToken`, a token another caller has already replaced is left alone, so a burst of
   * refusals causes one refresh, not one per caller.
   */
  invalidate(creds: AppCredentials, staleToken?: string): void {
    const key = cacheKey(creds);
    if (staleToken === undefined || this.cache.get<string>(key) === staleToken) this.cache.del(key);
  }

  private async fetchToken(creds: AppCredentials, key: string): Promise<string> {
    const query = new URLSearchParams({ corpid: creds.corpId, corpsecret: creds.secret });
    const body = await callWecom(`${this.opts.apiBase}/cgi-bin/gettoken?${query.toString()}`, { method: 'GET' }, {
      timeoutMs: this.opts.timeoutMs,
      what: '/cgi-bin/gettoken',
      hasEffects: false,
    });
    const token = body.access_token;
    const expiresIn = body.expires_in;
    if (typeof token !== 'string' || token === '' || typeof expiresIn !== 'number' || expiresIn <= 0) {
      throw new PlatformError('WeCom /cgi-bin/gettoken: response without access_token/expires_in', { retryable: true });
    }
    this.cache.set(key, token, this.ttlFor(expiresIn));
    return token;
  }

  private ttlFor(expiresIn: number): number {
    const margin = this.opts.refreshMarginS ?? 300;
    const ttl = expiresIn > margin * 2 ? expiresIn - margin : Math.floor(expiresIn / 2);
    return Math.max(1, ttl); // node-cache treats 0 as "never expires"
  }
}

/** Hashed so the secret is not a readable map key in heap dumps or debug output. */
function cacheKey(creds: AppCredentials): string {
  return createHash('sha256').update(`${creds.corpId}\u0000${creds.secret}`).digest('hex');
}
