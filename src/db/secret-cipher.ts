import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';

/**
 * Channel secrets at rest: AES-256-GCM under MASTER_KEY, bound to the row with AAD so a
 * ciphertext cannot be moved to another channel (reliability.md §3.3).
 */
export interface SecretCipher {
  seal(plain: string, rowId: string): string;
  open(sealed: string, rowId: string): string;
}

const VERSION = 'v1';

export function createSecretCipher(key: Buffer): SecretCipher {
  if (key.length !== 32) throw new Error('MASTER_KEY must be 32 bytes (base64)');
  const aad = (rowId: string) => Buffer.from(`channels:secrets:${rowId}`);
  return {
    seal(plain, rowId) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad(rowId));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    open(sealed, rowId) {
      const [version, iv, tag, body] = sealed.split(':');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('unreadable secret blob');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAAD(aad(rowId));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}

/** MASTER_KEY from the environment, else a generated key kept in DATA_DIR/master.key (0600). */
export function loadMasterKey(configured: string | undefined, dataDir: string, logger: Logger): Buffer {
  if (configured) return Buffer.from(configured, 'base64');
  const file = join(dataDir, 'master.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  logger.warn({ file }, 'MASTER_KEY is not set: generated one; keep this file, channel secrets cannot be read without it');
  return key;
}
