/**
 * issue 15: a 智能机器人 chat over the long connection in the console, in Chromium. The member asks
 * for a person; an hour later (the messages are aged in the database, and the fake gateway no longer
 * accepts a stream reply on the member's frame) an agent takes over and answers. The answer goes as
 * a proactive send and shows 已发送 without a reload; the callback mode's 6-minute note is not shown.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { contentOf, FakeWecomBotGateway } from '../fakes/fake-wecom-bot-gateway.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { launchBrowser, screenshot, signIn, type BrowserSession } from './support/browser.js';

const ADMIN = { email: 'admin@shop.example', password: 'admin-password-123' };
const HOLDING = '稍等，正在为您接通人工客服';

describe(`智能机器人 long-connection conversations in the console (${mode})`, { timeout: 180_000 }, () => {
  const bot = { botId: `aib${randomBytes(6).toString('hex')}`, secret: randomBytes(12).toString('hex') };
  let gw: FakeWecomBotGateway;
  let storage: Storage;
  let svc: TestService;
  let browser: BrowserSession;

  before(async () => {
    gw = await new FakeWecomBotGateway({ [bot.botId]: bot.secret }).start();
    storage = await createStorage();
    svc = await startTestService(storage, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TURN_COALESCE_MS: '0', WECOM_BOT_WS_URL: gw.url });
    const created = await svc.api('POST', '/api/channels', {
      kind: 'wecom_bot', name: '长连接机器人', config: { mode: 'long_connection', ...bot }, handoff: { holdingMessage: HOLDING },
    });
    assert.equal(created.status, 201);
    await gw.waitForConnections(1, bot.botId, 8000);
    browser = await launchBrowser();
    await signIn(browser.page, svc.url, ADMIN);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await storage?.dispose();
    await gw?.close();
  });

  test('an agent answers an hour after the member\'s message; the reply is sent proactively and shows 已发送', async () => {
    gw.say(bot.botId, 'member-late', '转人工');
    await waitFor('the holding message', () => gw.delivered(HOLDING).length > 0);
    const conversation = await waitFor('queued', async () => {
      const c = (await svc.api('GET', '/api/conversations?limit=100')).body.items.find((x: any) => x.contact.externalId === 'member-late');
      return c?.status === 'queued' ? c : null;
    });
    // An hour passes: the member's message and the bot's are an hour old, and WeCom takes no stream reply on that frame.
    await svc.service.db.query("UPDATE messages SET created_at = created_at - interval '1 hour', sent_at = sent_at - interval '1 hour' WHERE conversation_id = $1", [conversation.id]);
    await svc.service.db.query("UPDATE conversations SET created_at = created_at - interval '1 hour' WHERE id = $1", [conversation.id]);
    gw.streamWindowMs = 0;

    const page = browser.page;
    await page.goto(`${svc.url}/console/#/c/${conversation.id}`);
    await page.getByTestId('conversation').waitFor();
    assert.equal(await page.getByTestId('poll-hint').count(), 0, 'no 6-minute note for a long-connection channel');
    await page.getByTestId('take-over').click();
    await page.locator('[data-testid="conversation"][data-status="assigned"]').waitFor();
    const answer = '抱歉让您久等了，我是客服小王';
    await page.getByTestId('reply-textbox').fill(answer);
    await page.getByTestId('reply-send').click();

    const [sent] = await waitFor('the proactive send', () => { const d = gw.delivered(answer); return d.length ? d : null; });
    assert.equal(sent.cmd, 'aibot_send_msg');
    assert.equal(sent.body.chatid, 'member-late');
    assert.equal(contentOf(sent), answer);
    const agentMessage = page.locator('[data-testid="message"][data-sender="agent"][data-status="sent"]');
    await agentMessage.waitFor();
    assert.match(await agentMessage.innerText(), /已发送/);
    assert.equal(await page.getByTestId('poll-hint').count(), 0);
    await screenshot(page, 'console-wecom-bot-long-laptop');
  });
});
