/**
 * A fake 微信客服 API on a real socket (127.0.0.1, port 0), speaking protocols/wecom.md §4:
 * gettoken, sync_msg with cursor paging per open_kfid, send_msg (msgid dedupe, session state,
 * 48 h / 5-message window), send_msg_on_event, service_state/get|trans, media/get; plus signed,
 * encrypted kf_msg_or_event callbacks (§4.1). Item builders live in fake-wecom-kf-messages.ts.
 */
import { RecordWaiters } from './record-waiters.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildCallback, type BuiltCallback, type CallbackCredentials } from './fake-wecom-api.js';
import { readBody } from './http-json.js';
import * as items from './fake-wecom-kf-messages.js';
import { decodeCursor, encodeCursor, type ItemBase, type KfItem } from './fake-wecom-kf-messages.js';
import { KF_ERR, KfSessions } from './fake-wecom-kf-sessions.js';

export { KF_ERR, type TransCall } from './fake-wecom-kf-sessions.js';

type Json = Record<string, unknown>;

const TOKEN_TTL_MS = 10 * 60 * 1000; // "token … 有效期为10分钟" (§4.2)

export interface FakeKfOptions extends CallbackCredentials {
  secret: string;
  /** sync_msg page size (its `limit` caps it too); small values force several pages. */
  pageSize?: number;
  /** Milliseconds; default Date.now. Drives Token age and the 48 h window. */
  now?: () => number;
}

export interface KfDelivery {
  path: '/cgi-bin/kf/send_msg' | '/cgi-bin/kf/send_msg_on_event';
  msgid: string;
  content: string;
  touser?: string;
  openKfId?: string;
  code?: string;
}

export class FakeWecomKfApi {
  pageSize: number;
  /** Held inside every sync_msg, to widen races (single flight, kill -9 mid-pull). */
  syncDelayMs = 0;
  readonly sessions: KfSessions;
  readonly sent: KfDelivery[] = [];
  private readonly waiters = new RecordWaiters(this.sent, 'fake 微信客服 messages');
  readonly syncRequests: Json[] = [];
  readonly sendAttempts: Json[] = [];
  gettokenCalls = 0;
  private readonly server: Server = createServer((req, res) => {
    this.route(req, res).catch(() => res.destroy());
  });
  private readonly logs = new Map<string, KfItem[]>();
  private readonly emptyPages = new Map<string, number>();
  private readonly pullTokens = new Map<string, number>();
  private readonly accessTokens = new Set<string>();
  private readonly media = new Map<string, { body: Buffer; contentType: string }>();
  private readonly msgids = new Set<string>();
  private readonly inFlight = new Map<string, number>();
  private readonly maxInFlight = new Map<string, number>();
  /** Nicknames kf/customer/batchget knows. */
  readonly nicknames = new Map<string, string>();
  readonly now: () => number;

  constructor(private readonly opts: FakeKfOptions) {
    this.pageSize = opts.pageSize ?? 1000;
    this.now = opts.now ?? Date.now;
    this.sessions = new KfSessions(this.now);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Appends to the account's log; a customer message (origin 3) reopens the reply window. */
  append(item: KfItem): KfItem {
    const ev = item.event as Json | undefined;
    const openKfId = String(item.open_kfid ?? ev?.open_kfid);
    const externalUserId = String(item.external_userid ?? ev?.external_userid);
    this.logs.set(openKfId, [...(this.logs.get(openKfId) ?? []), item]);
    if (item.origin === 3) this.sessions.customerWrote(openKfId, externalUserId, Number(item.send_time) * 1000);
    if (typeof ev?.welcome_code === 'string') this.sessions.codes.add(ev.welcome_code);
    return item;
  }

  customerText(b: ItemBase, content: string): KfItem { return this.append(items.customerText(b, content)); }
  customerImage(b: ItemBase, mediaId: string): KfItem { return this.append(items.customerImage(b, mediaId)); }
  servicerText(b: ItemBase, servicer: string, content: string): KfItem { return this.append(items.servicerText(b, servicer, content)); }
  enterSession(b: ItemBase, welcomeCode?: string): KfItem { return this.append(items.enterSession(b, welcomeCode)); }
  sendFail(b: ItemBase, failMsgid: string, failType: number): KfItem { return this.append(items.sendFail(b, failMsgid, failType)); }
  sessionChange(b: ItemBase, changeType: number, newServicer?: string): KfItem { return this.append(items.sessionChange(b, changeType, newServicer)); }
  userRecall(b: ItemBase, recallMsgid: string): KfItem { return this.append(items.userRecall(b, recallMsgid)); }

  /** The next sync_msg for this account answers an empty msg_list with has_more 1 (§4.2 warns of it). */
  injectEmptyPage(openKfId: string, count = 1): void {
    this.emptyPages.set(openKfId, (this.emptyPages.get(openKfId) ?? 0) + count);
  }

  /** A signed, encrypted kf_msg_or_event callback with a fresh Token, to POST to /webhooks/wecom/:channelId. */
  notify(openKfId: string, opts: { timestamp?: string } = {}): BuiltCallback & { token: string } {
    const token = items.newPullToken();
    this.pullTokens.set(token, this.now());
    return { ...buildCallback(this.opts, items.kfNoticeXml(this.opts.corpId, openKfId, token), opts), token };
  }

  addMedia(mediaId: string, body: Buffer, contentType = 'image/jpeg'): void {
    this.media.set(mediaId, { body, contentType });
  }

  /** The most sync_msg calls for this account that were ever in flight at once. */
  maxConcurrentSync(openKfId: string): number {
    return this.maxInFlight.get(openKfId) ?? 0;
  }

  waitForSent(count: number, timeoutMs = 5000): Promise<KfDelivery[]> {
    return this.waiters.waitFor(count, timeoutMs);
  }


  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    if (req.method === 'GET' && url.pathname === '/cgi-bin/gettoken') return this.gettoken(url, res);
    if (!this.accessTokens.has(url.searchParams.get('access_token') ?? '')) return reply(res, { errcode: 40014, errmsg: 'invalid access_token' });
    if (req.method === 'GET' && url.pathname === '/cgi-bin/media/get') return this.mediaGet(url, res);
    let body: Json;
    try {
      body = JSON.parse(raw) as Json;
    } catch {
      return reply(res, { errcode: 47001, errmsg: 'data format error' });
    }
    if (url.pathname === '/cgi-bin/kf/sync_msg') return reply(res, await this.syncMsg(body));
    if (url.pathname === '/cgi-bin/kf/send_msg' || url.pathname === '/cgi-bin/kf/send_msg_on_event') {
      return reply(res, this.send(url.pathname, body));
    }
    if (url.pathname === '/cgi-bin/kf/customer/batchget') return reply(res, this.customers(body));
    if (url.pathname === '/cgi-bin/kf/service_state/get') return reply(res, this.sessions.get(body));
    if (url.pathname === '/cgi-bin/kf/service_state/trans') return reply(res, this.sessions.trans(body));
    reply(res, { errcode: 404, errmsg: 'not found' });
  }

  /** kf/customer/batchget: 1–100 ids; unknown ones come back as invalid_external_userid. */
  private customers(body: Json): Json {
    const ids = Array.isArray(body.external_userid_list) ? (body.external_userid_list as string[]) : [];
    if (ids.length < 1 || ids.length > 100) return { errcode: 40058, errmsg: 'invalid external_userid_list' };
    return {
      errcode: 0, errmsg: 'ok',
      customer_list: ids.filter((id) => this.nicknames.has(id)).map((id) => ({ external_userid: id, nickname: this.nicknames.get(id), avatar: '', gender: 0, unionid: '' })),
      invalid_external_userid: ids.filter((id) => !this.nicknames.has(id)),
    };
  }

  private gettoken(url: URL, res: ServerResponse): void {
    this.gettokenCalls += 1;
    const ok = url.searchParams.get('corpid') === this.opts.corpId && url.searchParams.get('corpsecret') === this.opts.secret;
    if (!ok) return reply(res, { errcode: 40001, errmsg: 'invalid credential' });
    const token = `kf-access-${this.accessTokens.size + 1}`;
    this.accessTokens.add(token);
    reply(res, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
  }

  private async syncMsg(body: Json): Promise<Json> {
    this.syncRequests.push(body);
    const kf = String(body.open_kfid ?? '');
    const running = (this.inFlight.get(kf) ?? 0) + 1;
    this.inFlight.set(kf, running);
    this.maxInFlight.set(kf, Math.max(running, this.maxInFlight.get(kf) ?? 0));
    try {
      if (this.syncDelayMs > 0) await new Promise((r) => setTimeout(r, this.syncDelayMs));
      return this.page(kf, body);
    } finally {
      this.inFlight.set(kf, (this.inFlight.get(kf) ?? 1) - 1);
    }
  }

  private page(kf: string, body: Json): Json {
    const issued = typeof body.token === 'string' ? this.pullTokens.get(body.token) : undefined;
    if (body.token !== undefined && (issued === undefined || this.now() - issued >= TOKEN_TTL_MS)) {
      return { errcode: KF_ERR.badPullToken, errmsg: 'invalid msg token' };
    }
    const start = body.cursor === undefined ? 0 : decodeCursor(kf, body.cursor);
    if (start === null) return { errcode: KF_ERR.badParam, errmsg: 'invalid cursor' };
    const pending = this.emptyPages.get(kf) ?? 0;
    if (pending > 0) {
      this.emptyPages.set(kf, pending - 1);
      return { errcode: 0, errmsg: 'ok', next_cursor: encodeCursor(kf, start), has_more: 1, msg_list: [] };
    }
    const log = this.logs.get(kf) ?? [];
    const end = Math.min(log.length, start + Math.min(this.pageSize, Number(body.limit ?? 1000)));
    const hasMore = end < log.length ? 1 : 0;
    return { errcode: 0, errmsg: 'ok', next_cursor: encodeCursor(kf, end), has_more: hasMore, msg_list: log.slice(start, end) };
  }

  private send(path: KfDelivery['path'], body: Json): Json {
    this.sendAttempts.push({ path, ...body });
    const content = (body.text as Json | undefined)?.content;
    if (body.msgtype !== 'text' || typeof content !== 'string') return { errcode: KF_ERR.badParam, errmsg: 'invalid text' };
    const msgid = typeof body.msgid === 'string' && body.msgid !== '' ? body.msgid : `gen-${this.msgids.size + 1}`;
    if (msgid.length > 32 || !/^[0-9a-zA-Z_-]+$/.test(msgid)) return { errcode: KF_ERR.badParam, errmsg: 'invalid msgid' };
    if (this.msgids.has(msgid)) return { errcode: KF_ERR.duplicateMsgid, errmsg: 'msgid duplicated' };
    const refusal = path === '/cgi-bin/kf/send_msg'
      ? this.sessions.admitSend(String(body.open_kfid), String(body.touser))
      : this.sessions.useCode(String(body.code ?? ''));
    if (refusal !== null) return refusal;
    this.msgids.add(msgid);
    const delivery: KfDelivery = path === '/cgi-bin/kf/send_msg'
      ? { path, msgid, content, touser: String(body.touser), openKfId: String(body.open_kfid) }
      : { path, msgid, content, code: String(body.code) };
    this.sent.push(delivery);
    this.waiters.notify();
    return { errcode: 0, errmsg: 'ok', msgid };
  }

  private mediaGet(url: URL, res: ServerResponse): void {
    const file = this.media.get(url.searchParams.get('media_id') ?? '');
    if (file === undefined) return reply(res, { errcode: 40007, errmsg: 'invalid media_id' });
    res.writeHead(200, { 'content-type': file.contentType, 'content-disposition': 'attachment; filename="media.bin"' }).end(file.body);
  }
}

function reply(res: ServerResponse, body: Json): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
