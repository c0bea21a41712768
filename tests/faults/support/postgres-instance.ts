/**
 * A PostgreSQL of the fault suite's own (issue 11): initdb into a temporary folder, started on a
 * spare port, so restarting, killing or freezing it hurts no other test. Postgres refuses to run as
 * root, so it runs as the `postgres` OS user (setpriv execs in place: the child's pid is the
 * postmaster's). Trust auth, fsync off: only Postgres crashes here, never the OS, so the page
 * cache keeps what was written. synchronous_commit stays on: off, an immediate stop loses commits
 * that were already acknowledged (seen in the first run of postgres-restart).
 */
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { freePort } from '../../support/child-service.js';
import { exitsWithin, LocalServer, runToEnd } from '../../support/process-group.js';

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server under ${root} (apt-get install postgresql)`);
  return join(root, newest, 'bin');
}

function asPostgresUser(): string[] {
  const uid = execFileSync('id', ['-u', 'postgres']).toString().trim();
  const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
  return [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
}

export class PostgresInstance extends LocalServer {
  private readonly bin = postgresBin();

  private constructor(readonly dir: string, readonly port: number) {
    super();
  }

  static async create(): Promise<PostgresInstance> {
    const dir = mkdtempSync(join(tmpdir(), 'kefu-faults-pg-'));
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
    const instance = new PostgresInstance(dir, await freePort());
    try {
      await runToEnd('setpriv', [...asPostgresUser(), join(instance.bin, 'initdb'), '-D', instance.dataDir, '-U', 'postgres',
        '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
      await instance.start();
      return instance;
    } catch (err) {
      await instance.dispose();
      throw err;
    }
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    await this.spawnAndWait(`PostgreSQL on port ${this.port}`, 'setpriv', [...asPostgresUser(), join(this.bin, 'postgres'), '-D', this.dataDir, '-p', String(this.port),
      '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
      '-c', 'full_page_writes=off', '-c', 'max_connections=200', '-c', 'logging_collector=off'], () => this.answers(), 30_000);
  }

  /** `pg_ctl stop -m immediate`: SIGQUIT, no checkpoint; crash recovery on the next start. */
  async stopImmediate(): Promise<void> {
    await this.stopWith('SIGQUIT');
  }

  /** `pg_ctl stop -m fast`: SIGINT, backends rolled back, clean checkpoint. */
  async stopFast(): Promise<void> {
    await this.stopWith('SIGINT');
  }

  async restartImmediate(): Promise<void> {
    await this.stopImmediate();
    await this.start();
  }

  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 3000, statement_timeout: 10_000 });
    client.on('error', () => undefined); // a restart mid-query surfaces as the query's rejection
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async dispose(): Promise<void> {
    await this.proc?.kill9();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async stopWith(sig: NodeJS.Signals): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.child.exitCode !== null) return;
    proc.signal('SIGCONT');
    proc.child.kill(sig);
    if (!(await exitsWithin(proc, 30_000))) await proc.kill9();
  }

  private async answers(): Promise<boolean> {
    try {
      await this.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}
