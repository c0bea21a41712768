/**
 * Everything one fault scenario runs against: its own PostgreSQL and Redis, the fake WeCom API
 * and model server behind fault proxies, and the real service in child processes
 * (`node --import tsx src/main.ts`) pointed at them, with one WeCom app channel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FakeModelServer } from '../../fakes/fake-model-server.js';
import type { FakeWecomApi } from '../../fakes/fake-wecom-api.js';
import { startChildService, type ChildService } from '../../support/child-service.js';
import { ADMIN_TOKEN, type Storage } from '../../support/harness.js';
import { newWecomApp, startFakeWecom } from '../../support/wecom-channel.js';
import { echoReply } from './answer-echo.js';
import { FaultProxy } from './fault-proxy.js';
import { LoadDriver } from './load-driver.js';
import { PostgresInstance } from './postgres-instance.js';
import { exitsWithin } from '../../support/process-group.js';
import { RedisInstance } from '../../support/redis-instance.js';

/** Long enough for a drain when nothing is down (SIGTERM while Redis is down took 30 s: issue 11). */
const SHUTDOWN_GRACE_MS = 15_000;

export type Role = 'all' | 'web' | 'worker';

interface RunningProcess { role: Role; service: ChildService; stopping: boolean }

const orphans = new Set<ChildService>();
process.once('exit', () => {
  for (const s of orphans) s.process.kill('SIGKILL');
});

export class FaultRig {
  readonly processes = new Map<string, RunningProcess>();
  /** Notes for the report: what the faults did to the service, and when it settled. */
  readonly notes: string[] = [];
  channelId = '';
  driver!: LoadDriver;
  private readonly storage: Storage;

  private constructor(
    readonly name: string,
    readonly app: ReturnType<typeof newWecomApp>,
    readonly pg: PostgresInstance,
    readonly redis: RedisInstance,
    readonly wecom: FakeWecomApi,
    readonly wecomProxy: FaultProxy,
    readonly model: FakeModelServer,
    readonly modelProxy: FaultProxy,
    env: Record<string, string>,
  ) {
    const dataDir = mkdtempSync(join(tmpdir(), 'kefu-faults-data-'));
    this.storage = {
      dataDir,
      env: {
        DATA_DIR: dataDir, MASTER_KEY: randomBytes(32).toString('base64'), QUEUE_PREFIX: `kefu-faults-${name}`,
        DATABASE_URL: pg.url, REDIS_URL: redis.url, WECOM_API_BASE: wecomProxy.url, MODEL_BASE_URL: modelProxy.url,
        MODEL_TIMEOUT_MS: '5000', ...env,
      },
      dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }

  /** Databases, fakes and proxies; then `startService` and `createChannel`. `env` goes to every service process. */
  static async create(name: string, env: Record<string, string> = {}): Promise<FaultRig> {
    const [pgStart, redisStart] = await Promise.allSettled([PostgresInstance.create(), RedisInstance.create()]);
    if (pgStart.status === 'rejected' || redisStart.status === 'rejected') {
      await Promise.allSettled([pgStart, redisStart].map((s) => (s.status === 'fulfilled' ? s.value.dispose() : Promise.resolve())));
      throw [pgStart, redisStart].map((s) => (s.status === 'rejected' ? s.reason : null)).find(Boolean);
    }
    const [pg, redis] = [pgStart.value, redisStart.value];
    const app = newWecomApp();
    const wecom = await startFakeWecom(app);
    const model = await new FakeModelServer().start();
    model.reply = echoReply;
    return new FaultRig(name, app, pg, redis, wecom, await new FaultProxy(wecom.url).start(), model, await new FaultProxy(model.url).start(), env);
  }

  async startService(label: string, role: Role, env: Record<string, string> = {}): Promise<ChildService> {
    const service = await startChildService(this.storage, { ROLE: role, ...env });
    orphans.add(service);
    this.processes.set(label, { role, service, stopping: false });
    return service;
  }

  /** The WeCom app channel, created through the admin API of the first web process. */
  async createChannel(): Promise<void> {
    const res = await fetch(`${this.webUrls()[0]}/api/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'wecom_app', name: `fault ${this.name}`,
        config: { corpId: this.app.corpId, agentId: this.app.agentId, secret: this.app.secret, token: this.app.token, encodingAesKey: this.app.encodingAesKey },
      }),
    });
    const body = (await res.json()) as { id?: string };
    if (res.status !== 201 || !body.id) throw new Error(`channel not created: ${res.status} ${JSON.stringify(body)}`);
    this.channelId = body.id;
    this.driver = new LoadDriver(this.name, () => this.webUrls(), this.channelId, this.app);
  }

  webUrls(): string[] {
    return [...this.processes.values()].filter((p) => p.role !== 'worker' && !p.stopping).map((p) => p.service.url);
  }

  async kill9(label: string): Promise<void> {
    const p = this.processes.get(label);
    if (!p) return;
    p.stopping = true;
    await p.service.kill9();
  }

  /** Processes that died without being told to (I4: the process stays up). */
  unexpectedExits(): string[] {
    const died = (p: RunningProcess) => !p.stopping && (p.service.process.exitCode !== null || p.service.process.signalCode !== null);
    return [...this.processes].filter(([, p]) => died(p))
      .map(([label, p]) => `${label} exited ${p.service.process.exitCode ?? p.service.process.signalCode}: ${p.service.output().slice(-1500)}`);
  }

  /**
   * Notes what each process's /readyz answers now, and how fast (evidence that a fault bit; issue 11:
   * /readyz must answer within a second whatever is down). Never fails the scenario.
   */
  async noteReadiness(when: string): Promise<void> {
    const answers = await Promise.all([...this.processes].filter(([, p]) => !p.stopping).map(async ([label, p]) => {
      const started = Date.now();
      const status = await fetch(`${p.service.url}/readyz`, { signal: AbortSignal.timeout(3000) }).then((r) => String(r.status), () => 'no answer');
      return `${label} ${status} in ${Date.now() - started} ms`;
    }));
    this.notes.push(`/readyz ${when}: ${answers.join(', ')}`);
  }

  /** Warning and error lines each process logged: evidence that a fault reached the service. */
  noteLogCounts(): void {
    const counts = [...this.processes].map(([label, p]) => {
      const lines = p.service.output().split('\n').filter((l) => /"level":(40|50|60)/.test(l));
      return `${label} ${lines.length}`;
    });
    this.notes.push(`warnings/errors logged: ${counts.join(', ')}`);
  }

  /** The last warnings and errors each process logged, for the evidence of a failed run. */
  logTail(lines = 20): string {
    return [...this.processes].map(([label, p]) => {
      const warnings = p.service.output().split('\n').filter((l) => /"level":(40|50|60)/.test(l));
      return `--- ${label} (${p.role}) ---\n${warnings.slice(-lines).join('\n')}`;
    }).join('\n');
  }

  async dispose(): Promise<void> {
    this.redis.resume();
    this.pg.resume();
    await Promise.all([...this.processes].map(([label, p]) => this.stop(label, p)));
    await Promise.allSettled([this.wecomProxy.close(), this.modelProxy.close(), this.wecom.close(), this.model.close()]);
    await Promise.allSettled([this.pg.dispose(), this.redis.dispose(), this.storage.dispose()]);
  }

  /** SIGTERM, bounded: a process that does not drain in time is killed and noted. */
  private async stop(label: string, p: RunningProcess): Promise<void> {
    const proc = p.service.process;
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      p.stopping = true;
      proc.kill('SIGTERM');
      if (!(await exitsWithin({ exited }, SHUTDOWN_GRACE_MS))) {
        // After the verdict was reported: said here, not only in the notes.
        console.log(`  note: fault ${this.name}: ${label} did not exit within ${SHUTDOWN_GRACE_MS / 1000} s of SIGTERM; killed`);
        proc.kill('SIGKILL');
        await exited;
      }
    }
    orphans.delete(p.service);
  }
}
