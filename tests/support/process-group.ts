/**
 * Child processes in a process group of their own, so a signal reaches the whole tree
 * (a postmaster and its backends), and a fault run never leaves one behind: every group still
 * alive when the test process exits, however it exits, is SIGKILLed.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { within } from '../../src/deadline.js';
import { waitFor } from './harness.js';

const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
});

export interface GroupProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it wrote, for evidence when a scenario fails. */
  output(): string;
  exited: Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL the group and wait for the leader to exit. */
  kill9(): Promise<void>;
}

export function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* already gone */
  }
}

export function spawnGroup(command: string, args: string[], opts: SpawnOptions = {}): GroupProcess {
  const child = spawn(command, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  liveGroups.add(pid);
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString('utf8')).slice(-200_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    resolve(code);
  }));
  // The leader's exit does not end its group: SIGKILL what is left (orphaned backends).
  void exited.then(() => {
    signalGroup(pid, 'SIGKILL');
    liveGroups.delete(pid);
  });
  return {
    child,
    pid,
    output: () => output,
    exited,
    signal: (sig) => signalGroup(pid, sig),
    async kill9() {
      signalGroup(pid, 'SIGCONT');
      signalGroup(pid, 'SIGKILL');
      await exited;
    },
  };
}

/** Runs a command to its end; rejects with its output when it fails. */
export function runToEnd(command: string, args: string[], opts: SpawnOptions = {}): Promise<string> {
  const proc = spawnGroup(command, args, opts);
  return proc.exited.then((code) => {
    if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${proc.output().slice(-2000)}`);
    return proc.output();
  });
}

/** Waits for the process to exit, at most `ms`; true when it exited in time. */
export function exitsWithin(proc: { exited: Promise<unknown> }, ms: number): Promise<boolean> {
  return within(ms, proc.exited.then(() => true), false);
}

/**
 * A server of the tests' own (PostgreSQL, Redis) in its process group: what every fault does to
 * it, whichever server it is. Subclasses start it and say when it answers.
 */
export abstract class LocalServer {
  protected proc: GroupProcess | null = null;

  abstract start(): Promise<void>;

  /** Everything it logged since its last start. */
  output(): string {
    return this.proc?.output() ?? '';
  }

  /** kill -9 of the server and every process it started. */
  async kill9(): Promise<void> {
    await this.proc?.kill9();
  }

  /** SIGSTOP: the port stays open and nothing answers (issue 11: /readyz hung for 40 s). */
  pause(): void {
    this.proc?.signal('SIGSTOP');
  }

  resume(): void {
    this.proc?.signal('SIGCONT');
  }

  /** Spawns it and waits until `answers`; fails at once if it exits meanwhile. */
  protected async spawnAndWait(what: string, command: string, args: string[], answers: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const proc = (this.proc = spawnGroup(command, args));
    await waitFor(what, async () => {
      if (proc.child.exitCode !== null) throw new Error(`${command} exited: ${proc.output().slice(-2000)}`);
      return answers();
    }, timeoutMs);
  }
}
