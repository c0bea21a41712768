import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { lockPgliteDir } from '../../src/db/pglite-lock.js';

/** The embedded database's lock file (review of issue 16 item 6: PGlite takes no lock of its own). */
const root = mkdtempSync(join(tmpdir(), 'kefu-lock-'));
let n = 0;
const freshDir = () => join(root, `pg${n++}`);

/** A process that runs until killed, and one that has already exited: their pids. */
function otherProcess(): { pid: number; stop(): Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { pid: child.pid!, stop: async () => void (child.kill('SIGKILL'), await exited) };
}
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('lockPgliteDir', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  test('writes this pid beside the directory and removes it on release', () => {
    const dir = freshDir();
    const release = lockPgliteDir(dir);
    assert.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), String(process.pid));
    release();
    assert.equal(existsSync(`${dir}.lock`), false);
  });

  test('a lock held by a running process is refused with its pid and changes nothing', async () => {
    const dir = freshDir();
    const other = otherProcess();
    try {
      writeFileSync(`${dir}.lock`, `${other.pid}\n`);
      assert.throws(() => lockPgliteDir(dir), new RegExp(`the embedded database at ${dir} is open in process ${other.pid}: stop the service first`));
      assert.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), String(other.pid));
    } finally {
      await other.stop();
    }
  });

  test('a lock left by a process that died, or an unreadable one, is taken over', async () => {
    for (const content of [`${await deadPid()}\n`, '', 'garbage']) {
      const dir = freshDir();
      writeFileSync(`${dir}.lock`, content);
      const release = lockPgliteDir(dir);
      assert.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), String(process.pid), JSON.stringify(content));
      release();
    }
  });

  test('within one process opens are counted: the file goes with the last release, and a release counts once', () => {
    const dir = freshDir();
    const first = lockPgliteDir(dir);
    const second = lockPgliteDir(dir);
    first();
    first();
    assert.equal(existsSync(`${dir}.lock`), true);
    second();
    assert.equal(existsSync(`${dir}.lock`), false);
  });

  test('a lock another process took over meanwhile is not removed by this one', () => {
    const dir = freshDir();
    const release = lockPgliteDir(dir);
    writeFileSync(`${dir}.lock`, '1\n');
    release();
    assert.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), '1');
  });
});
