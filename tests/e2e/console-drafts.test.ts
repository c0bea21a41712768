/**
 * Agent assist in Chromium (issue 13 item 5, browser acceptance: "an agent sends an edited draft"):
 * a customer asks on the demo web chat; the model answers below the channel's threshold, so the
 * chat is handed off and the answer kept as a draft. An agent sees the draft read-only with a hint
 * to take over, takes over, puts the draft into the reply box with 编辑, edits it and sends it; the
 * customer's chat shows the edited text (and never the draft), and the draft is stored as edited.
 * Screenshots go to tests/output/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const AGENT = { email: 'agent@shop.example', password: 'agent-password-123', name: '小王' };
const QUESTION = '可以开发票吗';
const DRAFT = '亲，我们支持开具电子发票，下单时填写抬头即可~';
const EDITED = '亲，可以开电子发票，也可以开专票，下单时在备注里写上抬头和税号即可~';

describe(`an agent sends an edited draft, in Chromium (${mode})`, { timeout: 180_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let model: FakeModelServer;
  let channelId: string;
  let customer: BrowserSession;
  let agent: BrowserSession;
  let chat: Locator;
  let conversationId: string;

  before(async () => {
    model = await new FakeModelServer().start();
    // Confidence = exp(logprob): 0.2, below any threshold the demo channel has.
    model.reply = (body) => body.messages.at(-1)!.content.includes('发票')
      ? { content: DRAFT, logprobs: Math.log(0.2) }
      : { content: '亲，满299元包邮哦~', logprobs: Math.log(0.95) };
    storage = await createStorage();
    svc = await startTestService(storage, { DEMO: 'true', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TURN_COALESCE_MS: '0', MODEL_BASE_URL: model.url });
    channelId = svc.service.demoChannelId!;
    assert.ok(channelId, 'DEMO=true creates the demo web chat channel');
    const created = await svc.api('POST', '/api/users', { ...AGENT, role: 'agent' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    customer = await launchBrowser({ viewport: { width: 390, height: 844 } });
    agent = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  });
  after(async () => {
    await customer?.close();
    await agent?.close();
    await svc?.close();
    await model?.close();
    await storage?.dispose();
  });

  test('a customer asks; the bot is unsure, hands off and sends only its holding message', async () => {
    const page = customer.page;
    await page.goto(`${svc.url}/demo/${channelId}`);
    chat = page.getByRole('dialog', { name: '在线客服' });
    await chat.getByRole('status').filter({ hasText: '在线' }).waitFor();
    await chat.getByLabel('输入消息').fill(QUESTION);
    await chat.getByLabel('输入消息').press('Enter');
    const conversation = await waitFor('the low-confidence handoff', async () => {
      const list = await svc.api('GET', `/api/conversations?channelId=${channelId}&limit=10`);
      const c = list.body.items[0];
      return c?.status === 'queued' ? (await svc.api('GET', `/api/conversations/${c.id}`)).body : null;
    });
    assert.equal(conversation.handoffReason, 'low_confidence');
    assert.equal(conversation.draft?.text, DRAFT, 'the unsent answer is kept as a draft');
    conversationId = conversation.id;
    await chat.locator('.msg.bot').first().waitFor();
    assert.equal(await chat.locator('.msg', { hasText: DRAFT }).count(), 0, 'the draft never reaches the customer by itself');
  });

  test('the agent sees the draft read-only before taking over, then edits and sends it', async () => {
    const page = agent.page;
    await signIn(page, svc.url, AGENT);
    await page.goto(`${svc.url}/console/#/c/${conversationId}`);
    await page.locator('[data-testid="conversation"][data-status="queued"]').waitFor();
    const card = page.getByTestId('draft-card');
    await card.waitFor();
    assert.equal(await card.getByTestId('draft-text').innerText(), DRAFT);
    assert.match(await card.getByTestId('draft-confidence').innerText(), /0\.20/);
    assert.match(await card.innerText(), /接管/, 'a hint to take over');
    assert.equal(await card.getByRole('button').count(), 0, 'nothing to act with before taking over');
    await screenshot(page, 'console-draft-read-only');

    await page.getByTestId('take-over').click();
    await page.locator('[data-testid="conversation"][data-status="assigned"]').waitFor();
    await card.getByRole('button', { name: '按原文发送草稿' }).waitFor();
    await card.getByRole('button', { name: '忽略草稿' }).waitFor();
    await card.getByRole('button', { name: '把草稿放入回复框编辑' }).click();
    const box = page.getByTestId('reply-textbox');
    // The box fills on the next render: wait for it rather than read it at once.
    await waitFor('编辑 puts the draft into the reply box', async () => (await box.inputValue()) === DRAFT || null, 5000);
    assert.equal(await card.getByTestId('draft-edit').getAttribute('aria-pressed'), 'true');
    await box.fill(EDITED);
    await screenshot(page, 'console-draft-editing');
    await page.getByTestId('reply-send').click();

    // Sent: the card goes, the agent's message shows the edited text, the box is empty.
    await card.waitFor({ state: 'detached' });
    await page.locator('[data-testid="message"][data-sender="agent"]', { hasText: EDITED }).waitFor();
    await waitFor('the reply box empties after sending', async () => (await box.inputValue()) === '' || null, 5000);
    // The console's sign-in check answers 401 before the login: expected, not an error of the page.
    assert.deepEqual(agent.errors.filter((e) => !/401/.test(e)), [], 'no page errors in the agent console');
  });

  test("the customer's chat shows the edited text, never the draft; the draft is stored as edited", async () => {
    await chat.locator('.msg.agent', { hasText: EDITED }).waitFor();
    assert.equal(await chat.locator('.msg', { hasText: DRAFT }).count(), 0);
    await screenshot(customer.page, 'widget-edited-draft-phone');
    const audit = await svc.api('GET', '/api/audit?limit=100');
    const sent = audit.body.items.find((e: any) => e.action === 'conversation.draft.send' && e.target === `conversation:${conversationId}`);
    assert.ok(sent, 'audited');
    assert.equal(sent.details.status, 'edited');
    assert.equal(sent.actorEmail, AGENT.email);
    assert.deepEqual(customer.errors, [], 'no script errors in the web chat');
  });
});
