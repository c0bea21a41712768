import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Log } from '../ports/logger.js';
import { keyFilePath, parseKeyInService, previousKeyFilePath } from './secret-cipher.js';

/**
 * Rotating the key of the embedded set-up (no MASTER_KEY: DATA_DIR/master.key), issue 16 item 6.
 * The order keeps both keys on disk for as long as any row may be sealed under either, so a crash
 * at any point leaves every secret readable (loadMasterKeys reads master.key.previous too):
 *   1. master.key.previous ← old key   (master.key still old: nothing sealed under a new key yet)
 *   2. master.key ← new key            (atomic rename; from here new seals use the new key)
 *   3. every row re-sealed             (resealChannelSecrets)
 *   4. master.key.previous removed     (finishKeyFileRotation)
 * A re-run after a crash in 3 finds master.key.previous ≠ master.key and finishes with the same
 * new key instead of making a third one. Each file is fsync'd before the next step relies on it:
 * rows sealed under a key that a power cut then lost could never be opened.
 */
export interface StagedKeys {
  current: Buffer;
  /** Null when master.key already holds the new key given: a re-run with the same --new-key-file. */
  previous: Buffer | null;
  /** True when an unfinished rotation was found and is being completed. */
  resumed: boolean;
}

function writeDurably(path: string, key: Buffer): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, key.toString('base64') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDirectory(path);
}

function syncDirectory(path: string): void {
  const fd = openSync(dirname(path), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Steps 1 and 2; `newKey` null makes one. Throws, writing nothing, when the files say otherwise. */
export function stageNewKeyFile(dataDir: string, newKey: Buffer | null, logger: Log): StagedKeys {
  const file = keyFilePath(dataDir);
  const previousFile = previousKeyFilePath(dataDir);
  if (!existsSync(file)) throw new Error(`there is no key file ${file}: set DATA_DIR to the service's, or use MASTER_KEY and MASTER_KEY_PREVIOUS`);
  const inUse = parseKeyInService(readFileSync(file, 'utf8'), `the key file ${file}`, logger);
  const previous = existsSync(previousFile) ? parseKeyInService(readFileSync(previousFile, 'utf8'), `the key file ${previousFile}`, logger) : null;
  if (previous && !previous.equals(inUse)) {
    if (newKey && !newKey.equals(inUse)) throw new Error(`an unfinished rotation to the key in ${file} was found: run the command again without --new-key-file to finish it first`);
    return { current: inUse, previous, resumed: true };
  }
  const next = newKey ?? randomBytes(32);
  if (next.equals(inUse)) return { current: inUse, previous: null, resumed: false };
  if (!previous) writeDurably(previousFile, inUse);
  writeDurably(file, next);
  return { current: next, previous: inUse, resumed: false };
}

/** Step 4, once every row opens with master.key alone. */
export function finishKeyFileRotation(dataDir: string): void {
  const previousFile = previousKeyFilePath(dataDir);
  if (!existsSync(previousFile)) return;
  unlinkSync(previousFile);
  syncDirectory(previousFile);
}
