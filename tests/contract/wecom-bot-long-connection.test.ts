/**
 * issue 15: the real `@wecom/aibot-node-sdk` 1.0.7 against the fake long-connection gateway
 * (tests/fakes/fake-wecom-bot-gateway.ts) over real sockets: so the fake speaks the SDK's protocol.
 * Then our BotLongConnection on top: commit before reply, stream replies, proactive sends, welcome.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WSClient, type WsFrame } from '@wecom/aibot-node-sdk';
import type { InboundMessage } from '../../src/domain/message.js';
import type { ConnectionReport } from '../../src/ports/channel-adapter.js';
import { openBotConnection, type BotLongConnection } from '../../adapters/wecom/bot-connection.js';
import { contentOf, EVENT_CANNOT_STREAM, FakeWecomBotGateway, INVALID_CREDENTIALS, STREAM_EXPIRED } from '../fakes/fake-wecom-bot-gateway.js';

const BOT = 'aibBOT001';
const SECRET = 'bot-secret-1';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 4000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('the real aibot SDK against the fake gateway', () => {
  let gw: FakeWecomBotGateway;
  const clients: WSClient[] = [];
  const client = (opts: Partial<ConstructorParameters<typeof WSClient>[0]> = {}) => {
    const c = new WSClient({ botId: BOT, secret: SECRET, wsUrl: gw.url, logger: quiet, reconnectInterval: 100, ...opts });
    clients.push(c);
    return c;
  };
  beforeEach(async () => {
    gw = await new FakeWecomBotGateway({ [BOT]: SECRET }).start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) {
      c.removeAllListeners();
      if (c.isConnected) c.disconnect();
    }
    await gw.close();
  });

  test('authenticates with aibot_subscribe {bot_id, secret} and answers pings; two missed acks reconnect', async () => {
    const c = client({ heartbeatInterval: 100 });
    let authenticated = 0;
    c.on('authenticated', () => authenticated++);
    c.connect();
    await gw.waitForConnections(1, BOT);
    const [sub] = gw.frames('aibot_subscribe');
    assert.deepEqual(sub.body, { bot_id: BOT, secret: SECRET });
    await until('pings', () => gw.frames('ping').length >= 3);
    assert.ok(gw.frames('ping').every((p) => p.errcode === 0));
    assert.equal(authenticated, 1, 'acked pings keep the connection');
    gw.silent = true;
    await until('a reconnect after missed heartbeat acks', () => authenticated >= 2, 3000);
  });

  test('a wrong secret is refused with 853000, and the SDK retries with growing delays', async () => {
    const c = client({ secret: 'wrong', maxAuthFailureAttempts: 3 });
    const errors: string[] = [];
    c.on('error', (e) => errors.push(e.message));
    c.connect();
    await until('three refusals', () => (gw.authAttempts.get(BOT) ?? 0) >= 3, 3000);
    assert.ok(errors.some((e) => e.includes(String(INVALID_CREDENTIALS))), errors.join('; '));
    const times = gw.frames('aibot_subscribe').map((f) => f.at);
    assert.ok(times[2] - times[1] >= (times[1] - times[0]) * 1.5 - 30, `backoff grows: ${times.map((t) => t - times[0]).join(',')}`);
  });

  test('message and event frames reach the SDK; stream, welcome and proactive replies are acked by req_id', async () => {
    const c = client();
    const texts: WsFrame[] = [];
    const enters: WsFrame[] = [];
    c.on('message.text', (f) => texts.push(f));
    c.on('event.enter_chat', (f) => enters.push(f));
    c.connect();
    await gw.waitForConnections(1, BOT);
    const { reqId, msgid } = gw.say(BOT, 'zhangsan', '包邮吗');
    const frame = await until('the text frame', () => texts[0]);
    assert.equal(frame.headers.req_id, reqId);
    assert.equal(frame.body.msgid, msgid);
    assert.deepEqual(frame.body.from, { userid: 'zhangsan' });
    const ack = await c.replyStream(frame, 'stream-1', '满299包邮', true, undefined, { id: 'fb-1' });
    assert.equal(ack.errcode, 0);
    const [reply] = gw.frames('aibot_respond_msg', reqId);
    assert.deepEqual(reply.body, { msgtype: 'stream', stream: { id: 'stream-1', finish: true, content: '满299包邮', feedback: { id: 'fb-1' } } });

    const evReq = gw.pushEvent(BOT, { msgid: 'ev1', chattype: 'single', from: { userid: 'zhangsan' }, event: { eventtype: 'enter_chat' } });
    const enter = await until('the enter_chat frame', () => enters[0]);
    assert.equal(enter.headers.req_id, evReq);
    assert.equal((await c.replyWelcome(enter, { msgtype: 'text', text: { content: '欢迎' } })).errcode, 0);
    await assert.rejects(c.replyStream(enter, 's2', 'x', true), (e: any) => e.errcode === EVENT_CANNOT_STREAM);

    const sent = await c.sendMessage('zhangsan', { msgtype: 'markdown', markdown: { content: '人工客服回复' } });
    assert.equal(sent.errcode, 0);
    const [send] = gw.frames('aibot_send_msg');
    assert.match(send.headers.req_id, /^aibot_send_msg_/);
    assert.equal(send.body.chatid, 'zhangsan');
    assert.equal(contentOf(send), '人工客服回复');
  });

  test('a newer connection of the bot takes over: the older gets disconnected_event and does not reconnect', async () => {
    const a = client();
    const gone: string[] = [];
    a.on('event.disconnected_event', () => gone.push('a'));
    a.connect();
    await gw.waitForConnections(1, BOT);
    client().connect();
    await until('disconnected_event', () => gone.length === 1);
    await sleep(600);
    assert.equal(gw.openSockets(), 1);
    assert.equal(gw.authAttempts.get(BOT), 2, 'the kicked client did not come back');
  });

  test('downloadFile fetches and decrypts a file with its own aeskey', async () => {
    const c = client();
    const plain = Buffer.from('a picture the member sent, any length '.repeat(3));
    const { url, aeskey } = gw.serveFile(plain);
    const got = await c.downloadFile(url, aeskey);
    assert.deepEqual(got.buffer, plain);
    assert.equal(got.filename, 'photo.jpg');
  });
});

describe('BotLongConnection on the SDK', () => {
  let gw: FakeWecomBotGateway;
  let conn: BotLongConnection | undefined;
  const reports: ConnectionReport[] = [];
  beforeEach(async () => {
    gw = await new FakeWecomBotGateway({ [BOT]: SECRET }).start();
    reports.length = 0;
  });
  afterEach(async () => {
    await conn?.close();
    await gw.close();
  });

  const open = (deliver: (m: InboundMessage[]) => Promise<void>, secret = SECRET) =>
    (conn = openBotConnection({ botId: BOT, secret, wsUrl: gw.url, deliver, report: (r) => reports.push(r), welcome: () => '你好，欢迎光临', reconnectMs: 100 }));

  test('a message is committed before any reply; the bot answer goes as a stream on its frame, later ones proactively', async () => {
    const committed: InboundMessage[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = open(async (m) => { await gate; committed.push(...m); });
    await gw.waitForConnections(1, BOT);
    await until('connected', () => reports.some((r) => r.state === 'connected'));
    const { msgid } = gw.say(BOT, 'lisi', '在吗');
    await sleep(100);
    assert.equal(committed.length, 0);
    release();
    await until('commit', () => committed[0]);
    assert.equal(committed[0].platformMessageId, msgid);
    assert.deepEqual(committed[0].address, { chatId: 'lisi' });
    await c.send({ externalId: 'lisi', address: { chatId: 'lisi' } }, { outboxId: '1', messageId: '11', sender: 'bot', text: '在的' });
    await c.send({ externalId: 'lisi', address: { chatId: 'lisi' } }, { outboxId: '2', messageId: '12', sender: 'bot', text: '还有吗' });
    await c.send({ externalId: 'lisi', address: { chatId: 'lisi' } }, { outboxId: '3', messageId: '13', sender: 'agent', text: '人工' });
    assert.deepEqual(gw.frames('aibot_respond_msg').map((f) => [contentOf(f), f.body.stream.feedback?.id]), [['在的', '11']]);
    assert.deepEqual(gw.frames('aibot_send_msg').map((f) => [f.body.chatid, contentOf(f)]), [['lisi', '还有吗'], ['lisi', '人工']]);
  });

  test('a stream the platform no longer accepts falls back to a proactive send; enter_chat gets the welcome', async () => {
    gw.streamWindowMs = 0;
    const c = open(async () => {});
    await gw.waitForConnections(1, BOT);
    gw.say(BOT, 'wangwu', '包邮吗');
    await sleep(100);
    await c.send({ externalId: 'wangwu', address: { chatId: 'wangwu' } }, { outboxId: '1', sender: 'bot', text: '满299包邮' });
    assert.equal(gw.frames('aibot_respond_msg')[0].errcode, STREAM_EXPIRED);
    assert.equal(gw.delivered('满299包邮')[0].cmd, 'aibot_send_msg');
    const t0 = Date.now();
    const req = gw.pushEvent(BOT, { msgid: 'e1', chattype: 'single', from: { userid: 'wangwu' }, event: { eventtype: 'enter_chat' } });
    const welcome = await until('welcome', () => gw.frames('aibot_respond_welcome_msg', req)[0]);
    assert.equal(welcome.errcode, 0);
    assert.ok(welcome.at - t0 < 5000);
    assert.equal(contentOf(welcome), '你好，欢迎光临');
  });

  test('a wrong secret is reported with the platform\'s error and retried with backoff; close() stops it', async () => {
    const c = open(async () => {}, 'wrong');
    await until('an error report', () => reports.find((r) => r.error?.includes(String(INVALID_CREDENTIALS))));
    await sleep(1000);
    const attempts = gw.authAttempts.get(BOT) ?? 0;
    assert.ok(attempts >= 2 && attempts <= 5, `backoff, not a tight loop: ${attempts} attempts in ~1 s`);
    await c.close();
    const after = gw.authAttempts.get(BOT);
    await sleep(1000);
    assert.equal(gw.authAttempts.get(BOT), after, 'no attempt after close');
    assert.equal(gw.openSockets(), 0);
  });
});
