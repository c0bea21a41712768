/**
 * The agent console and the admin pages in Debian's Chromium (issue #5 acceptance): an agent
 * signs in, a WeCom customer who asks for a human shows up in the queue without a reload, the
 * agent takes over and replies (the fake WeCom API receives it), releases, and the bot answers
 * the next question; an admin turns the channel off and the next callback is refused; an agent
 * is refused admin pages and APIs; a request without the CSRF token changes nothing.
 * Screenshots of the queue, a conversation and the dashboard, on a laptop and a phone, go to
 * tests/output/screenshots/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createWecomChannel, newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const AGENT = { email: 'agent@shop.example', password: 'agent-password-123', name: '小王' };
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const demoKb = readFileSync(new URL('../../src/demo/demo-kb.jsonl', import.meta.url), 'utf8');

describe(`the agent console and admin pages in Chromium (${mode})`, { timeout: 240_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let fake: FakeWecomApi;
  const app = newWecomApp();
  let channelId: string;
  let agent: BrowserSession;
  let admin: BrowserSession;
  let conversationId: string;
  let msgIds = 0;

  const customerSays = (content: string, from = 'customer-1') => postText(svc, channelId, app, { from, content, msgId: String(7_000_000 + ++msgIds) });

  /** The queue pane: its list, or the note that nothing matches. */
  const queueShown = (page: Page) => page.locator('[data-testid="queue-list"], [data-testid="queue-empty"]').first().waitFor();

  before(async () => {
    storage = await createStorage();
    fake = await startFakeWecom(app);
    svc = await startTestService(storage, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, WECOM_API_BASE: fake.url });
    channelId = await createWecomChannel(svc, app, { name: '企业微信 · 店铺客服' });
    const kb = await svc.api('POST', '/api/knowledge/import', demoKb, { 'content-type': 'application/x-ndjson' });
    assert.equal(kb.status, 200);
    const created = await svc.api('POST', '/api/users', { ...AGENT, role: 'agent' });
    assert.equal(created.status, 201);
    agent = await launchBrowser({ viewport: LAPTOP });
    admin = await launchBrowser({ viewport: LAPTOP });
  });
  after(async () => {
    await agent?.close();
    await admin?.close();
    await svc?.close();
    await fake?.close();
    await storage?.dispose();
  });

  test('an agent signs in and a customer who asks for a human appears in the queue without a reload', async () => {
    const page = agent.page;
    await signIn(page, svc.url, AGENT);
    await queueShown(page);
    const before = await page.getByTestId('queue-item').count();

    const acked = await customerSays('你好，我要转人工');
    assert.equal(acked.status, 200);
    const item = page.getByTestId('queue-item').first();
    await item.waitFor();
    assert.equal(await page.getByTestId('queue-item').count(), before + 1);
    assert.equal(await item.getAttribute('data-status'), 'queued');
    conversationId = (await item.getAttribute('data-conversation-id'))!;
    assert.match(await item.getByTestId('queue-reason').innerText(), /人工|request/i);
    // The new flagged chat announces itself in the title.
    await waitFor('a title badge', async () => /^\(\d+\)/.test(await page.title()));
    await screenshot(page, 'console-queue-laptop');
  });

  test('the agent takes over and replies; the fake WeCom API receives the reply', async () => {
    const page = agent.page;
    await page.getByTestId('queue-item').first().click();
    const view = page.getByTestId('conversation');
    await view.waitFor();
    assert.equal(await view.getAttribute('data-conversation-id'), conversationId);
    await page.getByTestId('take-over').click();
    await waitFor('assigned', async () => (await view.getAttribute('data-status')) === 'assigned');

    // The customer already got the holding message when the bot handed over.
    const holding = await fake.waitForSent(1, 15_000);
    assert.equal(holding[0].content, '已为您转接人工客服，请稍候~');
    const box = page.getByTestId('reply-textbox');
    await box.fill('您好，我是客服小王，马上为您处理');
    await box.press('Enter');
    const sent = await fake.waitForSent(2, 15_000);
    assert.equal(sent[1].touser, 'customer-1');
    assert.equal(sent[1].content, '您好，我是客服小王，马上为您处理');
    await page.locator('[data-testid="message"][data-sender="agent"][data-status="sent"]').waitFor();
    // The history shows the customer, the handoff note and the agent's reply.
    assert.ok(await page.locator('[data-testid="message"][data-sender="customer"]').count() >= 1);
    assert.ok(await page.locator('[data-testid="message"][data-sender="system"]').count() >= 1);
    await screenshot(page, 'console-conversation-laptop');
  });

  test('after the agent releases the chat, the bot answers the next question', async () => {
    const page = agent.page;
    await page.getByTestId('release').click();
    const view = page.getByTestId('conversation');
    await waitFor('back with the bot', async () => (await view.getAttribute('data-status')) === 'bot');
    const before = fake.sent.length;
    assert.equal((await customerSays('包邮吗')).status, 200);
    const answers = await fake.waitForSent(before + 1, 15_000);
    assert.match(answers[before].content, /299/);
    // The bot's answer shows up in the open conversation, with its confidence.
    const bot = page.locator('[data-testid="message"][data-sender="bot"]').filter({ hasText: '299' });
    await bot.waitFor();
    await bot.getByTestId('message-confidence').waitFor();
  });

  test('an agent gets 403 on admin pages and APIs, and a request without the CSRF token changes nothing', async () => {
    const page = agent.page;
    await page.goto(`${svc.url}/console/#/admin/channels`);
    await page.getByTestId('forbidden').waitFor();
    const statuses = await page.evaluate(async (id) => {
      const channels = (await fetch('/api/channels')).status;
      const noCsrf = (await fetch(`/api/conversations/${id}/close`, { method: 'POST' })).status;
      return { channels, noCsrf };
    }, conversationId);
    assert.deepEqual(statuses, { channels: 403, noCsrf: 403 });
    const after = await svc.api('GET', `/api/conversations/${conversationId}`);
    assert.equal(after.body.status, 'bot', 'the refused close did not happen');
  });

  test('an admin turns the channel off in the console and the next callback is refused', async () => {
    const page = admin.page;
    await signIn(page, svc.url, ADMIN);
    await page.goto(`${svc.url}/console/#/admin/channels`);
    const row = page.locator(`[data-testid="channel-row"][data-channel-id="${channelId}"]`);
    const toggle = row.getByTestId('channel-enabled-toggle');
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), true);
    await toggle.click();
    await waitFor('the channel off', async () => (await svc.api('GET', `/api/channels/${channelId}`)).body.enabled === false);
    await screenshot(page, 'admin-channels-laptop');
    // Every process sees the switch within 2 s (DESIGN.md §4.2).
    await waitFor('the callback refused', async () => (await customerSays('还在吗', 'customer-2')).status === 404, 5000);
    const audit = await svc.api('GET', '/api/audit?limit=50');
    assert.ok(audit.body.items.some((e: any) => e.action.startsWith('channel.') && e.target.includes(channelId) && e.actor.startsWith('u_') && e.actorEmail === ADMIN.email), 'the switch is audited with the admin');
    // The audit page names the admin who did it.
    await page.goto(`${svc.url}/console/#/admin/audit`);
    await page.getByTestId('audit-row').filter({ hasText: ADMIN.email }).first().waitFor();
  });

  test('every form field of the admin forms and the login has a label', async () => {
    const page = admin.page;
    /** Fields in view without an accessible name (a <label>, aria-label or aria-labelledby). */
    const unlabelled = () => page.evaluate(() =>
      Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
        .filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
        .map((el) => el.outerHTML.slice(0, 120)));
    for (const [route, open] of [['channels', 'channel-new'], ['knowledge', 'knowledge-new'], ['users', 'user-new']]) {
      await page.goto(`${svc.url}/console/#/admin/${route}`);
      await page.getByTestId(open).click();
      await page.locator('form').first().waitFor();
      assert.deepEqual(await unlabelled(), [], `unlabelled fields on ${route}`);
    }
    const anonymous = await launchBrowser();
    try {
      await anonymous.page.goto(`${svc.url}/console/`);
      await anonymous.page.getByTestId('login-form').waitFor();
      assert.deepEqual(await anonymous.page.evaluate(() => Array.from(document.querySelectorAll('input')).filter((el) => !el.labels?.length).length), 0);
    } finally {
      await anonymous.close();
    }
  });

  test('keyboard only: sign in, open a waiting chat, take it over and reply', async () => {
    const keyboard = await launchBrowser();
    try {
      const page = keyboard.page;
      await page.goto(`${svc.url}/console/`);
      await page.getByTestId('login-email').waitFor();
      await page.getByTestId('login-email').focus();
      await page.keyboard.type(AGENT.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(AGENT.password);
      await page.keyboard.press('Enter');
      await page.getByTestId('current-user').waitFor();

      // The channel was turned off above; on again, the next callback is taken.
      assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { enabled: true })).status, 200);
      await waitFor('the channel taking callbacks again', async () => (await customerSays('我要投诉，找人工', 'customer-3')).status === 200, 5000);
      const item = page.getByTestId('queue-item').first();
      await item.waitFor();
      // Tab until the waiting chat has the focus, then open it with Enter.
      for (let i = 0; i < 40 && !(await item.evaluate((el) => el === document.activeElement || el.contains(document.activeElement))); i++) await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      const view = page.getByTestId('conversation');
      await view.waitFor();
      const takeOver = page.getByTestId('take-over');
      for (let i = 0; i < 40 && !(await takeOver.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await waitFor('assigned', async () => (await view.getAttribute('data-status')) === 'assigned');
      const box = page.getByTestId('reply-textbox');
      for (let i = 0; i < 40 && !(await box.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
      const before = fake.sent.length;
      await page.keyboard.type('收到，马上处理');
      await page.keyboard.press('Enter');
      const sent = await fake.waitForSent(before + 1, 15_000);
      assert.equal(sent[before].touser, 'customer-3');
      assert.equal(sent[before].content, '收到，马上处理');
    } finally {
      await keyboard.close();
    }
  });

  test('the dashboard draws charts; the console fits a phone', async () => {
    const page = admin.page;
    await page.goto(`${svc.url}/console/#/admin/dashboard`);
    const dashboard = page.getByTestId('dashboard');
    await dashboard.waitFor();
    await dashboard.locator('svg').first().waitFor();
    await screenshot(page, 'console-dashboard-laptop');
    await page.goto(`${svc.url}/console/#/admin/knowledge`);
    await page.getByTestId('knowledge-row').first().waitFor();
    await screenshot(page, 'admin-knowledge-laptop');
    await page.goto(`${svc.url}/console/#/admin/dashboard`);
    await dashboard.locator('svg').first().waitFor();
    await page.setViewportSize(PHONE);
    await screenshot(page, 'console-dashboard-phone');

    const phone = agent.page;
    await phone.setViewportSize(PHONE);
    await phone.goto(`${svc.url}/console/#/`);
    await queueShown(phone);
    await screenshot(phone, 'console-queue-phone');
    await phone.goto(`${svc.url}/console/#/c/${conversationId}`);
    await phone.getByTestId('conversation').waitFor();
    await screenshot(phone, 'console-conversation-phone');
    // Nothing wider than the phone's screen.
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    assert.deepEqual(agent.errors.filter((e) => !/401|403/.test(e)), [], 'no page errors in the agent console');
  });
});
