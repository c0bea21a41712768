/**
 * Fair assignment in Chromium (issue 14 item 4, browser acceptance: "auto-assignment to the less
 * busy agent"): the demo web chat channel is switched to automatic assignment through the API; two
 * agents in two browsers set themselves 在线 in the header (offline, it says new chats will not be
 * assigned); agent A already holds a chat; a new handoff lands with agent B, the less busy one, and
 * shows in B's list (and not A's). The admin's dashboard shows the per-agent table: presence, open
 * chats against capacity, first-response time, chats closed today. Screenshots:
 * console-assignment-laptop / -phone (the dashboard table), console-assignment-inbox-laptop / -phone.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createStorage, login, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const AGENT_A = { email: 'wang@shop.example', password: 'agent-password-123', name: '小王' };
const AGENT_B = { email: 'li@shop.example', password: 'agent-password-123', name: '小李' };
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe(`auto-assignment to the less busy agent, in Chromium (${mode})`, { timeout: 240_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  let a: BrowserSession;
  let b: BrowserSession;
  let admin: BrowserSession;
  const ids: Record<string, string> = {};
  let first: string;
  let second: string;

  /** A web chat customer asks for a person; returns the conversation once the bot handed it off. */
  async function customerAsksForAPerson(): Promise<string> {
    const visitorId = `visitor-${randomBytes(6).toString('hex')}`;
    const res = await fetch(`${svc.url}/webchat/${channelId}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ visitorId, text: '你好，转人工', clientMessageId: randomBytes(6).toString('hex') }),
    });
    assert.equal(res.status, 202, await res.text());
    const found = await waitFor('the handoff', async () => {
      const list = await svc.api('GET', `/api/conversations?channelId=${channelId}&limit=100`);
      const c = list.body.items.find((x: any) => x.contact.externalId === visitorId);
      return c && c.status !== 'bot' ? c : null;
    });
    return found.id;
  }
  const assigneeOf = (id: string) => waitFor(`conversation ${id} assigned`, async () => {
    const c = (await svc.api('GET', `/api/conversations/${id}`)).body;
    return c.status === 'assigned' ? (c.assigneeId as string) : null;
  });
  /** Signs in and sets 在线 with the header's selector, after checking what offline says. */
  async function goOnline(page: Page, who: { email: string; password: string }): Promise<void> {
    await signIn(page, svc.url, who);
    const presence = page.getByTestId('presence');
    await presence.waitFor();
    assert.equal(await presence.getAttribute('data-presence'), 'offline', 'opening the console does not set online');
    assert.equal(await page.getByTestId('presence-hint').innerText(), '离线：不会自动分配新会话');
    await page.getByLabel('我的状态').selectOption({ label: '在线' });
    await page.locator('[data-testid="presence"][data-presence="online"]').waitFor();
    assert.equal(await page.getByTestId('presence-hint').getAttribute('class'), 'sr-only', 'no warning shown while online (screen readers still hear what it means)');
  }
  /** The agent's own chats in their list. */
  async function showMine(page: Page): Promise<void> {
    await page.getByTestId('filter-status').selectOption('open');
    await page.getByTestId('filter-assignee').selectOption('me');
  }

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { DEMO: 'true', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TURN_COALESCE_MS: '0' });
    channelId = svc.service.demoChannelId!;
    assert.ok(channelId, 'DEMO=true creates the demo web chat channel');
    for (const who of [AGENT_A, AGENT_B]) {
      const created = await svc.api('POST', '/api/users', { ...who, role: 'agent' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      ids[who.email] = created.body.id;
    }
    const switched = await svc.api('PATCH', `/api/channels/${channelId}`, { handoff: { assignment: 'auto' } });
    assert.equal(switched.status, 200, JSON.stringify(switched.body));
    assert.equal(switched.body.handoff.assignment, 'auto');
    a = await launchBrowser({ viewport: LAPTOP });
    b = await launchBrowser({ viewport: LAPTOP });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await admin?.close();
    await svc?.close();
    await storage?.dispose();
  });

  test('agent A goes online in the header and gets the first handoff', async () => {
    await goOnline(a.page, AGENT_A);
    first = await customerAsksForAPerson();
    assert.equal(await assigneeOf(first), ids[AGENT_A.email], 'the only agent online');
    await showMine(a.page);
    await a.page.locator(`[data-testid="queue-item"][data-conversation-id="${first}"]`).waitFor();
  });

  test('agent B goes online; the next handoff lands with B, the less busy, and shows in their list', async () => {
    await goOnline(b.page, AGENT_B);
    await showMine(b.page);
    second = await customerAsksForAPerson();
    assert.equal(await assigneeOf(second), ids[AGENT_B.email], 'A holds one chat, B none');
    const item = b.page.locator(`[data-testid="queue-item"][data-conversation-id="${second}"]`);
    await item.waitFor();
    assert.equal(await item.getAttribute('data-status'), 'assigned');
    assert.match(await item.innerText(), /小李/);
    // A's own list does not have it.
    await a.page.getByTestId('queue-refresh').click();
    await a.page.locator(`[data-testid="queue-item"][data-conversation-id="${first}"]`).waitFor();
    assert.equal(await a.page.locator(`[data-testid="queue-item"][data-conversation-id="${second}"]`).count(), 0);
    await item.click();
    await b.page.locator(`[data-testid="conversation"][data-status="assigned"]`).waitFor();
    await screenshot(b.page, 'console-assignment-inbox-laptop');
    await b.page.setViewportSize(PHONE);
    await b.page.getByTestId('presence').waitFor();
    await screenshot(b.page, 'console-assignment-inbox-phone');
    await b.page.setViewportSize(LAPTOP);
    assert.deepEqual([...a.errors, ...b.errors].filter((e) => !/401/.test(e)), [], 'no page errors in the agent consoles');
  });

  test("the admin's dashboard shows each agent's presence, open chats, first response and closes today", async () => {
    // A answers their chat a moment after it arrived and closes it; B's stays open.
    const wang = await login(svc.url, AGENT_A.email, AGENT_A.password);
    await sleep(1000);
    assert.equal((await wang.api('POST', `/api/conversations/${first}/messages`, { text: '您好，我是小王，请问有什么可以帮您？' })).status, 201);
    assert.equal((await wang.api('POST', `/api/conversations/${first}/close`)).status, 200);

    admin = await launchBrowser({ viewport: LAPTOP });
    await signIn(admin.page, svc.url, ADMIN);
    await admin.page.goto(`${svc.url}/console/#/admin/dashboard`);
    const table = admin.page.getByTestId('dashboard-agents');
    await table.waitFor();
    const row = (email: string) => table.locator(`[data-testid="dashboard-agent"][data-user-id="${ids[email]}"]`);
    await row(AGENT_B.email).getByTestId('dashboard-agent-open').filter({ hasText: '1 / 5' }).waitFor();
    assert.equal(await row(AGENT_B.email).getAttribute('data-presence'), 'online');
    assert.match(await row(AGENT_B.email).getByTestId('dashboard-agent-presence').innerText(), /在线/);
    assert.match(await row(AGENT_A.email).getByTestId('dashboard-agent-open').innerText(), /0 \/ 5/);
    assert.equal(await row(AGENT_A.email).getByTestId('dashboard-agent-closed').innerText(), '1');
    assert.match(await row(AGENT_A.email).getByTestId('dashboard-agent-first-response').innerText(), /\d+ 秒/);
    // A presence change shows without a reload.
    await a.page.getByLabel('我的状态').selectOption({ label: '离开' });
    await row(AGENT_A.email).locator('[data-testid="dashboard-agent-presence"]', { hasText: '离开' }).waitFor();
    assert.equal(await a.page.getByTestId('presence-hint').innerText(), '离开：保留已接会话，不会分配新会话');

    await table.scrollIntoViewIfNeeded();
    await screenshot(table, 'console-assignment-laptop');
    await admin.page.setViewportSize(PHONE);
    await table.scrollIntoViewIfNeeded();
    await screenshot(table, 'console-assignment-phone');
    await screenshot(admin.page, 'console-assignment-dashboard-phone');
    await a.page.setViewportSize(PHONE);
    await screenshot(a.page, 'console-assignment-away-phone');
    assert.deepEqual(admin.errors.filter((e) => !/401/.test(e)), [], 'no page errors in the dashboard');
  });
  test("admins set a capacity on the users page and a channel's assignment in its form", async () => {
    const page = admin.page;
    await page.setViewportSize(LAPTOP);
    await page.goto(`${svc.url}/console/#/admin/users`);
    const input = page.locator(`[data-testid="user-row"][data-user-id="${ids[AGENT_B.email]}"] [data-testid="user-capacity"]`);
    await input.waitFor();
    assert.equal(await input.inputValue(), '5');
    await input.fill('0');
    await input.press('Enter');
    await page.getByText('接待上限须是 1 到 100 的整数').waitFor();
    assert.equal(await input.inputValue(), '5', 'a bad value is put back');
    await input.fill('3');
    await input.press('Enter');
    await page.getByText('已把 小李 的接待上限改为 3').waitFor();
    assert.equal((await svc.api('GET', `/api/users/${ids[AGENT_B.email]}`)).body.capacity, 3);
    await screenshot(page, 'console-assignment-users-laptop');

    await page.goto(`${svc.url}/console/#/admin/channels`);
    await page.locator(`[data-testid="channel-row"][data-channel-id="${channelId}"] [data-testid="channel-edit"]`).click();
    const select = page.getByTestId('channel-assignment');
    await select.waitFor();
    assert.equal(await select.inputValue(), 'auto', 'the form shows what the API set');
    await select.selectOption('manual');
    await page.getByTestId('channel-save').click();
    await waitFor('the channel back to manual', async () => (await svc.api('GET', `/api/channels/${channelId}`)).body.handoff.assignment === 'manual');
    await select.scrollIntoViewIfNeeded();
    await screenshot(page, 'console-assignment-channel-laptop');
    // The inbox header says what offline means; the admin pages keep it to a tooltip.
    await page.goto(`${svc.url}/console/#/`);
    await page.locator('.presence-hint', { hasText: '离线：不会自动分配新会话' }).waitFor();
    await screenshot(page, 'console-assignment-admin-inbox-laptop');
    assert.deepEqual(admin.errors.filter((e) => !/401/.test(e)), [], 'no page errors on the admin pages');
  });
});
