import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionTokenHash } from '../../src/usecases/session-token.js';
import { createStorage, login, mode, postLogin, sleep, startTestService, type LoginSession, type Storage, type TestService } from '../support/harness.js';
import { openSse } from '../support/sse-client.js';

const ADMIN_EMAIL = 'Boss@Example.com';
const ADMIN_PASSWORD = 'correct horse battery staple';

/** Console sign-in, sessions, CSRF and roles (issue #5; reliability.md §3.4, §3.6). */
describe(`console accounts and sessions (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let admin: LoginSession;

  const anonymous = (path: string, init: RequestInit = {}) => fetch(svc.url + path, init);
  const createAgent = async (email: string, password = 'agent-password-1') => {
    const res = await admin.api('POST', '/api/users', { email, name: email.split('@')[0], role: 'agent', password });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; email: string; role: string };
  };

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { ADMIN_EMAIL, ADMIN_PASSWORD });
    admin = await login(svc.url, ADMIN_EMAIL.toLowerCase(), ADMIN_PASSWORD);
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('the first admin from the environment signs in; the cookie is httpOnly and SameSite=Lax; /api/auth/me answers', async () => {
    assert.equal(svc.service.firstAdmin?.generatedPassword, null, 'ADMIN_PASSWORD was given: nothing generated');
    const res = await postLogin(svc.url, '  BOSS@example.com ', ADMIN_PASSWORD);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['csrfToken', 'user']);
    assert.equal(res.body.user.email, 'boss@example.com');
    assert.equal(res.body.user.role, 'admin');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('kb_session='))!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/, 'PUBLIC_URL is http here');
    const me = await admin.api('GET', '/api/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.id, admin.user.id);
    assert.equal(me.body.csrfToken, admin.csrfToken);
  });

  test('wrong password and unknown email get the same 401; bad input is a 400 that counts nothing', async () => {
    const wrong = await postLogin(svc.url, ADMIN_EMAIL, 'not the password');
    const unknown = await postLogin(svc.url, 'nobody@example.com', 'whatever-password');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.error.code, 'AUTH.INVALID_CREDENTIALS');
    assert.deepEqual(unknown.body, wrong.body);
    assert.equal(wrong.headers.getSetCookie().length, 0);
    for (let i = 0; i < 6; i++) {
      const bad = await anonymous('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN_EMAIL }) });
      assert.equal(bad.status, 400);
    }
    assert.equal((await anonymous('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' })).status, 400);
    assert.equal((await postLogin(svc.url, ADMIN_EMAIL, ADMIN_PASSWORD)).status, 200, 'malformed requests are not failures');
  });

  test('after 5 wrong passwords for one account from one address: 429 with Retry-After, and nothing else is affected', async () => {
    const victim = await createAgent('victim@example.com', 'victim-password');
    const victimSession = await login(svc.url, victim.email, 'victim-password');
    for (let i = 0; i < 5; i++) assert.equal((await postLogin(svc.url, victim.email, `guess-${i}`)).status, 401);
    const limited = await postLogin(svc.url, victim.email, 'victim-password');
    assert.equal(limited.status, 429, 'even the right password waits');
    assert.equal(limited.body.error.code, 'AUTH.RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After ${retryAfter}`);
    assert.equal(limited.headers.getSetCookie().length, 0);
    assert.equal((await victimSession.api('GET', '/api/conversations')).status, 200, 'open sessions keep working');
    assert.equal((await postLogin(svc.url, ADMIN_EMAIL, ADMIN_PASSWORD)).status, 200, 'other accounts from the same address still sign in');
    // Without TRUST_PROXY a forged address is the same address (login-throttle.test.ts has both ways).
    assert.equal((await postLogin(svc.url, victim.email, 'victim-password', { 'x-forwarded-for': '203.0.113.7' })).status, 429, 'a forged X-Forwarded-For is not another address');
  });

  test('a session cookie without X-CSRF-Token cannot change anything; with it, it can', async () => {
    const without = await anonymous('/api/users', { method: 'POST', headers: { cookie: admin.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'csrf@example.com', role: 'agent', password: 'csrf-password' }) });
    assert.equal(without.status, 403);
    assert.equal((await without.json()).error.code, 'AUTH.CSRF');
    const wrongToken = await admin.api('POST', '/api/users', { email: 'csrf@example.com', role: 'agent', password: 'csrf-password' }, { 'x-csrf-token': 'x'.repeat(43) });
    assert.equal(wrongToken.status, 403);
    const list = await admin.api('GET', '/api/users');
    assert.ok(!list.body.items.some((u: { email: string }) => u.email === 'csrf@example.com'), 'the refused request created nothing');
    const withToken = await admin.api('POST', '/api/users', { email: 'csrf@example.com', role: 'agent', password: 'csrf-password' });
    assert.equal(withToken.status, 201);
  });

  test('an agent gets 403 on admin APIs and 200 on the agent ones', async () => {
    await createAgent('agent1@example.com');
    const agent = await login(svc.url, 'agent1@example.com', 'agent-password-1');
    assert.equal(agent.user.role, 'agent');
    for (const path of ['/api/channels', '/api/users', '/api/stats', '/api/audit', '/api/knowledge', '/api/channel-kinds', '/api/export/training.jsonl', '/API/Users', '//api/users', '/api/users/', '/api/something-new']) {
      const res = await agent.api('GET', path);
      assert.equal(res.status, 403, path);
      assert.equal(res.body.error.code, 'AUTH.FORBIDDEN', path);
    }
    assert.notEqual((await agent.api('GET', '/api/%75sers')).status, 200);
    assert.equal((await agent.api('POST', '/api/users', { email: 'x@example.com', role: 'admin', password: 'escalate-me' })).status, 403);
    assert.equal((await agent.api('GET', '/api/conversations')).status, 200);
    assert.equal((await agent.api('GET', '/api/auth/me')).body.user.role, 'agent');
    const directory = await agent.api('GET', '/api/directory');
    assert.equal(directory.status, 200);
    assert.ok(Array.isArray(directory.body.channels));
    const me = directory.body.users.find((u: { email: string }) => u.email === 'agent1@example.com');
    assert.deepEqual(Object.keys(me).sort(), ['email', 'id', 'name', 'role']);
  });

  test('a role change applies on the next request, without signing in again', async () => {
    const user = await createAgent('promoted@example.com');
    const session = await login(svc.url, user.email, 'agent-password-1');
    assert.equal((await session.api('GET', '/api/users')).status, 403);
    assert.equal((await admin.api('PATCH', `/api/users/${user.id}`, { role: 'admin' })).status, 200);
    assert.equal((await session.api('GET', '/api/users')).status, 200);
    assert.equal((await admin.api('PATCH', `/api/users/${user.id}`, { role: 'agent' })).status, 200);
    assert.equal((await session.api('GET', '/api/users')).status, 403);
  });

  test('disabling a user ends its sessions and its sign-in; a new password ends sessions too', async () => {
    const user = await createAgent('leaver@example.com');
    const session = await login(svc.url, user.email, 'agent-password-1');
    assert.equal((await admin.api('PATCH', `/api/users/${user.id}`, { disabled: true })).status, 200);
    const after = await session.api('GET', '/api/conversations');
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'AUTH.REQUIRED');
    assert.equal((await postLogin(svc.url, user.email, 'agent-password-1')).status, 401);
    assert.equal((await admin.api('PATCH', `/api/users/${user.id}`, { disabled: false })).status, 200);
    const again = await login(svc.url, user.email, 'agent-password-1');
    assert.equal((await admin.api('PATCH', `/api/users/${user.id}`, { password: 'a-new-password' })).status, 200);
    assert.equal((await again.api('GET', '/api/auth/me')).status, 401);
    assert.equal((await postLogin(svc.url, user.email, 'agent-password-1')).status, 401);
    await login(svc.url, user.email, 'a-new-password');
  });

  test('an open console event stream ends when its session does: logout, or the user disabled', async () => {
    const user = await createAgent('streamer@example.com');
    const first = await login(svc.url, user.email, 'agent-password-1');
    const second = await login(svc.url, user.email, 'agent-password-1');
    const a = await openSse(`${svc.url}/api/events`, first.headers());
    const b = await openSse(`${svc.url}/api/events`, second.headers());
    const ended = (s: { ended: Promise<void> }) => Promise.race([s.ended.then(() => true), sleep(3000).then(() => false)]);
    assert.equal((await first.api('POST', '/api/auth/logout')).status, 204);
    assert.equal(await ended(a), true, 'the logged-out session\'s stream ended');
    assert.equal(await Promise.race([b.ended.then(() => true), sleep(300).then(() => false)]), false, 'the other session\'s stream goes on');
    assert.equal((await admin.api('PATCH', `/api/users/${user.id}`, { disabled: true })).status, 200);
    assert.equal(await ended(b), true, 'disabling the user ended the rest');
  });

  test('logout needs the CSRF token, clears the cookie and makes it useless', async () => {
    await createAgent('quitter@example.com');
    const session = await login(svc.url, 'quitter@example.com', 'agent-password-1');
    assert.equal((await anonymous('/api/auth/logout', { method: 'POST', headers: { cookie: session.cookie } })).status, 403);
    const out = await session.api('POST', '/api/auth/logout');
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie().join(), /kb_session=;.*Max-Age=0/);
    const me = await session.api('GET', '/api/auth/me');
    assert.equal(me.status, 401);
    assert.equal((await session.api('GET', '/api/conversations')).status, 401);
  });

  test('idle and absolute timeouts end sessions', async () => {
    await createAgent('sleepy@example.com');
    const idle = await login(svc.url, 'sleepy@example.com', 'agent-password-1');
    const old = await login(svc.url, 'sleepy@example.com', 'agent-password-1');
    const fresh = await login(svc.url, 'sleepy@example.com', 'agent-password-1');
    const db = svc.service.db;
    const hashOf = (s: LoginSession) => sessionTokenHash(s.cookie.split('=')[1]);
    await db.query(`UPDATE sessions SET last_seen_at = now() - interval '121 minutes' WHERE token_hash = $1`, [hashOf(idle)]);
    await db.query(`UPDATE sessions SET created_at = now() - interval '25 hours', expires_at = now() - interval '1 hour' WHERE token_hash = $1`, [hashOf(old)]);
    assert.equal((await idle.api('GET', '/api/auth/me')).status, 401);
    assert.equal((await old.api('GET', '/api/auth/me')).status, 401);
    assert.equal((await fresh.api('GET', '/api/auth/me')).status, 200);
  });

  test('anonymous API calls get 401 AUTH.REQUIRED; a stale cookie is cleared', async () => {
    const res = await anonymous('/api/conversations');
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'AUTH.REQUIRED');
    assert.equal((await anonymous('/api/auth/me')).status, 401);
    assert.equal((await anonymous('/api/directory')).status, 401);
    const stale = await anonymous('/api/auth/me', { headers: { cookie: 'kb_session=' + 'A'.repeat(43) } });
    assert.equal(stale.status, 401);
    assert.match(stale.headers.getSetCookie().join(), /kb_session=;/);
  });

  test('/ leads to the console', async () => {
    const res = await anonymous('/', { redirect: 'manual' });
    assert.equal(res.headers.get('location'), '/console/');
  });

  test('signing in again replaces the session the browser held', async () => {
    await createAgent('twice@example.com');
    const first = await login(svc.url, 'twice@example.com', 'agent-password-1');
    const again = await postLogin(svc.url, 'twice@example.com', 'agent-password-1', { cookie: first.cookie });
    assert.equal(again.status, 200);
    assert.equal((await first.api('GET', '/api/auth/me')).status, 401);
  });

  test('the ADMIN_TOKEN bearer works everywhere and needs no CSRF token, even next to a cookie', async () => {
    const me = await svc.api('GET', '/api/auth/me');
    assert.equal(me.body.user.id, 'admin-token');
    assert.equal(me.body.user.role, 'admin');
    for (const path of ['/api/channels', '/api/users', '/api/conversations', '/api/directory', '/api/audit']) assert.equal((await svc.api('GET', path)).status, 200, path);
    const created = await svc.api('POST', '/api/users', { email: 'bot-made@example.com', role: 'agent', password: 'bot-made-password' }, { cookie: admin.cookie });
    assert.equal(created.status, 201);
    assert.equal((await svc.api('GET', '/api/users', undefined, { authorization: 'Bearer wrong' })).status, 401);
  });

  test('a proxy\'s Basic credentials are not ours: signing in and the session still work, and grant nothing', async () => {
    await createAgent('behind-proxy@example.com');
    const basic = { authorization: `Basic ${Buffer.from('proxy:secret').toString('base64')}` };
    const signedIn = await postLogin(svc.url, 'behind-proxy@example.com', 'agent-password-1', basic);
    assert.equal(signedIn.status, 200);
    const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('kb_session='))!.split(';')[0];
    const me = await fetch(`${svc.url}/api/auth/me`, { headers: { ...basic, cookie } });
    assert.equal(me.status, 200);
    const anonymous = await fetch(`${svc.url}/api/users`, { headers: basic });
    assert.equal(anonymous.status, 401, 'Basic credentials alone are no caller');
    assert.equal((await fetch(`${svc.url}/api/openapi.json`, { headers: basic })).status, 200);
  });

  test('duplicate emails, the last admin and bad user input are refused', async () => {
    const dup = await admin.api('POST', '/api/users', { email: 'AGENT1@example.com', role: 'agent', password: 'agent-password-1' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'USER.EMAIL_TAKEN');
    const demote = await admin.api('PATCH', `/api/users/${admin.user.id}`, { role: 'agent' });
    assert.equal(demote.status, 409);
    assert.equal(demote.body.error.code, 'USER.LAST_ADMIN');
    assert.equal((await admin.api('PATCH', `/api/users/${admin.user.id}`, { disabled: true })).status, 409);
    assert.equal((await admin.api('POST', '/api/users', { email: 'short@example.com', role: 'agent', password: 'short' })).status, 400);
    assert.equal((await admin.api('POST', '/api/users', { email: 'not-an-email', role: 'agent', password: 'long-enough' })).status, 400);
    assert.equal((await admin.api('POST', '/api/users', { email: 'r@example.com', role: 'root', password: 'long-enough' })).status, 400);
    assert.equal((await admin.api('PATCH', `/api/users/${admin.user.id}`, {})).status, 400);
    assert.equal((await admin.api('PATCH', '/api/users/u_nope', { name: 'x' })).status, 404);
    assert.equal((await admin.api('GET', '/api/auth/me')).body.user.role, 'admin');
  });

  test('password hashes never leave the server', async () => {
    const answers = [
      await admin.api('GET', '/api/users'),
      await admin.api('POST', '/api/users', { email: 'hash-check@example.com', role: 'agent', password: 'hash-check-password' }),
      await admin.api('GET', '/api/directory'),
      await admin.api('GET', '/api/auth/me'),
      await admin.api('GET', '/api/audit'),
      await postLogin(svc.url, 'hash-check@example.com', 'hash-check-password'),
    ];
    const created = answers[1].body;
    answers.push(await admin.api('PATCH', `/api/users/${created.id}`, { password: 'another-password' }));
    for (const res of answers) {
      const text = JSON.stringify(res.body);
      assert.doesNotMatch(text, /argon2|password_?hash|passwordHash/i);
      assert.doesNotMatch(text, /hash-check-password|another-password/);
    }
  });

  test('the audit log names the admin who created a user, and records sign-ins', async () => {
    const audit = await admin.api('GET', '/api/audit?limit=1000');
    const users = (await admin.api('GET', '/api/users')).body.items as { id: string; email: string }[];
    const agent1 = users.find((u) => u.email === 'agent1@example.com')!;
    const creation = audit.body.items.find((e: { action: string; target: string }) => e.action === 'user.create' && e.target === `user:${agent1.id}`);
    assert.equal(creation.actor, admin.user.id);
    assert.ok(audit.body.items.some((e: { action: string; actor: string }) => e.action === 'auth.login' && e.actor === admin.user.id));
    assert.ok(audit.body.items.some((e: { action: string }) => e.action === 'auth.login_failed'));
    const promoted = users.find((u) => u.email === 'promoted@example.com')!;
    const roleChange = audit.body.items.find((e: { action: string; target: string; details?: { role?: unknown } }) => e.action === 'user.update' && e.target === `user:${promoted.id}` && e.details?.role);
    assert.equal(roleChange.actor, admin.user.id);
  });
});

describe(`the first start without ADMIN_EMAIL / ADMIN_PASSWORD (${mode})`, () => {
  let storage: Storage;
  before(async () => {
    storage = await createStorage();
  });
  after(async () => storage?.dispose());

  test('creates admin@localhost with a generated password, once', async () => {
    const first = await startTestService(storage);
    try {
      const created = first.service.firstAdmin;
      assert.equal(created?.user.email, 'admin@localhost');
      assert.ok(created?.generatedPassword && created.generatedPassword.length >= 16);
      const session = await login(first.url, 'admin@localhost', created.generatedPassword);
      assert.equal(session.user.role, 'admin');
    } finally {
      await first.close();
    }
    const second = await startTestService(storage, { ADMIN_EMAIL: 'other@example.com', ADMIN_PASSWORD: 'other-password' });
    try {
      assert.equal(second.service.firstAdmin, null, 'users exist: nothing is created or printed again');
      const users = await second.api('GET', '/api/users');
      assert.deepEqual(users.body.items.map((u: { email: string }) => u.email), ['admin@localhost']);
    } finally {
      await second.close();
    }
  });
});
