/**
 * Customers' WeChat nicknames, for agents (issue 3: "the customer (external_userid, nickname when
 * known)"). `POST /cgi-bin/kf/customer/batchget` takes 1–100 ids of customers who wrote in the
 * last 48 hours; others come back in invalid_external_userid. Request and response shape from
 * third-party SDKs (LinkWechat-Scrm WeKfCustomerQuery, wxkefu-rs customer.rs), UNVERIFIED against
 * the official page. Names are a convenience: any failure leaves them unknown, never fails a pull.
 */
import NodeCache from 'node-cache';
import type { Logger } from 'pino';
import type { InboundMessage } from '../../src/domain/message.js';
import type { WecomApiClient } from './api-client.js';
import type { AppCredentials } from './token-cache.js';

const BATCH = 100;

export class KfCustomerNames {
  /** Per corp and customer; an hour is plenty for a display name. */
  private readonly known = new NodeCache({ stdTTL: 3600, checkperiod: 600, maxKeys: 50_000 });

  constructor(private readonly client: WecomApiClient, private readonly logger?: Logger) {}

  /** Fills in `contact.name` of customer messages whose customer has a known nickname. */
  async annotate(creds: AppCredentials, messages: InboundMessage[]): Promise<void> {
    const key = (id: string) => `${creds.corpId}:${id}`;
    const missing = [...new Set(messages.filter((m) => (m.sender ?? 'customer') === 'customer').map((m) => m.contact.externalId))]
      .filter((id) => this.known.get(key(id)) === undefined);
    for (let i = 0; i < missing.length; i += BATCH) {
      try {
        const res = await this.client.post(creds, '/cgi-bin/kf/customer/batchget', { external_userid_list: missing.slice(i, i + BATCH), need_enter_session_context: 0 }, { hasEffects: false });
        for (const c of Array.isArray(res.customer_list) ? (res.customer_list as Record<string, unknown>[]) : []) {
          if (typeof c.external_userid === 'string' && typeof c.nickname === 'string' && c.nickname) this.known.set(key(c.external_userid), c.nickname);
        }
      } catch (err) {
        this.logger?.warn({ err: (err as Error).message }, 'kf customer names not fetched');
        return;
      }
    }
    for (const m of messages) {
      const name = this.known.get<string>(key(m.contact.externalId));
      if (name && (m.sender ?? 'customer') === 'customer') m.contact.name = name;
    }
  }
}
