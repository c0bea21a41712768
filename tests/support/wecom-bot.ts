/**
 * Plays WeCom's 企业微信 智能机器人 platform against a `wecom_bot` channel (protocols/wecom.md §6):
 * encrypted JSON callbacks with receiveid "", and the encrypted JSON reply envelope (§1.4) opened
 * the way WeCom would, so a wrong signature or receiveid in a reply fails the test.
 */
import { randomBytes } from 'node:crypto';
import { decryptStrict, encrypt, sign } from '../../adapters/wecom/crypto.js';
import { signedQuery } from '../fakes/fake-wecom-api.js';
import { FakeWecomBotGateway } from '../fakes/fake-wecom-bot-gateway.js';
import { startChildService, type ChildService } from './child-service.js';
import { ADMIN_TOKEN, createStorage, startTestService, type Storage, type TestService } from './harness.js';
import { newWecomApp } from './wecom-channel.js';

export interface BotKeys {
  token: string;
  encodingAesKey: string;
}

/** Fresh callback keys, as the 智能机器人 API-mode page generates them (the same shape as an app's). */
export function newBotKeys(): BotKeys {
  const { token, encodingAesKey } = newWecomApp();
  return { token, encodingAesKey };
}

/** A msgid shaped like WeCom's (base64 with `/`, `+`, `=`), so the stream id encoding is exercised. */
export const newMsgid = () => `CAIQ${randomBytes(18).toString('base64')}`;

/** A long-connection bot's credentials (protocols/wecom.md §6), fresh per test so gateway counters start at 0. */
export interface LongConnectionBot {
  botId: string;
  secret: string;
}

export const newLongConnectionBot = (): LongConnectionBot => ({ botId: `aib${randomBytes(6).toString('hex')}`, secret: randomBytes(12).toString('hex') });

export interface BotLeaseHolder {
  bot: LongConnectionBot;
  gw: FakeWecomBotGateway;
  storage: Storage;
  /** The child process that created the channel and holds the bot's lease (it can be kill -9'd). */
  holder: ChildService;
  /** A second, in-process service on the same storage: it wants the channel but does not hold it. */
  other: TestService;
  channelId: string;
  /** Stops both services, drops the storage and closes the gateway; safe after `holder.kill9()`. */
  close: () => Promise<void>;
}

/**
 * Two processes on one shared storage and one long-connection bot, for the one-connection-per-bot
 * lease (issue 15): the channel is created while only the child `holder` runs, so it holds the
 * lease and the connection before `other` starts. Needs a shared PostgreSQL (real mode).
 */
export async function startBotLeaseHolder(env: Record<string, string> = {}, name = 'bot-ws'): Promise<BotLeaseHolder> {
  const bot = newLongConnectionBot();
  const gw = await new FakeWecomBotGateway({ [bot.botId]: bot.secret }).start();
  const storage = await createStorage();
  const serviceEnv = { ...env, WECOM_BOT_WS_URL: gw.url };
  let holder: ChildService | undefined;
  let other: TestService | undefined;
  const close = async () => {
    await holder?.stop().catch(() => undefined);
    await other?.close();
    await storage.dispose();
    await gw.close();
  };
  try {
    holder = await startChildService(storage, serviceEnv);
    const created = await fetch(`${holder.url}/api/channels`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'wecom_bot', name, config: { mode: 'long_connection', ...bot } }),
    });
    if (created.status !== 201) throw new Error(`channel not created: ${created.status} ${await created.text()}`);
    const channelId = ((await created.json()) as { id: string }).id;
    await gw.waitForConnections(1, bot.botId, 10000);
    other = await startTestService(storage, serviceEnv);
    return { bot, gw, storage, holder, other, channelId, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A conversation's detail (messages included) by the member's WeCom userid; undefined while there is none. */
export async function conversationOfMember(svc: TestService, userid: string): Promise<any> {
  const list = await svc.api('GET', '/api/conversations');
  const conv = list.body.items.find((c: any) => c.contact.externalId === userid);
  return conv && (await svc.api('GET', `/api/conversations/${conv.id}`)).body;
}

export const nowS = () => String(Math.floor(Date.now() / 1000));

export async function createBotChannel(svc: TestService, keys: BotKeys, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await svc.api('POST', '/api/channels', { kind: 'wecom_bot', name: 'bot', config: { ...keys }, ...extra });
  if (res.status !== 201) throw new Error(`channel not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export interface StreamReply {
  msgtype: 'stream';
  stream: { id: string; finish: boolean; content: string };
}

export interface PostOptions {
  /** Sign with this token instead (a forgery). */
  token?: string;
  /** Encrypt with this key instead. */
  encodingAesKey?: string;
  timestamp?: string;
  /** Send this body as is instead of `{"encrypt": …}`. */
  rawBody?: string;
  channelId?: string;
}

export class WecomBotClient {
  constructor(readonly svc: { url: string }, readonly channelId: string, readonly keys: BotKeys) {}

  /** URL verification (§1.2): GET with an encrypted, signed echostr. */
  async verifyUrl(echo: string): Promise<{ status: number; body: string }> {
    const echostr = encrypt(this.keys.encodingAesKey, echo, '');
    const q = new URLSearchParams({ ...signedQuery(this.keys.token, echostr), echostr });
    const res = await fetch(`${this.url()}?${q}`);
    return { status: res.status, body: await res.text() };
  }

  /** POSTs one callback whose plaintext is `plain` (JSON, or a string as is), encrypted and signed as WeCom does. */
  async post(plain: object | string, opts: PostOptions = {}): Promise<{ status: number; body: string }> {
    const text = typeof plain === 'string' ? plain : JSON.stringify(plain);
    const encrypted = encrypt(opts.encodingAesKey ?? this.keys.encodingAesKey, text, '');
    const q = new URLSearchParams(signedQuery(opts.token ?? this.keys.token, encrypted, { timestamp: opts.timestamp }));
    const res = await fetch(`${this.url(opts.channelId)}?${q}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: opts.rawBody ?? JSON.stringify({ encrypt: encrypted }),
    });
    return { status: res.status, body: await res.text() };
  }

  /** A user's text message in single chat; answers the opened stream. */
  async say(userid: string, msgid: string, content: string): Promise<StreamReply> {
    return this.expectReply(await this.post({ msgid, aibotid: 'AIBOTID', chattype: 'single', from: { userid }, msgtype: 'text', text: { content } }));
  }

  /** WeCom's 流式消息刷新: a new msgid every time, naming the stream it asks about. */
  refreshRaw(userid: string, streamId: string) {
    return this.post({ msgid: newMsgid(), aibotid: 'AIBOTID', chattype: 'single', from: { userid }, msgtype: 'stream', stream: { id: streamId } });
  }

  async refresh(userid: string, streamId: string): Promise<StreamReply> {
    return this.expectReply(await this.refreshRaw(userid, streamId));
  }

  enter(userid: string) {
    const event = { msgid: newMsgid(), create_time: Number(nowS()), aibotid: 'AIBOTID', chattype: 'single', from: { userid }, msgtype: 'event', event: { eventtype: 'enter_chat' } };
    return this.post(event);
  }

  /** Opens a 200 reply envelope, checking what WeCom checks: its signature and receiveid "". */
  open<T = StreamReply>(res: { status: number; body: string }): T {
    if (res.status !== 200) throw new Error(`callback answered ${res.status}`);
    const env = JSON.parse(res.body) as { encrypt: string; msgsignature: string; timestamp: string; nonce: string };
    if (env.msgsignature !== sign(this.keys.token, env.timestamp, env.nonce, env.encrypt)) throw new Error(`reply msgsignature does not verify: ${res.body}`);
    if (!/^\d{10}$/.test(env.timestamp) || Math.abs(Number(env.timestamp) - Number(nowS())) > 60) throw new Error(`reply timestamp ${env.timestamp} is not now`);
    const { message, receiveId } = decryptStrict(this.keys.encodingAesKey, env.encrypt);
    if (receiveId !== '') throw new Error(`reply receiveid is ${JSON.stringify(receiveId)}, not ""`);
    return JSON.parse(message) as T;
  }

  private expectReply(res: { status: number; body: string }): StreamReply {
    const reply = this.open(res);
    if (reply.msgtype !== 'stream') throw new Error(`expected a stream reply, got ${JSON.stringify(reply)}`);
    return reply;
  }

  private url(channelId = this.channelId) {
    return `${this.svc.url}/webhooks/wecom-bot/${channelId}`;
  }
}
