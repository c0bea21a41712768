import type { Database, Queryable } from './database.js';
import { findUnreadableSecrets } from './master-key-check.js';
import type { SecretCipher } from './secret-cipher.js';

export interface RotationReport {
  /** The id of the key everything is now sealed under (masterKeyId). */
  keyId: string;
  /** Channels whose secrets this run sealed again under the current key. */
  resealed: number;
  /** Channels already sealed under the current key (a re-run, or saved by a replica holding it). */
  alreadyCurrent: number;
  /** Channels without secrets. */
  withoutSecrets: number;
}

/** Thrown before any row changed: the keys given cannot open what is stored. */
export class UnreadableSecretsError extends Error {
  constructor(readonly channelIds: string[]) {
    super(`${channelIds.length} channel(s) cannot be opened with the keys given (${channelIds.slice(0, 5).join(', ')}${channelIds.length > 5 ? ', …' : ''}): ` +
      'set MASTER_KEY to the new key and MASTER_KEY_PREVIOUS to the key that sealed them; nothing was changed');
    this.name = 'UnreadableSecretsError';
  }
}

/**
 * Re-seals every channel's secrets under the cipher's current key (issue 16 item 6), safe beside
 * running replicas. Each row is its own short transaction holding the row lock (`FOR UPDATE`)
 * from read to write: an admin saving the same channel meanwhile either lands before (and is
 * what gets re-sealed, or is already under the new key) or waits and lands after (its UPDATE
 * rewrites the row it then sees). Nothing is read outside the lock and written back later, so no
 * edit is lost. Rows already under the current key are left alone: re-running is a no-op.
 */
export async function resealChannelSecrets(db: Database, cipher: SecretCipher): Promise<RotationReport> {
  // Refuse before the first write: half a rotation with keys that cannot finish it helps no one.
  const unreadable = await findUnreadableSecrets(db, cipher);
  if (unreadable.length > 0) throw new UnreadableSecretsError(unreadable);
  const { rows } = await db.query<{ id: string }>('SELECT id FROM channels ORDER BY created_at, id');
  const report: RotationReport = { keyId: cipher.keyId, resealed: 0, alreadyCurrent: 0, withoutSecrets: 0 };
  for (const { id } of rows) {
    const outcome = await db.transaction(async (tx) => {
      const r = await tx.query<{ secrets: string | null }>('SELECT secrets FROM channels WHERE id = $1 FOR UPDATE', [id]);
      const sealed = r.rows[0]?.secrets;
      if (!sealed) return 'withoutSecrets' as const;
      if (!cipher.needsReseal(sealed)) return 'alreadyCurrent' as const;
      // updated_at stays: the channel's settings did not change, only how they are stored.
      await tx.query('UPDATE channels SET secrets = $2 WHERE id = $1', [id, cipher.seal(openSavedMeanwhile(cipher, sealed, id), id)]);
      return 'resealed' as const;
    });
    report[outcome]++;
  }
  return report;
}

/**
 * The final pass (review of issue 16 item 6): channels not sealed under the cipher's current key
 * after the run. The row locks above cannot stop a process holding only the old key from saving a
 * row again once the run has passed it; that row opens only with the old key, so saying "done"
 * would let the operator drop the key it needs.
 */
export async function findSecretsNotUnderCurrentKey(db: Queryable, cipher: SecretCipher): Promise<string[]> {
  const { rows } = await db.query<{ id: string; secrets: string }>('SELECT id, secrets FROM channels WHERE secrets IS NOT NULL ORDER BY created_at, id');
  return rows.filter((r) => cipher.needsReseal(r.secrets)).map((r) => r.id);
}

/** Names a few channels of a list in a message. */
export const nameChannels = (ids: string[]) => `${ids.length} channel(s): ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`;

/** The check above passed, so a row that fails here was saved since by a process holding another key. */
function openSavedMeanwhile(cipher: SecretCipher, sealed: string, id: string): string {
  try {
    return cipher.open(sealed, id);
  } catch {
    throw new Error(`channel ${id} was saved during the rotation under a key this command does not hold (a replica still running with the old MASTER_KEY alone?): ` +
      'restart every replica with MASTER_KEY=new and MASTER_KEY_PREVIOUS=old, then run the command again');
  }
}
