/**
 * issue 15: a 智能机器人 channel in long-connection mode, end to end: the connector holds the bot's
 * WebSocket (one per bot across processes: a lease), commits every frame once, answers with a
 * stream reply on the member's frame, sends agents' late replies proactively, welcomes within 5 s,
 * shows a failed authentication on the channel, and closes within 2 s when the channel is turned off.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { contentOf, FakeWecomBotGateway, INVALID_CREDENTIALS } from '../fakes/fake-wecom-bot-gateway.js';
import { createStorage, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { newLongConnectionBot, startBotLeaseHolder, conversationOfMember } from '../support/wecom-bot.js';

const WELCOME = '你好，我是小店的智能客服~';
const HOLDING = '稍等，正在为您接通人工客服';

async function createLongBot(svc: TestService, bot: { botId: string; secret: string }, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await svc.api('POST', '/api/channels', { kind: 'wecom_bot', name: 'bot-ws', config: { mode: 'long_connection', ...bot }, ...extra });
  if (res.status !== 201) throw new Error(`channel not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

describe(`WeCom 智能机器人 over the long connection (${mode})`, { timeout: 180_000 }, () => {
  const bot = newLongConnectionBot();
  let gw: FakeWecomBotGateway;
  let storage: Storage;
  let svc: TestService;
  let channelId: string;

  before(async () => {
    gw = await new FakeWecomBotGateway({ [bot.botId]: bot.secret }).start();
    storage = await createStorage();
    svc = await startTestService(storage, { TURN_COALESCE_MS: '0', WECOM_BOT_WS_URL: gw.url });
    const kb = readFileSync(new URL('../../src/demo/demo-kb.jsonl', import.meta.url), 'utf8');
    assert.equal((await svc.api('POST', '/api/knowledge/import', kb, { 'content-type': 'application/x-ndjson' })).status, 200);
    channelId = await createLongBot(svc, bot, { welcomeMessage: WELCOME, handoff: { holdingMessage: HOLDING } });
    await gw.waitForConnections(1, bot.botId, 8000);
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
    await gw?.close();
  });

  const conversationOf = (userid: string) => conversationOfMember(svc, userid);

  test('the channel shows connected', async () => {
    const c = await waitFor('connected', async () => {
      const r = await svc.api('GET', `/api/channels/${channelId}/connection`);
      return r.body.connection?.state === 'connected' ? r.body.connection : null;
    });
    assert.equal(c.state, 'connected');
  });

  test('a message redelivered is stored once and answered once, as a stream reply on its frame', async () => {
    const msgid = `msg${randomBytes(6).toString('hex')}`;
    const first = gw.say(bot.botId, 'zhangsan', '包邮吗？', msgid);
    const again = gw.say(bot.botId, 'zhangsan', '包邮吗？', msgid);
    await waitFor('the answer', () => gw.delivered('299').length > 0);
    await sleep(800);
    const answers = gw.delivered('299');
    assert.equal(answers.length, 1);
    assert.equal(answers[0].cmd, 'aibot_respond_msg');
    assert.ok([first.reqId, again.reqId].includes(answers[0].headers.req_id));
    assert.equal(answers[0].body.stream.finish, true);
    const conv = await conversationOf('zhangsan');
    assert.equal(conv.messages.filter((m: any) => m.sender === 'customer').length, 1);
    const botMessages = conv.messages.filter((m: any) => m.sender === 'bot');
    assert.equal(botMessages.length, 1);
    assert.equal(botMessages[0].status, 'sent');
    assert.equal(answers[0].body.stream.feedback?.id, String(botMessages[0].id), 'the feedback id names the bot message');
  });

  test('enter_chat gets the welcome within 5 s, on the event', async () => {
    const t0 = Date.now();
    const req = gw.pushEvent(bot.botId, { msgid: `ev${randomBytes(6).toString('hex')}`, chattype: 'single', from: { userid: 'zhaoliu' }, event: { eventtype: 'enter_chat' } });
    const welcome = await waitFor('welcome', () => gw.frames('aibot_respond_welcome_msg', req)[0], 5000);
    assert.equal(welcome.errcode, 0);
    assert.ok(welcome.at - t0 < 5000);
    assert.equal(contentOf(welcome), WELCOME);
  });

  test('a handoff sends the holding message; an agent\'s reply much later goes as a proactive send and shows as sent', async () => {
    gw.say(bot.botId, 'wangwu', '转人工');
    await waitFor('holding message', () => gw.delivered(HOLDING).length > 0);
    const queued = await waitFor('queued', async () => {
      const c = await conversationOf('wangwu');
      return c?.status === 'queued' ? c : null;
    });
    assert.equal(queued.handoffReason, 'customer_request');
    // Long after the member's message: no stream reply is accepted any more.
    gw.streamWindowMs = 0;
    assert.equal((await svc.api('POST', `/api/conversations/${queued.id}/assign`)).status, 200);
    const late = '抱歉久等了，您的订单已发出';
    assert.equal((await svc.api('POST', `/api/conversations/${queued.id}/messages`, { text: late })).status, 201);
    const [sent] = await waitFor('agent reply', () => { const d = gw.delivered(late); return d.length ? d : null; });
    assert.equal(sent.cmd, 'aibot_send_msg');
    assert.equal(sent.body.chatid, 'wangwu');
    const agent = await waitFor('sent status', async () => {
      const m = (await conversationOf('wangwu')).messages.find((x: any) => x.sender === 'agent');
      return m?.status === 'sent' ? m : null;
    });
    assert.equal(agent.text, late);
    gw.streamWindowMs = 5 * 60_000;
  });

  test('a proactive send whose ack never comes ends unknown, is never sent again, and the console says 状态未知', async () => {
    gw.say(bot.botId, 'sunqi', '转人工');
    const queued = await waitFor('queued', async () => {
      const c = await conversationOf('sunqi');
      return c?.status === 'queued' ? c : null;
    });
    assert.equal((await svc.api('POST', `/api/conversations/${queued.id}/assign`)).status, 200);
    const text = '您的退款已经处理好了';
    gw.dropAck = (f) => f.cmd === 'aibot_send_msg' && Boolean(contentOf(f)?.includes(text));
    try {
      assert.equal((await svc.api('POST', `/api/conversations/${queued.id}/messages`, { text })).status, 201);
      const agent = await waitFor('unknown status', async () => {
        const m = (await conversationOf('sunqi')).messages.find((x: any) => x.sender === 'agent');
        return m?.status === 'unknown' ? m : null;
      }, 20_000);
      assert.equal(agent.text, text);
      // The sweeper and the connector's outbox loop run meanwhile: nothing sends it again.
      await sleep(4000);
      assert.equal(gw.frames('aibot_send_msg').filter((f) => contentOf(f)?.includes(text)).length, 1);
      assert.equal((await conversationOf('sunqi')).messages.find((x: any) => x.sender === 'agent').status, 'unknown');
    } finally {
      gw.dropAck = null;
    }
  });

  test('a member\'s 👍/👎 is stored on the right bot message as a platform label; an agent\'s verdict wins', async () => {
    gw.say(bot.botId, 'feedbacker', '包邮吗？');
    const answer = await waitFor('answer', async () => (await conversationOf('feedbacker'))?.messages.find((m: any) => m.sender === 'bot' && m.status === 'sent'));
    const [frame] = gw.upstream.filter((f) => f.cmd === 'aibot_respond_msg' && f.body?.stream?.feedback?.id === String(answer.id));
    assert.ok(frame, 'the stream reply names the bot message as its feedback id');
    const feedback = (type: number, id = String(answer.id)) =>
      gw.pushEvent(bot.botId, { msgid: `fb${randomBytes(6).toString('hex')}`, chattype: 'single', from: { userid: 'feedbacker' }, event: { eventtype: 'feedback_event', feedback_event: { id, type } } });
    const labels = svc.service.core.answerLabels;
    const botMessage = async () => (await conversationOf('feedbacker')).messages.find((m: any) => m.id === answer.id);

    feedback(2);
    await waitFor('customer 👎', async () => (await botMessage()).customerFeedback === 'bad');
    assert.equal((await botMessage()).feedback, null, 'not shown as an agent\'s rating');
    assert.equal((await labels.recent(channelId, 1))[0]?.verdict, 'bad', 'counted as a label (calibration reads these)');

    // An agent rates it: the agent's verdict is the label's; the customer's stays beside it.
    assert.equal((await svc.api('POST', `/api/messages/${answer.id}/feedback`, { verdict: 'good' })).status, 200);
    assert.equal((await labels.recent(channelId, 1))[0]?.verdict, 'good');
    feedback(2);
    await sleep(800);
    const after = await botMessage();
    assert.equal(after.feedback.verdict, 'good');
    assert.equal(after.customerFeedback, 'bad');
    assert.equal((await labels.recent(channelId, 1))[0]?.verdict, 'good', 'the agent\'s verdict wins');
    // Withdrawn: the customer's goes, the agent's stays.
    feedback(3);
    await waitFor('withdrawn', async () => (await botMessage()).customerFeedback === null);
    assert.equal((await botMessage()).feedback.verdict, 'good');
    // Feedback naming a message that is not a bot answer of this channel is ignored.
    const before = (await labels.recent(channelId, 50)).length;
    feedback(1, '999999999');
    await sleep(800);
    assert.equal((await labels.recent(channelId, 50)).length, before);
  });

  test('a barely-sure answer carries a 转人工 button; a click hands off (customer_request) and the card says so', async () => {
    const second = newLongConnectionBot();
    gw.addBot(second.botId, second.secret);
    // margin 1: every answer the bot gives (confidence ≥ threshold) is barely sure.
    const id = await createLongBot(svc, second, { config: { mode: 'long_connection', ...second, handoffButtonMargin: 1 }, handoff: { holdingMessage: HOLDING } });
    try {
      await gw.waitForConnections(1, second.botId, 8000);
      gw.say(second.botId, 'clicker', '包邮吗？');
      const reply = await waitFor('answer with card', () => gw.upstream.find((f) => f.botId === second.botId && f.cmd === 'aibot_respond_msg' && f.errcode === 0));
      assert.equal(reply.body.msgtype, 'stream_with_template_card');
      assert.match(reply.body.stream.content, /299/);
      const card = reply.body.template_card;
      assert.equal(card.card_type, 'button_interaction');
      assert.equal(card.button_list[0].text, '转人工');
      const t0 = Date.now();
      const click = gw.pushEvent(second.botId, {
        msgid: `click${randomBytes(6).toString('hex')}`, chattype: 'single', from: { userid: 'clicker' },
        event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: card.button_list[0].key, task_id: card.task_id } },
      });
      const update = await waitFor('card updated', () => gw.frames('aibot_respond_update_msg', click)[0], 5000);
      assert.equal(update.errcode, 0);
      assert.ok(update.at - t0 < 5000);
      assert.equal(update.body.template_card.task_id, card.task_id);
      assert.match(update.body.template_card.main_title.title, /已为您转接人工客服/);
      const queued = await waitFor('queued', async () => {
        const list = await svc.api('GET', '/api/conversations');
        const c = list.body.items.find((x: any) => x.contact.externalId === 'clicker' && x.channelId === id);
        return c?.status === 'queued' ? c : null;
      });
      assert.equal(queued.handoffReason, 'customer_request');
      await waitFor('holding message', () => gw.upstream.some((f) => f.botId === second.botId && f.errcode === 0 && contentOf(f)?.includes(HOLDING)));
    } finally {
      await svc.api('DELETE', `/api/channels/${id}`);
    }
  });

  test('in a group the bot answers the message that mentions it, on its frame; an agent\'s reply goes to the group chatid', async () => {
    // WeCom pushes a group message to the bot only when it is @-mentioned; the mention is not the question.
    const group = `wr${randomBytes(6).toString('hex')}`;
    const inGroup = (content: string) => gw.pushMessage(bot.botId, { msgid: `g${randomBytes(6).toString('hex')}`, chattype: 'group', chatid: group, from: { userid: 'groupie' }, msgtype: 'text', text: { content } });
    const asked = inGroup('@小店助手 包邮吗？');
    const answer = await waitFor('group answer', () => gw.frames('aibot_respond_msg', asked).find((f) => f.errcode === 0));
    assert.match(contentOf(answer)!, /299/);
    const conv = await waitFor('conversation', () => conversationOf('groupie'));
    assert.equal(conv.messages.find((m: any) => m.sender === 'customer').text, '包邮吗？');
    inGroup('@小店助手 转人工');
    const queued = await waitFor('queued', async () => {
      const c = await conversationOf('groupie');
      return c?.status === 'queued' ? c : null;
    });
    gw.streamWindowMs = 0;
    try {
      assert.equal((await svc.api('POST', `/api/conversations/${queued.id}/assign`)).status, 200);
      const text = '群里的朋友您好，我来为您处理';
      assert.equal((await svc.api('POST', `/api/conversations/${queued.id}/messages`, { text })).status, 201);
      const [sent] = await waitFor('agent reply', () => { const d = gw.delivered(text); return d.length ? d : null; });
      assert.equal(sent.cmd, 'aibot_send_msg');
      assert.equal(sent.body.chatid, group);
    } finally {
      gw.streamWindowMs = 5 * 60_000;
    }
  });

  test('a wrong secret shows on the channel and is retried with backoff, not in a loop', async () => {
    const wrong = newLongConnectionBot();
    gw.addBot(wrong.botId, 'the-right-one');
    const id = await createLongBot(svc, wrong);
    const c = await waitFor('error shown', async () => {
      const r = await svc.api('GET', `/api/channels/${id}/connection`);
      return r.body.connection?.lastError?.includes(String(INVALID_CREDENTIALS)) ? r.body.connection : null;
    });
    assert.equal(c.state, 'reconnecting');
    await sleep(2000);
    assert.ok((gw.authAttempts.get(wrong.botId) ?? 0) <= 5, `attempts: ${gw.authAttempts.get(wrong.botId)}`);
    assert.equal((await svc.api('DELETE', `/api/channels/${id}`)).status < 300, true);
  });

  test('turning the channel off closes the connection within 2 s and it stays closed; on again reconnects', async () => {
    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { enabled: false })).status, 200);
    const t0 = Date.now();
    await waitFor('closed', () => gw.connections(bot.botId) === 0, 3000);
    assert.ok(Date.now() - t0 < 2000, `closed after ${Date.now() - t0} ms`);
    await sleep(2500);
    assert.equal(gw.connections(bot.botId), 0);
    assert.equal((await svc.api('PATCH', `/api/channels/${channelId}`, { enabled: true })).status, 200);
    await gw.waitForConnections(1, bot.botId, 5000);
  });
});

describe(`one long connection per bot across processes (${mode})`, { timeout: 180_000, skip: mode !== 'real' && 'needs a shared PostgreSQL' }, () => {
  test('two processes hold one connection; after a kill -9 of the holder the other takes over and answers once', async () => {
    // The channel is created while only `a` runs, so `a` holds the lease.
    const { bot, gw, holder: a, other: b, close } = await startBotLeaseHolder({ TURN_COALESCE_MS: '0' });
    try {
      const kb = readFileSync(new URL('../../src/demo/demo-kb.jsonl', import.meta.url), 'utf8');
      await b.api('POST', '/api/knowledge/import', kb, { 'content-type': 'application/x-ndjson' });
      await sleep(3000);
      assert.equal(gw.connections(bot.botId), 1);
      assert.equal(gw.authAttempts.get(bot.botId), 1, 'one connection across two processes: no takeover ping-pong');
      const msgid = `msg${randomBytes(6).toString('hex')}`;
      gw.say(bot.botId, 'qianba', '包邮吗？', msgid);
      await waitFor('answer', () => gw.delivered('299').length > 0);
      await a.kill9();
      // The lease runs out (10 s) and `b` connects.
      await gw.waitForConnections(1, bot.botId, 20000);
      assert.equal(gw.authAttempts.get(bot.botId), 2);
      // The platform redelivers the frame to the new holder: stored once, answered once.
      gw.say(bot.botId, 'qianba', '包邮吗？', msgid);
      await sleep(1500);
      assert.equal(gw.delivered('299').length, 1);
      // A new question is answered by the new holder.
      gw.say(bot.botId, 'qianba', '发什么快递');
      await waitFor('second answer', () => gw.upstream.filter((f) => f.errcode === 0 && f.cmd === 'aibot_respond_msg').length >= 2);
    } finally {
      await close();
    }
  });
});
