/**
 * The bench's storage (a fresh database, a Redis key prefix, a data dir) and pre-built callbacks.
 * Everything here is created for one run and removed at its end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { buildCallback, textXml } from '../fakes/fake-wecom-api.js';
import { createTestDatabase } from '../support/harness.js';
import { newWecomApp } from '../support/wecom-channel.js';
import type { Prebuilt } from './load.js';
import { letters } from './stats.js';

export const REDIS_URL = process.env.KEFU_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export type WecomApp = ReturnType<typeof newWecomApp>;
export { newWecomApp };

export interface BenchStorage {
  databaseUrl: string;
  dataDir: string;
  masterKey: string;
  prefixes: string[];
  newPrefix(): string;
  /** Customer messages not yet answered and outbox rows not yet delivered. */
  backlog(): Promise<{ pendingMessages: number; pendingOutbox: number }>;
  dispose(): Promise<void>;
}

export async function createBenchStorage(): Promise<BenchStorage> {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  try {
    db = await createTestDatabase();
  } catch (err) {
    throw new Error(`PostgreSQL (${process.env.KEFU_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'}) is not usable: ${(err as Error).message}`);
  }
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  pool.on('error', () => undefined);
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-bench-'));
  const prefixes: string[] = [];
  return {
    databaseUrl: db.url,
    dataDir,
    masterKey: randomBytes(32).toString('base64'),
    prefixes,
    newPrefix() {
      const p = `kefu-bench-${randomBytes(4).toString('hex')}`;
      prefixes.push(p);
      return p;
    },
    async backlog() {
      const r = await pool.query(`SELECT
        (SELECT count(*) FROM messages WHERE sender = 'customer' AND status = 'pending')::int AS m,
        (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending'))::int AS o`);
      return { pendingMessages: r.rows[0].m, pendingOutbox: r.rows[0].o };
    },
    async dispose() {
      await pool.end().catch(() => undefined);
      await db.drop().catch((err: Error) => console.error(`could not drop the bench database: ${err.message}`));
      await deleteRedisKeys(prefixes).catch((err: Error) => console.error(`could not delete bench Redis keys: ${err.message}`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** BullMQ keys live under `${prefix}:`; SCAN, never KEYS. */
async function deleteRedisKeys(prefixes: string[]): Promise<void> {
  if (prefixes.length === 0) return;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

let sequence = 0;

export interface BuiltBatch {
  items: Prebuilt[];
  /** The question token of each item, same order. */
  tokens: string[];
}

/**
 * Signed, encrypted text callbacks, each with a unique MsgId and a unique question token.
 * `contacts`: how many customers the messages rotate over; 0 = a new customer per message.
 */
export function buildCallbacks(app: WecomApp, channelId: string, count: number, contacts: number): BuiltBatch {
  const items: Prebuilt[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const n = sequence++;
    const token = `tk-${letters(n)}`;
    const from = contacts > 0 ? `bench-user-${n % contacts}` : `bench-e2e-${letters(n)}`;
    const msgId = String(7_000_000_000_000_000_000n + BigInt(n));
    const cb = buildCallback(app, textXml({ corpId: app.corpId, from, content: `请问这款包包还有现货吗 ${token}`, msgId }));
    items.push({ path: `/webhooks/wecom/${channelId}?${cb.search}`, body: Buffer.from(cb.body) });
    tokens.push(token);
  }
  return { items, tokens };
}
