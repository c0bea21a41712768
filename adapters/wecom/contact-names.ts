/**
 * Members' names for the self-built app channel (issue 14 item 1: customers appeared as raw userids).
 * 读取成员 https://developer.work.weixin.qq.com/document/path/90196 (服务商代开发 copy: …/96255):
 * `GET /cgi-bin/user/get?access_token=…&userid=…` answers `{errcode:0, userid, name, …}`. "应用只能获取
 * 可见范围内的成员信息": a member outside the app's 应用可见范围 answers 60011 (no privilege), one that
 * does not exist 60111, an app without contact rights 48002.
 *
 * Names are a convenience and never cost a message: a lookup is cached per (corp, userid), shared by
 * concurrent callers, and waited for at most LOOKUP_BUDGET_MS inside the callback (WeCom gives the
 * whole callback 5 s); one that takes longer finishes in the background and names the member's next
 * message. Any failure leaves the name unknown (null), and is cached briefly so a burst of
 * messages makes one call.
 */
import NodeCache from 'node-cache';
import type { Logger } from 'pino';
import { PlatformError } from '../../src/domain/errors.js';
import type { InboundMessage } from '../../src/domain/message.js';
import type { WecomApiClient } from './api-client.js';
import type { AppCredentials } from './token-cache.js';

/** A known name is kept for hours: people rarely rename, and a stale name is only a label. */
const HIT_TTL_S = 6 * 3600;
/** A failure is retried after a few minutes (an admin may be fixing the visible range right now). */
const MISS_TTL_S = 5 * 60;
/** Bounded: one entry per member who wrote recently; past this, lookups are simply not cached. */
const MAX_ENTRIES = 50_000;
/**
 * How long a callback waits for a name before committing without one. Short (issue 14 review: it
 * was 1 s): the wait sits in front of the message's commit and ack for every new member while the
 * contact API is slow, and a name that comes later still names the member's next message.
 */
export const LOOKUP_BUDGET_MS = 300;

/** "No privilege" answers: the member is outside the app's visible range, or the app may not read contacts. */
const NO_PRIVILEGE = new Set(['60011', '48002']);

/** What the cache holds: a name, or '' for "looked up, none to be had". */
type Entry = string;

export class WecomContactNames {
  private readonly cache = new NodeCache({ stdTTL: HIT_TTL_S, checkperiod: 600, maxKeys: MAX_ENTRIES, useClones: false });
  private readonly inflight = new Map<string, Promise<Entry>>();
  /** Channels already warned about the visible range: one warning each, not one per message. */
  private readonly warned = new Set<string>();

  constructor(
    private readonly client: WecomApiClient,
    private readonly logger?: Logger,
    private readonly budgetMs = LOOKUP_BUDGET_MS,
  ) {}

  /** Fills in `contact.name` of the messages whose sender's name is known or found within the budget. */
  async annotate(channelId: string, creds: AppCredentials, messages: InboundMessage[]): Promise<void> {
    const ids = [...new Set(messages.map((m) => m.contact.externalId))];
    const names = new Map<string, string>();
    await Promise.all(ids.map(async (id) => {
      const name = await this.within(this.lookup(channelId, creds, id));
      if (name) names.set(id, name);
    }));
    for (const m of messages) {
      const name = names.get(m.contact.externalId);
      if (name) m.contact.name = name;
    }
  }

  private async within(pending: Promise<Entry>): Promise<Entry> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<Entry>((resolve) => {
      timer = setTimeout(() => resolve(''), this.budgetMs);
    });
    try {
      return await Promise.race([pending, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Never rejects: a failure is '' (and logged). */
  private lookup(channelId: string, creds: AppCredentials, userid: string): Promise<Entry> {
    const key = `${creds.corpId}\u0000${userid}`;
    const cached = this.cache.get<Entry>(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.fetch(creds, userid)
        .then((name) => {
          this.remember(key, name, name ? HIT_TTL_S : MISS_TTL_S);
          return name;
        }, (err: unknown) => {
          this.remember(key, '', MISS_TTL_S);
          this.report(channelId, userid, err);
          return '';
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetch(creds: AppCredentials, userid: string): Promise<Entry> {
    const res = await this.client.get(creds, '/cgi-bin/user/get', { userid });
    const name = typeof res.name === 'string' ? res.name.trim() : '';
    // Third-party apps get the userid back in place of the name: that is no name.
    return name && name !== userid ? name : '';
  }

  private remember(key: string, entry: Entry, ttlS: number): void {
    try {
      this.cache.set(key, entry, ttlS);
    } catch {
      // Full (node-cache throws past maxKeys): this one goes uncached until entries expire.
    }
  }

  private report(channelId: string, userid: string, err: unknown): void {
    const code = err instanceof PlatformError ? err.platformCode : undefined;
    if (code !== undefined && NO_PRIVILEGE.has(code)) {
      if (this.warned.has(channelId)) return;
      this.warned.add(channelId);
      this.logger?.warn(
        { channelId, userid, errcode: code },
        "WeCom would not tell this member's name (errcode " + code + '): they are outside the app\'s 应用可见范围 (visible range). '
          + 'In the WeCom admin console open 应用管理 → this app → 可见范围 and add the members or departments who write to it '
          + '(and, for 48002, give the app access to the contacts). Until then agents see their userid. Logged once per channel.',
      );
      return;
    }
    this.logger?.debug({ channelId, userid, err: (err as Error)?.message }, 'WeCom member name not fetched');
  }
}
