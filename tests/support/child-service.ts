import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { testEnv, waitFor, type Storage } from './harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ChildService {
  url: string;
  process: ChildProcess;
  output(): string;
  /** SIGKILL: no shutdown hooks, no draining. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** The real service in its own process (`node --import tsx src/main.ts`), for crash tests. */
export interface ChildServiceOptions {
  /** Called with everything the process has printed so far, on every chunk: a test can act on a log line instead of a sleep. */
  onOutput?: (output: string) => void;
}

export async function startChildService(storage: Storage, overrides: Record<string, string> = {}, options: ChildServiceOptions = {}): Promise<ChildService> {
  const port = await freePort();
  const env = { ...process.env, ...testEnv(storage, { LOG_LEVEL: 'warn', ...overrides }), PORT: String(port) };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (d: Buffer) => {
    output += d.toString();
    options.onOutput?.(output);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`the service on ${url} (output: ${output.slice(-500)})`, async () => {
    if (child.exitCode !== null) throw new Error(`service exited: ${output}`);
    return fetch(`${url}/healthz`).then((r) => r.ok, () => false);
  }, 30000);
  return {
    url,
    process: child,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
