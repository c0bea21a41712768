/**
 * A fake qyapi.weixin.qq.com on a real socket: gettoken and message/send as protocols/wecom.md
 * §5.2–§5.4 describe them, with programmable failures. Plus builders for signed, encrypted
 * callbacks (§1.3) so tests and the benchmark speak the real wire format.
 */
import { RecordWaiters } from './record-waiters.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import { encrypt, sign } from '../../adapters/wecom/crypto.js';
import type { WebhookRequest } from '../../src/ports/channel-adapter.js';
import { readBody, replyJson } from './http-json.js';

export interface FakeApp { corpId: string; secret: string }

export interface DeliveredMessage {
  touser: string;
  agentid: number;
  content: string;
  body: Record<string, unknown>;
  msgid: string;
}

/** What the next send attempts do instead of succeeding. */
export type SendFailure =
  | { errcode: number; errmsg?: string }
  | { httpStatus: number }
  | { delayMs: number }
  /** Deliver (unless `deliver: false`), then never answer. */
  | { hang: true; deliver?: boolean };

/** What every send answers while WeCom is down (setOutage): busy (-1), rate limited (45009), or an HTTP error. */
export type OutageFailure = { errcode: number; errmsg?: string } | { httpStatus: number };

/** One call of message/send, whatever it answered. */
export interface SendAttempt {
  touser: string;
  content: string;
  /** Refused by the outage switch or a failNextSends failure. */
  refused: boolean;
}

type TokenState = { app: string; state: 'valid' | 'expired' | 'revoked' };
type Json = Record<string, unknown>;

export class FakeWecomApi {
  readonly sent: DeliveredMessage[] = [];
  private readonly waiters = new RecordWaiters(this.sent, 'fake WeCom messages');
  /** Every message/send call, in order (sendAttempts counts them too). */
  readonly attempts: SendAttempt[] = [];
  gettokenCalls = 0;
  sendAttempts = 0;
  /** Every user/get call's userid, in order (issue 14 item 1: names are cached, so few are expected). */
  readonly userGets: string[] = [];
  /** 通讯录 members user/get knows: userid → name. */
  private readonly members = new Map<string, string>();
  /** Members outside the app's 应用可见范围: user/get answers 60011 for them. */
  private readonly hidden = new Set<string>();
  /** How long user/get takes to answer (a slow contact API must not hold the callback long). */
  userGetDelayMs = 0;
  private outage: OutageFailure | null = null;
  private readonly server: Server = createServer((req, res) => {
    this.route(req, res).catch(() => res.destroy());
  });
  private readonly tokens = new Map<string, TokenState>();
  private readonly failures: SendFailure[] = [];
  private readonly recent = new Map<string, { at: number; msgid: string }>();
  private counter = 0;

  constructor(private readonly opts: { apps: FakeApp[]; expiresIn?: number }) {}

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Issued tokens answer 42001 from now on. */
  expireTokens(): void { this.setAll('expired'); }

  /** Issued tokens answer 40014 from now on (WeCom may revoke early, §5.2). */
  revokeTokens(): void { this.setAll('revoked'); }

  failNextSends(count: number, failure: SendFailure): void {
    for (let i = 0; i < count; i += 1) this.failures.push(failure);
  }

  /**
   * While set, every send fails this way until cleared with null (a WeCom outage longer than any
   * retry budget, issue 11); failNextSends queues are left for after it.
   */
  setOutage(failure: OutageFailure | null): void {
    this.outage = failure;
  }

  /** A member user/get answers with their name; `visible: false` puts them outside the app's visible range (60011). */
  addMember(userid: string, name: string, opts: { visible?: boolean } = {}): void {
    this.members.set(userid, name);
    if (opts.visible === false) this.hidden.add(userid);
    else this.hidden.delete(userid);
  }

  waitForSent(count: number, timeoutMs: number): Promise<DeliveredMessage[]> {
    return this.waiters.waitFor(count, timeoutMs);
  }


  async close(): Promise<void> {
    this.server.closeAllConnections(); // ends hung responses too
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private setAll(state: TokenState['state']): void {
    for (const token of this.tokens.values()) if (token.state === 'valid') token.state = state;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);
    if (req.method === 'GET' && url.pathname === '/cgi-bin/gettoken') return this.gettoken(url, res);
    if (req.method === 'POST' && url.pathname === '/cgi-bin/message/send') return this.send(url, body, res);
    if (req.method === 'GET' && url.pathname === '/cgi-bin/user/get') return this.userGet(url, res);
    replyJson(res, 404, { errcode: 404, errmsg: 'not found' });
  }

  private gettoken(url: URL, res: ServerResponse): void {
    this.gettokenCalls += 1;
    const corpid = url.searchParams.get('corpid');
    const app = this.opts.apps.find((a) => a.corpId === corpid && a.secret === url.searchParams.get('corpsecret'));
    if (app === undefined) return replyJson(res, 200, { errcode: 40001, errmsg: 'invalid credential' });
    const appKey = `${app.corpId}/${app.secret}`;
    // WeCom hands out the same token while it is valid (§5.2).
    let token = [...this.tokens].find(([, t]) => t.app === appKey && t.state === 'valid')?.[0];
    if (token === undefined) {
      token = `fake-token-${(this.counter += 1)}`;
      this.tokens.set(token, { app: appKey, state: 'valid' });
    }
    replyJson(res, 200, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.opts.expiresIn ?? 7200 });
  }

  /**
   * 读取成员 (https://developer.work.weixin.qq.com/document/path/90196): `{errcode:0, errmsg, userid,
   * name, department, …}`; 60111 for a userid that does not exist, 60011 for one outside the app's
   * 应用可见范围, token errors as message/send.
   */
  private async userGet(url: URL, res: ServerResponse): Promise<void> {
    const userid = url.searchParams.get('userid') ?? '';
    this.userGets.push(userid);
    if (this.userGetDelayMs > 0) await new Promise((r) => setTimeout(r, this.userGetDelayMs));
    const token = this.tokens.get(url.searchParams.get('access_token') ?? '');
    if (token === undefined || token.state === 'revoked') return replyJson(res, 200, { errcode: 40014, errmsg: 'invalid access_token' });
    if (token.state === 'expired') return replyJson(res, 200, { errcode: 42001, errmsg: 'access_token expired' });
    if (this.hidden.has(userid)) return replyJson(res, 200, { errcode: 60011, errmsg: 'no privilege to access/modify contact/party/agent' });
    const name = this.members.get(userid);
    if (name === undefined) return replyJson(res, 200, { errcode: 60111, errmsg: 'invalid string value `' + userid + '`. userid not found' });
    replyJson(res, 200, { errcode: 0, errmsg: 'ok', userid, name, department: [1], main_department: 1, status: 1 });
  }

  private async send(url: URL, raw: string, res: ServerResponse): Promise<void> {
    this.sendAttempts += 1;
    const failure = this.outage ?? this.failures.shift();
    this.attempts.push({ ...recipientOf(raw), refused: failure !== undefined && ('errcode' in failure || 'httpStatus' in failure) });
    if (failure !== undefined && 'errcode' in failure) return replyJson(res, 200, { errcode: failure.errcode, errmsg: failure.errmsg ?? 'fake failure' });
    if (failure !== undefined && 'httpStatus' in failure) return replyJson(res, failure.httpStatus, { errcode: -1, errmsg: 'fake http error' });
    if (failure !== undefined && 'delayMs' in failure) await new Promise((r) => setTimeout(r, failure.delayMs));
    const token = this.tokens.get(url.searchParams.get('access_token') ?? '');
    if (token === undefined || token.state === 'revoked') return replyJson(res, 200, { errcode: 40014, errmsg: 'invalid access_token' });
    if (token.state === 'expired') return replyJson(res, 200, { errcode: 42001, errmsg: 'access_token expired' });
    const hang = failure !== undefined && 'hang' in failure;
    if (hang && failure.deliver === false) return; // never answer, deliver nothing
    const answer = this.deliver(token.app, raw);
    if (hang) return; // delivered, never answered: the client times out after its request went out
    replyJson(res, 200, answer);
  }

  /** Records a valid text message; honors enable_duplicate_check (reliability.md §2.2). */
  private deliver(app: string, raw: string): Json {
    let body: Json;
    try {
      body = JSON.parse(raw) as Json;
    } catch {
      return { errcode: 47001, errmsg: 'data format error' };
    }
    const text = body.text as { content?: unknown } | undefined;
    if (body.msgtype !== 'text' || typeof text?.content !== 'string' || typeof body.agentid !== 'number' || !body.touser) {
      return { errcode: 40008, errmsg: 'invalid message type or fields' };
    }
    const key = `${app}\n${raw}`;
    const earlier = this.recent.get(key);
    const windowMs = Number(body.duplicate_check_interval ?? 1800) * 1000;
    if (body.enable_duplicate_check === 1 && earlier !== undefined && Date.now() - earlier.at < windowMs) {
      return { errcode: 0, errmsg: 'ok', msgid: earlier.msgid };
    }
    const msgid = `fake-msgid-${(this.counter += 1)}`;
    this.recent.set(key, { at: Date.now(), msgid });
    this.sent.push({ touser: String(body.touser), agentid: body.agentid, content: text.content, body, msgid });
    this.waiters.notify();
    return { errcode: 0, errmsg: 'ok', msgid };
  }
}


/** Who a send was for and what it said, for the attempt log (an unreadable body logs as empty). */
function recipientOf(raw: string): { touser: string; content: string } {
  try {
    const body = JSON.parse(raw) as Json;
    const text = body.text as { content?: unknown } | undefined;
    return { touser: String(body.touser ?? ''), content: typeof text?.content === 'string' ? text.content : '' };
  } catch {
    return { touser: '', content: '' };
  }
}

// ---- callbacks, as WeCom sends them ----

export interface CallbackCredentials { token: string; encodingAesKey: string; corpId: string }

export interface CallbackOptions {
  /** Unix seconds as a string; default now. */
  timestamp?: string;
  nonce?: string;
  /** 16 chars for a deterministic ciphertext. */
  random?: string;
  agentId?: string;
}

export interface BuiltCallback {
  query: Record<string, string>;
  /** The query string, `+` and `/` percent-encoded as WeCom's sample URLs show (§1.2). */
  search: string;
  body: string;
  request: WebhookRequest;
}

/** A POST callback: encrypted envelope, msg_signature over its Encrypt (§1.3). */
export function buildCallback(creds: CallbackCredentials, innerXml: string, opts: CallbackOptions = {}): BuiltCallback {
  const encrypted = encrypt(creds.encodingAesKey, innerXml, creds.corpId, opts.random);
  const query = signedQuery(creds.token, encrypted, opts);
  const body = `<xml><ToUserName>${cdata(creds.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt>`
    + `<AgentID>${cdata(opts.agentId ?? '1000002')}</AgentID></xml>`;
  const search = new URLSearchParams(query).toString();
  return { query, search, body, request: { method: 'POST', query, headers: {}, rawBody: Buffer.from(body, 'utf8') } };
}

/** A GET URL verification whose echostr decrypts to `plaintext` (§1.2). */
export function buildUrlVerification(creds: CallbackCredentials, plaintext: string, opts: CallbackOptions = {}): BuiltCallback {
  const echostr = encrypt(creds.encodingAesKey, plaintext, creds.corpId, opts.random);
  const query = { ...signedQuery(creds.token, echostr, opts), echostr };
  const search = new URLSearchParams(query).toString();
  return { query, search, body: '', request: { method: 'GET', query, headers: {}, rawBody: Buffer.alloc(0) } };
}

/** msg_signature, timestamp and nonce for a callback carrying `encrypted` (§1.2, §1.3). */
export function signedQuery(token: string, encrypted: string, opts: CallbackOptions = {}): Record<string, string> {
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? String(randomInt(1e9));
  return { msg_signature: sign(token, timestamp, nonce, encrypted), timestamp, nonce };
}

export interface InnerBase { corpId: string; from: string; createTime?: number; agentId?: string }

/** A decrypted text message as in §5.1. */
export function textXml(m: InnerBase & { content: string; msgId: string }): string {
  return inner(m, 'text', { Content: m.content, MsgId: m.msgId });
}

/** A decrypted event (§5.1, doc 90376); `fields` adds EventKey, ChangeType, Token… */
export function eventXml(m: InnerBase & { event: string; fields?: Record<string, string> }): string {
  return inner(m, 'event', { Event: m.event, ...m.fields });
}

function inner(m: InnerBase, msgType: string, fields: Record<string, string>): string {
  const createTime = String(m.createTime ?? Math.floor(Date.now() / 1000));
  const rest = Object.entries(fields).map(([k, v]) => `<${k}>${cdata(v)}</${k}>`).join('');
  return `<xml><ToUserName>${cdata(m.corpId)}</ToUserName><FromUserName>${cdata(m.from)}</FromUserName>`
    + `<CreateTime>${createTime}</CreateTime><MsgType>${cdata(msgType)}</MsgType>${rest}`
    + `<AgentID>${m.agentId ?? '1000002'}</AgentID></xml>`;
}

/** `]]>` cannot appear inside CDATA: split it across two sections. */
function cdata(value: string): string {
  return `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}
