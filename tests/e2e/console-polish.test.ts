/**
 * Issue 14 item 6 in Chromium: the audit page in words, the channel page's working chat page URL,
 * a favicon on every page, and a phone navigation that fits. Screenshots at laptop and phone size.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const ZHANG = { email: 'zhang@shop.example', password: 'zhang-password-123', name: '张三' };
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe(`console polish in Chromium (${mode})`, { timeout: 180_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  let browser: BrowserSession;
  let page: Page;

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, DEMO: 'true' });
    channelId = svc.service.demoChannelId!;
    const created = await svc.api('POST', '/api/users', { ...ZHANG, role: 'admin' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    browser = await launchBrowser({ viewport: LAPTOP });
    page = browser.page;
    await signIn(page, svc.url, ZHANG);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await storage?.dispose();
  });

  test('the demo channel has a Chinese name, and its page shows the chat page that works', async () => {
    await page.goto(`${svc.url}/console/#/admin/channels`);
    const row = page.locator(`[data-testid="channel-row"][data-channel-id="${channelId}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /演示小店（网页聊天）/);
    assert.doesNotMatch(await row.innerText(), /Demo shop/);
    const url = await row.getByTestId('channel-callback-url').inputValue();
    assert.equal(url.replace(/^https?:\/\/[^/]+/, ''), `/demo/${channelId}`);
    assert.equal((await fetch(`${svc.url}/demo/${channelId}`)).status, 200, 'the address shown answers');
    assert.equal(await row.getByTestId('channel-chat-page').getAttribute('href'), `/demo/${channelId}`);
    await screenshot(page, 'console-channels-chatpage-laptop');
  });

  test('the audit page tells what happened in words', async () => {
    const row = page.locator(`[data-testid="channel-row"][data-channel-id="${channelId}"]`);
    await row.getByTestId('channel-enabled-toggle').click();
    await waitFor('the channel off', async () => (await svc.api('GET', `/api/channels/${channelId}`)).body.enabled === false);
    await row.getByTestId('channel-test').click();
    // Something the bot handed back: a conversation.* row with a status in its details.
    await page.goto(`${svc.url}/console/#/admin/audit`);
    const table = page.getByTestId('audit-table');
    await table.waitFor();
    const sentences = await page.getByTestId('audit-sentence').allInnerTexts();
    assert.ok(sentences.some((s) => /^张三 关闭了渠道 演示小店（网页聊天）/.test(s)), sentences.join('\n'));
    assert.ok(sentences.some((s) => s === '张三 测试了渠道 演示小店（网页聊天） 的连接'), sentences.join('\n'));
    assert.ok(sentences.some((s) => s === '张三 登录了控制台'), sentences.join('\n'));
    const details = await page.getByTestId('audit-details').allInnerTexts();
    assert.ok(details.includes('连接成功'), details.join('\n'));
    const text = await table.innerText();
    for (const raw of [/channel\.update/, /channel\.test/, /fields:/, /ok: true/, /auth\.login/, /channel:ch_/, /user:/]) assert.doesNotMatch(text, raw);
    await screenshot(page, 'console-audit-words-laptop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'console-audit-words-phone');
    await page.setViewportSize(LAPTOP);
  });

  test('every page has a favicon that answers', async () => {
    for (const path of ['/console/', `/demo/${channelId}`]) {
      await page.goto(`${svc.url}${path}`);
      const href = await page.locator('link[rel="icon"]').getAttribute('href');
      assert.ok(href && !href.startsWith('data:'), `${path}: ${href}`);
      const status = await page.evaluate(async (h) => (await fetch(h)).status, href);
      assert.equal(status, 200, `${path}: ${href}`);
    }
    assert.equal((await fetch(`${svc.url}/favicon.ico`)).status, 200);
  });

  test('on a phone the navigation fits: every link visible, nothing scrolls sideways', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${svc.url}/console/#/admin/audit`);
    await page.getByTestId('nav-audit').waitFor();
    const look = await page.evaluate(() => {
      const links = [...document.querySelectorAll('.topbar nav a')].map((a) => a.getBoundingClientRect());
      const nav = document.querySelector('.topbar nav')!;
      return {
        count: links.length,
        right: Math.max(...links.map((r) => r.right)),
        left: Math.min(...links.map((r) => r.left)),
        navScrolls: nav.scrollWidth > nav.clientWidth,
        pageScrolls: document.documentElement.scrollWidth > window.innerWidth,
      };
    });
    assert.equal(look.count, 8); // 会话 快捷回复 数据概览 渠道 知识库 模型 用户 审计日志
    assert.ok(look.right <= 390 && look.left >= 0, JSON.stringify(look));
    assert.equal(look.navScrolls, false);
    assert.equal(look.pageScrolls, false);
    assert.equal(await page.getByTestId('nav-audit').isVisible(), true);
    await screenshot(page, 'console-nav-phone');
  });
});
