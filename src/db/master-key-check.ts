import type { Queryable } from './database.js';
import type { SecretCipher } from './secret-cipher.js';

/**
 * Start-up check that this process's master key opens the channel secrets already stored
 * (issue 11: a second replica with its own DATA_DIR, or a lost key file, died later with a bare
 * "Unsupported state or unable to authenticate data"). One sealed row is enough: all share a key.
 */
export async function assertMasterKeyOpensSecrets(db: Queryable, cipher: SecretCipher, keySource: string): Promise<void> {
  const { rows } = await db.query<{ id: string; secrets: string }>('SELECT id, secrets FROM channels WHERE secrets IS NOT NULL ORDER BY created_at LIMIT 1');
  const row = rows[0];
  if (!row) return;
  try {
    cipher.open(row.secrets, row.id);
  } catch {
    throw new Error(
      `the master key (${keySource}) cannot decrypt the channel secrets stored in this database (channel ${row.id}): ` +
        'they were sealed under another key. Start every process with the same MASTER_KEY (base64, 32 bytes) — ' +
        'the one that sealed them, or the content of the master.key file of the DATA_DIR that first ran against this database.',
    );
  }
}
