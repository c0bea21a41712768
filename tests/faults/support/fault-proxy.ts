/**
 * An HTTP proxy in front of a fake (WeCom API, model server) that fails on demand, for the
 * failure modes the fakes lack: a platform busy for minutes, a connection reset halfway through
 * an answer (reliability.md §4.2, issue 11). It forwards everything while `fault` returns `pass`.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { type: 'pass' }
  /** Answer this instead of forwarding (a platform errcode, an HTTP 500). */
  | { type: 'answer'; status: number; body: unknown }
  /** Drop the connection before any answer. */
  | { type: 'reset' }
  /** Forward, then cut the connection after the headers and half the body. */
  | { type: 'reset-mid-response' }
  /** Forward after a pause. */
  | { type: 'slow'; ms: number };

const PASS: Fault = { type: 'pass' };

export class FaultProxy {
  /** Decides each request's fate; `path` without the query. */
  fault: (path: string) => Fault = () => PASS;
  readonly counts = new Map<Fault['type'], number>();
  /** Requests not yet answered: a model call in flight is a turn in flight. */
  inFlight = 0;
  private readonly server: Server = createServer((req, res) => {
    this.handle(req, res).catch(() => res.destroy());
  });

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** The proxy's base URL, with the target's path prefix (e.g. `/v1`). */
  get url(): string {
    const prefix = new URL(this.target).pathname.replace(/\/$/, '');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${prefix}`;
  }

  heal(): void {
    this.fault = () => PASS;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight += 1;
    res.once('close', () => (this.inFlight -= 1));
    const body = await readAll(req);
    const fault = this.fault((req.url ?? '/').split('?')[0]);
    this.counts.set(fault.type, (this.counts.get(fault.type) ?? 0) + 1);
    if (fault.type === 'answer') {
      res.writeHead(fault.status, { 'content-type': 'application/json' }).end(JSON.stringify(fault.body));
      return;
    }
    if (fault.type === 'reset') return void req.socket.destroy();
    if (fault.type === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
    if (res.destroyed) return;
    const upstream = await this.forward(req, res, body);
    if (fault.type === 'reset-mid-response') {
      res.writeHead(upstream.status, upstream.headers);
      res.write(upstream.body.subarray(0, Math.floor(upstream.body.length / 2)));
      // Let the half answer leave before the reset, so the client sees a response that breaks off.
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    res.writeHead(upstream.status, upstream.headers).end(upstream.body);
  }

  /** A client that goes away (a killed worker) cancels the upstream request too, as without a proxy. */
  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const target = new URL(this.target);
    return new Promise((resolve, reject) => {
      const out = request({
        host: target.hostname, port: target.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: target.host, 'content-length': String(body.length) },
      }, (upstream) => {
        readAll(upstream).then((answer) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(upstream.headers)) {
            if (typeof v === 'string' && !['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(k)) headers[k] = v;
          }
          headers['content-length'] = String(answer.length);
          resolve({ status: upstream.statusCode ?? 502, headers, body: answer });
        }, reject);
      });
      out.on('error', reject);
      res.once('close', () => {
        if (!res.writableFinished) out.destroy();
      });
      out.end(body);
    });
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
