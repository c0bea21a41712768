/**
 * A full shift in Chromium (issue 14 items 2, 3, browser acceptance): a customer chats with the bot
 * on the demo web chat; agent 小王 watches the chats the bot is handling (机器人处理中), steps in
 * (接管) and answers, and the customer's page shows the answer. 小王 writes an internal note: the
 * console shows it as one, the customer's page never. 小王 transfers the chat to 小李 (another
 * browser, phone size) with a note; 小李 is told "小王 转给你一个会话", opens it, sees the 转交备注
 * and answers the customer, while 小王 can no longer reply. Screenshots go to tests/output/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { createStorage, mode, startTestService, type Storage, type TestService } from '../support/harness.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const WANG = { email: 'wang@shop.example', password: 'agent-password-123', name: '小王' };
const LI = { email: 'li@shop.example', password: 'agent-password-123', name: '小李' };
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const BOT_ANSWER = '亲，这款毛衣是羊毛混纺的，按说明洗护不易起球哦~';
const WANG_REPLY = '您好，我是客服小王，这款有 M、L、XL 三个尺码，您平时穿多大？';
const NOTE = '客户上周投诉过物流，语气要格外耐心';
const TRANSFER_NOTE = '客户要换 XL 码，订单已核对，请跟进';
const LI_REPLY = '您好，我是小李，XL 码已经为您预留好了';

describe(`a full shift: step in, notes, transfer, in Chromium (${mode})`, { timeout: 240_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let model: FakeModelServer;
  let channelId: string;
  let customer: BrowserSession;
  let wang: BrowserSession;
  let li: BrowserSession;
  let chat: Locator;
  let conversationId: string;

  const conversation = (page: Page, status: string) => page.locator(`[data-testid="conversation"][data-status="${status}"]`);
  const consoleErrors = (s: BrowserSession) => s.errors.filter((e) => !/401/.test(e));

  before(async () => {
    model = await new FakeModelServer().start();
    model.reply = { content: BOT_ANSWER, logprobs: Math.log(0.95) };
    storage = await createStorage();
    svc = await startTestService(storage, { DEMO: 'true', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TURN_COALESCE_MS: '0', MODEL_BASE_URL: model.url });
    channelId = svc.service.demoChannelId!;
    assert.ok(channelId, 'DEMO=true creates the demo web chat channel');
    for (const user of [WANG, LI]) {
      const created = await svc.api('POST', '/api/users', { ...user, role: 'agent' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    customer = await launchBrowser({ viewport: PHONE });
    wang = await launchBrowser({ viewport: LAPTOP });
    li = await launchBrowser({ viewport: PHONE });
  });
  after(async () => {
    await customer?.close();
    await wang?.close();
    await li?.close();
    await svc?.close();
    await model?.close();
    await storage?.dispose();
  });

  test('a customer chats with the bot on the demo web chat', async () => {
    const page = customer.page;
    await page.goto(`${svc.url}/demo/${channelId}`);
    chat = page.getByRole('dialog', { name: '在线客服' });
    await chat.getByRole('status').filter({ hasText: '在线' }).waitFor();
    await chat.getByLabel('输入消息').fill('这件毛衣会起球吗');
    await chat.getByLabel('输入消息').press('Enter');
    await chat.locator('.msg.bot', { hasText: BOT_ANSWER }).waitFor();
    const list = await svc.api('GET', `/api/conversations?channelId=${channelId}&status=bot`);
    assert.equal(list.body.items.length, 1);
    conversationId = list.body.items[0].id;
  });

  test('小王 watches the bot\'s chats (机器人处理中), steps in, and answers; the customer sees the answer', async () => {
    const page = wang.page;
    await signIn(page, svc.url, WANG);
    const status = page.getByTestId('filter-status');
    assert.equal(await status.locator('option[value="bot"]').innerText(), '机器人处理中');
    await status.selectOption('bot');
    const item = page.locator(`[data-testid="queue-item"][data-conversation-id="${conversationId}"]`);
    await item.click();
    await conversation(page, 'bot').waitFor();
    const bar = page.getByTestId('step-in-bar');
    assert.match(await bar.innerText(), /机器人正在接待/);
    assert.ok(await page.getByTestId('reply-textbox').isDisabled(), 'no reply before stepping in');
    await screenshot(page, 'console-shift-step-in-laptop');

    await page.getByTestId('step-in').click();
    await conversation(page, 'assigned').waitFor();
    await bar.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('stepped-in').innerText(), '客服主动接管');
    // The bot no longer handles it: it leaves that list, and shows among the open ones as stepped in.
    await page.getByTestId('queue-empty').waitFor();
    await status.selectOption('open');
    await item.locator('[data-testid="queue-stepped-in"]', { hasText: '客服主动接管' }).waitFor();
    await page.locator('[data-testid="message"][data-sender="system"]', { hasText: '小王 主动接管了会话' }).waitFor();
    const box = page.getByTestId('reply-textbox');
    await box.fill(WANG_REPLY);
    await page.getByTestId('reply-send').click();
    await page.locator('[data-testid="message"][data-sender="agent"]', { hasText: WANG_REPLY }).waitFor();
    await chat.locator('.msg.agent', { hasText: WANG_REPLY }).waitFor();
    const audit = await svc.api('GET', '/api/audit?limit=100');
    const row = audit.body.items.find((e: any) => e.action === 'conversation.assigned' && e.target === `conversation:${conversationId}`);
    assert.deepEqual([row?.actorEmail, row?.details], [WANG.email, { from: 'bot' }]);
  });

  test('小王 writes an internal note: shown as one in the console, never on the customer\'s page', async () => {
    const page = wang.page;
    await page.getByTestId('note-open').click();
    await page.getByTestId('note-textbox').fill(NOTE);
    await page.getByTestId('note-add').click();
    const note = page.locator('[data-testid="internal-note"][data-note-kind="note"]', { hasText: NOTE });
    await note.waitFor();
    assert.match(await note.innerText(), /内部备注 · 小王/);
    await page.getByTestId('note-saved').filter({ hasText: '备注已保存' }).waitFor();
    assert.equal(await page.locator('[data-testid="message"]', { hasText: NOTE }).count(), 0, 'not a message');
    await screenshot(page, 'console-shift-laptop');

    // One more reply after the note: once the customer has it, a note that leaked would be there too.
    await page.getByTestId('reply-textbox').fill('稍等，我帮您查一下库存');
    await page.getByTestId('reply-send').click();
    await chat.locator('.msg.agent', { hasText: '稍等，我帮您查一下库存' }).waitFor();
    assert.ok(!(await chat.innerText()).includes(NOTE), 'the customer never sees the note');
    const history = await (await fetch(`${svc.url}/webchat/${channelId}/messages?visitorId=${await visitorId()}`)).json();
    assert.ok(!JSON.stringify(history).includes(NOTE));
  });

  test('小王 transfers to 小李 with a note; 小李 is told, opens it, sees the note and answers; 小王 can no longer reply', async () => {
    await signIn(li.page, svc.url, LI);
    await li.page.getByTestId('queue-refresh').waitFor();

    const page = wang.page;
    await page.getByTestId('transfer').click();
    const panel = page.getByTestId('transfer-panel');
    await panel.waitFor();
    const options = await page.getByTestId('transfer-to').locator('option').allInnerTexts();
    assert.ok(options.includes('小李') && options.includes('退回队列'), options.join(' / '));
    assert.ok(!options.includes('小王'), 'not to the holder');
    await page.getByTestId('transfer-to').selectOption({ label: '小李' });
    await page.getByTestId('transfer-note').fill(TRANSFER_NOTE);
    await screenshot(page, 'console-shift-transfer-laptop');
    await page.getByTestId('transfer-submit').click();
    await panel.waitFor({ state: 'detached' });
    await page.locator('[data-testid="message"][data-sender="system"]', { hasText: '小王 把会话转给了 小李' }).waitFor();
    // 小王 no longer holds it: the reply box is off and there is nothing to transfer.
    await page.getByTestId('transfer').waitFor({ state: 'detached' });
    assert.ok(await page.getByTestId('reply-textbox').isDisabled());
    assert.equal(await page.getByTestId('reply-send').isDisabled(), true);

    const notice = li.page.getByTestId('transfer-notice');
    await notice.waitFor();
    assert.match(await notice.innerText(), /小王 转给你一个会话/);
    await screenshot(li.page, 'console-shift-notice-phone');
    await notice.getByTestId('transfer-notice-open').click();
    await conversation(li.page, 'assigned').waitFor();
    const transferNote = li.page.locator('[data-testid="internal-note"][data-note-kind="transfer"]', { hasText: TRANSFER_NOTE });
    await transferNote.waitFor();
    assert.match(await transferNote.innerText(), /转交备注 · 小王/);
    const box = li.page.getByTestId('reply-textbox');
    assert.ok(await box.isEnabled(), '小李 may reply');
    await screenshot(li.page, 'console-shift-phone');
    await box.fill(LI_REPLY);
    await li.page.getByTestId('reply-send').click();
    await chat.locator('.msg.agent', { hasText: LI_REPLY }).waitFor();
    assert.ok(!(await chat.innerText()).includes(TRANSFER_NOTE), 'the customer never sees the transfer note');
    await screenshot(customer.page, 'console-shift-customer-phone');

    const detail = await svc.api('GET', `/api/conversations/${conversationId}`);
    const users = (await svc.api('GET', '/api/directory')).body.users;
    const liId = users.find((u: any) => u.email === LI.email).id;
    assert.deepEqual([detail.body.status, detail.body.assigneeId], ['assigned', liId]);
    for (const s of [wang, li]) assert.deepEqual(consoleErrors(s), [], 'no page errors in the consoles');
    assert.deepEqual(customer.errors, [], 'no script errors in the web chat');
  });

  /** The web chat visitor id of the customer's page (the widget keeps it in localStorage). */
  async function visitorId(): Promise<string> {
    const detail = await svc.api('GET', `/api/conversations/${conversationId}`);
    return detail.body.contact.externalId;
  }
});
