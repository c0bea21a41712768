import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from '../ports/logger.js';

/**
 * Channel secrets at rest: AES-256-GCM under MASTER_KEY, bound to the row with AAD so a
 * ciphertext cannot be moved to another channel (reliability.md §3.3).
 *
 * Blobs are `v2:kid:iv:tag:body`; `kid` names the key that sealed it (issue 16 item 6) so that,
 * while MASTER_KEY is rotated, a process holding two keys opens each blob with the right one
 * without trial decryption, and the rotation command can tell the rows it has already re-sealed
 * without opening them. `v1:iv:tag:body` (before issue 16) is still read, trying every key.
 */
export interface SecretCipher {
  /** Seals under the current key. */
  seal(plain: string, rowId: string): string;
  /** Opens with whichever key this process holds sealed it; throws when none did. */
  open(sealed: string, rowId: string): string;
  /** True unless the blob is already in the current format under the current key. */
  needsReseal(sealed: string): boolean;
  /** The current key's id, as written into blobs. */
  readonly keyId: string;
}

const KEY_BYTES = 32;

/**
 * A short public name for a key: 48 bits of a domain-separated SHA-256, which says nothing about
 * a 256-bit random key. Two keys sharing an id (odds 2^-48) would only cost a failed open.
 */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('kefu-bridge master key id\0').update(key).digest('base64url').slice(0, 8);
}

/**
 * A master key as an operator writes it (`openssl rand -base64 32`). Strict, because Node's base64
 * decoder skips characters it does not know: a mistyped key would otherwise become another key.
 */
export function parseMasterKey(text: string, name: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  const canonical = (s: string) => s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) || key.length !== KEY_BYTES || canonical(key.toString('base64')) !== canonical(trimmed)) {
    throw new Error(`${name} must be ${KEY_BYTES} random bytes encoded in base64 (generate one with: openssl rand -base64 32)`);
  }
  return key;
}

/**
 * A key already in service (MASTER_KEY, MASTER_KEY_PREVIOUS, master.key): what Node's lenient
 * decoder made of it before issue 16 must still be that key (review of issue 16 item 6): docker
 * --env-file keeps `"KEY"`'s quotes, and a key pasted wrapped spans two lines. Those are unwrapped
 * silently; anything else the old decoder read as 32 bytes is kept with a warning, since the
 * start-up check (master-key-check.ts) still refuses a key that opens nothing stored. A new key
 * (--new-key-file) goes through the strict parseMasterKey.
 */
export function parseKeyInService(text: string, name: string, logger: Log): Buffer {
  const trimmed = text.trim();
  const unquoted = /^(["']).*\1$/s.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
  const unwrapped = unquoted.replace(/\s+/g, '');
  try {
    return parseMasterKey(unwrapped, name);
  } catch (strictError) {
    const asBefore = Buffer.from(text, 'base64');
    if (asBefore.length !== KEY_BYTES) throw strictError;
    logger.warn({ source: name }, `${name} is not plain base64 of ${KEY_BYTES} bytes; using the ${KEY_BYTES} bytes it decoded to before issue 16 (rewrite it as openssl rand -base64 32 prints keys)`);
    return asBefore;
  }
}

const aad = (rowId: string) => Buffer.from(`channels:secrets:${rowId}`);

function sealWith(key: Buffer, kid: string, plain: string, rowId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(rowId));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v2', kid, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

function openWith(key: Buffer, iv: string, tag: string, body: string, rowId: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAAD(aad(rowId));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}

/** `current` seals and opens; each of `previous` only opens (the keys a rotation moves away from). */
export function createSecretCipher(current: Buffer, ...previous: Buffer[]): SecretCipher {
  for (const key of [current, ...previous]) if (key.length !== KEY_BYTES) throw new Error('MASTER_KEY must be 32 bytes (base64)');
  const keyId = masterKeyId(current);
  const keys = new Map<string, Buffer>([[keyId, current]]);
  for (const key of previous) if (!keys.has(masterKeyId(key))) keys.set(masterKeyId(key), key);
  return {
    keyId,
    seal: (plain, rowId) => sealWith(current, keyId, plain, rowId),
    open(sealed, rowId) {
      const parts = sealed.split(':');
      if (parts[0] === 'v2' && parts.length === 5 && parts.every((p, i) => i === 4 || p !== '')) {
        const key = keys.get(parts[1]);
        if (!key) throw new Error(`secret sealed under master key id ${parts[1]}, which this process does not hold`);
        return openWith(key, parts[2], parts[3], parts[4], rowId);
      }
      if (parts[0] === 'v1' && parts.length === 4 && parts[1] && parts[2]) {
        let failure: unknown;
        for (const key of keys.values()) {
          try {
            return openWith(key, parts[1], parts[2], parts[3], rowId);
          } catch (err) {
            failure = err;
          }
        }
        throw failure;
      }
      throw new Error('unreadable secret blob');
    },
    needsReseal: (sealed) => !sealed.startsWith(`v2:${keyId}:`),
  };
}

/** The keys a process holds, and how to name where they came from in an error. */
export interface MasterKeys {
  current: Buffer;
  previous: Buffer[];
  source: string;
}

/** Where the embedded set-up keeps its key, and the old key while a rotation runs (master-key-file-rotation.ts). */
export const keyFilePath = (dataDir: string) => join(dataDir, 'master.key');
export const previousKeyFilePath = (dataDir: string) => join(dataDir, 'master.key.previous');

/**
 * MASTER_KEY (+ MASTER_KEY_PREVIOUS while rotating) from the environment, else DATA_DIR/master.key
 * (+ master.key.previous while a rotation is unfinished), else a generated key kept in master.key (0600).
 */
export function loadMasterKeys(config: { MASTER_KEY?: string; MASTER_KEY_PREVIOUS?: string; DATA_DIR: string }, logger: Log): MasterKeys {
  if (config.MASTER_KEY) {
    const previous = config.MASTER_KEY_PREVIOUS ? [parseKeyInService(config.MASTER_KEY_PREVIOUS, 'MASTER_KEY_PREVIOUS', logger)] : [];
    return { current: parseKeyInService(config.MASTER_KEY, 'MASTER_KEY', logger), previous, source: previous.length ? 'MASTER_KEY (with MASTER_KEY_PREVIOUS)' : 'MASTER_KEY' };
  }
  // Only the key being rotated away from may be "previous": without MASTER_KEY it would seal nothing.
  if (config.MASTER_KEY_PREVIOUS) throw new Error('MASTER_KEY_PREVIOUS is set without MASTER_KEY: set MASTER_KEY to the new key and MASTER_KEY_PREVIOUS to the old one');
  const file = keyFilePath(config.DATA_DIR);
  const previousFile = previousKeyFilePath(config.DATA_DIR);
  if (existsSync(file)) {
    const previous = existsSync(previousFile) ? [parseKeyInService(readFileSync(previousFile, 'utf8'), `the key file ${previousFile}`, logger)] : [];
    return { current: parseKeyInService(readFileSync(file, 'utf8'), `the key file ${file}`, logger), previous, source: previous.length ? `the key files ${file} and ${previousFile}` : `the key file ${file}` };
  }
  // A rotation never removes master.key (it is replaced by a rename), so this is a lost file: a
  // fresh key now would seal new secrets under a third key.
  if (existsSync(previousFile)) throw new Error(`${file} is missing but ${previousFile} is there: restore ${file} (from a backup) before starting`);
  mkdirSync(config.DATA_DIR, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  logger.warn({ file }, 'MASTER_KEY is not set: generated one; keep this file, channel secrets cannot be read without it');
  return { current: key, previous: [], source: `the key file ${file}` };
}
