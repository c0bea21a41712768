import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { openPostgres } from '../../src/db/database.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/main.js';

/** `real`: PostgreSQL + Redis (set by scripts/test.mjs); `embedded`: PGlite + in-process queue. */
export const mode = process.env.KEFU_TEST_MODE === 'real' ? 'real' : 'embedded';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';
const silent = createLogger('silent');

/** A database of its own for one test service, dropped afterwards. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.KEFU_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `kefu_test_${randomBytes(5).toString('hex')}`;
  const admin = openPostgres(adminUrl, 1, silent);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = openPostgres(adminUrl, 1, silent);
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.close();
    },
  };
}

export interface Storage {
  env: Record<string, string>;
  dataDir: string;
  dispose(): Promise<void>;
}

/** Where a service keeps its state; several services (restarts, second workers) may share one. */
export async function createStorage(): Promise<Storage> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-test-'));
  const env: Record<string, string> = { DATA_DIR: dataDir, MASTER_KEY: randomBytes(32).toString('base64') };
  let drop = async () => {};
  if (mode === 'real') {
    const db = await createTestDatabase();
    env.DATABASE_URL = db.url;
    env.REDIS_URL = process.env.KEFU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    env.QUEUE_PREFIX = `kefu-test-${randomBytes(4).toString('hex')}`;
    drop = () => db.drop();
  }
  return {
    env,
    dataDir,
    async dispose() {
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function testEnv(storage: Storage, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_TOKEN,
    DEMO: 'false',
    LOG_LEVEL: process.env.KEFU_TEST_LOG ?? 'silent',
    TURN_COALESCE_MS: '150',
    SWEEP_INTERVAL_MS: '300',
    ...storage.env,
    ...overrides,
  };
}

export interface TestService {
  service: RunningService;
  url: string;
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** `logger`: a test that reads the service's log lines passes its own. */
export async function startTestService(storage: Storage, overrides: Record<string, string> = {}, logger?: Logger): Promise<TestService> {
  const config = loadConfig(testEnv(storage, overrides));
  const service = await startService(config, logger ?? createLogger(config.LOG_LEVEL));
  const url = service.url!;
  return {
    service,
    url,
    async api(method, path, body, headers = {}) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* plain text answers (webhooks) stay strings */
      }
      return { status: res.status, body: parsed as any };
    },
    close: () => service.close(),
  };
}

/** Polls until `check` returns a truthy value; fails with `what` after `timeoutMs`. Waiting, not timing. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 15000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A signed-in console session (cookie + CSRF token), as the browser console holds it. */
export interface LoginSession {
  /** `kb_session=…`, ready for a Cookie header. */
  cookie: string;
  csrfToken: string;
  user: { id: string; email: string; name: string; role: 'admin' | 'agent' };
  /** Cookie, plus X-CSRF-Token for unsafe methods. */
  headers(method?: string): Record<string, string>;
  /** Like TestService.api, but as this user (no bearer token). */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
}

async function readAnswer(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** POST /api/auth/login as is: for tests of the login answer itself (401, 429, cookies). */
export async function postLogin(url: string, email: string, password: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password }) });
  return { status: res.status, body: await readAnswer(res), headers: res.headers };
}

/** Signs in through /api/auth/login; throws unless it answers 200. */
export async function login(url: string, email: string, password: string): Promise<LoginSession> {
  const res = await postLogin(url, email, password);
  if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('kb_session='));
  if (!setCookie) throw new Error('login answered without a kb_session cookie');
  const cookie = setCookie.split(';')[0];
  const csrfToken: string = res.body.csrfToken;
  const headers = (method = 'GET') => ({ cookie, ...(['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) ? {} : { 'x-csrf-token': csrfToken }) });
  return {
    cookie,
    csrfToken,
    user: res.body.user,
    headers,
    async api(method, path, body, extra = {}) {
      const r = await fetch(url + path, {
        method,
        headers: { ...headers(method), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: r.status, body: (await readAnswer(r)) as any, headers: r.headers };
    },
  };
}
