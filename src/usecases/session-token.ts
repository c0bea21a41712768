import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes (ASVS 7.2.3 asks for at least 128 bits of entropy), base64url for the cookie. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the sessions table keys on: a stolen table yields no usable cookies. */
export function sessionTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
