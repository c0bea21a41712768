/**
 * `npm run bench` (DESIGN.md §7, reliability.md §4.1 and §5): WeCom callback acks against a bare
 * Koa handler, open-loop ack latency, and end-to-end overhead with zero-latency fakes. Real
 * PostgreSQL and Redis on 127.0.0.1; the service runs in a child process so the load generator
 * never shares its event loop. Reports numbers only; exits non-zero only when the bench breaks.
 *
 *   KEFU_BENCH_CPU_PROF=<dir>  also write V8 CPU profiles of the service processes there.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { buildCallbacks, createBenchStorage, newWecomApp, REDIS_URL, type BenchStorage, type WecomApp } from './env.js';
import { BenchFakes } from './fakes.js';
import { closedLevels, drain, endToEnd, openAcks, type Target } from './phases.js';
import { freePort, metricSum, redisPing, rssOf, scrape, startChild, type Child } from './processes.js';
import { printReport, type Counted } from './report.js';
import { runKnowledgeSearchBench } from './knowledge-search-bench.js';

const LEVELS = [4, 16, 32];
const LEVEL_MS = 5000;
const CONTACTS = 500;
const ADMIN_TOKEN = `bench-${randomBytes(12).toString('hex')}`;
const log = (line: string) => console.error(`[bench] ${line}`);

const cleanups: (() => Promise<unknown>)[] = [];
async function cleanup(): Promise<void> {
  for (const fn of cleanups.reverse().splice(0)) await fn().catch((err: Error) => console.error(`cleanup: ${err.message}`));
}

function serviceEnv(storage: BenchStorage, fakes: BenchFakes, extra: Record<string, string>): Record<string, string> {
  return {
    DATABASE_URL: storage.databaseUrl, REDIS_URL, QUEUE_PREFIX: storage.newPrefix(), HOST: '127.0.0.1',
    ADMIN_TOKEN, DEMO: 'false', LOG_LEVEL: 'warn', WECOM_API_BASE: fakes.wecomUrl, MODEL_BASE_URL: fakes.modelUrl,
    WEBHOOK_MAX_SKEW_S: '300', MASTER_KEY: storage.masterKey, DATA_DIR: storage.dataDir, ...extra,
  };
}

/**
 * The service in one ROLE=all process; KEFU_BENCH_SPLIT=1 runs a ROLE=web and a ROLE=worker
 * process instead (on 2 cores shared with Postgres, Redis and the generator the single process
 * did better: its open-loop latency stayed bounded where the split one fell behind).
 */
async function startService(name: string, env: Record<string, string>): Promise<Child> {
  const prof = process.env.KEFU_BENCH_CPU_PROF;
  const args = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
  if (process.env.KEFU_BENCH_SPLIT !== '1') {
    const child = await startChild(name, 'src/main.ts', env, await freePort(), args);
    cleanups.push(() => child.stop());
    return child;
  }
  const worker = await startChild(`${name} (worker)`, 'src/main.ts', { ...env, ROLE: 'worker' }, await freePort(), args);
  cleanups.push(() => worker.stop());
  const web = await startChild(`${name} (web)`, 'src/main.ts', { ...env, ROLE: 'web' }, await freePort(), args);
  cleanups.push(() => web.stop());
  return { ...web, stop: async () => { await web.stop(); await worker.stop(); } };
}

async function createChannel(url: string, app: WecomApp): Promise<string> {
  const res = await fetch(`${url}/api/channels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'wecom_app', name: 'bench',
      config: { corpId: app.corpId, agentId: app.agentId, secret: app.secret, token: app.token, encodingAesKey: app.encodingAesKey },
    }),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || !body.id) throw new Error(`POST /api/channels answered ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

/** What /metrics says the service counted, next to what the generator saw. */
async function countCheck(child: Child, sent: number, ok: number): Promise<Counted> {
  const text = await scrape(child.url);
  return {
    sent, ok,
    counted: metricSum(text, 'kefu_callbacks_total', { kind: 'wecom' }),
    stored: metricSum(text, 'kefu_callbacks_total', { kind: 'wecom', outcome: 'stored' }),
    rssProc: rssOf(child.pid),
    rssMetric: metricSum(text, 'process_resident_memory_bytes'),
  };
}

async function main(): Promise<void> {
  const redis = new URL(REDIS_URL);
  await redisPing(redis.hostname, Number(redis.port || 6379));
  const storage = await createBenchStorage();
  cleanups.push(() => storage.dispose());
  const fakes = new BenchFakes();
  await fakes.start();
  cleanups.push(() => fakes.close());
  const app = newWecomApp();
  const loadBefore = loadavg()[0];

  log(`1/5 bare Koa baseline: closed loop at ${LEVELS.join('/')} connections, ${LEVEL_MS / 1000} s each`);
  const koa = await startChild('bare Koa', 'tests/bench/bare-koa.ts', {}, await freePort());
  cleanups.push(() => koa.stop());
  const koaPool = buildCallbacks(app, 'baseline', 5000, CONTACTS).items;
  const koaRun = await closedLevels(Number(new URL(koa.url).port), LEVELS, LEVEL_MS, () => koaPool, true);
  await koa.stop();

  log(`2/5 service as ${process.env.KEFU_BENCH_SPLIT === '1' ? 'a ROLE=web and a ROLE=worker process' : 'one ROLE=all process'} (TURN_COALESCE_MS default 1500): closed loop, fresh MsgIds, workers answering`);
  const svc = await startService('service', serviceEnv(storage, fakes, {}));
  const channelId = await createChannel(svc.url, app);
  const target: Target = { port: Number(new URL(svc.url).port), app, channelId, contacts: CONTACTS };
  const between = () => drain(storage, 10_000);
  const svcRun = await closedLevels(target.port, LEVELS, LEVEL_MS, (n) => buildCallbacks(app, channelId, n, CONTACTS).items, false, between);

  log('3/5 open loop: 1,000 callbacks/s for 10 s, latency from the scheduled send time');
  const open = await openAcks(target, 1000, 10);
  const openDrainS = await drain(storage, 15_000);
  const sent1 = svcRun.warmup.completed + svcRun.rows.reduce((n, r) => n + r.result.completed, 0) + open.result.completed;
  const ok1 = svcRun.warmup.ok + svcRun.rows.reduce((n, r) => n + r.result.ok, 0) + open.result.ok;
  const counted1 = await countCheck(svc, sent1, ok1);
  const modelCalls1 = fakes.modelRequests;
  const sends1 = fakes.sendRequests;
  await svc.stop();

  log('4/5 end to end: TURN_COALESCE_MS=0, 100 msg/s for 10 s, a new customer per message');
  const svc2 = await startService('service (coalesce 0)', serviceEnv(storage, fakes, { TURN_COALESCE_MS: '0' }));
  const target2: Target = { ...target, port: Number(new URL(svc2.url).port) };
  const e2e = await endToEnd(target2, fakes, 100, 10, 30_000);
  const counted2 = await countCheck(svc2, 50 + e2e.sent, 50 + e2e.ok); // 50 warm-up callbacks first
  await svc2.stop();

  log('5/5 knowledge search: 2,000 entries, in process');
  const search = await runKnowledgeSearchBench();

  printReport({ search, load: loadBefore, koa: koaRun.rows, svc: svcRun.rows, open, openDrainS, e2e, counted1, counted2, modelCalls1, sends1, contacts: CONTACTS, levelMs: LEVEL_MS });
}

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) return;
  interrupted = true;
  log('interrupted; cleaning up');
  void cleanup().finally(() => process.exit(130));
});

main().then(
  async () => {
    await cleanup();
    process.exit(0);
  },
  async (err: Error) => {
    console.error(`\nbench broke: ${err.message}`);
    await cleanup();
    process.exit(1);
  },
);
