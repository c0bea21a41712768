import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer, type Server } from 'node:http';
import { AccessTokenCache, createWecomAppAdapter, createWecomBotAdapter, createWecomKfAdapter } from '../adapters/wecom/index.js';
import { createWebchatAdapter } from '../adapters/webchat/adapter.js';
import { createDingtalkHttpAdapter, createDingtalkSender, createDingtalkStreamAdapter, DingtalkTokenCache } from '../adapters/dingtalk/index.js';
import { loadConfig, trainingSettingsOf, type Config } from './config.js';
import { createAnswerLabelStore } from './db/answer-label-store.js';
import { createAuditLog } from './db/audit-log.js';
import { createCachedChannelDirectory } from './db/cached-channel-directory.js';
import { createChannelRepository } from './db/channel-repository.js';
import { createContactStore } from './db/contact-store.js';
import { createConversationStats } from './db/conversation-stats.js';
import { createConversationNoteStore } from './db/conversation-note-store.js';
import { createConversationStore } from './db/conversation-store.js';
import { openPglite, openPostgres, type Database } from './db/database.js';
import { createKnowledgeRepository } from './db/knowledge-repository.js';
import { createKnowledgeSuggestionStore } from './db/knowledge-suggestion-store.js';
import { createLoginThrottle } from './db/login-throttle.js';
import { createQuickReplyStore } from './db/quick-reply-store.js';
import { createConnectionStatusStore } from './db/connection-status-store.js';
import { createConnectionLeaseStore } from './db/connection-lease-store.js';
import { createMediaFileStore } from './db/media-file-store.js';
import { assertMasterKeyOpensSecrets } from './db/master-key-check.js';
import { migrate } from './db/migrate.js';
import { createOutboxStore } from './db/outbox-store.js';
import { createPullStore } from './db/pull-store.js';
import { createAssignmentQueries } from './db/assignment-queries.js';
import { createPresenceStore } from './db/presence-store.js';
import { createSecretCipher, loadMasterKeys } from './db/secret-cipher.js';
import { createSessionStore } from './db/session-store.js';
import { createTrainingDataSource } from './db/training-data-source.js';
import { createUserStore } from './db/user-store.js';
import { waitForPostgres } from './db/wait-for-postgres.js';
import { within } from './deadline.js';
import { seedDemo } from './demo/seed-demo.js';
import type { ChannelKind } from './domain/channel.js';
import { createApp, createOpsApp } from './http/app.js';
import { createBullmqQueue } from './jobs/bullmq-queue.js';
import { createLocalEventBus, createRedisEventBus } from './jobs/event-buses.js';
import { withLocalFallback } from './jobs/fallback-queue.js';
import { createInProcessQueue } from './jobs/in-process-queue.js';
import { CONNECTION_HEARTBEAT_MS, CONNECTOR_ROUND_MS, startConnector } from './jobs/connector.js';
import { startModelHandback } from './jobs/model-handback.js';
import { startSweeper } from './jobs/sweeper.js';
import { startWorkers } from './jobs/workers.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, timedResponder } from './metrics.js';
import { asksAboutOwnRecords, createKnowledgeBaseResponder } from './model/knowledge-base-responder.js';
import { IndexedKnowledgeSearch } from './model/indexed-knowledge-search.js';
import { createKnowledgeEmbeddingStore } from './db/knowledge-embedding-store.js';
import { FusedKnowledgeSearch } from './model/fused-knowledge-search.js';
import { createOpenAiEmbeddingsClient } from './model/openai-embeddings-client.js';
import { createOpenAiCompatibleResponder } from './model/openai-compatible-responder.js';
import { createOpenAiModelCatalog, nullModelCatalog } from './model/openai-model-catalog.js';
import { createModelReportStore } from './db/model-report-store.js';
import { createShadowAnswerStore } from './db/shadow-answer-store.js';
import { migrationsDir } from './paths.js';
import type { ChannelAdapter } from './ports/channel-adapter.js';
import { systemClock } from './ports/clock.js';
import { createArgon2PasswordHasher } from './security/argon2-password-hasher.js';
import type { CoreDeps } from './usecases/deps.js';
import { ensureFirstAdmin, type FirstAdmin } from './usecases/ensure-first-admin.js';

export interface RunningService {
  config: Readonly<Config>;
  core: CoreDeps;
  db: Database;
  server: Server | null;
  /** Where the HTTP listener ended up (useful with PORT=0). */
  url: string | null;
  adminToken: string;
  demoChannelId: string | null;
  /** The admin this start created on an empty users table, with its password when one was generated. */
  firstAdmin: FirstAdmin | null;
  /** Graceful: stop accepting, drain in-flight turns and sends, close pools. */
  close(): Promise<void>;
  /** The step close() is in (null before it starts), so a forced exit can say what hung. */
  closingStep(): string | null;
}

/** How long a request may take to arrive whole: a body sent a byte a second is cut (issue 11). */
const REQUEST_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 5_000;
/** Each step of a shutdown is bounded, so SIGTERM ends well inside a 30 s grace period whatever is down. */
const CLOSE_STEP_MS = 3_000;
/**
 * The queue's drain (running turns and sends) ends this long after close() starts at the latest:
 * with the two steps after it, shutdown stays under the 30 s forced exit. Its own bounds add up to
 * more (a 22 s drain plus Redis waits), and a run with Redis down once spent them all (exit 1).
 */
const QUEUE_CLOSED_BY_MS = 22_000;

async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const db = config.DATABASE_URL ? openPostgres(config.DATABASE_URL, config.DB_POOL_SIZE, logger) : await openPglite(join(config.DATA_DIR, 'pg'));
  if (config.DATABASE_URL) {
    const url = new URL(config.DATABASE_URL);
    await waitForPostgres(db, `${url.hostname}:${url.port || 5432}${url.pathname}`, logger);
  }
  await migrate(db, migrationsDir, logger);
  return db;
}

/** ADMIN_TOKEN, else one generated once and kept in DATA_DIR (0600) so restarts keep it. */
function adminTokenFor(config: Config): string {
  if (config.ADMIN_TOKEN) return config.ADMIN_TOKEN;
  const file = join(config.DATA_DIR, 'admin.token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

export async function startService(config: Readonly<Config>, logger: Logger = createLogger(config.LOG_LEVEL)): Promise<RunningService> {
  const db = await openDatabase(config, logger);
  const keys = loadMasterKeys(config, logger);
  const cipher = createSecretCipher(keys.current, ...keys.previous);
  await assertMasterKeyOpensSecrets(db, cipher, keys.source);
  // With Redis down a worker dispatches in-process: turns keep flowing through Postgres (issue 11).
  const queue = config.REDIS_URL
    ? withLocalFallback(createBullmqQueue(config.REDIS_URL, config.QUEUE_PREFIX, logger), createInProcessQueue(logger), logger)
    : createInProcessQueue(logger);
  const events = config.REDIS_URL ? createRedisEventBus(config.REDIS_URL, config.QUEUE_PREFIX, logger) : createLocalEventBus();
  const channelRepository = createChannelRepository(db, cipher);
  const knowledge = createKnowledgeRepository(db);
  // With an embeddings node, meaning-based ranking is fused with the lexical one (issue 12); confidence stays lexical.
  const lexicalSearch = new IndexedKnowledgeSearch(knowledge);
  const search = config.EMBEDDING_BASE_URL
    ? new FusedKnowledgeSearch(
        lexicalSearch,
        knowledge,
        createOpenAiEmbeddingsClient({ baseUrl: config.EMBEDDING_BASE_URL, apiKey: config.EMBEDDING_API_KEY, model: config.EMBEDDING_MODEL, timeoutMs: config.EMBEDDING_TIMEOUT_MS }),
        createKnowledgeEmbeddingStore(db),
        { logger, indexWaitMs: config.EMBEDDING_TIMEOUT_MS },
      )
    : lexicalSearch;
  const outbox = createOutboxStore(db, 3000);
  // One token cache for every WeCom adapter: one access token per (corp, secret), §5.2.
  const wecomTokens = new AccessTokenCache({ apiBase: config.WECOM_API_BASE, timeoutMs: 10_000 });
  const wecom = { apiBase: config.WECOM_API_BASE, maxSkewS: config.WEBHOOK_MAX_SKEW_S, logger, tokens: wecomTokens };
  // Both DingTalk modes of a robot share its access token and its send rate limit (§2.2, §2.3);
  // replies follow a sessionWebhook only on DingTalk's own hosts.
  const dingtalkTokens = new DingtalkTokenCache({ apiBase: config.DINGTALK_API_BASE });
  const dingtalkSender = createDingtalkSender({
    apiBase: config.DINGTALK_API_BASE, tokens: dingtalkTokens, logger,
    sessionWebhookOrigins: [new URL(config.DINGTALK_OAPI_BASE).origin, new URL(config.DINGTALK_API_BASE).origin],
  });
  const dingtalk = { apiBase: config.DINGTALK_API_BASE, logger, tokens: dingtalkTokens, sender: dingtalkSender };
  const mediaFiles = createMediaFileStore(db);
  const adapterList: ChannelAdapter[] = [
    createWecomAppAdapter(wecom),
    createWecomKfAdapter(wecom),
    // issue 15 item 2: files members send over the long connection are kept in Postgres (media_files).
    createWecomBotAdapter({ maxSkewS: config.WEBHOOK_MAX_SKEW_S, wsUrl: config.WECOM_BOT_WS_URL, logger, media: mediaFiles }),
    createDingtalkHttpAdapter({ ...dingtalk, maxSkewS: config.WEBHOOK_MAX_SKEW_S }),
    createDingtalkStreamAdapter(dingtalk),
    createWebchatAdapter({ events }),
  ];
  const adapters = new Map<ChannelKind, ChannelAdapter>(adapterList.map((a) => [a.kind, a]));
  const liveModel = config.MODEL_BASE_URL
    ? createOpenAiCompatibleResponder({ baseUrl: config.MODEL_BASE_URL, apiKey: config.MODEL_API_KEY, timeoutMs: config.MODEL_TIMEOUT_MS, logger })
    : null;
  const metrics = createMetrics({
    queueDepth: () => queue.depth(), outboxPending: () => outbox.pendingCount(),
    ...(liveModel ? { modelBreaker: liveModel.state } : {}),
  });
  const responder = timedResponder(liveModel ?? createKnowledgeBaseResponder(), metrics.modelSeconds);
  // issue 13 item 4: a shadow adapter's calls go through a breaker and timeout of their own, so a
  // failing shadow never opens the live circuit; not timed, so they stay out of the live latency metric.
  const shadowResponder = config.MODEL_BASE_URL
    ? createOpenAiCompatibleResponder({ baseUrl: config.MODEL_BASE_URL, apiKey: config.MODEL_API_KEY, timeoutMs: config.MODEL_TIMEOUT_MS, logger })
    : createKnowledgeBaseResponder();
  const core: CoreDeps = {
    store: createConversationStore(db),
    notes: createConversationNoteStore(db),
    outbox,
    pulls: createPullStore(db),
    channels: createCachedChannelDirectory(channelRepository),
    channelRepository,
    contacts: createContactStore(db),
    knowledge,
    search,
    answerLabels: createAnswerLabelStore(db),
    suggestions: createKnowledgeSuggestionStore(db),
    responder,
    shadowResponder,
    models: config.MODEL_BASE_URL ? createOpenAiModelCatalog({ baseUrl: config.MODEL_BASE_URL, apiKey: config.MODEL_API_KEY }) : nullModelCatalog,
    modelReports: createModelReportStore(db),
    shadowAnswers: createShadowAnswerStore(db),
    queue,
    events,
    audit: createAuditLog(db),
    trainingData: createTrainingDataSource(db),
    asksAboutOwnRecords,
    stats: createConversationStats(db),
    users: createUserStore(db),
    sessions: createSessionStore(db),
    passwords: createArgon2PasswordHasher(),
    loginThrottle: createLoginThrottle(db),
    presence: createPresenceStore(db), assignments: createAssignmentQueries(db),
    quickReplies: createQuickReplyStore(db),
    connectionStatus: createConnectionStatusStore(db),
    connectionLeases: createConnectionLeaseStore(db),
    adapters: { get: (kind) => adapters.get(kind) },
    clock: systemClock,
    log: logger,
    settings: {
      coalesceMs: config.TURN_COALESCE_MS,
      defaultModelName: config.MODEL_NAME,
      historyLimit: 20,
      knowledgeHits: 3,
      turnLeaseMs: config.MODEL_TIMEOUT_MS + 10_000,
      sendLeaseMs: 60_000,
      sendRetryWindowMs: config.SEND_RETRY_WINDOW_S * 1000,
      modelHandbackMs: config.MODEL_HANDBACK_S * 1000,
      maxAnswerAgeMs: config.MAX_ANSWER_AGE_S * 1000,
      pullLeaseMs: config.PULL_LEASE_MS,
      // WeCom's sync_msg token lives 10 minutes; stop using it a little before.
      pullTokenTtlMs: 9 * 60_000,
      auth: {
        sessionIdleMs: config.SESSION_IDLE_MINUTES * 60_000,
        sessionMaxMs: config.SESSION_MAX_HOURS * 3_600_000,
        loginWindowMs: 15 * 60_000,
        maxFailuresPerAccountAndIp: 5,
        maxFailuresPerIp: 50,
        accountUnderAttackAfter: 50,
        maxFailuresPerAccountAndIpUnderAttack: 2,
      },
      training: trainingSettingsOf(config),
    },
    workerId: `${hostname()}:${process.pid}`,
  };
  const firstAdmin = await ensureFirstAdmin(core, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });
  const demo = config.DEMO ? await seedDemo(core) : null;
  const adminToken = adminTokenFor(config);

  let stopSweeper = async () => {};
  let stopHandback = async () => {};
  if (config.runsWorker) {
    startWorkers(core, metrics, config.WORKER_CONCURRENCY, config.TURN_SLOTS);
    stopSweeper = startSweeper(core, config.SWEEP_INTERVAL_MS, Math.max(3000, config.TURN_COALESCE_MS * 3), mediaFiles);
    stopHandback = startModelHandback(core, config.SWEEP_INTERVAL_MS);
  }
  const stopConnector = config.runsConnector ? startConnector(core, CONNECTOR_ROUND_MS, CONNECTION_HEARTBEAT_MS, metrics.connections) : async () => {};
  let server: Server | null = null;
  let url: string | null = null;
  {
    const httpDeps = {
      core, metrics, adminToken, publicUrl: config.publicUrl,
      // Browsers keep Secure cookies off plain http, so only set it where the console is served over TLS.
      secureCookies: config.publicUrl.startsWith('https:'),
      trustProxy: config.TRUST_PROXY,
      // Every check answers within a second, whatever hangs (issue 11), so a load balancer can act.
      readiness: async () => {
        const [database, redis] = await Promise.all([within(800, db.ping(), false), config.REDIS_URL ? within(800, queue.ping(), false) : null]);
        return { database, ...(redis === null ? {} : { redis }) };
      },
    };
    // Every role listens: the web role serves everything, the others health and metrics only.
    const app = config.runsWeb ? createApp(httpDeps) : createOpsApp(httpDeps);
    // Node checks these timeouts every connectionsCheckingInterval (30 s by default): check each second.
    // Koa's handler settles its own errors (ctx.onerror), so the promise it returns never rejects.
    const handleRequest = app.callback();
    const s = createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1000 }, (req, res) => void handleRequest(req, res));
    server = await new Promise<Server>((resolve) => s.listen(config.PORT, config.HOST, () => resolve(s)));
    const address = server.address();
    url = typeof address === 'object' && address ? `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${address.port}` : null;
  }

  let closingStep: string | null = null;
  return {
    config, core, db, server, url, adminToken, demoChannelId: demo?.id ?? null, firstAdmin,
    closingStep: () => closingStep,
    async close() {
      const closeBy = Date.now() + QUEUE_CLOSED_BY_MS;
      closingStep = 'http';
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections?.();
          // SSE streams never end by themselves; give requests a moment, then cut the rest.
          setTimeout(() => s.closeAllConnections?.(), 2000).unref();
        });
      }
      // Running turns and sends finish (the queue's close waits for them, bounded); everything
      // else is cut after a few seconds whatever is down.
      closingStep = 'sweeper, handback, connector';
      await Promise.all([stopSweeper(), stopHandback(), stopConnector()].map((stopping) => within(CLOSE_STEP_MS, stopping, undefined)));
      closingStep = 'queue';
      // What a cut drain leaves is in Postgres: the sweeper of the next process picks it up.
      await within(Math.max(1000, closeBy - Date.now()), queue.close(), undefined);
      closingStep = 'events';
      await within(CLOSE_STEP_MS, events.close(), undefined);
      closingStep = 'database';
      await within(CLOSE_STEP_MS, db.close(), undefined);
      closingStep = 'done';
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const service = await startService(config, logger);
  const base = config.publicUrl;
  logger.info({ role: config.ROLE, database: config.DATABASE_URL ? 'postgres' : 'embedded', queue: config.REDIS_URL ? 'bullmq' : 'in-process', model: config.MODEL_BASE_URL ? 'openai-compatible' : 'knowledge-base', embeddings: config.EMBEDDING_BASE_URL ? config.EMBEDDING_MODEL : 'off' }, 'kefu-bridge started');
  if (service.demoChannelId) console.log(`\n  Chat as a customer:  ${base}/demo/${service.demoChannelId}`);
  console.log(`  Agent console:       ${base}/console/`);
  const first = service.firstAdmin;
  if (first?.generatedPassword) console.log(`  First admin:         ${first.user.email} / ${first.generatedPassword}   (shown once; change it in the console)`);
  if (!config.ADMIN_TOKEN) console.log(`  Admin API token:     ${service.adminToken}   (kept in ${join(config.DATA_DIR, 'admin.token')}; use: Authorization: Bearer <token>)`);
  console.log(`  Health: ${base}/healthz   Metrics: ${base}/metrics\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight work');
    const force = setTimeout(() => {
      logger.error({ step: service.closingStep() }, 'shutdown took over 30 s: forced exit');
      process.exit(1);
    }, 30_000);
    force.unref();
    service.close().then(() => process.exit(0), (err: Error) => {
      logger.error({ err: err.message }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (err) => logger.error({ err: (err as Error)?.message }, 'unhandled rejection'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
