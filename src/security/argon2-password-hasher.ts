import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../ports/password-hasher.js';

/** `Algorithm.Argon2id` is a const enum, which isolated transpilers (tsx) cannot inline. */
const ARGON2ID = 2;

/**
 * argon2id with the library defaults (m=19 MiB, t=2, p=1: the OWASP Password Storage Cheat Sheet
 * minimum). The parameters are stored in each hash, so raising them later keeps old hashes working.
 */
export function createArgon2PasswordHasher(): PasswordHasher {
  return {
    hash: (password: string) => hash(password, { algorithm: ARGON2ID }),
    async verify(stored: string, password: string) {
      try {
        return await verify(stored, password);
      } catch {
        return false;
      }
    },
  };
}
