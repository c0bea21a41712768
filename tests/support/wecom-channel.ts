import { randomBytes } from 'node:crypto';
import { buildCallback, FakeWecomApi, textXml, type CallbackCredentials } from '../fakes/fake-wecom-api.js';
import type { TestService } from './harness.js';

/** Fresh WeCom app credentials, as an admin would paste them from the WeCom console. */
export function newWecomApp(): CallbackCredentials & { secret: string; agentId: number } {
  const alnum = (n: number) => randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n);
  return { corpId: 'ww' + randomBytes(8).toString('hex'), secret: alnum(32), token: alnum(24), encodingAesKey: alnum(43), agentId: 1000002 };
}

export async function startFakeWecom(app: { corpId: string; secret: string }): Promise<FakeWecomApi> {
  const fake = new FakeWecomApi({ apps: [{ corpId: app.corpId, secret: app.secret }] });
  await fake.start();
  return fake;
}

export async function createWecomChannel(svc: TestService, app: ReturnType<typeof newWecomApp>, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await svc.api('POST', '/api/channels', {
    kind: 'wecom_app',
    name: 'WeCom test app',
    config: { corpId: app.corpId, agentId: app.agentId, secret: app.secret, token: app.token, encodingAesKey: app.encodingAesKey },
    ...extra,
  });
  if (res.status !== 201) throw new Error(`channel not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** POSTs a signed, encrypted text callback the way WeCom does; returns the HTTP status and body. */
export async function postText(svc: { url: string }, channelId: string, app: CallbackCredentials, msg: { from: string; content: string; msgId: string }) {
  const cb = buildCallback(app, textXml({ corpId: app.corpId, from: msg.from, content: msg.content, msgId: msg.msgId }));
  return postCallback(svc, channelId, cb.search, cb.body);
}

export async function postCallback(svc: { url: string }, channelId: string, search: string, body: string) {
  const res = await fetch(`${svc.url}/webhooks/wecom/${channelId}?${search}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  return { status: res.status, body: await res.text() };
}
