/**
 * Load generators over node:http with a keep-alive Agent. Requests are pre-built (path + body
 * bytes) so that signing and encrypting are not part of what is measured.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Prebuilt {
  path: string;
  body: Buffer;
}

export interface LoadResult {
  /** Requests that completed (any status) inside the run. */
  completed: number;
  ok: number;
  /** Non-200 answers, by status; -1 = transport error or timeout. */
  failures: Map<number, number>;
  /** Latency of every completed request, ms. */
  latencies: number[];
  elapsedS: number;
  /** The pre-built pool ran out before the time was up. */
  exhausted: boolean;
}

const REQUEST_TIMEOUT_MS = 10_000;

function send(agent: Agent, port: number, item: Prebuilt): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1', port, method: 'POST', path: item.path, agent,
        headers: { 'content-type': 'text/xml', 'content-length': item.body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? -1));
        res.on('error', () => resolve(-1));
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(-1));
    req.end(item.body);
  });
}

function newResult(): LoadResult {
  return { completed: 0, ok: 0, failures: new Map(), latencies: [], elapsedS: 0, exhausted: false };
}

function record(r: LoadResult, status: number, latencyMs: number): void {
  r.completed += 1;
  r.latencies.push(latencyMs);
  if (status === 200) r.ok += 1;
  else r.failures.set(status, (r.failures.get(status) ?? 0) + 1);
}

/**
 * `concurrency` connections, each sending its next request as soon as the previous one answered.
 * `reuse` cycles through the pool (for the baseline, which does not care about duplicate MsgIds).
 */
export async function closedLoop(port: number, items: Prebuilt[], concurrency: number, durationMs: number, reuse = false): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const result = newResult();
  let next = 0;
  const started = performance.now();
  const end = started + durationMs;
  const connection = async () => {
    while (performance.now() < end) {
      if (next >= items.length && reuse) next = 0;
      if (next >= items.length) {
        result.exhausted = true;
        return;
      }
      const item = items[next++];
      const t0 = performance.now();
      const status = await send(agent, port, item);
      record(result, status, performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, connection));
  result.elapsedS = (performance.now() - started) / 1000;
  agent.destroy();
  return result;
}

export interface OpenLoopResult extends LoadResult {
  /** How late the generator fired each request after its scheduled time, ms (a health check of the generator). */
  sendLag: number[];
  /** performance.now() when each request was handed to the socket layer, by item index. */
  sentAt: Float64Array;
}

/**
 * Fixed schedule: item i is due at start + i / rate. Latency runs from the scheduled time, so a
 * stall in the server (or the generator) is charged to every request it delayed; no coordinated omission.
 */
export async function openLoop(port: number, items: Prebuilt[], ratePerS: number, maxSockets = 256): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const result: OpenLoopResult = { ...newResult(), sendLag: [], sentAt: new Float64Array(items.length) };
  const intervalMs = 1000 / ratePerS;
  const start = performance.now() + 20;
  const pending: Promise<void>[] = [];
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < items.length && start + i * intervalMs <= now) {
        const scheduled = start + i * intervalMs;
        const index = i++;
        const fired = performance.now();
        result.sentAt[index] = fired;
        result.sendLag.push(fired - scheduled);
        pending.push(send(agent, port, items[index]).then((status) => record(result, status, performance.now() - scheduled)));
      }
      if (i < items.length) setTimeout(tick, Math.max(0, Math.min(1, start + i * intervalMs - performance.now())));
      else resolve();
    };
    setTimeout(tick, 0);
  });
  await Promise.all(pending);
  result.elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  return result;
}
