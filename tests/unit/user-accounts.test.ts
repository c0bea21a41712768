import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError, RateLimitedError } from '../../src/domain/errors.js';
import type { User } from '../../src/domain/user.js';
import type { FailureCount, LoginThrottle } from '../../src/ports/login-throttle.js';
import type { PasswordHasher } from '../../src/ports/password-hasher.js';
import type { SessionRecord, SessionStore } from '../../src/ports/session-store.js';
import type { NewUser, UserPatch, UserStore } from '../../src/ports/user-store.js';
import { ensureFirstAdmin } from '../../src/usecases/ensure-first-admin.js';
import { login, loginWaitMs, throttleKeys } from '../../src/usecases/login.js';
import { sessionTokenHash } from '../../src/usecases/session-token.js';
import { updateUser } from '../../src/usecases/update-user.js';
import { FakeAuditLog, FakeEventBus, fakeDeps, fixedClock, TEST_SETTINGS } from '../support/fake-ports.js';

const NOW = new Date('2024-01-01T00:00:00Z');

class MemoryUsers implements UserStore {
  readonly rows = new Map<string, User & { passwordHash: string }>();
  private seq = 0;
  async create(input: NewUser) {
    if ([...this.rows.values()].some((u) => u.email === input.email)) return null;
    const row = { id: `u_${++this.seq}`, email: input.email, name: input.name, role: input.role, disabled: false, createdAt: NOW, lastLoginAt: null, passwordHash: input.passwordHash };
    this.rows.set(row.id, row);
    return this.strip(row);
  }
  createFirst = async (input: NewUser) => (this.rows.size > 0 ? null : this.create(input));
  get = async (id: string) => (this.rows.has(id) ? this.strip(this.rows.get(id)!) : null);
  async findByEmail(email: string) {
    const row = [...this.rows.values()].find((u) => u.email === email);
    return row ? { user: this.strip(row), passwordHash: row.passwordHash } : null;
  }
  list = async () => [...this.rows.values()].map((r) => this.strip(r));
  count = async () => this.rows.size;
  countActiveAdmins = async () => [...this.rows.values()].filter((u) => u.role === 'admin' && !u.disabled).length;
  async update(id: string, patch: UserPatch) {
    const row = this.rows.get(id);
    if (!row) return null;
    Object.assign(row, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    return this.strip(row);
  }
  recordLogin = async () => {};
  private strip({ passwordHash: _hash, ...user }: User & { passwordHash: string }): User {
    return { ...user };
  }
}

class MemorySessions implements SessionStore {
  readonly rows: SessionRecord[] = [];
  create = async (s: SessionRecord) => void this.rows.push(s);
  find = async () => null;
  touch = async () => {};
  delete = async () => {};
  async deleteForUser(userId: string) {
    const before = this.rows.length;
    this.rows.splice(0, this.rows.length, ...this.rows.filter((s) => s.userId !== userId));
    return before - this.rows.length;
  }
  deleteExpired = async () => 0;
}

class RecordingThrottle implements LoginThrottle {
  failures: string[][] = [];
  cleared: string[][] = [];
  constructor(public stored = new Map<string, FailureCount>()) {}
  counts = async () => this.stored;
  recordFailure = async (keys: string[]) => void this.failures.push(keys);
  clear = async (keys: string[]) => void this.cleared.push(keys);
}

/** Plain-text "hashes" that record what was verified against what. */
class FakeHasher implements PasswordHasher {
  verified: string[] = [];
  hash = async (pw: string) => `fake:${pw}`;
  async verify(hash: string, pw: string) {
    this.verified.push(hash);
    return hash === `fake:${pw}`;
  }
}

function setup(counts = new Map<string, FailureCount>()) {
  const users = new MemoryUsers();
  const sessions = new MemorySessions();
  const loginThrottle = new RecordingThrottle(counts);
  const passwords = new FakeHasher();
  const audit = new FakeAuditLog();
  const events = new FakeEventBus();
  const deps = fakeDeps({ users, sessions, loginThrottle, passwords, audit, events, clock: fixedClock(NOW) });
  return { deps, users, sessions, loginThrottle, passwords, audit, events };
}
const isCode = (code: string) => (e: unknown) => e instanceof AppError && e.code === code;

describe('login', () => {
  test('an unknown email costs a password check too, counts as a failure and answers like a wrong password', async () => {
    const { deps, passwords, loginThrottle } = setup();
    await assert.rejects(login(deps, { email: 'ghost@example.com', password: 'pw-123456', ip: '10.0.0.1' }), isCode('AUTH.INVALID_CREDENTIALS'));
    assert.equal(passwords.verified.length, 1);
    assert.deepEqual(loginThrottle.failures[0], ['account-ip:ghost@example.com|10.0.0.1', 'ip:10.0.0.1', 'account:ghost@example.com']);
  });

  test('a throttled caller is refused before any password check, with the wait rounded up', async () => {
    const counts = new Map([['account-ip:a@example.com|10.0.0.1', { failures: 5, windowEndsAt: new Date(NOW.getTime() + 1500) }]]);
    const { deps, passwords } = setup(counts);
    await assert.rejects(login(deps, { email: 'a@example.com', password: 'x', ip: '10.0.0.1' }), (e: unknown) => e instanceof RateLimitedError && e.retryAfterS === 2 && e.httpStatus === 429);
    assert.equal(passwords.verified.length, 0);
  });

  test('success stores only the token hash, clears the account+address counter and expires at the absolute limit', async () => {
    const { deps, users, sessions, loginThrottle, audit } = setup();
    const user = (await users.create({ email: 'a@example.com', name: 'a', role: 'agent', passwordHash: 'fake:right-password' }))!;
    const result = await login(deps, { email: ' A@Example.com ', password: 'right-password', ip: '10.0.0.1' });
    assert.equal(result.user.id, user.id);
    assert.equal(sessions.rows.length, 1);
    assert.equal(sessions.rows[0].tokenHash, sessionTokenHash(result.token));
    assert.notEqual(sessions.rows[0].tokenHash, result.token);
    assert.equal(sessions.rows[0].expiresAt.getTime(), NOW.getTime() + deps.settings.auth.sessionMaxMs);
    assert.deepEqual(loginThrottle.cleared, [['account-ip:a@example.com|10.0.0.1']]);
    assert.equal(audit.records.at(-1)?.action, 'auth.login');
  });

  test('a disabled user with the right password is refused like anyone else', async () => {
    const { deps, users } = setup();
    const user = (await users.create({ email: 'a@example.com', name: 'a', role: 'agent', passwordHash: 'fake:right-password' }))!;
    await users.update(user.id, { disabled: true });
    await assert.rejects(login(deps, { email: 'a@example.com', password: 'right-password', ip: '10.0.0.1' }), isCode('AUTH.INVALID_CREDENTIALS'));
  });
});

describe('loginWaitMs (issue 11: throttling a stranger cannot turn into a lockout)', () => {
  const settings = TEST_SETTINGS.auth;
  const keys = throttleKeys('boss@example.com', '10.0.0.1');
  const endsIn = (ms: number) => new Date(NOW.getTime() + ms);
  const wait = (entries: [string, number, number][]) =>
    loginWaitMs(settings, keys, new Map(entries.map(([key, failures, ms]) => [key, { failures, windowEndsAt: endsIn(ms) }])), NOW);

  test('one address guessing one account, or spraying many, waits until its window ends', () => {
    assert.equal(wait([[keys.accountAddress, 4, 60_000]]), 0);
    assert.equal(wait([[keys.accountAddress, 5, 60_000]]), 60_000);
    assert.equal(wait([[keys.address, 49, 60_000]]), 0);
    assert.equal(wait([[keys.address, 50, 70_000]]), 70_000);
  });

  test('an account failing from everywhere never refuses an address without failures', () => {
    assert.equal(wait([[keys.account, 10_000, 900_000]]), 0);
    assert.equal(wait([[keys.account, 10_000, 900_000], [keys.accountAddress, 1, 900_000]]), 0, 'one typo is allowed');
  });

  test('while the account is under attack, addresses that already failed at it get fewer tries', () => {
    assert.equal(wait([[keys.account, 49, 900_000], [keys.accountAddress, 2, 800_000]]), 0, 'not under attack yet: the usual 5');
    assert.equal(wait([[keys.account, 50, 900_000], [keys.accountAddress, 2, 800_000]]), 800_000);
    assert.equal(wait([[keys.account, 50, 300_000], [keys.accountAddress, 2, 800_000]]), 300_000, 'the attack window may end first');
  });
});

describe('updateUser', () => {
  const admin = { id: 'u_admin', role: 'admin' as const };

  test('the last enabled admin can be neither demoted nor disabled', async () => {
    const { deps, users } = setup();
    const only = (await users.create({ email: 'boss@example.com', name: 'boss', role: 'admin', passwordHash: 'fake:x' }))!;
    await assert.rejects(updateUser(deps, admin, only.id, { role: 'agent' }), isCode('USER.LAST_ADMIN'));
    await assert.rejects(updateUser(deps, admin, only.id, { disabled: true }), isCode('USER.LAST_ADMIN'));
    assert.equal((await users.get(only.id))?.role, 'admin');
  });

  test('disabling and a new password end sessions; a role change does not', async () => {
    const { deps, users, sessions, audit, events } = setup();
    await users.create({ email: 'boss@example.com', name: 'boss', role: 'admin', passwordHash: 'fake:x' });
    const agent = (await users.create({ email: 'a@example.com', name: 'a', role: 'agent', passwordHash: 'fake:x' }))!;
    const open = () => sessions.create({ tokenHash: `t${sessions.rows.length}`, userId: agent.id, csrfToken: 'c', createdAt: NOW, lastSeenAt: NOW, expiresAt: NOW });
    await open();
    await updateUser(deps, admin, agent.id, { role: 'admin' });
    assert.equal(sessions.rows.length, 1);
    assert.deepEqual(events.published, [], 'a role change ends nothing');
    await updateUser(deps, admin, agent.id, { password: 'a-new-password' });
    assert.equal(sessions.rows.length, 0);
    await open();
    await updateUser(deps, admin, agent.id, { disabled: true });
    assert.equal(sessions.rows.length, 0);
    // Open event streams close on these, in every process.
    assert.deepEqual(events.published, [1, 2].map(() => ({ type: 'sessions.ended', userId: agent.id, tokenHash: null })));
    assert.ok(audit.records.every((r) => r.actor === admin.id && !JSON.stringify(r).includes('a-new-password')));
    assert.deepEqual(audit.records[0].details?.role, { from: 'agent', to: 'admin' });
  });
});

describe('ensureFirstAdmin', () => {
  test('an empty table gets admin@localhost with a generated password; a second call does nothing', async () => {
    const { deps, users } = setup();
    const first = await ensureFirstAdmin(deps, {});
    assert.equal(first?.user.email, 'admin@localhost');
    assert.equal(first?.user.role, 'admin');
    assert.ok(first?.generatedPassword && first.generatedPassword.length >= 16);
    assert.equal((await users.findByEmail('admin@localhost'))?.passwordHash, `fake:${first.generatedPassword}`);
    assert.equal(await ensureFirstAdmin(deps, { email: 'x@example.com', password: 'long-enough' }), null);
  });

  test('ADMIN_EMAIL / ADMIN_PASSWORD are used as given (email lower-cased), nothing generated', async () => {
    const { deps } = setup();
    const first = await ensureFirstAdmin(deps, { email: 'Boss@Example.com', password: 'long-enough' });
    assert.equal(first?.user.email, 'boss@example.com');
    assert.equal(first?.generatedPassword, null);
  });
});
