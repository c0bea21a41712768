import { z } from 'zod';
import { DEFAULT_ORDER_NUMBER_PATTERN } from './domain/pii.js';

/**
 * The only reader of process.env (DESIGN.md §4.1). Fails fast on boot and hands one frozen
 * object down; nothing else looks at the environment.
 */
const optionalString = z.string().optional();
const optionalUrl = z.string().url().optional();

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  ROLE: z.enum(['all', 'web', 'worker', 'connector']).default('all'),
  DATABASE_URL: optionalString,
  DATA_DIR: z.string().default('./data'),
  REDIS_URL: optionalString,
  QUEUE_PREFIX: z.string().default('kefu'),
  MODEL_BASE_URL: optionalUrl,
  MODEL_API_KEY: optionalString,
  MODEL_NAME: z.string().default('qwen2.5-7b-instruct'),
  MODEL_TIMEOUT_MS: z.coerce.number().int().positive().default(20000),
  /** An OpenAI-compatible /v1/embeddings node (issue 12): knowledge is also searched by meaning. Unset → lexical search only. */
  EMBEDDING_BASE_URL: optionalUrl,
  EMBEDDING_API_KEY: optionalString,
  EMBEDDING_MODEL: z.string().default('bge-m3'),
  /** A query embedding that takes longer is skipped: the turn goes on with lexical search alone. */
  EMBEDDING_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  WECOM_API_BASE: z.string().url().default('https://qyapi.weixin.qq.com'),
  DINGTALK_API_BASE: z.string().url().default('https://api.dingtalk.com'),
  /** issue 15: where WeCom 智能机器人 long connections dial (a fake in tests). */
  WECOM_BOT_WS_URL: z.string().url().default('wss://openws.work.weixin.qq.com'),
  DINGTALK_OAPI_BASE: z.string().url().default('https://oapi.dingtalk.com'),
  MASTER_KEY: optionalString,
  /** issue 16 item 6: while MASTER_KEY is rotated, the old key: it opens secrets, never seals them. */
  MASTER_KEY_PREVIOUS: optionalString,
  ADMIN_TOKEN: optionalString,
  /** First admin, created only while the users table is empty (DESIGN.md §4.1). */
  ADMIN_EMAIL: z.string().trim().regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address').optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(256).optional(),
  /** A console session ends after this many minutes without a request, */
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(120),
  /** and this many hours after sign-in whatever happens. */
  SESSION_MAX_HOURS: z.coerce.number().int().positive().default(24),
  PUBLIC_URL: optionalUrl,
  WEBHOOK_MAX_SKEW_S: z.coerce.number().int().min(0).default(300),
  /** Only behind your own reverse proxy: believe X-Forwarded-For / -Host / -Proto (issue 11: spoofed addresses beat login throttling). */
  TRUST_PROXY: z.preprocess((v) => (typeof v === 'string' ? ['1', 'true', 'yes'].includes(v.toLowerCase()) : v), z.boolean().default(false)),
  /** A chat handed to humans because the model was down goes back to the bot when no agent took it this long after the model answers again; 0 = never. */
  MODEL_HANDBACK_S: z.coerce.number().int().min(0).default(120),
  /** A reply that keeps failing for a transient reason is retried this long, then handed to a person (platforms may set a shorter window). */
  SEND_RETRY_WINDOW_S: z.coerce.number().int().positive().default(1800),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Burst window: customer messages this close together are answered as one turn (DESIGN.md §3.5). */
  TURN_COALESCE_MS: z.coerce.number().int().min(0).default(1500),
  /** How often the sweeper looks for work a lost job left behind. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(2000),
  /** Customer messages older than this are stored but never answered (a first 微信客服 pull, a long outage). */
  MAX_ANSWER_AGE_S: z.coerce.number().int().positive().default(600),
  /** A pull's lease, renewed every page: how long a dead puller blocks its source. */
  PULL_LEASE_MS: z.coerce.number().int().positive().default(30000),
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(8),
  /** Turns doing CPU and database work at once per process; waiting for the model takes no slot (jobs/turn-slots.ts). */
  TURN_SLOTS: z.coerce.number().int().positive().default(2),
  // Small on purpose: a 2-core box commits faster through few connections (measured by npm run bench).
  DB_POOL_SIZE: z.coerce.number().int().positive().default(8),
  /** Skips creating the demo channel and knowledge base on an empty database. */
  /** issue 13 item 1, the training-data export: how answers address the customer, and the sign-off appended once. */
  TRAINING_CUSTOMER_ADDRESS: z.string().max(20).default('亲'),
  TRAINING_SIGN_OFF: z.string().max(200).default(''),
  /** Distinct phrasings of a question kept per answer (K), and the share of answers held out for evaluation. */
  TRAINING_PHRASINGS_PER_ANSWER: z.coerce.number().int().min(1).max(1000).default(5),
  TRAINING_HELDOUT_SHARE: z.coerce.number().min(0).max(0.9).default(0.15),
  /** The shop's order numbers (a regular expression), masked as personal data; default: letters + digits (domain/pii.ts). */
  ORDER_NUMBER_PATTERN: z.string().max(500).refine(isRegExp, 'must be a valid regular expression').optional(),
  DEMO: z.preprocess((v) => (typeof v === 'string' ? !['0', 'false', 'no'].includes(v.toLowerCase()) : v), z.boolean().default(true)),
});

export type Env = z.infer<typeof schema>;

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** The training export's settings (issue 13 item 1), for CoreSettings.training and the training:export command. */
export function trainingSettingsOf(config: Pick<Env, 'TRAINING_CUSTOMER_ADDRESS' | 'TRAINING_SIGN_OFF' | 'TRAINING_PHRASINGS_PER_ANSWER' | 'TRAINING_HELDOUT_SHARE' | 'ORDER_NUMBER_PATTERN'>) {
  return {
    customerAddress: config.TRAINING_CUSTOMER_ADDRESS,
    signOff: config.TRAINING_SIGN_OFF,
    phrasingsPerAnswer: config.TRAINING_PHRASINGS_PER_ANSWER,
    heldoutShare: config.TRAINING_HELDOUT_SHARE,
    orderNumberPattern: config.ORDER_NUMBER_PATTERN ? new RegExp(config.ORDER_NUMBER_PATTERN, 'i') : DEFAULT_ORDER_NUMBER_PATTERN,
  };
}

export interface Config extends Env {
  publicUrl: string;
  runsWeb: boolean;
  runsWorker: boolean;
  runsConnector: boolean;
}

/** `FOO=` in a shell or compose file means "not set", never "zero" or "empty". */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''));
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = schema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  // Split roles only make sense when they share state: one Postgres and one Redis.
  if (e.ROLE !== 'all' && (!e.DATABASE_URL || !e.REDIS_URL)) {
    throw new Error(`invalid configuration: ROLE=${e.ROLE} needs DATABASE_URL and REDIS_URL (the embedded database and in-process queue serve one process only)`);
  }
  // A handed-off chat goes back only while its question is young enough to answer (hand-back-to-bot.ts).
  if (e.MODEL_HANDBACK_S > 0 && e.MODEL_HANDBACK_S >= e.MAX_ANSWER_AGE_S) {
    throw new Error(`invalid configuration: MODEL_HANDBACK_S (${e.MODEL_HANDBACK_S}) must be below MAX_ANSWER_AGE_S (${e.MAX_ANSWER_AGE_S}), or 0 to keep model-outage handoffs with people`);
  }
  return Object.freeze({
    ...e,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    runsWeb: e.ROLE === 'all' || e.ROLE === 'web',
    runsWorker: e.ROLE === 'all' || e.ROLE === 'worker',
    runsConnector: e.ROLE === 'all' || e.ROLE === 'connector',
  });
}
