import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { launchBrowser, screenshot, type BrowserSession } from './support/browser.js';

/** A third-party page on its own origin, with one tag, and CSS that would wreck an unshielded widget. */
function shopPage(serviceUrl: string, channelId: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>小店</title>
<style>
  body { font: 30px/3 serif; color: green; }
  button { color: red !important; background: yellow !important; }
  form, textarea, section { display: none !important; }
</style></head>
<body>
  <h1>小店首页</h1>
  <button id="buy" type="button">加入购物车</button>
  <script src="${serviceUrl}/widget.js" data-channel="${channelId}" data-title="在线客服" async></script>
</body></html>`;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe(`the chat widget on a shop's own site, in Chromium (${mode})`, { timeout: 180_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  let shop: Server;
  let shopPort: number;
  let shopOrigin: string;
  let browser: BrowserSession;
  let page: Page;
  let chat: Locator;

  // On a phone the open panel covers the screen and the bubble hides: includeHidden to read its state.
  const bubble = () => page.getByRole('button', { name: /^打开在线客服/, includeHidden: true });
  const input = () => chat.getByLabel('输入消息');
  const say = async (text: string) => {
    await input().fill(text);
    await input().press('Enter');
  };

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { DEMO: 'true' });
    channelId = svc.service.demoChannelId!;
    shop = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(shopPage(svc.url, channelId));
    });
    shopPort = await listen(shop);
    shopOrigin = `http://127.0.0.1:${shopPort}`;
    // config is merged key by key, so this sets the list and keeps nothing else of note.
    const patched = await svc.api('PATCH', `/api/channels/${channelId}`, { config: { allowedOrigins: [shopOrigin] } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    // The channel cache lets a change through within a second.
    await waitFor('CORS for the shop', async () => {
      const res = await fetch(`${svc.url}/webchat/${channelId}/messages`, { method: 'OPTIONS', headers: { origin: shopOrigin, 'access-control-request-method': 'POST' } });
      return res.headers.get('access-control-allow-origin') === shopOrigin;
    });
    browser = await launchBrowser({ viewport: { width: 390, height: 844 } });
    page = browser.page;
    chat = page.getByRole('dialog', { name: '在线客服' });
  });
  after(async () => {
    await browser?.close();
    await new Promise((r) => (shop ? shop.close(r) : r(undefined)));
    await svc?.close();
    await storage?.dispose();
  });

  test('the service serves the widget as one script', async () => {
    const res = await fetch(`${svc.url}/widget.js`);
    assert.equal(res.status, 200, '/widget.js must be served from dist/console/widget.js (console-routes.ts)');
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
  });

  test('a visitor asks the bot, then for a person, from the bubble on the shop page', async () => {
    await page.goto(`${shopOrigin}/`);
    await bubble().waitFor();
    // Keyboard first: the bubble is a real button.
    await bubble().focus();
    await page.keyboard.press('Enter');
    await chat.waitFor();
    assert.equal(await bubble().getAttribute('aria-expanded'), 'true');
    await chat.getByRole('status').filter({ hasText: '在线' }).waitFor();

    await say('包邮吗');
    const answer = chat.locator('.msg.bot', { hasText: '满299元包邮' });
    await answer.waitFor();
    assert.match(await answer.innerText(), /智能客服/);

    // Shift+Enter is a new line, not a send.
    await input().fill('第一行');
    await input().press('Shift+Enter');
    await input().pressSequentially('第二行');
    assert.equal(await input().inputValue(), '第一行\n第二行');
    assert.equal(await chat.locator('.msg.visitor').count(), 1);
    await input().fill('');

    await say('转人工');
    await chat.getByText('已为您转接人工客服').waitFor();
    await screenshot(page, 'widget-phone');
  });

  test('the widget lives in a shadow root the shop CSS cannot reach', async () => {
    // No helper functions inside evaluate: tsx would wrap them in a __name() the page lacks.
    const look = await page.evaluate(() => {
      const root = document.querySelector('kefu-bridge-chat')?.shadowRoot;
      const button = root?.querySelector('.bubble');
      const form = root?.querySelector('form');
      const message = root?.querySelector('.msg');
      if (!root || !button || !form || !message) return { inShadow: false };
      return {
        inShadow: true,
        leakedIntoPage: document.querySelectorAll('.bubble, .panel, .msg, textarea').length,
        widgetButton: getComputedStyle(button).color,
        widgetButtonBackground: getComputedStyle(button).backgroundColor,
        shopButton: getComputedStyle(document.getElementById('buy')!).color,
        formDisplay: getComputedStyle(form).display,
        messageFont: getComputedStyle(message).fontSize,
        messageFamily: getComputedStyle(message).fontFamily,
      };
    });
    assert.ok(look.inShadow, 'the widget renders into an open shadow root');
    assert.equal(look.leakedIntoPage, 0);
    assert.equal(look.shopButton, 'rgb(255, 0, 0)', 'the shop stylesheet applies to the shop');
    assert.equal(look.widgetButton, 'rgb(255, 255, 255)');
    assert.equal(look.widgetButtonBackground, 'rgb(37, 99, 235)');
    assert.equal(look.formDisplay, 'flex');
    assert.equal(look.messageFont, '14px');
    assert.notEqual(look.messageFamily, 'serif');
  });

  test('what anyone types is shown as text, never as markup', async () => {
    await say('<b>加粗</b><img src=x onerror="window.__pwned=1">');
    await chat.locator('.msg.visitor', { hasText: '<b>加粗</b>' }).waitFor();
    const injected = await page.evaluate(() => ({
      elements: document.querySelector('kefu-bridge-chat')!.shadowRoot!.querySelectorAll('.log b, .log img').length,
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
    }));
    assert.deepEqual(injected, { elements: 0, pwned: null });
  });

  test("an agent's answer arrives on the open widget, labelled as a person", async () => {
    const queued = await waitFor('the queued conversation', async () => {
      const list = await svc.api('GET', `/api/conversations?channelId=${channelId}&status=queued`);
      return list.body.items?.[0];
    });
    assert.equal((await svc.api('POST', `/api/conversations/${queued.id}/assign`, {})).status, 200);
    const sent = await svc.api('POST', `/api/conversations/${queued.id}/messages`, { text: '您好，我是人工客服小王' });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const reply = chat.locator('.msg.agent', { hasText: '我是人工客服小王' });
    await reply.waitFor();
    assert.match(await reply.innerText(), /人工客服/);
  });

  test('after a reload the chat comes back from history, each message once', async () => {
    const visitorId = await page.evaluate((id) => localStorage.getItem(`kefu-bridge:visitor:${id}`), channelId);
    assert.match(visitorId ?? '', /^[A-Za-z0-9_-]{16,64}$/);
    await page.reload();
    await bubble().click();
    await chat.locator('.msg.agent', { hasText: '我是人工客服小王' }).waitFor();
    assert.equal(await chat.locator('.msg.visitor', { hasText: '包邮吗' }).count(), 1);
    assert.equal(await chat.locator('.msg.bot', { hasText: '满299元包邮' }).count(), 1);
    assert.equal(await chat.locator('.msg', { hasText: '已为您转接人工客服' }).count(), 1);
    // Closing hands focus back to the bubble.
    await chat.getByRole('button', { name: '关闭' }).click();
    assert.equal(await chat.isVisible(), false);
    assert.equal(await page.evaluate(() => document.querySelector('kefu-bridge-chat')?.shadowRoot?.activeElement?.className), 'bubble');
    assert.equal(await bubble().getAttribute('aria-expanded'), 'false');
  });

  test('the demo page is the widget on a page of its own, open at once, within its CSP', async () => {
    const demo = await browser.newPage();
    await demo.setViewportSize({ width: 1280, height: 800 });
    const before = browser.errors.length;
    await demo.goto(`${svc.url}/demo/${channelId}`);
    const dialog = demo.getByRole('dialog', { name: '在线客服' });
    await dialog.getByRole('status').filter({ hasText: '在线' }).waitFor();
    await dialog.getByLabel('输入消息').fill('发不发欧洲');
    await dialog.getByLabel('输入消息').press('Enter');
    await dialog.locator('.msg.bot').waitFor();
    assert.match(await demo.locator('pre').innerText(), new RegExp(`/widget.js" data-channel="${channelId}"`));
    await screenshot(demo, 'widget-demo-desktop');
    assert.deepEqual(browser.errors.slice(before), [], 'no script errors and no CSP violations');
    await demo.close();
  });

  test('a site the channel does not list gets no chat', async () => {
    // Same shop, another origin: localhost is not 127.0.0.1.
    const stranger = await browser.newPage();
    await stranger.goto(`http://localhost:${shopPort}/`);
    await stranger.getByRole('button', { name: /^打开在线客服/ }).click();
    const dialog = stranger.getByRole('dialog', { name: '在线客服' });
    await dialog.getByRole('status').filter({ hasText: '连接已断开' }).waitFor();
    await stranger.close();
  });
});
