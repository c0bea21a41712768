import { randomBytes } from 'node:crypto';
import { absoluteExpiry } from '../domain/session.js';
import { RateLimitedError, UnauthorizedError } from '../domain/errors.js';
import { normalizeEmail, type User } from '../domain/user.js';
import type { ThrottleRule } from '../ports/login-throttle.js';
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

/** The per-account+IP key is the one a successful login clears (consecutive failures, reliability.md §3.6). */
export function throttleRules(settings: AuthSettings, email: string, ip: string): ThrottleRule[] {
  const windowMs = settings.loginWindowMs;
  return [
    { key: `account-ip:${email}|${ip}`, limit: settings.maxFailuresPerAccountAndIp, windowMs },
    { key: `ip:${ip}`, limit: settings.maxFailuresPerIp, windowMs },
    { key: `account:${email}`, limit: settings.maxFailuresPerAccount, windowMs },
  ];
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
  const rules = throttleRules(settings, email, input.ip);
  const blockedMs = await deps.loginThrottle.blockedForMs(rules, deps.clock.now());
  if (blockedMs > 0) throw new RateLimitedError(blockedMs / 1000);

  const found = await deps.users.findByEmail(email);
  const passwordOk = await deps.passwords.verify(found?.passwordHash ?? (await dummyHash(deps.passwords)), input.password);
  if (!found || !passwordOk || found.user.disabled) {
    await deps.loginThrottle.recordFailure(rules, deps.clock.now());
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
  await deps.loginThrottle.clear([rules[0].key]);
  await deps.users.recordLogin(found.user.id, now);
  // Housekeeping rides on logins: abandoned sessions would otherwise stay forever.
  await deps.sessions.deleteExpired(now, new Date(now.getTime() - settings.sessionIdleMs));
  await deps.audit.record({ actor: found.user.id, action: 'auth.login', target: `user:${found.user.id}`, details: { ip: input.ip } });
  return { user: { ...found.user, lastLoginAt: now }, token, csrfToken, expiresAt };
}
