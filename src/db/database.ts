import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import type { Log } from '../ports/logger.js';
import { lockPgliteDir } from './pglite-lock.js';

/**
 * The only module that imports `pg` and PGlite (STYLE.md: node-postgres's one-db-module).
 * Repositories see `Queryable` and `Database` and never know which engine runs underneath.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  /**
   * `name` makes it a prepared statement on PostgreSQL: parsed and planned once per connection
   * instead of on every call (the hot statements: ack upsert, turn lease, outbox claim).
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<QueryResult<T>>;
}

export interface Database extends Queryable {
  readonly engine: 'postgres' | 'pglite';
  /**
   * Connections kept for recording callbacks, so an ack never waits for a connection behind
   * bot turns and sends (WeCom retries after 5 s; DESIGN.md §3.1). The same connection on PGlite.
   */
  readonly acks: Queryable;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a multi-statement script (migrations). */
  exec(sql: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Connections kept for acks: the recorder's group commit keeps this many statements in flight (inbound-batch.ts). */
export const ACK_CONNECTIONS = 2;

function newPool(url: string, max: number, logger: Log): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: 'kefu-bridge',
    // Below WeCom's 5 s deadline: a stuck database must turn into a non-2xx the platform retries.
    connectionTimeoutMillis: 3000,
    statement_timeout: 4000,
    idleTimeoutMillis: 30000,
  });
  // Without this an idle client's error (Postgres restarted) crashes the process
  // (reliability.md §4.3, measured with pg 8.23.1).
  pool.on('error', (err) => logger.warn({ err: err.message }, 'idle postgres client failed; the pool replaces it'));
  return pool;
}

const asResult = <T>(r: pg.QueryResult): QueryResult<T> => ({ rows: r.rows as T[], rowCount: r.rowCount ?? 0 });

function queryOn(pool: pg.Pool): Queryable['query'] {
  return async <T>(sql: string, params?: unknown[], name?: string) =>
    asResult<T>(await pool.query(name ? { name, text: sql, values: params } : { text: sql, values: params }));
}

export function openPostgres(url: string, poolSize: number, logger: Log): Database {
  const pool = newPool(url, poolSize, logger);
  const ackPool = newPool(url, ACK_CONNECTIONS, logger);
  return {
    engine: 'postgres',
    query: queryOn(pool),
    acks: { query: queryOn(ackPool) },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async <R>(sql: string, params?: unknown[], name?: string) =>
            asResult<R>(await client.query(name ? { name, text: sql, values: params } : { text: sql, values: params })),
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await Promise.all([pool.end(), ackPool.end()]);
    },
  };
}

/**
 * Embedded Postgres (WASM). It has a single connection, so every statement and transaction is
 * serialized through one promise chain rather than interleaved.
 */
export async function openPglite(dir: string | null): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  // One process at a time on a directory: PGlite does not check (pglite-lock.ts).
  const unlock = dir ? lockPgliteDir(dir) : () => undefined;
  const db = await (dir ? PGlite.create(dir) : PGlite.create()).catch((err: unknown) => {
    unlock();
    throw err;
  });
  let tail: Promise<unknown> = Promise.resolve();
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
  const fromPglite = <T>(r: { rows: unknown[]; affectedRows?: number }): QueryResult<T> => ({
    rows: r.rows as T[],
    rowCount: r.affectedRows || r.rows.length,
  });
  const query = <T>(sql: string, params?: unknown[]) => serialize(async () => fromPglite<T>(await db.query(sql, params)));
  return {
    engine: 'pglite',
    query,
    acks: { query },
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      serialize(() => db.transaction(async (tx) => fn({ query: async <R>(sql: string, params?: unknown[]) => fromPglite<R>(await tx.query(sql, params)) }))),
    exec: (sql: string) => serialize(async () => void (await db.exec(sql))),
    ping: () => serialize(async () => (await db.query('SELECT 1')).rows.length === 1).catch(() => false),
    close: () => serialize(() => db.close()).finally(unlock),
  };
}
