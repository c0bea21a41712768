/**
 * Who the customer is, in Chromium (issue 14 item 1): a nameless web chat visitor is 访客 n in the
 * queue and the header; the contact panel beside the conversation shows the channel, the id, the
 * visits and the shared note. One agent saves the note, a second agent (another browser) sees it,
 * live; the search box finds a customer by name and by message text (a `%` is a plain character);
 * a visit link opens the conversation at that visit. Screenshots at laptop and phone size go to
 * tests/output/screenshots/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createStorage, login, mode, startTestService, waitFor, type LoginSession, type Storage, type TestService } from '../support/harness.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const AGENT_A = { email: 'wang@shop.example', password: 'agent-password-123', name: '小王' };
const AGENT_B = { email: 'li@shop.example', password: 'agent-password-123', name: '小李' };
const NOTE = '老客户，上次的退货已处理完毕。发货请优先顺丰。';
const NOTE_2 = '老客户，优先顺丰；这次想退货，请核对订单号。';

describe(`the contact panel and search, in Chromium (${mode})`, { timeout: 240_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  let apiA: LoginSession;
  let a: BrowserSession;
  let b: BrowserSession;
  let phone: BrowserSession;
  let customer: BrowserSession;
  const visitor = () => `e2e-${randomBytes(10).toString('hex')}`;
  const returning = visitor();
  const percent = visitor();
  const thousand = visitor();
  let returningConv: any;
  let percentConv: any;

  const say = async (visitorId: string, text: string, name?: string) => {
    const res = await fetch(`${svc.url}/webchat/${channelId}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ visitorId, text, clientMessageId: randomBytes(6).toString('hex'), ...(name ? { name } : {}) }),
    });
    assert.equal(res.status, 202, await res.text());
  };
  const conversationOf = (visitorId: string) => waitFor(`the conversation of ${visitorId}`, async () =>
    (await apiA.api('GET', `/api/conversations?channelId=${channelId}&limit=100`)).body.items.find((c: any) => c.contact.externalId === visitorId));
  /** The customer asks for a person and the chat waits in the queue. */
  const queued = async (visitorId: string) => {
    await say(visitorId, '转人工');
    return waitFor(`${visitorId} queued`, async () => {
      const c = await conversationOf(visitorId);
      return c.status === 'queued' ? c : null;
    });
  };
  const openConversation = async (page: Page, id: string) => {
    await page.goto(`${svc.url}/console/#/c/${id}`);
    await page.locator(`[data-testid="conversation"][data-conversation-id="${id}"]`).waitFor();
    await page.getByTestId('contact-visits').waitFor();
  };

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { DEMO: 'true', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TURN_COALESCE_MS: '0' });
    channelId = svc.service.demoChannelId!;
    for (const agent of [AGENT_A, AGENT_B]) {
      const created = await svc.api('POST', '/api/users', { ...agent, role: 'agent' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    apiA = await login(svc.url, AGENT_A.email, AGENT_A.password);

    // A returning customer without a name: a first visit, handled and closed, and a second one waiting now.
    await say(returning, '第一次来，问下发货时间');
    const c = await queued(returning);
    assert.equal((await apiA.api('POST', `/api/conversations/${c.id}/assign`)).status, 200);
    assert.equal((await apiA.api('POST', `/api/conversations/${c.id}/messages`, { text: '您好，今天下午发货' })).status, 201);
    assert.equal((await apiA.api('POST', `/api/conversations/${c.id}/close`)).status, 200);
    await say(returning, '我又来了，想退货');
    returningConv = await queued(returning);
    // Two customers the search tells apart only if % is a plain character.
    await say(percent, '满100%包邮吗', '钱多多');
    percentConv = await queued(percent);
    await say(thousand, '满1000包邮吗');
    await queued(thousand);

    a = await launchBrowser({ viewport: { width: 1280, height: 800 } });
    b = await launchBrowser({ viewport: { width: 1280, height: 800 } });
    await signIn(a.page, svc.url, AGENT_A);
    await signIn(b.page, svc.url, AGENT_B);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await phone?.close();
    await customer?.close();
    await svc?.close();
    await storage?.dispose();
  });

  test('a nameless visitor is 访客 n in the queue, the header and the panel, with channel, id and two visits', async () => {
    const page = a.page;
    const label = `访客 ${returningConv.contact.id}`;
    await page.goto(`${svc.url}/console/#/`);
    const item = page.locator(`[data-testid="queue-item"][data-conversation-id="${returningConv.id}"]`);
    await item.getByTestId('queue-name').filter({ hasText: label }).waitFor();
    await page.locator(`[data-testid="queue-item"][data-conversation-id="${percentConv.id}"]`).getByTestId('queue-name').filter({ hasText: '钱多多' }).waitFor();
    await item.click();
    await page.getByTestId('contact-visits').waitFor();
    assert.equal(await page.locator('.conv-head h2').textContent(), label);
    const panel = page.getByTestId('contact-panel');
    assert.equal(await panel.getByTestId('contact-name').textContent(), label);
    assert.equal(await panel.getByTestId('contact-external-id').textContent(), returning);
    assert.ok((await panel.getByTestId('contact-channel').textContent())?.length, 'the channel is named');
    assert.equal(await panel.getByTestId('contact-visit').count(), 2);
    assert.match((await panel.getByTestId('contact-visit').nth(0).textContent()) ?? '', /我又来了，想退货/);
    assert.match((await panel.getByTestId('contact-visit').nth(0).textContent()) ?? '', /进行中/);
    assert.match((await panel.getByTestId('contact-visit').nth(1).textContent()) ?? '', /第一次来/);
    assert.match((await panel.getByTestId('contact-visit').nth(1).textContent()) ?? '', /小王/, 'who handled the first visit');
    // Beside the conversation on a laptop: to the right of the messages, not above them.
    const panelBox = (await panel.boundingBox())!;
    const listBox = (await page.getByTestId('message-list').boundingBox())!;
    assert.ok(panelBox.x >= listBox.x + listBox.width - 1, `panel at x=${panelBox.x}, messages end at ${listBox.x + listBox.width}`);
  });

  test('agent A saves the note; agent B, in another browser, sees it with who saved it, and sees a later save live', async () => {
    const pageA = a.page;
    await pageA.getByTestId('contact-note').fill(NOTE);
    await pageA.getByTestId('contact-note-save').click();
    await pageA.getByTestId('contact-note-status').filter({ hasText: '已保存' }).waitFor();
    await pageA.getByTestId('contact-note-by').filter({ hasText: '小王' }).waitFor();

    const pageB = b.page;
    await openConversation(pageB, returningConv.id);
    assert.equal(await pageB.getByTestId('contact-note').inputValue(), NOTE);
    assert.match((await pageB.getByTestId('contact-note-by').textContent()) ?? '', /小王 于 .+ 更新/);

    // A saves again while B looks: B's box follows (B has not typed anything).
    await pageA.getByTestId('contact-note').fill(NOTE_2);
    await pageA.getByTestId('contact-note-save').click();
    await pageA.getByTestId('contact-note-status').filter({ hasText: '已保存' }).waitFor();
    await waitFor("B's panel to show A's new note", async () => (await pageB.getByTestId('contact-note').inputValue()) === NOTE_2);
    await screenshot(pageA, 'console-contact-laptop');

    // B types without saving, A saves once more: B keeps what they typed and is told.
    await pageB.getByTestId('contact-note').fill(`${NOTE_2} B 的补充`);
    await pageA.getByTestId('contact-note').fill(`${NOTE_2}（A 又改了）`);
    await pageA.getByTestId('contact-note-save').click();
    await pageB.getByTestId('contact-note-changed').filter({ hasText: '已被 小王 于' }).waitFor();
    assert.equal(await pageB.getByTestId('contact-note').inputValue(), `${NOTE_2} B 的补充`);
    await pageB.getByTestId('contact-note-save').click();
    await pageB.getByTestId('contact-note-status').filter({ hasText: '已保存' }).waitFor();
    const stored = (await apiA.api('GET', `/api/contacts/${returningConv.contact.id}`)).body;
    assert.equal(stored.note, `${NOTE_2} B 的补充`, 'last write wins');
    assert.equal(stored.noteUpdatedBy, (await apiA.api('GET', '/api/directory')).body.users.find((u: any) => u.email === AGENT_B.email).id);
  });

  test('a visit link opens the conversation at that visit', async () => {
    const page = a.page;
    const older = page.getByTestId('contact-visit').nth(1);
    const firstId = await older.getAttribute('data-message-id');
    assert.ok(firstId);
    await older.click();
    await waitFor('the ?at= route', async () => (await page.evaluate(() => location.hash)) === `#/c/${returningConv.id}?at=${firstId}`);
    const target = page.locator(`[data-testid="message"][data-message-id="${firstId}"]`);
    await page.locator(`[data-testid="message"][data-message-id="${firstId}"].visit-start`).waitFor();
    assert.match((await target.textContent()) ?? '', /第一次来/);
    const listBox = (await page.getByTestId('message-list').boundingBox())!;
    const box = (await target.boundingBox())!;
    assert.ok(box.y >= listBox.y - 1 && box.y < listBox.y + listBox.height, 'the visit is scrolled into view');
    assert.equal(await page.getByTestId('contact-visit').nth(1).getAttribute('aria-current'), 'location');
  });

  test('the search box finds customers by message text (with a literal %) and by name, showing the matching words', async () => {
    const page = a.page;
    await page.goto(`${svc.url}/console/#/`);
    await page.getByTestId('queue-list').waitFor();
    const items = page.getByTestId('queue-item');
    await page.getByTestId('queue-search').fill('100%');
    await waitFor('one result', async () => (await items.count()) === 1 && (await items.first().getAttribute('data-conversation-id')) === percentConv.id);
    assert.equal(await items.first().locator('mark').textContent(), '100%');
    assert.match(await items.first().getAttribute('href') ?? '', /\?at=\d+$/, 'the result opens at the matching message');

    await page.getByTestId('queue-search').fill('1000包邮');
    await waitFor('the other one', async () => (await items.count()) === 1 && (await items.first().getAttribute('data-conversation-id')) !== percentConv.id);

    await page.getByTestId('queue-search').fill('钱多');
    await waitFor('found by name', async () => (await items.count()) === 1 && (await items.first().getAttribute('data-conversation-id')) === percentConv.id);
    assert.equal(await items.first().getByTestId('queue-match').count(), 0, 'the name matched, no message to show');

    await page.getByTestId('queue-search').fill('没有这个客户');
    await page.getByTestId('queue-empty').filter({ hasText: '没有找到「没有这个客户」' }).waitFor();
    await page.getByTestId('queue-search-clear').click();
    await waitFor('the whole queue again', async () => (await items.count()) >= 3);
  });

  test('on a phone the panel is a collapsed section above the messages; search works there too', async () => {
    phone = await launchBrowser({ viewport: { width: 390, height: 844 } });
    const page = phone.page;
    await signIn(page, svc.url, AGENT_B);
    await page.getByTestId('queue-search').fill('退货');
    const items = page.getByTestId('queue-item');
    await waitFor('the returning customer', async () => (await items.count()) === 1);
    await screenshot(page, 'console-contact-search-phone');
    await items.first().click();
    await page.getByTestId('contact-toggle').waitFor();
    assert.equal(await page.getByTestId('contact-note').isVisible(), false, 'collapsed at first');
    await page.getByTestId('contact-toggle').click();
    await page.getByTestId('contact-note').waitFor();
    const panelBox = (await page.getByTestId('contact-panel').boundingBox())!;
    const listBox = (await page.getByTestId('message-list').boundingBox())!;
    assert.ok(panelBox.y + panelBox.height <= listBox.y + 1, 'above the messages');
    await screenshot(page, 'console-contact-phone');
  });

  test("the demo page's ?name= reaches the widget (data-name) and the agent sees that name, not 访客 n", async () => {
    customer = await launchBrowser({ viewport: { width: 390, height: 844 } });
    const page = customer.page;
    await page.goto(`${svc.url}/demo/${channelId}?name=${encodeURIComponent('林小姐')}`);
    const chat = page.getByRole('dialog', { name: '在线客服' });
    await chat.getByLabel('输入消息').fill('我的快递到哪了');
    await chat.getByLabel('输入消息').press('Enter');
    const conversation = await waitFor('the named visitor', async () =>
      (await apiA.api('GET', `/api/conversations?channelId=${channelId}&q=${encodeURIComponent('林小姐')}`)).body.items[0]);
    assert.equal(conversation.contact.name, '林小姐');
    assert.deepEqual(customer.errors, [], 'no script errors in the web chat');
  });

  test('no page errors', () => {
    // The login page's /api/auth/me answers 401 before sign-in: that one is expected.
    const unexpected = (errors: string[]) => errors.filter((e) => !/401 \(Unauthorized\) \(.*\/api\/auth\/me\)/.test(e));
    assert.deepEqual([...unexpected(a.errors), ...unexpected(b.errors), ...unexpected(phone?.errors ?? [])], []);
  });
});
