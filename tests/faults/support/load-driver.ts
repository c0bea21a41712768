/**
 * Customers writing to a WeCom app at a steady rate, delivered the way WeCom delivers callbacks:
 * signed and encrypted, 5 s to answer, and a callback that got no HTTP 200 is sent again, three
 * times at most ("总共重试三次", protocols/reliability.md §1.1; the spacing is UNVERIFIED, so a
 * few seconds). Records which MsgIds were acknowledged.
 */
import { randomInt } from 'node:crypto';
import { buildCallback, textXml, type CallbackCredentials } from '../../fakes/fake-wecom-api.js';

const CALLBACK_DEADLINE_MS = 5000;
const RETRY_DELAYS_MS = [2000, 4000, 8000];

export interface SentMessage {
  msgId: string;
  customer: string;
  /** Unique across the run, so a reply that quotes it names the message it answers. */
  text: string;
  /** HTTP status per attempt; 0 = no answer within WeCom's 5 s, or the connection failed. */
  attempts: number[];
  acked: boolean;
}

export interface LoadPlan {
  /** Distinct customers, written to in turn. */
  customers: number;
  perSecond: number;
  durationMs: number;
}

export class LoadDriver {
  readonly messages: SentMessage[] = [];
  private readonly msgIdBase = `${randomInt(100_000, 999_999)}${randomInt(100_000, 999_999)}`;
  private readonly inFlight = new Set<Promise<void>>();

  /** `webUrls`: where callbacks go, in turn (several web processes behind a balancer). */
  constructor(
    private readonly name: string,
    private readonly webUrls: () => string[],
    private readonly channelId: string,
    private readonly app: CallbackCredentials,
  ) {}

  customerId(i: number): string {
    return `${this.name}-c${i}`;
  }

  /** Sends on a fixed schedule (open loop: a slow service does not slow the sender). Resolves after every retry. */
  async run(plan: LoadPlan): Promise<void> {
    const total = Math.round((plan.perSecond * plan.durationMs) / 1000);
    const started = Date.now();
    for (let i = 0; i < total; i += 1) {
      const due = started + (i * 1000) / plan.perSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.track(this.deliver(this.next(i % plan.customers)));
    }
    await this.settled();
  }

  /** One message from each of `customers` customers, for a quiet phase after a fault. */
  async wave(customers: number): Promise<void> {
    for (let i = 0; i < customers; i += 1) this.track(this.deliver(this.next(i)));
    await this.settled();
  }

  /** Messages WeCom would have given up on: no 2xx after every retry. */
  get neverAcked(): number {
    return this.messages.filter((m) => !m.acked).length;
  }

  /** Attempts answered with a 5xx or not at all (WeCom retries these). */
  get failedAttempts(): number {
    return this.messages.reduce((n, m) => n + m.attempts.filter((s) => s === 0 || s >= 500).length, 0);
  }

  private next(customer: number): SentMessage {
    const seq = this.messages.length;
    const msgId = `${this.msgIdBase}${String(seq).padStart(6, '0')}`;
    const message = { msgId, customer: this.customerId(customer), text: `第${seq}号问题 ${msgId} 什么时候发货`, attempts: [], acked: false };
    this.messages.push(message);
    return message;
  }

  private async deliver(m: SentMessage): Promise<void> {
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt - 1]));
      const urls = this.webUrls();
      const status = await this.post(urls[(m.attempts.length + Number(m.msgId.slice(-3))) % urls.length], m);
      m.attempts.push(status);
      if (status >= 200 && status < 300) {
        m.acked = true;
        return;
      }
    }
  }

  /** A fresh timestamp, nonce and signature per attempt, the same MsgId. */
  private async post(url: string, m: SentMessage): Promise<number> {
    const cb = buildCallback(this.app, textXml({ corpId: this.app.corpId, from: m.customer, content: m.text, msgId: m.msgId }));
    try {
      const res = await fetch(`${url}/webhooks/wecom/${this.channelId}?${cb.search}`, {
        method: 'POST', headers: { 'content-type': 'text/xml' }, body: cb.body, signal: AbortSignal.timeout(CALLBACK_DEADLINE_MS),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
