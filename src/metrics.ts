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
  handoffs: Counter<'reason'>;
  turns: Counter<'outcome'>;
  sends: Counter<'result'>;
  pulls: Counter<'result'>;
  outboxFailures: Counter<'result'>;
  queueDepth: Gauge;
  outboxPending: Gauge;
}

export function createMetrics(sources: { queueDepth: () => Promise<number>; outboxPending: () => Promise<number> }): Metrics {
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
    handoffs: new Counter({ name: 'kefu_handoffs_total', help: 'Conversations handed to humans, by reason', labelNames: ['reason'], ...opts }),
    turns: new Counter({ name: 'kefu_turns_total', help: 'Bot turns by outcome', labelNames: ['outcome'], ...opts }),
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
