/**
 * One DingTalk Stream connection per channel (protocols/dingtalk.md §1), on the real
 * `dingtalk-stream` 2.1.5 SDK. The SDK's own reconnect is off: 2.1.5 reconnects in a storm and
 * `disconnect()` cannot cancel queued reconnects (§1.7, §5.3-5.4), so this file owns the loop —
 * a fresh client per attempt (§7), capped exponential backoff with jitter, and a `close()` that
 * stops it for good.
 */
import { DWClient, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import type { Logger } from 'pino';
import { request } from 'undici';
import WebSocket from 'ws';
import { parseSafeJson } from '../../src/domain/text.js';
import type { ConnectionState, DeliverMessages, PlatformConnection, ReportConnection } from '../../src/ports/channel-adapter.js';
import type { DingtalkConfig } from './config.js';
import { toInboundMessage } from './parse.js';

export interface StreamBackoff {
  initialMs: number;
  maxMs: number;
}

export interface StreamConnectionOptions {
  config: DingtalkConfig;
  /** DINGTALK_API_BASE, e.g. https://api.dingtalk.com; the gateway open call goes there (§6.1). */
  apiBase: string;
  deliver: DeliverMessages;
  logger?: Logger;
  /** Default 1 s → 60 s, as the unreleased upstream fix does (§1.7, 2.1.6-beta.1). */
  backoff?: StreamBackoff;
  now?: () => Date;
  /** For the gateway open call and the WebSocket handshake; default 10 s. */
  timeoutMs?: number;
  /** Hears every change of the connection's state (issue 14 item 6): the console shows it live. */
  report?: ReportConnection;
}

type SdkOptions = ConstructorParameters<typeof DWClient>[0];

/** How long a replaced connection stays open for the acks still in flight on it. */
const RETIRE_GRACE_MS = 2000;

/**
 * The SDK hard-codes GATEWAY_URL inside getEndpoint() and has no option for it (§1.3, §6.1 option 1):
 * override the public method, and set the private `dw_url` the SDK's `_connect()` opens.
 */
class GatewayClient extends DWClient {
  constructor(
    private readonly openUrl: string,
    private readonly signal: AbortSignal,
    private readonly timeoutMs: number,
    private readonly onBadFrame: (err: unknown) => void,
    private readonly onDisconnectNotice: () => void,
    config: DingtalkConfig,
  ) {
    // autoReconnect is a runtime option missing from the declared constructor type (§1.3).
    // keepAlive: a client ping every 8 s terminates a silent zombie socket (§5.6); its interval
    // leaks on a server close in 2.1.5 (§5.5), so stopHeartbeat() clears it on every close.
    super({ clientId: config.clientId, clientSecret: config.clientSecret, keepAlive: true, autoReconnect: false } as SdkOptions);
    // `sslopts` is handed to `new WebSocket(...)` as is (client.mjs:134): bound the handshake too.
    Reflect.set(this, 'sslopts', { rejectUnauthorized: true, handshakeTimeout: timeoutMs });
  }

  override async getEndpoint(): Promise<this> {
    // undici's request(), not fetch, like every other outbound call (http-call.ts says why).
    const res = await request(this.openUrl, {
      method: 'POST',
      // Without Accept the real API answers XML (§1.4).
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        clientId: this.config.clientId, clientSecret: this.config.clientSecret,
        ua: this.config.ua ?? '', subscriptions: this.config.subscriptions,
      }),
      signal: AbortSignal.any([this.signal, AbortSignal.timeout(this.timeoutMs)]),
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      // An unread undici body keeps its socket busy; not awaited, so a body that never ends cannot delay the error.
      void res.body.dump().catch(() => undefined);
      throw new Error(`gateway open failed: HTTP ${res.statusCode}`);
    }
    const { endpoint, ticket } = (await res.body.json()) as { endpoint?: string; ticket?: string };
    if (!endpoint || !ticket) throw new Error('endpoint or ticket is null');
    Reflect.set(this, 'dw_url', `${endpoint}?ticket=${encodeURIComponent(ticket)}`);
    return this;
  }

  /** The SDK JSON.parses frames without try/catch: a bad frame would be an uncaughtException (§1.6). */
  override onDownStream(data: string): void {
    try {
      super.onDownStream(data);
    } catch (err) {
      this.onBadFrame(err);
    }
  }

  /**
   * The server's `disconnect` frame announces a close about 10 s later, and DingTalk stops pushing to
   * this socket meanwhile (§1.6, §5.7). The SDK only flips two flags; we open the next connection now.
   */
  override onSystem(downstream: DWClientDownStream): void {
    super.onSystem(downstream);
    if (downstream.headers?.topic === 'disconnect') this.onDisconnectNotice();
  }

  socketOf(): WebSocket | undefined {
    return Reflect.get(this, 'socket');
  }

  stopHeartbeat(): void {
    clearInterval(Reflect.get(this, 'heartbeatIntervallId'));
  }
}

/** Closes a socket and resolves once it is closed; terminates it if the peer does not answer. */
function shut(socket: WebSocket | undefined): Promise<void> {
  if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => socket.terminate(), 1000);
    socket.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else socket.close();
  });
}

class StreamConnection implements PlatformConnection {
  private closed = false;
  /** Attempts since the last connection that stayed up (`stableMs`); drives the backoff. */
  private failures = 0;
  private client: GatewayClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private openedAt = 0;
  /** Old clients kept open briefly after a warm reconnect, so acks in flight on them still go out. */
  private readonly retiring = new Set<GatewayClient>();
  private readonly abort = new AbortController();
  private readonly backoff: StreamBackoff;
  private readonly stableMs: number;

  constructor(private readonly opts: StreamConnectionOptions) {
    this.backoff = opts.backoff ?? { initialMs: 1000, maxMs: 60_000 };
    this.stableMs = Math.max(this.backoff.maxMs, 1000);
  }

  /**
   * Tells the connector (issue 14 item 6): connecting on the first attempt, connected when a socket
   * opens, reconnecting with the reason when it drops or an attempt fails. Silent once closed: a
   * report after close() would bring back the status of a channel turned off.
   */
  say(state: ConnectionState, error?: string): void {
    if (this.closed) return;
    try {
      this.opts.report?.(error === undefined ? { state } : { state, error });
    } catch (err) {
      this.opts.logger?.warn({ err: (err as Error).message }, 'dingtalk stream: connection report failed');
    }
  }

  attempt(): Promise<void> {
    this.timer = undefined;
    this.inflight = this.connectOnce().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async connectOnce(): Promise<void> {
    if (this.closed) return;
    const { config, logger } = this.opts;
    const url = `${this.opts.apiBase.replace(/\/+$/, '')}/v1.0/gateway/connections/open`;
    const client = new GatewayClient(url, this.abort.signal, this.opts.timeoutMs ?? 10_000,
      (err) => logger?.warn({ err: (err as Error).message }, 'dingtalk stream: unreadable frame ignored'),
      () => this.onDisconnectNotice(client), config);
    // Before connect(): subscriptions go out with the open request (§1.3, §5.9).
    client.registerCallbackListener(TOPIC_ROBOT, (frame) => {
      void this.onRobotFrame(client, frame).catch(() => undefined);
    });
    this.client = client;
    try {
      await client.getEndpoint();
      await client._connect();
    } catch (err) {
      client.stopHeartbeat();
      await shut(client.socketOf());
      if (this.client === client) this.client = undefined;
      if (!this.closed) logger?.warn({ err: (err as Error).message, attempt: this.failures }, 'dingtalk stream: connect failed');
      this.say('reconnecting', (err as Error).message);
      this.schedule();
      return;
    }
    const socket = client.socketOf()!;
    socket.once('close', (code: number, reason: Buffer) => this.onClosed(client, code, reason));
    this.openedAt = Date.now();
    if (this.closed) await shut(socket);
    else this.say('connected');
  }

  /**
   * Warm reconnect (§5.7): the new connection opens while the old one still finishes its acks; the
   * old one is closed once the new one is up, or by the server. Without this the robot is deaf from
   * the notice until the server closes the socket and a reconnect has gone through.
   */
  private onDisconnectNotice(client: GatewayClient): void {
    if (this.closed || this.client !== client || this.inflight) return;
    this.opts.logger?.info('dingtalk stream: server announced a disconnect; opening the next connection');
    this.retiring.add(client);
    void this.attempt().then(() => {
      // The new one failed: keep the old one until the server closes it; the retry loop carries on.
      if (!this.client || this.client === client) return;
      setTimeout(() => {
        this.retiring.delete(client);
        client.stopHeartbeat();
        void shut(client.socketOf());
      }, RETIRE_GRACE_MS).unref();
    });
  }

  private onClosed(client: GatewayClient, code?: number, reason?: Buffer): void {
    client.stopHeartbeat();
    this.retiring.delete(client);
    // A client replaced by a warm reconnect: the new one carries on.
    if (this.client !== client) return;
    this.client = undefined;
    if (this.closed) return;
    if (Date.now() - this.openedAt >= this.stableMs) this.failures = 0;
    this.opts.logger?.info({ attempt: this.failures }, 'dingtalk stream: socket closed; reconnecting');
    const why = reason?.length ? `${code} ${reason.toString('utf8')}` : `${code ?? 'no code'}`;
    this.say('reconnecting', `connection closed (${why})`);
    this.schedule();
  }

  /** Capped exponential backoff with equal jitter: never 0, never more than maxMs (§1.7). */
  private schedule(): void {
    if (this.closed || this.timer) return;
    const { initialMs, maxMs } = this.backoff;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.failures, 30));
    this.failures += 1;
    this.timer = setTimeout(() => void this.attempt(), base / 2 + (Math.random() * base) / 2);
  }

  /**
   * Ack only after deliver resolved, i.e. the message is committed (DESIGN.md §3.1; dingtalk.md §5.2). The SDK
   * does not ack CALLBACK frames itself (§1.6). When storing fails: log, no ack, DingTalk redelivers.
   * A frame we cannot read is acked and dropped with a warning: redelivering it would never help.
   */
  private async onRobotFrame(client: GatewayClient, frame: DWClientDownStream): Promise<void> {
    const messageId = frame.headers?.messageId;
    const { config, logger } = this.opts;
    let message;
    try {
      message = toInboundMessage(parseSafeJson(frame.data), { robotCode: config.robotCode, now: this.opts.now?.() ?? new Date() });
    } catch (err) {
      logger?.warn({ messageId, err: (err as Error).message }, 'dingtalk stream: unreadable robot frame dropped');
      message = null;
    }
    try {
      // null: a group message that did not @ the robot — ack it, store nothing.
      if (message) await this.opts.deliver([message]);
      if (client.socketOf()?.readyState !== WebSocket.OPEN) {
        logger?.info({ messageId }, 'dingtalk stream: socket gone before the ack; DingTalk redelivers');
        return;
      }
      client.socketCallBackResponse(messageId, null);
    } catch (err) {
      logger?.warn({ messageId, err: (err as Error).message }, 'dingtalk stream: frame not acked; DingTalk redelivers');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    const clients = [this.client, ...this.retiring];
    this.retiring.clear();
    for (const client of clients) client?.stopHeartbeat();
    await Promise.all(clients.map((client) => shut(client?.socketOf())));
    await this.inflight;
  }
}

/** Opens the connection; resolves after the first attempt, retrying in the background if it failed. */
export async function openStreamConnection(opts: StreamConnectionOptions): Promise<PlatformConnection> {
  const connection = new StreamConnection(opts);
  connection.say('connecting');
  await connection.attempt();
  return connection;
}
