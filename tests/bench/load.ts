/**
 * Load generators over raw keep-alive connections (http-connection.ts). Requests are pre-built
 * (path + body bytes) and serialised before the clock starts, so signing, encrypting and
 * formatting are not part of what is measured.
 */
import { performance } from 'node:perf_hooks';
import { HttpConnection, serialiseRequest } from './http-connection.js';

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
  const wire = items.map((item) => serialiseRequest(port, item.path, item.body));
  const connections: HttpConnection[] = [];
  const result = newResult();
  let next = 0;
  const started = performance.now();
  const end = started + durationMs;
  const connection = async () => {
    const conn = new HttpConnection(port, REQUEST_TIMEOUT_MS);
    connections.push(conn);
    while (performance.now() < end) {
      if (next >= items.length && reuse) next = 0;
      if (next >= items.length) {
        result.exhausted = true;
        return;
      }
      const request = wire[next++];
      const t0 = performance.now();
      const status = await conn.send(request);
      record(result, status, performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, connection));
  result.elapsedS = (performance.now() - started) / 1000;
  for (const conn of connections) conn.close();
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
  const pool = new ConnectionPool(port, maxSockets);
  const wire = items.map((item) => serialiseRequest(port, item.path, item.body));
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
        pending.push(pool.send(wire[index]).then((status) => record(result, status, performance.now() - scheduled)));
      }
      if (i < items.length) setTimeout(tick, Math.max(0, Math.min(1, start + i * intervalMs - performance.now())));
      else resolve();
    };
    setTimeout(tick, 0);
  });
  await Promise.all(pending);
  result.elapsedS = (performance.now() - start) / 1000;
  pool.close();
  return result;
}

/** Up to `max` connections; a request waits for a free one, as with an http.Agent's maxSockets. */
class ConnectionPool {
  private readonly idle: HttpConnection[] = [];
  private readonly all: HttpConnection[] = [];
  private readonly queue: (() => void)[] = [];

  constructor(private readonly port: number, private readonly max: number) {}

  async send(request: Buffer): Promise<number> {
    const conn = await this.acquire();
    try {
      return await conn.send(request);
    } finally {
      this.idle.push(conn);
      this.queue.shift()?.();
    }
  }

  close(): void {
    for (const conn of this.all) conn.close();
  }

  private async acquire(): Promise<HttpConnection> {
    for (;;) {
      const conn = this.idle.pop();
      if (conn) return conn;
      if (this.all.length < this.max) {
        const fresh = new HttpConnection(this.port, REQUEST_TIMEOUT_MS);
        this.all.push(fresh);
        return fresh;
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
  }
}
