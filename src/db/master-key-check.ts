import type { Queryable } from './database.js';
import type { SecretCipher } from './secret-cipher.js';

/** Channels whose sealed secrets this cipher cannot open, in creation order. */
export async function findUnreadableSecrets(db: Queryable, cipher: SecretCipher): Promise<string[]> {
  const { rows } = await db.query<{ id: string; secrets: string }>('SELECT id, secrets FROM channels WHERE secrets IS NOT NULL ORDER BY created_at, id');
  const unreadable: string[] = [];
  for (const row of rows) {
    try {
      cipher.open(row.secrets, row.id);
    } catch {
      unreadable.push(row.id);
    }
  }
  return unreadable;
}

/**
 * Start-up check that this process's master key opens the channel secrets already stored
 * (issue 11: a second replica with its own DATA_DIR, or a lost key file, died later with a bare
 * "Unsupported state or unable to authenticate data"). Every row, not a sample: during and after
 * a key rotation (issue 16 item 6) rows are sealed under different keys, and the oldest row is the
 * last one a process with only the old key would fail on. Opening a few hundred small blobs takes
 * milliseconds.
 */
export async function assertMasterKeyOpensSecrets(db: Queryable, cipher: SecretCipher, keySource: string): Promise<void> {
  const unreadable = await findUnreadableSecrets(db, cipher);
  if (unreadable.length === 0) return;
  const named = unreadable.slice(0, 5).join(', ') + (unreadable.length > 5 ? ', …' : '');
  throw new Error(
    `the master key (${keySource}) cannot decrypt the channel secrets stored in this database (${unreadable.length} channel(s): ${named}): ` +
      'they were sealed under another key. Start every process with the same MASTER_KEY (base64, 32 bytes) — ' +
      'the one that sealed them, or the content of the master.key file of the DATA_DIR that first ran against this database. ' +
      'After `npm run rotate-master-key` only the new key opens them; while a rotation is under way, set MASTER_KEY to the new key and MASTER_KEY_PREVIOUS to the old one.',
  );
}
