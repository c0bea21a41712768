/**
 * A fake DingTalk robot OpenAPI + sessionWebhook host on a real socket (protocols/dingtalk.md
 * §2.2, §2.3, §6.2 item 6), with programmable failures; plus builders for robot payloads (§2.1)
 * and HTTP-mode signature headers (§3).
 */
import { RecordWaiters } from './record-waiters.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { computeDingtalkSign } from '../../adapters/dingtalk/sign.js';
import { readBody, replyJson } from './http-json.js';

export interface Delivery {
  via: 'session' | 'openapi';
  /** session id, staff id (1:1) or openConversationId (group). */
  to: string;
  text: string;
  markdown: boolean;
  body: Record<string, unknown>;
}

export type Failure =
  | { httpStatus: number; code?: string }
  | { errcode: number; errmsg?: string }
  /** Read the request (and record it unless deliver is false), then never answer. */
  | { hang: true; deliver?: boolean };

type Json = Record<string, unknown>;
type Target = 'session' | 'openapi';

export class FakeDingtalkOpenApi {
  readonly deliveries: Delivery[] = [];
  private readonly waiters = new RecordWaiters(this.deliveries, 'fake DingTalk deliveries');
  tokenCalls = 0;
  attempts = { session: 0, openapi: 0 };
  private readonly server = createServer((req, res) => { this.route(req, res).catch(() => res.destroy()); });
  private readonly failures: Record<Target, Failure[]> = { session: [], openapi: [] };
  private readonly expired = new Set<string>();
  private readonly tokens = new Set<string>();
  private counter = 0;

  constructor(private readonly app: { clientId: string; clientSecret: string }) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string { return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`; }

  sessionWebhook(session: string): string { return `${this.url}/robot/sendBySession?session=${encodeURIComponent(session)}`; }

  failNext(target: Target, failure: Failure, count = 1): void {
    for (let i = 0; i < count; i += 1) this.failures[target].push(failure);
  }

  /** The session answers an errcode from now on, whatever the expiry time in the payload said. */
  expireSession(session: string): void { this.expired.add(session); }

  /** Issued tokens are refused (401) from now on. */
  revokeTokens(): void { this.tokens.clear(); }

  waitForDeliveries(count: number, timeoutMs = 5000): Promise<Delivery[]> {
    return this.waiters.waitFor(count, timeoutMs);
  }


  async close(): Promise<void> {
    this.server.closeAllConnections(); // ends hung responses too
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    let body: Json;
    try {
      body = JSON.parse(raw) as Json;
    } catch {
      return replyJson(res, 400, { code: 'InvalidParameter', message: 'body is not JSON' });
    }
    if (req.method !== 'POST') return replyJson(res, 405, { code: 'MethodNotAllowed' });
    if (url.pathname === '/v1.0/oauth2/accessToken') return this.accessToken(body, res);
    if (url.pathname === '/robot/sendBySession') return this.session(url.searchParams.get('session') ?? '', body, res);
    if (url.pathname === '/v1.0/robot/oToMessages/batchSend' || url.pathname === '/v1.0/robot/groupMessages/send') {
      return this.openapi(req, url.pathname, body, res);
    }
    replyJson(res, 404, { code: 'NotFound' });
  }

  private accessToken(body: Json, res: ServerResponse): void {
    this.tokenCalls += 1;
    if (body.appKey !== this.app.clientId || body.appSecret !== this.app.clientSecret) {
      return replyJson(res, 400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' });
    }
    const token = `fake-token-${(this.counter += 1)}`;
    this.tokens.add(token);
    replyJson(res, 200, { accessToken: token, expireIn: 7200 });
  }

  private session(session: string, body: Json, res: ServerResponse): void {
    this.attempts.session += 1;
    if (this.failWith('session', res, () => this.recordSession(session, body))) return;
    // The real expired-session answer is UNVERIFIED (§2.2); an errcode is the documented shape.
    if (this.expired.has(session) || !session) return replyJson(res, 200, { errcode: 300001, errmsg: 'session not found or expired' });
    this.recordSession(session, body);
    replyJson(res, 200, { errcode: 0, errmsg: 'ok' });
  }

  private openapi(req: IncomingMessage, path: string, body: Json, res: ServerResponse): void {
    this.attempts.openapi += 1;
    if (!this.tokens.has(String(req.headers['x-acs-dingtalk-access-token'] ?? ''))) {
      return replyJson(res, 401, { code: 'InvalidAuthentication', message: '不合法的access_token' });
    }
    const record = (): void => this.recordOpenApi(path, body);
    if (this.failWith('openapi', res, record)) return;
    if (typeof body.msgParam !== 'string' || body.robotCode === undefined) return replyJson(res, 400, { code: 'InvalidParameter' });
    record();
    replyJson(res, 200, { processQueryKey: `fake-pqk-${(this.counter += 1)}` });
  }

  /** Applies the next programmed failure, if any; true when it answered (or chose never to). */
  private failWith(target: Target, res: ServerResponse, record: () => void): boolean {
    const failure = this.failures[target].shift();
    if (failure === undefined) return false;
    if ('hang' in failure) {
      if (failure.deliver !== false) record();
      return true; // never answered: the client times out after its request went out
    }
    if ('errcode' in failure) replyJson(res, 200, { errcode: failure.errcode, errmsg: failure.errmsg ?? 'fake failure' });
    else replyJson(res, failure.httpStatus, { code: failure.code ?? 'fake.failure', message: 'fake failure' });
    return true;
  }

  private recordSession(session: string, body: Json): void {
    const markdown = body.msgtype === 'markdown';
    const part = (markdown ? body.markdown : body.text) as Json | undefined;
    this.push({ via: 'session', to: session, text: String((markdown ? part?.text : part?.content) ?? ''), markdown, body });
  }

  private recordOpenApi(path: string, body: Json): void {
    const param = JSON.parse(String(body.msgParam ?? '{}')) as Json;
    const markdown = body.msgKey === 'sampleMarkdown';
    const to = path.endsWith('batchSend') ? String((body.userIds as unknown[] | undefined)?.[0]) : String(body.openConversationId);
    this.push({ via: 'openapi', to, text: String((markdown ? param.text : param.content) ?? ''), markdown, body });
  }

  private push(delivery: Delivery): void {
    this.deliveries.push(delivery);
    this.waiters.notify();
  }
}

export interface RobotPayloadOptions {
  group?: boolean;
  /** Group only: whether the robot was @-mentioned (isInAtList); default true. */
  atRobot?: boolean;
  text?: string;
  msgId?: string;
  conversationId?: string;
  senderStaffId?: string;
  senderNick?: string;
  sessionWebhook?: string;
  createAt?: number;
  /** Default createAt + 5,400,000 ms (about 90 min, §2.1). */
  sessionWebhookExpiredTime?: number;
  robotCode?: string;
  extra?: Record<string, unknown>;
}

/** A robot text message as in §2.1 (1:1 by default). */
export function buildRobotPayload(o: RobotPayloadOptions = {}): Record<string, unknown> {
  const createAt = o.createAt ?? Date.now();
  const group = o.group ?? false;
  const payload: Record<string, unknown> = {
    conversationId: o.conversationId ?? (group ? 'cidGROUP1==' : 'cidSINGLE1=='),
    conversationType: group ? '2' : '1',
    msgId: o.msgId ?? `msg${Math.random().toString(36).slice(2)}==`,
    msgtype: 'text',
    text: { content: o.text ?? ' 你好' },
    senderId: '$:LWCP_v1:$SENDER',
    senderStaffId: o.senderStaffId ?? 'staff001',
    senderNick: o.senderNick ?? '张三',
    senderCorpId: 'dingCORP',
    chatbotUserId: '$:LWCP_v1:$BOT',
    chatbotCorpId: 'dingCORP',
    robotCode: o.robotCode ?? 'dingROBOT',
    isAdmin: false,
    sessionWebhook: o.sessionWebhook ?? 'https://oapi.dingtalk.com/robot/sendBySession?session=fake',
    sessionWebhookExpiredTime: o.sessionWebhookExpiredTime ?? createAt + 5_400_000,
    createAt,
  };
  if (group) {
    payload.conversationTitle = '测试群';
    payload.isInAtList = o.atRobot ?? true;
    if (o.atRobot ?? true) payload.atUsers = [{ dingtalkId: '$:LWCP_v1:$BOT' }];
  }
  return { ...payload, ...o.extra };
}

/** HTTP-mode headers as DingTalk sends them (§3). */
export function signHeaders(appSecret: string, timestampMs: number): { timestamp: string; sign: string } {
  const timestamp = String(timestampMs);
  return { timestamp, sign: computeDingtalkSign(timestamp, appSecret) };
}
