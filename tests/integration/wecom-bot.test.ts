import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { streamIdOf } from '../../adapters/wecom/bot-adapter.js';
import { createStorage, mode, sleep, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createBotChannel, newBotKeys, newMsgid, nowS, WecomBotClient, type StreamReply } from '../support/wecom-bot.js';

const WELCOME = '你好，我是小店的智能客服~';
const HOLDING = '稍等，正在为您接通人工客服';

describe(`WeCom 智能机器人 channel: streams polled by WeCom (${mode})`, () => {
  const keys = newBotKeys();
  let storage: Storage;
  let svc: TestService;
  let bot: WecomBotClient;
  /** A second bot without a welcome message. */
  let plainBot: WecomBotClient;

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, { TURN_COALESCE_MS: '0', WEBHOOK_MAX_SKEW_S: '300' });
    const channelId = await createBotChannel(svc, keys, { welcomeMessage: WELCOME, handoff: { holdingMessage: HOLDING } });
    bot = new WecomBotClient(svc, channelId, keys);
    const plainKeys = newBotKeys();
    plainBot = new WecomBotClient(svc, await createBotChannel(svc, plainKeys), plainKeys);
    const kb = readFileSync(new URL('../../src/demo/demo-kb.jsonl', import.meta.url), 'utf8');
    const imported = await svc.api('POST', '/api/knowledge/import', kb, { 'content-type': 'application/x-ndjson' });
    assert.equal(imported.status, 200);
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  /** The conversation (with messages) of one WeCom user, or undefined when none was created. */
  async function conversationOf(userid: string): Promise<any> {
    const list = await svc.api('GET', '/api/conversations');
    const conv = list.body.items.find((c: any) => c.contact.externalId === userid);
    return conv && (await svc.api('GET', `/api/conversations/${conv.id}`)).body;
  }

  /** Refreshes the way WeCom does until the stream says it is finished. */
  const untilFinished = (userid: string, streamId: string): Promise<StreamReply> =>
    waitFor(`stream ${streamId} to finish`, async () => {
      const r = await bot.refresh(userid, streamId);
      assert.equal(r.stream.id, streamId);
      return r.stream.finish ? r : null;
    });

  test('URL verification answers the exact echostr plaintext', async () => {
    assert.deepEqual(await bot.verifyUrl('1288432023552776189'), { status: 200, body: '1288432023552776189' });
  });

  test('a question opens a stream that refreshes fill with the knowledge-base answer, then finish', async () => {
    const msgid = newMsgid();
    // Envelope signature, timestamp and receiveid "" are checked by bot.open (via say/refresh).
    const opened = await bot.say('zhangsan', msgid, '包邮吗？');
    assert.deepEqual(opened, { msgtype: 'stream', stream: { id: streamIdOf(msgid), finish: false, content: '' } });

    const done = await untilFinished('zhangsan', opened.stream.id);
    assert.match(done.stream.content, /299/);
    // WeCom may refresh again (or retry one); the answer must not change or reopen.
    assert.deepEqual(await bot.refresh('zhangsan', opened.stream.id), done);

    const conv = await conversationOf('zhangsan');
    const botMessages = conv.messages.filter((m: any) => m.sender === 'bot');
    assert.equal(botMessages.length, 1);
    assert.equal(botMessages[0].status, 'sent');
    assert.equal(botMessages[0].text, done.stream.content);
  });

  test('a msgid delivered three times (two at once) gets one stream, one stored message, one answer', async () => {
    const msgid = newMsgid();
    const [a, b] = await Promise.all([bot.say('lisi', msgid, '包邮吗'), bot.say('lisi', msgid, '包邮吗')]);
    const c = await bot.say('lisi', msgid, '包邮吗');
    for (const r of [a, b, c]) assert.equal(r.stream.id, streamIdOf(msgid));
    const done = await untilFinished('lisi', a.stream.id);
    assert.match(done.stream.content, /299/);
    await sleep(500); // room for a second turn to show up, if there were one
    const conv = await conversationOf('lisi');
    assert.equal(conv.messages.filter((m: any) => m.sender === 'customer').length, 1);
    assert.equal(conv.messages.filter((m: any) => m.sender === 'bot').length, 1);
    assert.deepEqual(await bot.refresh('lisi', a.stream.id), done);
  });

  test('a request for a human keeps the stream open on the holding message until an agent answers', async () => {
    const opened = await bot.say('wangwu', newMsgid(), '转人工');
    const id = opened.stream.id;
    const holding = await waitFor('the holding message', async () => {
      const r = await bot.refresh('wangwu', id);
      return r.stream.content ? r : null;
    });
    assert.deepEqual(holding.stream, { id, finish: false, content: HOLDING });
    // Nobody has answered yet: further refreshes stay open with the same text.
    for (let i = 0; i < 2; i++) {
      await sleep(200);
      assert.deepEqual((await bot.refresh('wangwu', id)).stream, { id, finish: false, content: HOLDING });
    }

    const queued = await conversationOf('wangwu');
    assert.equal(queued.status, 'queued');
    assert.equal(queued.handoffReason, 'customer_request');
    assert.equal((await svc.api('POST', `/api/conversations/${queued.id}/assign`)).status, 200);
    const agentText = '您好，我是客服小王，满299包邮哦';
    assert.equal((await svc.api('POST', `/api/conversations/${queued.id}/messages`, { text: agentText })).status, 201);

    const done = await untilFinished('wangwu', id);
    assert.equal(done.stream.content, `${HOLDING}\n\n${agentText}`);
    const conv = await conversationOf('wangwu');
    assert.deepEqual(conv.messages.filter((m: any) => m.sender === 'agent').map((m: any) => [m.text, m.status]), [[agentText, 'sent']]);
  });

  test('an agent reply written while no stream is open goes out on the member\'s next stream, which it finishes', async () => {
    const opened = await bot.say('sunqi', newMsgid(), '转人工');
    await waitFor('the holding message', async () => ((await bot.refresh('sunqi', opened.stream.id)).stream.content ? true : null));
    const conv = await conversationOf('sunqi');
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/assign`)).status, 200);
    // The member's stream ends before anyone answers (here: WeCom stops asking; the row just waits).
    const late = '抱歉久等了，您的订单已发出';
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/messages`, { text: late })).status, 201);
    await sleep(300);
    assert.deepEqual((await conversationOf('sunqi')).messages.filter((m: any) => m.sender === 'agent').map((m: any) => m.status), ['pending'],
      'nothing polled it yet: it waits');

    const next = await bot.say('sunqi', newMsgid(), '在吗');
    const done = await untilFinished('sunqi', next.stream.id);
    assert.equal(done.stream.content, late, 'only the waiting reply: the holding message went out on the earlier stream');
    assert.deepEqual((await conversationOf('sunqi')).messages.filter((m: any) => m.sender === 'agent').map((m: any) => m.status), ['sent']);
  });

  test('enter_chat is answered with the welcome text in the reply itself, and nothing else is sent', async () => {
    const welcome = bot.open<unknown>(await bot.enter('zhaoliu'));
    assert.deepEqual(welcome, { msgtype: 'text', text: { content: WELCOME } });
    await sleep(500); // a bot turn, if one were (wrongly) scheduled, would have written by now
    const conv = await conversationOf('zhaoliu');
    assert.deepEqual(conv?.messages.filter((m: any) => m.sender !== 'customer') ?? [], []);

    // Without a welcome message the event is acked with an empty body.
    assert.deepEqual(await plainBot.enter('zhaoliu'), { status: 200, body: '' });
  });

  test('bad callbacks are refused and store nothing; refreshes for streams we did not open are handled', async () => {
    const text = (userid: string) => ({ msgid: newMsgid(), aibotid: 'AIBOTID', chattype: 'single', from: { userid }, msgtype: 'text', text: { content: '包邮吗' } });
    const other = newBotKeys();
    // Expected status; 0 = any 4xx (a wrong key fails at padding or at JSON, both a refusal).
    const cases: [string, () => Promise<{ status: number }>, number][] = [
      ['a forged signature', () => bot.post(text('mallory-1'), { token: other.token }), 401],
      ['a stale timestamp', () => bot.post(text('mallory-2'), { timestamp: String(Number(nowS()) - 3600) }), 401],
      ['a body that is not JSON', () => bot.post(text('mallory-3'), { rawBody: 'not json' }), 400],
      ['ciphertext under another key', () => bot.post(text('mallory-4'), { encodingAesKey: other.encodingAesKey }), 0],
      ['an unknown channel', () => bot.post(text('mallory-5'), { channelId: '999999999' }), 404],
      ['a malformed stream id', () => bot.refreshRaw('mallory-6', 'not a stream!'), 400],
      ['a stream id that is not canonical base64url', () => bot.refreshRaw('mallory-7', `${streamIdOf('x')}=`), 400],
    ];
    for (const [what, res, status] of cases) {
      const got = (await res()).status;
      if (status) assert.equal(got, status, what);
      else assert.ok(got >= 400 && got < 500, `${what}: ${got}`);
    }
    // Well formed, but for a msgid never stored: finished and empty, so WeCom stops polling.
    const unknown = streamIdOf(newMsgid());
    assert.deepEqual((await bot.refresh('mallory-8', unknown)).stream, { id: unknown, finish: true, content: '' });

    const list = await svc.api('GET', '/api/conversations');
    const seen = list.body.items.map((c: any) => c.contact.externalId).filter((u: string) => u.startsWith('mallory'));
    assert.deepEqual(seen, []);
  });
});
