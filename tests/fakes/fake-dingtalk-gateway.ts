/**
 * A fake DingTalk Stream gateway the real `dingtalk-stream` SDK connects to (protocols/dingtalk.md
 * §6.2-6.3): one http.Server on 127.0.0.1:0 serving the open call (§1.4) and, through `ws` in
 * noServer mode, the WebSocket endpoint (§1.5). Frames and ACKs as in §1.6 / §6.2.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';

/** What a client sends back; for a robot callback `data` is `{"response": …}` (§1.6). */
export interface AckFrame {
  code: number;
  headers: { messageId: string; [key: string]: unknown };
  message: string;
  data: string;
}

interface Conn { id: string; socket: WebSocket; /** Told to go (a `disconnect` frame): gets no more pushes. */ draining?: boolean }

export class FakeDingtalkGateway {
  /** POSTs to the open endpoint, good or bad: the reconnect-storm counter (§1.7). */
  registrations = 0;
  /** WebSocket connections accepted. */
  connections = 0;
  /** The subscriptions of each open call, so a test can check TOPIC_ROBOT was asked for (§5.9). */
  readonly subscriptions: unknown[][] = [];
  /** Every frame clients sent, in arrival order. */
  readonly upstream: AckFrame[] = [];
  /** Refuse WebSocket upgrades with 401 — the path that storms in 2.1.5 (§1.7). */
  rejectUpgrades = false;
  url = '';

  private readonly server = http.createServer((req, res) => void this.onRequest(req, res));
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, number>();
  private conns: Conn[] = [];
  private next = 0;
  private readonly waiters = new Map<string, (ack: AckFrame) => void>();

  constructor(private readonly creds: { clientId: string; clientSecret: string }) {
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  openConnections(): number {
    return this.conns.length;
  }

  /** Resolves once `n` sockets are open (or rejects after `timeoutMs`). */
  async waitForConnections(n: number, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.conns.length !== n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} open connections, have ${this.conns.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Pushes a TOPIC_ROBOT CALLBACK to ONE connection, round-robin (DingTalk picks one of several,
   * §1.8). Resolves with the client's ACK, or null when none came within `timeoutMs`.
   */
  deliverRobotMessage(payload: unknown, opts: { messageId?: string; timeoutMs?: number } = {}): Promise<AckFrame | null> {
    const live = this.conns.filter((c) => !c.draining);
    const conn = live[this.next++ % Math.max(live.length, 1)];
    if (!conn) return Promise.reject(new Error('no open connection'));
    const messageId = opts.messageId ?? `m-${randomUUID()}`;
    const headers = {
      appId: 'app-fake', connectionId: conn.id, contentType: 'application/json',
      messageId, time: String(Date.now()), topic: TOPIC_ROBOT,
    };
    return this.push(conn, { specVersion: '1.0', type: 'CALLBACK', headers, data: JSON.stringify(payload) }, opts.timeoutMs);
  }

  /** A SYSTEM ping to every connection; the SDK echoes headers and data (§1.6). */
  ping(opaque: string, timeoutMs?: number): Promise<Array<AckFrame | null>> {
    return Promise.all(this.conns.map((conn) => {
      const headers = { contentType: 'application/json', messageId: `p-${randomUUID()}`, time: String(Date.now()), topic: 'ping' };
      return this.push(conn, { specVersion: '1.0', type: 'SYSTEM', headers, data: JSON.stringify({ opaque }) }, timeoutMs);
    }));
  }

  /**
   * DingTalk's periodic load balancing (protocols/dingtalk.md §1.6): a SYSTEM `disconnect` frame to
   * every open connection, no more pushes to them, and the socket closed after `graceMs` (10 s on the
   * real server). Resolves once those sockets are closed.
   */
  async announceDisconnect(graceMs: number): Promise<void> {
    const leaving = this.conns.filter((c) => !c.draining);
    await Promise.all(leaving.map((conn) => new Promise<void>((resolve) => {
      conn.draining = true;
      conn.socket.once('close', () => resolve());
      const headers = { contentType: 'application/json', messageId: `d-${randomUUID()}`, time: String(Date.now()), topic: 'disconnect' };
      conn.socket.send(JSON.stringify({ specVersion: '1.0', type: 'SYSTEM', headers, data: JSON.stringify({ reason: 'connection is expired' }) }));
      setTimeout(() => conn.socket.close(1000, 'connection is expired'), graceMs);
    })));
  }

  /** Open connections that still get pushes. */
  liveConnections(): number {
    return this.conns.filter((c) => !c.draining).length;
  }

  /** Sends raw text to every connection (an unreadable frame, say). */
  sendRaw(text: string): void {
    for (const conn of this.conns) conn.socket.send(text);
  }

  acksFor(messageId: string): AckFrame[] {
    return this.upstream.filter((f) => f.headers?.messageId === messageId);
  }

  /** Closes every socket server-side, as DingTalk's load balancing does (§5.8). */
  /** Resolves once those sockets are closed, before any reconnect is counted as open. */
  async dropAll(): Promise<void> {
    await Promise.all(this.conns.map((conn) => new Promise<void>((resolve) => {
      conn.socket.once('close', () => resolve());
      conn.socket.close(1001, 'going away');
    })));
  }

  async close(): Promise<void> {
    for (const conn of this.conns) conn.socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private push(conn: Conn, frame: { headers: { messageId: string }; [key: string]: unknown }, timeoutMs = 2000): Promise<AckFrame | null> {
    const { messageId } = frame.headers;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(messageId);
        resolve(null);
      }, timeoutMs);
      this.waiters.set(messageId, (ack) => {
        clearTimeout(timer);
        this.waiters.delete(messageId);
        resolve(ack);
      });
      conn.socket.send(JSON.stringify(frame));
    });
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    // Origin-form and absolute-form request targets both (§6.2.1).
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (req.method !== 'POST' || path !== '/v1.0/gateway/connections/open') {
      res.writeHead(404).end();
      return;
    }
    this.registrations += 1;
    let body: { clientId?: string; clientSecret?: string; subscriptions?: unknown[] } = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch { /* answered 400 below */ }
    this.subscriptions.push(body.subscriptions ?? []);
    if (body.clientId !== this.creds.clientId || body.clientSecret !== this.creds.clientSecret) {
      res.writeHead(body.clientId ? 401 : 400, { 'content-type': 'application/json' }).end('{"code":"invalidClient"}');
      return;
    }
    const ticket = randomUUID();
    this.tickets.set(ticket, Date.now() + 90_000);
    const endpoint = `${this.url.replace('http:', 'ws:')}/connect`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ endpoint, ticket }));
  }

  /** A ticket opens one connection, within 90 s (§1.4). */
  private onUpgrade(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.url);
    const ticket = url.searchParams.get('ticket') ?? '';
    const expires = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (url.pathname !== '/connect' || !expires || expires < Date.now() || this.rejectUpgrades) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = { id: `conn-${++this.connections}`, socket: ws };
      this.conns.push(conn);
      ws.on('message', (raw) => this.onUpstream(String(raw)));
      // Registered first, so dropAll()'s close listeners see the list already without this socket.
      ws.on('close', () => (this.conns = this.conns.filter((c) => c !== conn)));
    });
  }

  private onUpstream(text: string): void {
    let frame: AckFrame;
    try {
      frame = JSON.parse(text) as AckFrame;
    } catch {
      return;
    }
    this.upstream.push(frame);
    this.waiters.get(frame.headers?.messageId)?.(frame);
  }
}
