/**
 * One service with a channel of every kind that takes pushed input (WeCom app, 智能机器人, DingTalk
 * HTTP and Stream, web chat), behind fakes of WeCom and DingTalk on 127.0.0.1: the target of the
 * hostile-input tests (issue 11). Addresses come from X-Forwarded-For (TRUST_PROXY), so each
 * hostile request can come from an address of its own and the rate limits stay out of the way.
 */
import { randomBytes } from 'node:crypto';
import { buildRobotPayload, signHeaders } from '../fakes/fake-dingtalk-openapi.js';
import { buildCallback, type FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { DingtalkFakes, createDingtalkChannel, newDingtalkApp, type DingtalkApp } from './dingtalk-fakes.js';
import { createStorage, startTestService, type Storage, type TestService } from './harness.js';
import { createBotChannel, newBotKeys, newMsgid, WecomBotClient, type BotKeys } from './wecom-bot.js';
import { createWecomChannel, newWecomApp, postCallback, startFakeWecom } from './wecom-channel.js';

export const ADMIN_EMAIL = 'admin@hostile.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface Answer { status: number; body: string }

export class EveryChannel {
  readonly wecomApp = newWecomApp();
  readonly botKeys: BotKeys = newBotKeys();
  readonly dingtalkApp: DingtalkApp = newDingtalkApp();
  svc!: TestService;
  wecom!: FakeWecomApi;
  dingtalk!: DingtalkFakes;
  bot!: WecomBotClient;
  ids = { wecom: '', bot: '', dingtalkHttp: '', dingtalkStream: '', webchat: '' };
  private storage!: Storage;
  private addresses = 0;
  private counter = Date.now() * 1000;

  async start(): Promise<this> {
    this.wecom = await startFakeWecom(this.wecomApp);
    this.dingtalk = await new DingtalkFakes(this.dingtalkApp).start();
    this.storage = await createStorage();
    this.svc = await startTestService(this.storage, {
      WECOM_API_BASE: this.wecom.url, DINGTALK_API_BASE: this.dingtalk.url, DINGTALK_OAPI_BASE: this.dingtalk.url,
      TRUST_PROXY: 'true', ADMIN_EMAIL, ADMIN_PASSWORD,
    });
    this.ids.wecom = await createWecomChannel(this.svc, this.wecomApp);
    this.ids.bot = await createBotChannel(this.svc, this.botKeys);
    this.bot = new WecomBotClient(this.svc, this.ids.bot, this.botKeys);
    this.ids.dingtalkHttp = await createDingtalkChannel(this.svc, 'dingtalk_http', this.dingtalkApp);
    this.ids.dingtalkStream = await createDingtalkChannel(this.svc, 'dingtalk_stream', this.dingtalkApp);
    const webchat = await this.svc.api('POST', '/api/channels', { kind: 'webchat', name: 'web chat' });
    this.ids.webchat = webchat.body.id;
    await this.dingtalk.gateway.waitForConnections(1, 10_000);
    return this;
  }

  async close(): Promise<void> {
    await this.svc?.close();
    await this.wecom?.close();
    await this.dingtalk?.close();
    await this.storage?.dispose();
  }

  /** A new number each call: msgids and such that no earlier request used. */
  next(): number {
    return (this.counter += 1);
  }

  /** A made-up client address (X-Forwarded-For) no earlier request came from. */
  freshAddress(): Record<string, string> {
    const n = (this.addresses += 1);
    return { 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
  }

  /** A WeCom app callback whose decrypted XML is `innerXml`, signed with the channel's real keys. */
  postWecomXml(innerXml: string, channelId = this.ids.wecom): Promise<Answer> {
    const cb = buildCallback(this.wecomApp, innerXml);
    return postCallback(this.svc, channelId, cb.search, cb.body);
  }

  /** A 智能机器人 callback whose decrypted plaintext is `plain`, as is. */
  postBotPlain(plain: string): Promise<Answer> {
    return this.bot.post(plain);
  }

  /** A DingTalk HTTP-mode callback with this body, signed (the signature covers only the timestamp). */
  async postDingtalk(body: string): Promise<Answer> {
    const headers = { 'content-type': 'application/json', ...signHeaders(this.dingtalkApp.clientSecret, Date.now()) };
    const res = await fetch(`${this.svc.url}/webhooks/dingtalk/${this.ids.dingtalkHttp}`, { method: 'POST', headers, body });
    return { status: res.status, body: await res.text() };
  }

  /** A robot message from `staffId` that only the fakes can answer. */
  robotPayload(staffId: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return buildRobotPayload({ msgId: `msg${this.next()}==`, senderStaffId: staffId, text, sessionWebhook: this.dingtalk.sessionWebhook(staffId), extra });
  }

  async postWebchat(body: string, headers: Record<string, string> = this.freshAddress()): Promise<Answer> {
    const res = await fetch(`${this.svc.url}/webchat/${this.ids.webchat}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, body: await res.text() };
  }

  /** A visitor id as the widget makes them. */
  newVisitorId(): string {
    return `v_${randomBytes(12).toString('hex')}`;
  }

  newBotMsgid(): string {
    return newMsgid();
  }

  /** Messages stored for a contact of a channel, oldest first; [] when there is no such conversation. */
  async messagesOf(channelId: string, externalId: string): Promise<{ text: string | null; kind: string; sender: string }[]> {
    const found = await this.conversationOf(channelId, externalId);
    if (!found) return [];
    return (await this.svc.api('GET', `/api/conversations/${found.id}`)).body.messages;
  }

  /** A conversation by contact, as the console lists it. */
  async conversationOf(channelId: string, externalId: string): Promise<{ id: string; status: string; contact: { name: string | null } } | undefined> {
    const list = await this.svc.api('GET', `/api/conversations?channelId=${encodeURIComponent(channelId)}&limit=500`);
    return list.body.items.find((c: { contact: { externalId: string } }) => c.contact.externalId === externalId);
  }
}
