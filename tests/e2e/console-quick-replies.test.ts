/**
 * Quick replies and live connection status in Chromium (issue 14 items 3 and 6; acceptance: "a
 * browser test in Chromium for a quick reply with `/`; screenshots at laptop and phone size").
 * An admin adds a shared quick reply with {客户} on the 快捷回复 page; an agent adds a personal one
 * and sees the shared one read-only. A web chat customer asks for a person; the agent takes over,
 * types `/退` in the reply box, picks with the keyboard, sees the text with the customer's name
 * filled in, sends it, and the customer's chat shows exactly that. On a phone the agent taps a
 * reply. The channels page shows a connected and a reconnecting DingTalk Stream channel.
 * Screenshots go to tests/output/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { DingtalkFakes, createDingtalkChannel, newDingtalkApp } from '../support/dingtalk-fakes.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const AGENT = { email: 'agent@shop.example', password: 'agent-password-123', name: '小王' };
const SHARED = { title: '退货地址', text: '{客户}您好，退货请寄到：上海市浦东新区张江路 88 号 售后部，寄出后把单号发给我们~' };
const PERSONAL = { title: '退款进度', text: '{客户}，您的退款已提交，预计 1-3 个工作日原路退回。客服{客服}' };
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe(`quick replies with / and live connection badges, in Chromium (${mode})`, { timeout: 240_000 }, () => {
  const dingtalk = newDingtalkApp();
  let fakes: DingtalkFakes;
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  let customer: BrowserSession;
  let agent: BrowserSession;
  let admin: BrowserSession;
  let chat: Locator;
  let conversationId: string;
  let visitorName: string;

  before(async () => {
    fakes = await new DingtalkFakes(dingtalk).start();
    storage = await createStorage();
    svc = await startTestService(storage, { DEMO: 'true', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TURN_COALESCE_MS: '0', DINGTALK_API_BASE: fakes.url });
    channelId = svc.service.demoChannelId!;
    assert.ok(channelId, 'DEMO=true creates the demo web chat channel');
    const created = await svc.api('POST', '/api/users', { ...AGENT, role: 'agent' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    customer = await launchBrowser({ viewport: PHONE });
    agent = await launchBrowser({ viewport: LAPTOP });
    admin = await launchBrowser({ viewport: LAPTOP });
  });
  after(async () => {
    await customer?.close();
    await agent?.close();
    await admin?.close();
    await svc?.close();
    await fakes?.close();
    await storage?.dispose();
  });

  /** Fills the quick reply form and saves it; waits for the form to close. */
  async function addQuickReply(page: Page, reply: { title: string; text: string }, shared: boolean) {
    await page.getByTestId('quick-reply-new').click();
    const form = page.getByTestId('quick-reply-form');
    await form.getByLabel('标题').fill(reply.title);
    await form.getByLabel('内容').fill(reply.text);
    if (shared) await form.getByLabel('共享给所有客服').check();
    else assert.equal(await form.getByTestId('quick-reply-shared').count(), 0, 'agents have no 共享 checkbox');
    await form.getByRole('button', { name: '保存' }).click();
    await form.waitFor({ state: 'detached' });
  }

  test('an admin adds a shared quick reply with {客户} on the 快捷回复 page', async () => {
    const page = admin.page;
    await signIn(page, svc.url, ADMIN);
    await page.getByTestId('nav-quick-replies').click();
    await page.getByTestId('quick-replies-page').waitFor();
    assert.equal(await page.getByTestId('nav-quick-replies').getAttribute('aria-current'), 'page');
    await addQuickReply(page, SHARED, true);
    const row = page.getByTestId('quick-replies-shared').getByTestId('quick-reply-row').filter({ hasText: SHARED.title });
    await row.waitFor();
    assert.equal(await row.locator('.qr-item__text').innerText(), SHARED.text, 'stored as typed, variables and all');
    await page.getByRole('status').filter({ hasText: `已添加「${SHARED.title}」` }).waitFor();
  });

  test('an agent adds a personal one and sees the shared one read-only', async () => {
    const page = agent.page;
    await signIn(page, svc.url, AGENT);
    await page.getByTestId('nav-quick-replies').click();
    await page.getByTestId('quick-replies-page').waitFor();
    const shared = page.getByTestId('quick-replies-shared').getByTestId('quick-reply-row').filter({ hasText: SHARED.title });
    await shared.waitFor();
    assert.equal(await shared.getByRole('button').count(), 0, 'no edit or delete on a shared reply for an agent');
    assert.match(await shared.innerText(), /仅管理员可修改/);
    await addQuickReply(page, PERSONAL, false);
    await page.getByTestId('quick-replies-mine').getByTestId('quick-reply-row').filter({ hasText: PERSONAL.title }).waitFor();
    await screenshot(page, 'console-quick-replies-page-laptop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'console-quick-replies-page-phone');
    await page.setViewportSize(LAPTOP);
  });

  test('a web chat customer asks for a person; the agent takes the chat over', async () => {
    await customer.page.goto(`${svc.url}/demo/${channelId}`);
    chat = customer.page.getByRole('dialog', { name: '在线客服' });
    await chat.getByRole('status').filter({ hasText: '在线' }).waitFor();
    await chat.getByLabel('输入消息').fill('你好，我要退货，转人工');
    await chat.getByLabel('输入消息').press('Enter');
    const conversation = await waitFor('the handoff', async () => {
      const list = await svc.api('GET', `/api/conversations?channelId=${channelId}&limit=10`);
      return list.body.items.find((c: any) => c.status === 'queued');
    });
    conversationId = conversation.id;
    // What {客户} says to a customer without a name: the polite 亲, never the console's label 访客 n
    // (issue 14 review: that is an internal row id, and the quick reply is sent to the customer).
    assert.equal(conversation.contact.name, null, 'the demo page was opened without ?name=');
    visitorName = '亲';

    const page = agent.page;
    await page.goto(`${svc.url}/console/#/c/${conversationId}`);
    await page.locator('[data-testid="conversation"][data-status="queued"]').waitFor();
    await page.getByTestId('take-over').click();
    await page.locator('[data-testid="conversation"][data-status="assigned"]').waitFor();
  });

  test('typing /退 opens the menu; arrows move, Enter inserts the shared reply with the customer\'s name, and it is sent', async () => {
    const page = agent.page;
    const box = page.getByTestId('reply-textbox');
    await box.click();
    await box.pressSequentially('/退');
    const menu = page.getByTestId('quick-reply-menu');
    const listbox = page.getByRole('listbox', { name: '快捷回复' });
    await listbox.waitFor();
    const options = listbox.getByRole('option');
    assert.deepEqual(await options.locator('.qr-menu__title').allInnerTexts(), [SHARED.title, PERSONAL.title], 'both match 退; the shared one first');
    const expanded = SHARED.text.replace('{客户}', visitorName);
    assert.equal(await options.first().locator('.qr-menu__preview').innerText(), expanded, 'the option shows the text as it will be inserted');
    assert.equal(await options.first().getAttribute('aria-selected'), 'true');
    assert.equal(await box.getAttribute('aria-controls'), await listbox.getAttribute('id'));
    assert.equal(await box.getAttribute('aria-activedescendant'), await options.first().getAttribute('id'));
    await screenshot(page, 'console-quick-replies-laptop');

    await box.press('ArrowDown');
    assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
    assert.equal(await box.getAttribute('aria-activedescendant'), await options.nth(1).getAttribute('id'));
    await box.press('ArrowUp');
    assert.equal(await options.first().getAttribute('aria-selected'), 'true');
    await box.press('Enter');
    await menu.waitFor({ state: 'detached' });
    assert.equal(await box.inputValue(), expanded, 'the /退 is replaced by the expanded text; nothing was sent yet');
    assert.equal(await page.locator('[data-testid="message"][data-sender="agent"]').count(), 0);

    await box.press('Enter');
    await page.locator('[data-testid="message"][data-sender="agent"]', { hasText: expanded }).waitFor();
    assert.equal(await box.inputValue(), '');
    await chat.locator('.msg.agent', { hasText: expanded }).waitFor();
    assert.equal(await chat.locator('.msg', { hasText: '{客户}' }).count(), 0, 'the customer never sees a variable');
    assert.equal(await chat.locator('.msg', { hasText: '访客' }).count(), 0, 'nor the console\'s label for them');
  });

  test('Esc closes the menu and keeps the text; a search without matches says where to add one', async () => {
    const page = agent.page;
    const box = page.getByTestId('reply-textbox');
    await box.pressSequentially('好的 /没有这种');
    const empty = page.getByTestId('quick-reply-empty');
    await empty.waitFor();
    assert.equal((await empty.innerText()).replace(/\s+/g, ' ').trim(), '没有匹配的快捷回复 · 在 快捷回复 页面添加');
    assert.equal(await empty.getByRole('link', { name: '快捷回复' }).getAttribute('href'), '#/quick-replies');
    await box.press('Escape');
    await page.getByTestId('quick-reply-menu').waitFor({ state: 'detached' });
    assert.equal(await box.inputValue(), '好的 /没有这种');
    // A slash inside a word or a link never opens it.
    await box.fill('https://shop.example/退货');
    assert.equal(await page.getByTestId('quick-reply-menu').count(), 0);
    await box.fill('');
  });

  test('on a phone the agent taps a quick reply; {客服} becomes their name and the customer gets it', async () => {
    const page = agent.page;
    await page.setViewportSize(PHONE);
    await page.goto(`${svc.url}/console/#/c/${conversationId}`);
    await page.locator('[data-testid="conversation"][data-status="assigned"]').waitFor();
    const box = page.getByTestId('reply-textbox');
    await box.click();
    await box.pressSequentially('/退');
    const option = page.getByRole('option').filter({ hasText: PERSONAL.title });
    await option.waitFor();
    await screenshot(page, 'console-quick-replies-phone');
    await option.click();
    const expanded = PERSONAL.text.replace('{客户}', visitorName).replace('{客服}', AGENT.name);
    assert.equal(await box.inputValue(), expanded);
    await page.getByTestId('reply-send').click();
    await chat.locator('.msg.agent', { hasText: expanded }).waitFor();
    await screenshot(customer.page, 'widget-quick-reply-phone');
    assert.deepEqual(agent.errors.filter((e) => !/401/.test(e)), [], 'no page errors in the agent console');
    assert.deepEqual(customer.errors, [], 'no script errors in the web chat');
  });

  test('after the agent logs out, the next person at that browser never sees their personal quick replies', async () => {
    // issue 14 review: the menu's cache outlived the session (a shared PC at the shop). The next
    // person signs in on the same page, without a reload, and their own list is held back by the
    // test: the menu may say it is loading, but never shows the agent's 退款进度.
    const page = agent.page;
    await page.setViewportSize(LAPTOP);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-email').waitFor();
    const adminId = (await svc.api('GET', '/api/users')).body.items.find((u: any) => u.email === ADMIN.email).id;
    const moved = await svc.api('POST', `/api/conversations/${conversationId}/transfer`, { to: adminId });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/quick-replies', async (route) => {
      await held;
      await route.continue().catch(() => undefined); // unrouted meanwhile: the page is done with it
    });
    try {
      await page.getByTestId('login-email').fill(ADMIN.email);
      await page.getByTestId('login-password').fill(ADMIN.password);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('current-user').waitFor();
      await page.evaluate((id) => (location.hash = `#/c/${id}`), conversationId);
      await page.locator('[data-testid="conversation"][data-status="assigned"]').waitFor();
      const box = page.getByTestId('reply-textbox');
      await box.click();
      await box.pressSequentially('/退');
      const menu = page.getByTestId('quick-reply-menu');
      await menu.getByRole('status').filter({ hasText: '正在加载快捷回复' }).waitFor();
      assert.equal(await menu.getByRole('option').count(), 0, 'nothing from the previous session while the list loads');
      assert.doesNotMatch(await menu.innerText(), new RegExp(PERSONAL.title));
      release();
      await menu.getByRole('option').filter({ hasText: SHARED.title }).waitFor();
      assert.equal(await menu.getByRole('option').filter({ hasText: PERSONAL.title }).count(), 0, "the agent's personal reply is theirs only");
      await box.fill('');
    } finally {
      release();
      await page.unroute('**/api/quick-replies');
    }
  });

  test('the channels page shows a connected and a reconnecting Stream channel, with the last error', async () => {
    const good = await createDingtalkChannel(svc, 'dingtalk_stream', dingtalk);
    const bad = await createDingtalkChannel(svc, 'dingtalk_stream', { ...dingtalk, clientSecret: 'wrong-secret' });
    await svc.api('PATCH', `/api/channels/${good}`, { name: '钉钉机器人 · 售后群' });
    await svc.api('PATCH', `/api/channels/${bad}`, { name: '钉钉机器人 · 旧应用' });
    const stateOf = async (id: string) => (await svc.api('GET', `/api/channels/${id}/connection`)).body.connection?.state;
    await waitFor('connected and reconnecting', async () => (await stateOf(good)) === 'connected' && (await stateOf(bad)) === 'reconnecting');

    const page = admin.page;
    await page.goto(`${svc.url}/console/#/admin/channels`);
    const row = (id: string) => page.locator(`[data-testid="channel-row"][data-channel-id="${id}"]`).getByTestId('channel-connection');
    await row(good).and(page.locator('[data-state="connected"]')).waitFor();
    assert.match(await row(good).innerText(), /已连接（自 \d{2}:\d{2} 起）/);
    await row(bad).and(page.locator('[data-state="reconnecting"]')).waitFor();
    assert.match(await row(bad).innerText(), /重连中（自 \d{2}:\d{2} 起，已 \d+ 秒）/);
    assert.match(await row(bad).getByTestId('channel-connection-error').innerText(), /最近错误：gateway open failed: HTTP 401/);
    const webchat = page.locator(`[data-testid="channel-row"][data-channel-id="${channelId}"]`);
    assert.equal(await webchat.getByTestId('channel-connection').count(), 0, 'no connection badge on a webhook kind');

    // The badge follows the connector without a reload: the good one's gateway refuses from now on.
    fakes.gateway.rejectUpgrades = true;
    await fakes.gateway.dropAll();
    await row(good).and(page.locator('[data-state="reconnecting"]')).waitFor({ timeout: 15_000 });
    fakes.gateway.rejectUpgrades = false;
    await row(good).and(page.locator('[data-state="connected"]')).waitFor({ timeout: 30_000 });
    await row(good).scrollIntoViewIfNeeded();
    await page.locator(`[data-testid="channel-row"][data-channel-id="${bad}"]`).scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-channels-connection-laptop');
    await page.setViewportSize(PHONE);
    await row(bad).scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-channels-connection-phone');
    assert.deepEqual(admin.errors.filter((e) => !/401/.test(e)), [], 'no page errors in the admin console');
  });
});
