/**
 * Child processes under test (the service, the bare Koa baseline) and what the bench reads from
 * them: readiness, /metrics, RSS. Children run on their own event loop, never the generator's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A Redis PING over a raw socket: the bench names the missing dependency instead of hanging. */
export function redisPing(host: string, port: number, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const fail = (why: string) => { socket.destroy(); reject(new Error(`Redis at ${host}:${port} is not reachable: ${why}`)); };
    socket.setTimeout(timeoutMs, () => fail('timeout'));
    socket.on('error', (err) => fail(err.message));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      socket.end();
      if (d.toString().startsWith('+PONG')) resolve();
      else fail(`unexpected answer ${JSON.stringify(d.toString().slice(0, 40))}`);
    });
  });
}

export interface Child {
  name: string;
  pid: number;
  url: string;
  /** The last lines the child wrote, for error reports. */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

export async function startChild(name: string, script: string, env: Record<string, string>, port: number, nodeArgs: string[] = []): Promise<Child> {
  const proc: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (d: Buffer) => { tail = (tail + d.toString()).slice(-4000); };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let exitCode: number | null = null;
  const exit = new Promise<void>((resolve) => proc.on('exit', (code, signal) => { exitCode = code ?? (signal ? 128 : 0); resolve(); }));
  const url = `http://127.0.0.1:${port}`;
  const child: Child = {
    name, pid: proc.pid!, url,
    output: () => tail,
    exited: () => exitCode !== null,
    async stop() {
      if (exitCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitCode !== null) throw new Error(`${name} exited with ${String(exitCode)} before it answered:\n${tail}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200 || r.status === 404, () => false);
    if (ok) return child;
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`${name} not ready after 60 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** VmRSS of a process, bytes. */
export function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.replace(/\D+/g, '')) * 1024 : NaN;
}

/** Sums every sample of a Prometheus metric whose labels contain all of `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const want = Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`));
    if (!want) continue;
    sum += Number(m[3]);
    seen = true;
  }
  return seen ? sum : NaN;
}

export async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}
