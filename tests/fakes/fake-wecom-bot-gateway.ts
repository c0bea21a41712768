/**
 * A fake 企业微信 智能机器人 long-connection gateway (issue 15) the real `@wecom/aibot-node-sdk`
 * 1.0.7 connects to: one http.Server on 127.0.0.1:0 with `ws` in noServer mode. Frames are JSON
 * `{cmd, headers:{req_id}, body}`; answers to client frames carry no cmd, only
 * `{headers:{req_id}, errcode, errmsg}`. It authenticates `aibot_subscribe` (853000 on a wrong
 * bot_id/secret), answers `ping`, pushes `aibot_msg_callback` / `aibot_event_callback`, and acks
 * `aibot_respond_msg`, `aibot_respond_welcome_msg`, `aibot_respond_update_msg` and `aibot_send_msg`
 * with the platform's rules: a stream only on a message's req_id (846605 on an event's) while the
 * message is fresh, a welcome only on an enter_chat within 5 s, a card update only on a
 * template_card_event within 5 s. A newer authenticated connection of a bot kicks the older one
 * (disconnected_event, then close). It also serves media files encrypted the way WeCom does.
 */
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface ClientFrame {
  cmd: string;
  headers: { req_id: string };
  body?: any;
  /** Which bot's connection sent it; when it came. */
  botId?: string;
  at: number;
  /** What the gateway answered. */
  errcode?: number;
}

interface Conn { id: string; socket: WebSocket; botId?: string; authed: boolean }
interface ServedFile { body: Buffer; fileName: string; failures: number[] | 'always'; requests: number; chunked: boolean; held: Array<() => void> | null }

export interface ServeOptions {
  /** Sent as Content-Disposition (RFC 5987 form when not ASCII); default photo.jpg. */
  fileName?: string;
  /** HTTP statuses answered before the file, one per request; 'always': every request gets 500. */
  failures?: number[] | 'always';
  /** Sent without Content-Length (chunked), so only the bytes themselves tell the size. */
  chunked?: boolean;
  /** Requests wait, unanswered, until releaseFile(url). */
  hold?: boolean;
}

/** One part of a 图文混排 message: text, or an image (its plain bytes, served encrypted). */
export type MixedPart = { text: string } | { image: Buffer };
interface Pushed { cmd: string; body: any; at: number; botId: string }

export const INVALID_CREDENTIALS = 853000;
export const EVENT_CANNOT_STREAM = 846605;
export const STREAM_EXPIRED = 846608;
export const REPLY_EXPIRED = 846609;

export class FakeWecomBotGateway {
  url = '';
  httpUrl = '';
  /** Every frame clients sent, pings and subscriptions included. */
  readonly upstream: ClientFrame[] = [];
  /** aibot_subscribe attempts, good or bad, per bot id. */
  readonly authAttempts = new Map<string, number>();
  /** Do not answer pings (a zombie gateway). */
  silent = false;
  /** Frames this returns true for are taken and never acked (a send whose outcome the client cannot know). */
  dropAck: ((frame: ClientFrame) => boolean) | null = null;
  /** How long after a message a stream reply on it is accepted (the real window is not published). */
  streamWindowMs = 5 * 60_000;

  private readonly bots = new Map<string, string>();
  private readonly server = http.createServer((req, res) => this.onHttp(req, res));
  private readonly wss = new WebSocketServer({ noServer: true });
  private conns: Conn[] = [];
  private readonly pushed = new Map<string, Pushed>();
  private readonly files = new Map<string, ServedFile>();

  constructor(bots: Record<string, string> = {}) {
    for (const [id, secret] of Object.entries(bots)) this.bots.set(id, secret);
    this.server.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
  }

  addBot(botId: string, secret: string): void {
    this.bots.set(botId, secret);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `ws://127.0.0.1:${port}`;
    this.httpUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  /** Authenticated connections (of one bot, or all). */
  connections(botId?: string): number {
    return this.conns.filter((c) => c.authed && (!botId || c.botId === botId)).length;
  }

  /** Sockets open, authenticated or not. */
  openSockets(): number {
    return this.conns.length;
  }

  async waitForConnections(n: number, botId?: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections(botId) !== n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} authenticated connections, have ${this.connections(botId)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Pushes a message callback to the bot's connection; returns the frame's req_id. */
  pushMessage(botId: string, body: Record<string, unknown>, reqId = `msg_${randomUUID()}`): string {
    return this.push(botId, 'aibot_msg_callback', { aibotid: botId, create_time: Math.floor(Date.now() / 1000), ...body }, reqId);
  }

  pushEvent(botId: string, body: Record<string, unknown>, reqId = `evt_${randomUUID()}`): string {
    return this.push(botId, 'aibot_event_callback', { aibotid: botId, create_time: Math.floor(Date.now() / 1000), msgtype: 'event', ...body }, reqId);
  }

  /** A text message in a single chat. */
  say(botId: string, userid: string, content: string, msgid = `msg${randomBytes(8).toString('hex')}`): { msgid: string; reqId: string } {
    const reqId = this.pushMessage(botId, { msgid, chattype: 'single', from: { userid }, msgtype: 'text', text: { content } });
    return { msgid, reqId };
  }

  /** Client frames with this cmd (and req_id). */
  frames(cmd: string, reqId?: string): ClientFrame[] {
    return this.upstream.filter((f) => f.cmd === cmd && (!reqId || f.headers.req_id === reqId));
  }

  /** Accepted stream replies and proactive sends whose text includes `text`. */
  delivered(text: string): ClientFrame[] {
    return this.upstream.filter((f) => f.errcode === 0 && contentOf(f)?.includes(text));
  }

  /**
   * Serves `plain` encrypted as WeCom does (AES-256-CBC, IV = key[0..16], PKCS#7 to 32: what the
   * SDK's decryptFile undoes) over HTTP on the gateway's own host; returns url and aeskey.
   */
  serveFile(plain: Buffer, opts: ServeOptions = {}): { url: string; aeskey: string } {
    const key = randomBytes(32);
    const pad = 32 - (plain.length % 32);
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    cipher.setAutoPadding(false);
    const body = Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]);
    const id = randomUUID();
    this.files.set(id, { body, fileName: opts.fileName ?? 'photo.jpg', failures: opts.failures === 'always' ? 'always' : [...(opts.failures ?? [])], requests: 0, chunked: opts.chunked ?? false, held: opts.hold ? [] : null });
    return { url: `${this.httpUrl}/file/${id}`, aeskey: key.toString('base64') };
  }

  /** From now on every request for the file behind `url` is answered 500. */
  failFile(url: string): void {
    const file = this.files.get(url.replace(/^.*\/file\//, ''));
    if (file) file.failures = 'always';
  }

  /** Answers the held requests for the file behind `url`, and those to come. */
  releaseFile(url: string): void {
    const file = this.files.get(url.replace(/^.*\/file\//, ''));
    const waiting = file?.held ?? [];
    if (file) file.held = null;
    for (const answer of waiting) answer();
  }

  /** How many times the file behind `url` was requested. */
  fileRequests(url: string): number {
    return this.files.get(url.replace(/^.*\/file\//, ''))?.requests ?? 0;
  }

  /** An image message in a single chat, its file served encrypted. */
  sendImage(botId: string, userid: string, plain: Buffer, opts: ServeOptions & { msgid?: string } = {}): { msgid: string; reqId: string; url: string } {
    const msgid = opts.msgid ?? `msg${randomBytes(8).toString('hex')}`;
    const image = this.serveFile(plain, opts);
    const reqId = this.pushMessage(botId, { msgid, chattype: 'single', from: { userid }, msgtype: 'image', image });
    return { msgid, reqId, url: image.url };
  }

  /** A file message in a single chat. */
  sendFile(botId: string, userid: string, plain: Buffer, opts: ServeOptions & { msgid?: string } = {}): { msgid: string; reqId: string; url: string } {
    const msgid = opts.msgid ?? `msg${randomBytes(8).toString('hex')}`;
    const file = this.serveFile(plain, opts);
    const reqId = this.pushMessage(botId, { msgid, chattype: 'single', from: { userid }, msgtype: 'file', file });
    return { msgid, reqId, url: file.url };
  }

  /** A 图文混排 message in a single chat: texts and images in order. */
  sendMixed(botId: string, userid: string, parts: MixedPart[], msgid = `msg${randomBytes(8).toString('hex')}`): { msgid: string; reqId: string; urls: string[] } {
    const urls: string[] = [];
    const msg_item = parts.map((p) => {
      if ('text' in p) return { msgtype: 'text', text: { content: p.text } };
      const image = this.serveFile(p.image);
      urls.push(image.url);
      return { msgtype: 'image', image };
    });
    const reqId = this.pushMessage(botId, { msgid, chattype: 'single', from: { userid }, msgtype: 'mixed', mixed: { msg_item } });
    return { msgid, reqId, urls };
  }

  /** Closes every socket server-side (a network drop). */
  async dropAll(): Promise<void> {
    await Promise.all(this.conns.map((c) => new Promise<void>((resolve) => {
      c.socket.once('close', () => resolve());
      c.socket.terminate();
    })));
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const file = this.files.get((req.url ?? '').replace(/^\/file\//, ''));
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    file.requests++;
    if (file.held) {
      file.held.push(() => this.answerFile(file, res));
      return;
    }
    this.answerFile(file, res);
  }

  private answerFile(file: ServedFile, res: http.ServerResponse): void {
    if (res.destroyed) return;
    const failure = file.failures === 'always' ? 500 : file.failures.shift();
    if (failure) {
      res.writeHead(failure, { 'content-type': 'text/plain' }).end('try later');
      return;
    }
    const name = /^[\x20-\x7e]*$/.test(file.fileName) ? `filename="${file.fileName}"` : `filename*=UTF-8''${encodeURIComponent(file.fileName)}`;
    const headers = { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; ${name}` };
    if (!file.chunked) {
      res.writeHead(200, headers).end(file.body);
      return;
    }
    // No Content-Length: Node sends Transfer-Encoding: chunked, here in 1 KiB chunks.
    res.writeHead(200, headers);
    for (let at = 0; at < file.body.length; at += 1024) res.write(file.body.subarray(at, at + 1024));
    res.end();
  }

  private push(botId: string, cmd: string, body: any, reqId: string): string {
    const conn = this.conns.find((c) => c.authed && c.botId === botId);
    if (!conn) throw new Error(`no authenticated connection for ${botId}`);
    this.pushed.set(reqId, { cmd, body, at: Date.now(), botId });
    conn.socket.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
    return reqId;
  }

  private onConnection(socket: WebSocket): void {
    const conn: Conn = { id: randomUUID(), socket, authed: false };
    this.conns.push(conn);
    socket.on('close', () => (this.conns = this.conns.filter((c) => c !== conn)));
    socket.on('message', (data) => {
      let frame: ClientFrame;
      try {
        frame = { ...JSON.parse(String(data)), botId: conn.botId, at: Date.now() };
      } catch {
        return;
      }
      this.upstream.push(frame);
      const answer = (errcode: number, errmsg = errcode === 0 ? 'ok' : 'error', body?: unknown) => {
        frame.errcode = errcode;
        socket.send(JSON.stringify({ headers: { req_id: frame.headers?.req_id }, errcode, errmsg, ...(body ? { body } : {}) }));
      };
      switch (frame.cmd) {
        case 'aibot_subscribe': return this.onSubscribe(conn, frame, answer);
        case 'ping': if (!this.silent) answer(0); return;
        default:
          if (!conn.authed) return answer(INVALID_CREDENTIALS, 'not subscribed');
          // Delivered to the chat, but the ack is lost.
          if (this.dropAck?.(frame)) { frame.errcode = 0; return; }
          return this.onReply(frame, answer);
      }
    });
  }

  private onSubscribe(conn: Conn, frame: ClientFrame, answer: (code: number, msg?: string) => void): void {
    const botId = String(frame.body?.bot_id ?? '');
    this.authAttempts.set(botId, (this.authAttempts.get(botId) ?? 0) + 1);
    if (!this.bots.has(botId) || this.bots.get(botId) !== frame.body?.secret) return answer(INVALID_CREDENTIALS, 'invalid bot_id or secret');
    // The newer connection wins: the older one is told, then closed.
    for (const old of this.conns.filter((c) => c.authed && c.botId === botId)) {
      old.authed = false;
      old.socket.send(JSON.stringify({
        cmd: 'aibot_event_callback', headers: { req_id: `evt_${randomUUID()}` },
        body: { msgid: randomUUID(), aibotid: botId, create_time: Math.floor(Date.now() / 1000), msgtype: 'event', event: { eventtype: 'disconnected_event' } },
      }));
      setTimeout(() => old.socket.close(1000, 'replaced'), 50);
    }
    conn.botId = botId;
    conn.authed = true;
    frame.botId = botId;
    answer(0);
  }

  private onReply(frame: ClientFrame, answer: (code: number, msg?: string) => void): void {
    const reqId = frame.headers?.req_id;
    const pushed = this.pushed.get(reqId);
    const age = pushed ? Date.now() - pushed.at : Infinity;
    const eventType = pushed?.body?.event?.eventtype;
    switch (frame.cmd) {
      case 'aibot_send_msg':
        return answer(frame.body?.chatid ? 0 : 40001, frame.body?.chatid ? 'ok' : 'chatid required');
      case 'aibot_respond_msg':
        if (!pushed) return answer(REPLY_EXPIRED, 'unknown req_id');
        if (pushed.cmd === 'aibot_event_callback' && frame.body?.msgtype === 'stream') return answer(EVENT_CANNOT_STREAM, 'event req_id cannot reply stream');
        if (age > this.streamWindowMs) return answer(STREAM_EXPIRED, 'stream reply expired');
        return answer(0);
      case 'aibot_respond_welcome_msg':
        return answer(eventType === 'enter_chat' && age <= 5000 ? 0 : REPLY_EXPIRED, 'welcome only within 5 s of enter_chat');
      case 'aibot_respond_update_msg':
        return answer(eventType === 'template_card_event' && age <= 5000 ? 0 : REPLY_EXPIRED, 'update only within 5 s of template_card_event');
      default:
        return answer(40008, `unknown cmd ${frame.cmd}`);
    }
  }
}

/** The text a stream reply or a proactive markdown/text send carries. */
export function contentOf(f: ClientFrame): string | undefined {
  const b = f.body ?? {};
  return b.stream?.content ?? b.markdown?.content ?? b.text?.content;
}
