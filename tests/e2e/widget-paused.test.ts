import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { launchBrowser, screenshot, type BrowserSession } from './support/browser.js';

/** Issue 14 item 5: the widget and the demo page while their channel is disabled, and after. */
describe(`the chat widget of a disabled channel, in Chromium (${mode})`, { timeout: 180_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  let browser: BrowserSession;
  let page: Page;
  let chat: Locator;

  const state = () => chat.getByRole('status').first();
  const setEnabled = async (enabled: boolean) => {
    const res = await svc.api('PATCH', `/api/channels/${channelId}`, { enabled });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  const serverHistory = async () => {
    const visitorId = await page.evaluate((id) => localStorage.getItem(`kefu-bridge:visitor:${id}`), channelId);
    const res = await fetch(`${svc.url}/webchat/${channelId}/messages?visitorId=${visitorId}`);
    return (await res.json()).items as { from: string; text: string }[];
  };

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { DEMO: 'true' });
    channelId = svc.service.demoChannelId!;
    browser = await launchBrowser({ viewport: { width: 390, height: 844 } });
    page = browser.page;
    chat = page.getByRole('dialog', { name: '在线客服' });
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await storage?.dispose();
  });

  test('an open widget pauses when its channel is disabled, and keeps what the visitor types', async () => {
    await page.goto(`${svc.url}/demo/${channelId}`);
    await state().filter({ hasText: '在线' }).waitFor();
    await setEnabled(false);
    // No reload: the reply stream says so.
    await state().filter({ hasText: '暂停服务' }).waitFor();
    assert.equal(await state().getAttribute('data-state'), 'paused');
    await chat.getByText('在线客服暂停服务，请稍后再来~').waitFor();

    await chat.getByLabel('输入消息').fill('包邮吗');
    await chat.getByLabel('输入消息').press('Enter');
    const kept = chat.locator('.msg.visitor', { hasText: '包邮吗' });
    await kept.filter({ hasText: '恢复后自动发送' }).waitFor();
    assert.equal(await kept.evaluate((el) => el.classList.contains('held')), true);
    assert.equal(await chat.locator('.msg.failed').count(), 0, 'a paused chat fails nothing');
    assert.equal(await chat.getByRole('button', { name: '重试' }).count(), 0);
    await screenshot(page, 'widget-paused-phone');
    assert.deepEqual(await serverHistory(), [], 'held in the browser, not sent');
  });

  test('the demo page of a disabled channel says in Chinese that the service is paused', async () => {
    const demo = await browser.newPage();
    await demo.setViewportSize({ width: 1280, height: 800 });
    const res = await demo.goto(`${svc.url}/demo/${channelId}`);
    assert.equal(res?.status(), 200);
    await demo.getByTestId('chat-paused').getByText('在线客服暂停服务，请稍后再来~').waitFor();
    assert.doesNotMatch(await demo.locator('body').innerText(), /CHANNEL\.NOT_FOUND|"error"/);
    const dialog = demo.getByRole('dialog', { name: '在线客服' });
    await dialog.getByRole('status').first().filter({ hasText: '暂停服务' }).waitFor();
    await screenshot(demo, 'widget-paused-demo-desktop');
    await demo.close();
  });

  test('re-enabled, the widget goes online and sends the kept message once, answered once', async () => {
    await setEnabled(true);
    await state().filter({ hasText: '在线' }).waitFor();
    await chat.locator('.msg.bot', { hasText: '满299元包邮' }).waitFor();
    assert.equal(await chat.getByText('在线客服暂停服务，请稍后再来~').isVisible(), false);
    assert.equal(await chat.locator('.msg.held, .msg.failed, .msg.sending').count(), 0);
    const history = await waitFor('the answer stored', async () => {
      const items = await serverHistory();
      return items.some((m) => m.from === 'bot') ? items : null;
    });
    assert.deepEqual(history.filter((m) => m.from === 'visitor').map((m) => m.text), ['包邮吗']);
    assert.equal(history.filter((m) => m.from === 'bot').length, 1);
    assert.equal(await chat.locator('.msg.visitor', { hasText: '包邮吗' }).count(), 1);
    assert.equal(await chat.locator('.msg.bot').count(), 1);
    await screenshot(page, 'widget-resumed-phone');
    assert.deepEqual(browser.errors, [], 'no script errors and no CSP violations');
  });
});
