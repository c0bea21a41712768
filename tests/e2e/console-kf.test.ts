/**
 * 微信客服 in the console, in Chromium, against the fake 微信客服 API: the conversation shows
 * what is left of WeCom's 48-hour / 5-message reply window, and a reply the platform refused is
 * marked failed with a Retry button that sends it to the platform again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FakeWecomKfApi } from '../fakes/fake-wecom-kf-api.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createKfChannel, newKfApp, notifyKf, startFakeKf } from '../support/kf-channel.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const KF = 'wkAJ2GCAAAconsole';

describe(`微信客服 conversations in the console (${mode})`, { timeout: 180_000 }, () => {
  const app = newKfApp();
  let storage: Storage;
  let svc: TestService;
  let fake: FakeWecomKfApi;
  let channelId: string;
  let browser: BrowserSession;

  const conversationOf = async (user: string) =>
    (await svc.api('GET', '/api/conversations?limit=100')).body.items.find((c: any) => c.contact.externalId === user) ?? null;

  before(async () => {
    storage = await createStorage();
    fake = await startFakeKf(app);
    svc = await startTestService(storage, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, WECOM_API_BASE: fake.url });
    channelId = await createKfChannel(svc, app);
    browser = await launchBrowser();
    await signIn(browser.page, svc.url, ADMIN);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await fake?.close();
    await storage?.dispose();
  });

  test('a refused reply shows as failed next to the reply window, and Retry sends it to WeCom again', async () => {
    // WeCom already counts five of our messages since the customer last wrote: the bot's reply is refused (95001).
    fake.customerText({ openKfId: KF, externalUserId: 'kf-customer-1' }, '在吗');
    for (let i = 0; i < 5; i++) fake.sessions.admitSend(KF, 'kf-customer-1');
    assert.equal(await notifyKf(svc, channelId, fake, KF), 200);
    // No knowledge base here: the bot hands over, and its holding message is the one refused.
    const conversation = await waitFor('a refused message, with the chat queued for a person', async () => {
      const c = await conversationOf('kf-customer-1');
      if (c?.status !== 'queued') return null;
      const detail = (await svc.api('GET', `/api/conversations/${c.id}`)).body;
      return detail.messages.some((m: any) => m.sender === 'bot' && m.status === 'failed') ? detail : null;
    });
    assert.ok(conversation.replyWindow, 'a 微信客服 conversation carries its reply window');
    const attempts = () => fake.sendAttempts.filter((a) => a.touser === 'kf-customer-1').length;
    assert.equal(attempts(), 1);

    const page = browser.page;
    await page.goto(`${svc.url}/console/#/c/${conversation.id}`);
    await page.getByTestId('conversation').waitFor();
    await page.getByTestId('reply-window').waitFor();
    // The queue, loaded when the stream opened, lists the chat without a reload.
    await page.locator(`[data-testid="queue-item"][data-conversation-id="${conversation.id}"]`).waitFor();
    const failed = page.locator('[data-testid="message"][data-sender="bot"][data-status="failed"]');
    await failed.waitFor();
    await screenshot(page, 'console-kf-failed-laptop');
    await failed.getByTestId('retry-button').click();
    await waitFor('a second attempt at the platform', () => attempts() === 2);
  });
});
