/**
 * A WeCom 智能机器人 chat in the console, in Chromium: the member asks for a person, the stream
 * shows the holding message and stays open; the agent sees why replies depend on the member's
 * chat bubble, takes over and answers; the next stream poll delivers the answer, and the console
 * shows it sent without a reload.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createBotChannel, newBotKeys, newMsgid, WecomBotClient } from '../support/wecom-bot.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const HOLDING = '稍等，正在为您接通人工客服';

describe(`智能机器人 conversations in the console (${mode})`, { timeout: 180_000 }, () => {
  const keys = newBotKeys();
  let storage: Storage;
  let svc: TestService;
  let bot: WecomBotClient;
  let browser: BrowserSession;

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TURN_COALESCE_MS: '0' });
    bot = new WecomBotClient(svc, await createBotChannel(svc, keys, { name: '店铺机器人', handoff: { holdingMessage: HOLDING } }), keys);
    browser = await launchBrowser();
    await signIn(browser.page, svc.url, ADMIN);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await storage?.dispose();
  });

  test('the agent\'s answer reaches the member on the open stream, and the console shows it sent', async () => {
    const stream = (await bot.say('member-1', newMsgid(), '转人工')).stream.id;
    await waitFor('the holding message on the stream', async () => ((await bot.refresh('member-1', stream)).stream.content === HOLDING ? true : null));
    const conversation = (await svc.api('GET', '/api/conversations?limit=100')).body.items.find((c: any) => c.contact.externalId === 'member-1');
    assert.equal(conversation?.status, 'queued');

    const page = browser.page;
    await page.goto(`${svc.url}/console/#/c/${conversation.id}`);
    await page.getByTestId('conversation').waitFor();
    assert.match(await page.getByTestId('poll-hint').innerText(), /6/);
    await page.getByTestId('take-over').click();
    await page.locator('[data-testid="conversation"][data-status="assigned"]').waitFor();
    await page.getByTestId('reply-textbox').fill('您好，我是客服小王');
    await page.getByTestId('reply-send').click();
    const agentMessage = page.locator('[data-testid="message"][data-sender="agent"]');
    await agentMessage.waitFor();
    assert.equal(await agentMessage.getAttribute('data-status'), 'pending', 'written, waiting for the member\'s stream');

    const done = await waitFor('the stream to finish with the answer', async () => {
      const r = await bot.refresh('member-1', stream);
      return r.stream.finish ? r : null;
    });
    assert.equal(done.stream.content, `${HOLDING}\n\n您好，我是客服小王`);
    // No reload: the console heard that the poll took it.
    await page.locator('[data-testid="message"][data-sender="agent"][data-status="sent"]').waitFor();
    await screenshot(page, 'console-bot-laptop');
  });
});
