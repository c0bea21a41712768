/** The measured phases. Each pre-builds its callbacks, then runs the load; nothing is signed while timing. */
import { performance } from 'node:perf_hooks';
import { buildCallbacks, type BenchStorage, type WecomApp } from './env.js';
import type { BenchFakes } from './fakes.js';
import { closedLoop, openLoop, type LoadResult, type Prebuilt } from './load.js';
import { summarize, type Summary } from './stats.js';

export interface Target {
  port: number;
  app: WecomApp;
  channelId: string;
  /** Customers the phase-1/2 messages rotate over. */
  contacts: number;
}

export interface LevelRow {
  concurrency: number;
  rate: number;
  lat: Summary;
  result: LoadResult;
  /** Seconds the workers needed afterwards to answer and send everything (null: not waited for / cap hit). */
  drainS: number | null;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every customer message is answered and every outbox row sent, at most `capMs`. */
export async function drain(storage: BenchStorage, capMs: number): Promise<number | null> {
  const started = performance.now();
  for (;;) {
    const b = await storage.backlog();
    if (b.pendingMessages === 0 && b.pendingOutbox === 0) return (performance.now() - started) / 1000;
    if (performance.now() - started > capMs) return null;
    await sleep(200);
  }
}

/** Closed loop at each concurrency; `pool(n)` hands out n requests (fresh ones for the service). */
export async function closedLevels(
  port: number, levels: number[], durationMs: number, pool: (n: number) => Prebuilt[], reuse: boolean, between?: () => Promise<number | null>,
): Promise<{ rows: LevelRow[]; warmup: LoadResult }> {
  const rows: LevelRow[] = [];
  let guess = 5000;
  const warmup = await closedLoop(port, pool(reuse ? 2000 : 3000), 16, 1000, reuse); // JIT, pools, sockets; not reported
  if (between) await between();
  for (const concurrency of levels) {
    const items = pool(Math.min(60_000, Math.max(10_000, Math.ceil(guess * 1.6 * (durationMs / 1000)))));
    const result = await closedLoop(port, items, concurrency, durationMs, reuse);
    const rate = result.completed / result.elapsedS;
    guess = Math.max(guess, rate);
    const drainS = between ? await between() : null;
    rows.push({ concurrency, rate, lat: summarize(result.latencies), result, drainS });
  }
  return { rows, warmup };
}

export interface OpenRow {
  rate: number;
  durationS: number;
  lat: Summary;
  lag: Summary;
  result: LoadResult;
}

export async function openAcks(t: Target, rate: number, durationS: number): Promise<OpenRow> {
  const { items } = buildCallbacks(t.app, t.channelId, rate * durationS, t.contacts);
  const result = await openLoop(t.port, items, rate);
  return { rate, durationS, lat: summarize(result.latencies), lag: summarize(result.sendLag), result };
}

export interface E2eRow {
  sent: number;
  ok: number;
  /** callback handed to the socket → chat request at the fake model. */
  toModel: Summary;
  /** fake model's answer written → message/send request at the fake WeCom API. */
  toSend: Summary;
  /** callback handed to the socket → message/send at the fake WeCom API (all of it, zero-latency model included). */
  total: Summary;
  missing: number;
  ack: Summary;
}

/** Open loop at `rate` with a new customer per message; correlates the three timestamps by question token. */
export async function endToEnd(t: Target, fakes: BenchFakes, rate: number, durationS: number, waitCapMs: number): Promise<E2eRow> {
  const warm = buildCallbacks(t.app, t.channelId, 50, 0);
  await openLoop(t.port, warm.items, rate);
  const warmDeadline = performance.now() + waitCapMs;
  while (warm.tokens.some((k) => !fakes.sendIn.has(k)) && performance.now() < warmDeadline) await sleep(50);
  fakes.reset();

  const { items, tokens } = buildCallbacks(t.app, t.channelId, rate * durationS, 0);
  const result = await openLoop(t.port, items, rate);
  const deadline = performance.now() + waitCapMs;
  while (tokens.some((k) => !fakes.sendIn.has(k)) && performance.now() < deadline) await sleep(50);
  const toModel: number[] = [];
  const toSend: number[] = [];
  const total: number[] = [];
  let missing = 0;
  tokens.forEach((k, i) => {
    const modelIn = fakes.modelIn.get(k);
    const answerOut = fakes.answerOut.get(k);
    const sendIn = fakes.sendIn.get(k);
    if (modelIn === undefined || answerOut === undefined || sendIn === undefined) return void (missing += 1);
    toModel.push(modelIn - result.sentAt[i]);
    toSend.push(sendIn - answerOut);
    total.push(sendIn - result.sentAt[i]);
  });
  return {
    sent: items.length, ok: result.ok, missing,
    toModel: summarize(toModel), toSend: summarize(toSend), total: summarize(total), ack: summarize(result.latencies),
  };
}
