import { FakeWecomKfApi } from '../fakes/fake-wecom-kf-api.js';
import type { TestService } from './harness.js';
import { newWecomApp, postCallback } from './wecom-channel.js';

export type KfApp = ReturnType<typeof newWecomApp>;
export const newKfApp = newWecomApp;

export async function startFakeKf(app: KfApp, pageSize = 1000): Promise<FakeWecomKfApi> {
  return new FakeWecomKfApi({ corpId: app.corpId, secret: app.secret, token: app.token, encodingAesKey: app.encodingAesKey, pageSize }).start();
}

export async function createKfChannel(svc: Pick<TestService, 'api'>, app: KfApp, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}): Promise<string> {
  const res = await svc.api('POST', '/api/channels', {
    kind: 'wecom_kf',
    name: '微信客服 test',
    config: { corpId: app.corpId, secret: app.secret, token: app.token, encodingAesKey: app.encodingAesKey, handoffMode: 'console', ...config },
    ...extra,
  });
  if (res.status !== 201) throw new Error(`kf channel not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** WeCom's kf_msg_or_event callback for an account, POSTed like WeCom does; returns the HTTP status. */
export async function notifyKf(svc: { url: string }, channelId: string, fake: FakeWecomKfApi, openKfId: string): Promise<number> {
  const cb = fake.notify(openKfId);
  return (await postCallback(svc, channelId, cb.search, cb.body)).status;
}
