import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ModelUnavailableError } from './domain/errors.js';
import type { Responder } from './ports/responder.js';

/** One registry per process, created here only (like the logger). */
export interface Metrics {
  registry: Registry;
  callbacks: Counter<'kind' | 'outcome'>;
  ackSeconds: Histogram<'kind'>;
  modelSeconds: Histogram<'outcome'>;
  confidence: Histogram;
  handoffs: Counter<'reason' | 'channel_id'>;
  turns: Counter<'outcome' | 'channel_id'>;
  sends: Counter<'result'>;
  pulls: Counter<'result'>;
  outboxFailures: Counter<'result'>;
  queueDepth: Gauge;
  outboxPending: Gauge;
  modelBreakerOpen: Gauge;
  /** Written by the connector (src/jobs/connector.ts): the channels this process connects. */
  connections: ConnectionGauges;
}

/** The live model circuit's state, as src/model/model-circuit.ts names it. */
export type BreakerReading = 'closed' | 'open' | 'halfOpen';

export interface MetricSources {
  queueDepth: () => Promise<number>;
  outboxPending: () => Promise<number>;
  /** The live responder's breaker; left out where answers come from the knowledge base, which has none (always 0). */
  modelBreaker?: () => BreakerReading;
}

/**
 * issue 16 item 5: per process, the channels whose platform connection it runs. A series exists
 * only while this process runs the channel (its lease holder, for single-connection platforms):
 * the channel off or the lease gone elsewhere removes it, so the series of all connector replicas
 * together show each channel where it is connected.
 */
export interface ConnectionGauges {
  /** The channel's connection here is up (true) or connecting / reconnecting (false). */
  connected(channel: { id: string; kind: string }, up: boolean): void;
  /** This process no longer runs the channel's connection. */
  forget(channelId: string): void;
  /** Every enabled channel that needs a live connection, as the connector's last round read them; replaces the last list. */
  wanted(channels: readonly { id: string; kind: string }[]): void;
}

const BREAKER_VALUE: Record<BreakerReading, number> = { closed: 0, halfOpen: 0.5, open: 1 };

function connectionGauges(registers: Registry[]): ConnectionGauges {
  const connected = new Gauge({
    name: 'kefu_channel_connected', help: 'Platform connections this process runs: 1 connected, 0 connecting or reconnecting',
    labelNames: ['channel_id', 'kind'], registers,
  });
  const wanted = new Gauge({
    name: 'kefu_channel_connection_wanted', help: 'Enabled channels that need a live platform connection (1 each), as a connector process sees them',
    labelNames: ['channel_id', 'kind'], registers,
  });
  // prom-client removes a series by its full label set: the kind each channel was reported with.
  const kinds = new Map<string, string>();
  return {
    connected(channel, up) {
      kinds.set(channel.id, channel.kind);
      connected.set({ channel_id: channel.id, kind: channel.kind }, up ? 1 : 0);
    },
    forget(channelId) {
      const kind = kinds.get(channelId);
      if (kind === undefined) return;
      kinds.delete(channelId);
      connected.remove({ channel_id: channelId, kind });
    },
    wanted(channels) {
      wanted.reset();
      for (const c of channels) wanted.set({ channel_id: c.id, kind: c.kind }, 1);
    },
  };
}

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const opts = { registers: [registry] };
  return {
    registry,
    callbacks: new Counter({ name: 'kefu_callbacks_total', help: 'Platform callbacks by channel kind and outcome', labelNames: ['kind', 'outcome'], ...opts }),
    ackSeconds: new Histogram({
      name: 'kefu_callback_ack_seconds', help: 'Time from callback received to ack sent', labelNames: ['kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 5], ...opts,
    }),
    modelSeconds: new Histogram({ name: 'kefu_model_seconds', help: 'Time the responder (model or knowledge base) took per answer', labelNames: ['outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20], ...opts }),
    confidence: new Histogram({ name: 'kefu_answer_confidence', help: 'Confidence of bot answers', buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], ...opts }),
    // channel_id (issue 16 item 5): the dashboard's answer rate per channel; as many series as channels.
    handoffs: new Counter({ name: 'kefu_handoffs_total', help: 'Conversations handed to humans by bot turns, by reason and channel', labelNames: ['reason', 'channel_id'], ...opts }),
    turns: new Counter({ name: 'kefu_turns_total', help: 'Bot turns by outcome and channel', labelNames: ['outcome', 'channel_id'], ...opts }),
    pulls: new Counter({ name: 'kefu_pull_pages_total', help: 'Pages pulled from notifying platforms (busy: another process held the source)', labelNames: ['result'], ...opts }),
    sends: new Counter({ name: 'kefu_sends_total', help: 'Outbox deliveries by result', labelNames: ['result'], ...opts }),
    outboxFailures: new Counter({ name: 'kefu_outbox_failures_total', help: 'Outbox rows that ended failed or unknown', labelNames: ['result'], ...opts }),
    queueDepth: new Gauge({
      name: 'kefu_queue_depth', help: 'Jobs waiting or delayed', ...opts,
      async collect() { this.set(await sources.queueDepth().catch(() => -1)); },
    }),
    outboxPending: new Gauge({
      name: 'kefu_outbox_pending', help: 'Outbox rows not yet delivered', ...opts,
      async collect() { this.set(await sources.outboxPending().catch(() => -1)); },
    }),
    // Read at scrape time rather than on opossum's events: a scrape cannot miss a transition.
    modelBreakerOpen: new Gauge({
      name: 'kefu_model_breaker_open', help: "This process's model circuit breaker: 1 open, 0.5 half-open (probing), 0 closed", ...opts,
      collect() { this.set(BREAKER_VALUE[sources.modelBreaker?.() ?? 'closed']); },
    }),
    connections: connectionGauges([registry]),
  };
}

/**
 * Times every answer of a responder into `kefu_model_seconds`: the call itself, not the turn
 * around it (a turn may also wait for a turn slot, load history and send the reply).
 */
export function timedResponder(responder: Responder, seconds: Metrics['modelSeconds']): Responder {
  const timed: Responder = {
    async answer(input) {
      const stop = seconds.startTimer();
      try {
        const answer = await responder.answer(input);
        stop({ outcome: 'ok' });
        return answer;
      } catch (err) {
        stop({ outcome: err instanceof ModelUnavailableError ? 'unavailable' : 'error' });
        throw err;
      }
    },
  };
  // Forwarded as is: the model handback (issue 11) asks the decorated responder whether the model is back.
  const health = responder.health?.bind(responder);
  if (health) timed.health = health;
  return timed;
}
