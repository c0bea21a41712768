/**
 * Transfers and presence in Chromium (issue 14 review: a chat could be transferred to an offline
 * agent and sit there unnoticed). The API stays permissive (an admin may hand a chat to someone about
 * to start a shift), so the transfer panel shows each agent's presence, grouping the targets online
 * first, live as it changes, and warns when the chosen one is offline or away.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { createStorage, login, mode, startTestService, waitFor, type LoginSession, type Storage, type TestService } from '../support/harness.js';
import { afterBotTurn, createWebchatChannel, customerSays, newVisitor } from '../support/learning-fixture.js';
import { openSse, type SseClient } from '../support/sse-client.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const PASSWORD = 'agent-password-123';
const WANG = { email: 'wang@shop.example', name: '小王' };
const LI = { email: 'li@shop.example', name: '小李' };
const ZHAO = { email: 'zhao@shop.example', name: '小赵' };

describe(`the transfer panel shows presence, in Chromium (${mode})`, { timeout: 180_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let model: FakeModelServer;
  let admin: BrowserSession;
  let li: LoginSession;
  let liStream: SseClient;
  const ids: Record<string, string> = {};
  let conversationId: string;

  before(async () => {
    model = await new FakeModelServer().start();
    model.reply = { content: '亲，在的~', logprobs: Math.log(0.95) };
    storage = await createStorage();
    svc = await startTestService(storage, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TURN_COALESCE_MS: '0', MODEL_BASE_URL: model.url });
    for (const user of [WANG, LI, ZHAO]) {
      const created = await svc.api('POST', '/api/users', { ...user, role: 'agent', password: PASSWORD });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      ids[user.name] = created.body.id;
    }
    // 小王 holds a chat; 小李 is online (with a console stream, so presence sticks); 小赵 never signed in: offline.
    const channelId = await createWebchatChannel(svc, { name: 'support-v1', threshold: 0.6 });
    const visitorId = newVisitor();
    await customerSays(svc, channelId, visitorId, '在吗');
    conversationId = (await afterBotTurn(svc, channelId, visitorId)).id;
    const wang = await login(svc.url, WANG.email, PASSWORD);
    assert.equal((await wang.api('POST', `/api/conversations/${conversationId}/assign`)).status, 200);
    li = await login(svc.url, LI.email, PASSWORD);
    liStream = await openSse(`${svc.url}/api/events`, { cookie: li.cookie });
    assert.equal((await li.api('PUT', '/api/me/presence', { presence: 'online' })).status, 200);
    admin = await launchBrowser();
  });
  after(async () => {
    liStream?.close();
    await admin?.close();
    await svc?.close();
    await model?.close();
    await storage?.dispose();
  });

  test('targets are grouped by presence; choosing an offline or away agent warns, and the transfer still goes through', async () => {
    const page = admin.page;
    await signIn(page, svc.url, ADMIN);
    await page.goto(`${svc.url}/console/#/c/${conversationId}`);
    await page.locator('[data-testid="conversation"][data-status="assigned"]').waitFor();
    await page.getByTestId('transfer').click();
    const select = page.getByTestId('transfer-to');
    const group = (presence: string) => select.locator(`optgroup[data-presence="${presence}"]`);
    await group('online').locator('option', { hasText: '小李' }).waitFor({ state: 'attached' });
    assert.equal(await group('online').getAttribute('label'), '客服 · 在线');
    // The admin (signed in here, presence never set) is offline too.
    assert.deepEqual(await group('offline').locator('option').allInnerTexts(), ['admin · 管理员', '小赵']);
    assert.deepEqual(await group('online').locator('option').allInnerTexts(), ['小李']);
    assert.equal(await group('offline').getAttribute('label'), '客服 · 离线');
    assert.equal(await select.locator('option', { hasText: '小王' }).count(), 0, 'not to the holder');

    const warning = page.getByTestId('transfer-presence-warning');
    await select.selectOption({ label: '小李' });
    assert.equal(await warning.count(), 0, 'online: no warning');
    await select.selectOption({ label: '小赵' });
    await warning.waitFor();
    assert.match(await warning.innerText(), /小赵 当前离线/);
    await screenshot(page, 'console-transfer-offline-warning');
    await select.selectOption('queue');
    assert.equal(await warning.count(), 0);

    // Presence changes while the panel is open: it follows.
    assert.equal((await li.api('PUT', '/api/me/presence', { presence: 'away' })).status, 200);
    await group('away').locator('option', { hasText: '小李' }).waitFor({ state: 'attached' });
    await select.selectOption({ label: '小李' });
    await warning.waitFor();
    assert.match(await warning.innerText(), /小李 当前离开/);

    // A warning, not a refusal: an admin may hand it to someone about to start a shift.
    await select.selectOption({ label: '小赵' });
    await page.getByTestId('transfer-submit').click();
    await page.getByTestId('transfer-panel').waitFor({ state: 'detached' });
    await waitFor('the chat with 小赵', async () => (await svc.api('GET', `/api/conversations/${conversationId}`)).body.assigneeId === ids['小赵']);
    assert.deepEqual(admin.errors.filter((e) => !/401/.test(e)), []);
  });
});
