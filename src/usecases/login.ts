import { randomBytes } from 'node:crypto';
import { absoluteExpiry } from '../domain/session.js';
import { RateLimitedError, UnauthorizedError } from '../domain/errors.js';
import { normalizeEmail, type User } from '../domain/user.js';
import type { FailureCount } from '../ports/login-throttle.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { AuthSettings, CoreDeps } from './deps.js';
import { newSessionToken, sessionTokenHash } from './session-token.js';

export interface LoginInput {
  email: string;
  password: string;
  /** The caller's address, for throttling and the audit trail. */
  ip: string;
  /** A session the browser still holds: replaced, not left behind, when the login succeeds. */
  previousToken?: string;
}

export interface LoginResult {
  user: User;
  /** The cookie value; only its hash is stored. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

/** The counters one sign-in attempt is checked against and counted under. */
export interface ThrottleKeys {
  /** The one a successful login clears (consecutive failures, reliability.md §3.6). */
  accountAddress: string;
  address: string;
  account: string;
}

export function throttleKeys(email: string, ip: string): ThrottleKeys {
  return { accountAddress: `account-ip:${email}|${ip}`, address: `ip:${ip}`, account: `account:${email}` };
}

/**
 * How long this address must wait before it may try this account again; 0: go ahead. Per
 * account+address and per address, a plain limit stops a guesser in one place. Per account there
 * is no lockout (issue 11 item 5): an account under attack only tightens the limit for addresses
 * that have already failed at it, so the real user at a clean address always gets in.
 */
export function loginWaitMs(settings: AuthSettings, keys: ThrottleKeys, counts: Map<string, FailureCount>, now: Date): number {
  const waitPast = (key: string, limit: number) => {
    const count = counts.get(key);
    return count && count.failures >= limit ? count.windowEndsAt.getTime() - now.getTime() : 0;
  };
  const waits = [waitPast(keys.accountAddress, settings.maxFailuresPerAccountAndIp), waitPast(keys.address, settings.maxFailuresPerIp)];
  const underAttackFor = waitPast(keys.account, settings.accountUnderAttackAfter);
  if (underAttackFor > 0) waits.push(Math.min(underAttackFor, waitPast(keys.accountAddress, settings.maxFailuresPerAccountAndIpUnderAttack)));
  return Math.max(0, ...waits);
}

/**
 * An unknown email is checked against this hash, so it costs the same argon2 work as a wrong
 * password and the answer time does not reveal which emails exist (ASVS 6.3.8 spirit).
 */
const dummyHashes = new WeakMap<PasswordHasher, Promise<string>>();
function dummyHash(hasher: PasswordHasher): Promise<string> {
  let h = dummyHashes.get(hasher);
  if (!h) {
    h = hasher.hash(randomBytes(16).toString('base64url'));
    dummyHashes.set(hasher, h);
  }
  return h;
}

/** Checks the password and opens a session. Every failure looks the same to the caller: 401 AUTH.INVALID_CREDENTIALS. */
export async function login(deps: CoreDeps, input: LoginInput): Promise<LoginResult> {
  const email = normalizeEmail(input.email);
  const settings = deps.settings.auth;
  const keys = throttleKeys(email, input.ip);
  const allKeys = [keys.accountAddress, keys.address, keys.account];
  const counts = await deps.loginThrottle.counts(allKeys, settings.loginWindowMs, deps.clock.now());
  const waitMs = loginWaitMs(settings, keys, counts, deps.clock.now());
  if (waitMs > 0) throw new RateLimitedError(waitMs / 1000);

  const found = await deps.users.findByEmail(email);
  const passwordOk = await deps.passwords.verify(found?.passwordHash ?? (await dummyHash(deps.passwords)), input.password);
  if (!found || !passwordOk || found.user.disabled) {
    await deps.loginThrottle.recordFailure(allKeys, settings.loginWindowMs, deps.clock.now());
    const reason = !found ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'disabled';
    // Nobody proved who they are: the actor is anonymous, the target the account they tried.
    await deps.audit.record({ actor: 'anonymous', action: 'auth.login_failed', target: found ? `user:${found.user.id}` : 'user:unknown', details: { email, ip: input.ip, reason } });
    throw new UnauthorizedError('wrong email or password', 'AUTH.INVALID_CREDENTIALS');
  }

  const now = deps.clock.now();
  const token = newSessionToken();
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = absoluteExpiry(now, { idleMs: settings.sessionIdleMs, maxMs: settings.sessionMaxMs });
  await deps.sessions.create({ tokenHash: sessionTokenHash(token), userId: found.user.id, csrfToken, createdAt: now, lastSeenAt: now, expiresAt });
  if (input.previousToken) await deps.sessions.delete(sessionTokenHash(input.previousToken));
  await deps.loginThrottle.clear([keys.accountAddress]);
  await deps.users.recordLogin(found.user.id, now);
  // Housekeeping rides on logins: abandoned sessions would otherwise stay forever.
  await deps.sessions.deleteExpired(now, new Date(now.getTime() - settings.sessionIdleMs));
  await deps.audit.record({ actor: found.user.id, action: 'auth.login', target: `user:${found.user.id}`, details: { ip: input.ip } });
  return { user: { ...found.user, lastLoginAt: now }, token, csrfToken, expiresAt };
}
