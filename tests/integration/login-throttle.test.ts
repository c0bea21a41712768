import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStorage, mode, postLogin, startTestService, type Storage, type TestService } from '../support/harness.js';

const ADMIN_EMAIL = 'boss@example.com';
const ADMIN_PASSWORD = 'correct horse battery staple';

/** Where the service saw failed sign-ins come from: the audit trail records the address throttling keyed on. */
async function failedLoginAddresses(svc: TestService): Promise<string[]> {
  const audit = await svc.api('GET', '/api/audit?limit=1000');
  assert.equal(audit.status, 200);
  return audit.body.items.filter((e: { action: string }) => e.action === 'auth.login_failed').map((e: { details: { ip: string } }) => e.details.ip);
}

async function withService(overrides: Record<string, string>) {
  const storage = await createStorage();
  const svc = await startTestService(storage, { ADMIN_EMAIL, ADMIN_PASSWORD, ...overrides });
  return { storage, svc };
}

/** Issue 11 item 5: forged X-Forwarded-For beat login throttling, and 50 failures locked the real admin out. */
describe(`login throttling without TRUST_PROXY: X-Forwarded-For is not believed (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  before(async () => ({ storage, svc } = await withService({})));
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('twelve wrong passwords with twelve forged addresses: 429 with Retry-After by the 6th', async () => {
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 12; i++) {
      const res = await postLogin(svc.url, ADMIN_EMAIL, `guess-${i}`, { 'x-forwarded-for': `198.51.100.${i + 1}` });
      statuses.push(res.status);
      if (res.status === 429) {
        assert.equal(res.body.error.code, 'AUTH.RATE_LIMITED');
        retryAfter = Number(res.headers.get('retry-after'));
      }
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After ${retryAfter}`);
    const addresses = await failedLoginAddresses(svc);
    assert.equal(addresses.length, 5, 'a refused attempt is not counted again');
    assert.ok(addresses.every((ip) => !ip.startsWith('198.51.100.')), `the socket's address was recorded, not the forged one: ${addresses.join(',')}`);
  });
});

describe(`login throttling with TRUST_PROXY: many addresses cannot lock the real admin out (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  before(async () => ({ storage, svc } = await withService({ TRUST_PROXY: 'true' })));
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('the proxy\'s X-Forwarded-For entry is the address throttling keys on', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await postLogin(svc.url, ADMIN_EMAIL, `typo-${i}`, { 'x-forwarded-for': '203.0.113.9' })).status, 401);
    assert.equal((await postLogin(svc.url, ADMIN_EMAIL, ADMIN_PASSWORD, { 'x-forwarded-for': '203.0.113.9' })).status, 429);
    // The left-most entries are whatever the client claimed; only the one our proxy added counts.
    assert.equal((await postLogin(svc.url, ADMIN_EMAIL, ADMIN_PASSWORD, { 'x-forwarded-for': '192.0.2.1, 203.0.113.9' })).status, 429);
    assert.equal((await postLogin(svc.url, ADMIN_EMAIL, ADMIN_PASSWORD, { 'x-forwarded-for': '203.0.113.10' })).status, 200);
    assert.ok((await failedLoginAddresses(svc)).includes('203.0.113.9'));
  });

  test('after 60 failures for admin from 30 addresses, the real admin from a fresh address still signs in', async () => {
    const attacker = (i: number) => `198.51.100.${i % 30}`;
    for (let i = 0; i < 60; i++) {
      const res = await postLogin(svc.url, ADMIN_EMAIL, `guess-${i}`, { 'x-forwarded-for': attacker(i) });
      assert.equal(res.status, 401, `failure ${i + 1} from ${attacker(i)} answered ${res.status}`);
    }
    const admin = await postLogin(svc.url, ADMIN_EMAIL, ADMIN_PASSWORD, { 'x-forwarded-for': '192.0.2.77' });
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
    assert.equal(admin.body.user.email, ADMIN_EMAIL);
    // The account is under attack: an address that already failed twice at it waits, whatever it sends.
    const attackerAgain = await postLogin(svc.url, ADMIN_EMAIL, ADMIN_PASSWORD, { 'x-forwarded-for': attacker(0) });
    assert.equal(attackerAgain.status, 429);
    assert.ok(Number(attackerAgain.headers.get('retry-after')) > 0);
  });
});
