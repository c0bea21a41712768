import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeDingtalkGateway } from '../fakes/fake-dingtalk-gateway.js';
import { FakeDingtalkOpenApi } from '../fakes/fake-dingtalk-openapi.js';
import type { TestService } from './harness.js';

export interface DingtalkApp { clientId: string; clientSecret: string; robotCode: string }

export const newDingtalkApp = (): DingtalkApp => {
  const id = Math.random().toString(36).slice(2, 10);
  return { clientId: `ding${id}`, clientSecret: `secret-${id}-${Math.random().toString(36).slice(2)}`, robotCode: `ding${id}` };
};

/**
 * DingTalk serves the Stream gateway's open call and the robot OpenAPI from one host
 * (DINGTALK_API_BASE); two fakes stand behind a small path router here.
 */
export class DingtalkFakes {
  gateway: FakeDingtalkGateway;
  openapi: FakeDingtalkOpenApi;
  private readonly router = http.createServer((req, res) => {
    const target = new URL(req.url?.startsWith('/v1.0/gateway/') ? this.gateway.url : this.openapi.url);
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });

  constructor(app: DingtalkApp) {
    this.gateway = new FakeDingtalkGateway(app);
    this.openapi = new FakeDingtalkOpenApi(app);
  }

  async start(): Promise<this> {
    await this.gateway.start();
    await this.openapi.start();
    await new Promise<void>((resolve) => this.router.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.router.address() as AddressInfo).port}`;
  }

  /** A sessionWebhook on DINGTALK_API_BASE's host, as the adapter only follows DingTalk's own hosts. */
  sessionWebhook(session: string): string {
    return `${this.url}/robot/sendBySession?session=${encodeURIComponent(session)}`;
  }

  async close(): Promise<void> {
    this.router.closeAllConnections();
    await new Promise<void>((resolve) => this.router.close(() => resolve()));
    await this.gateway.close();
    await this.openapi.close();
  }
}

export async function createDingtalkChannel(svc: Pick<TestService, 'api'>, kind: 'dingtalk_http' | 'dingtalk_stream', app: DingtalkApp): Promise<string> {
  const res = await svc.api('POST', '/api/channels', { kind, name: `DingTalk ${kind}`, config: app });
  if (res.status !== 201) throw new Error(`dingtalk channel not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}
