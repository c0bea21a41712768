import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * PGlite takes no lock of its own: two processes on one data directory (the service and
 * `npm run rotate-master-key`, or two service instances on one DATA_DIR) each cache pages and
 * write the same files, and the database ends up corrupt (review of issue 16 item 6). A lock file
 * beside the directory names the process that holds it. One left by a process that died (SIGKILL,
 * power cut) is taken over: its pid no longer runs, or is this process's own pid from an earlier
 * life (a restarted container). The lock is between processes; within one, opens of a path are
 * counted and the file goes with the last close.
 */
const held = new Map<string, number>();

const ownerOf = (lockFile: string): number | null => {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
};

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeIfOurs(lockFile: string): void {
  try {
    if (ownerOf(lockFile) === process.pid) unlinkSync(lockFile);
  } catch {
    // Already gone: nothing to release.
  }
}

let exitHookInstalled = false;

/** Locks `dir` for this process; the function returned releases it (once). */
export function lockPgliteDir(dir: string): () => void {
  const lockFile = `${resolve(dir)}.lock`;
  const count = held.get(lockFile) ?? 0;
  if (count === 0) acquire(dir, lockFile);
  held.set(lockFile, count + 1);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => held.forEach((_, file) => removeIfOurs(file)));
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (held.get(lockFile) ?? 1) - 1;
    if (left > 0) return void held.set(lockFile, left);
    held.delete(lockFile);
    removeIfOurs(lockFile);
  };
}

function acquire(dir: string, lockFile: string): void {
  // Two tries: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = ownerOf(lockFile);
    if (owner !== null && owner !== process.pid && isRunning(owner)) throw busy(dir, lockFile, owner);
    try {
      unlinkSync(lockFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw busy(dir, lockFile, ownerOf(lockFile));
}

const busy = (dir: string, lockFile: string, pid: number | null) =>
  new Error(`the embedded database at ${dir} is open in process ${pid ?? '(unknown)'}: stop the service first ` +
    `(if no such process runs, remove ${lockFile})`);
