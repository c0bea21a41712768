import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeWecomApi, buildCallback, textXml } from '../fakes/fake-wecom-api.js';
import { createStorage, mode, startTestService, sleep, type Storage, type TestService } from '../support/harness.js';
import { createWecomChannel, newWecomApp, postCallback, postText, startFakeWecom } from '../support/wecom-channel.js';

/** DESIGN.md §3.7: bad input gets a clear 4xx and writes nothing; §3.6: secrets never leave. */
describe(`bad callbacks and secrets (${mode})`, () => {
  const app = newWecomApp();
  let storage: Storage;
  let fake: FakeWecomApi;
  let svc: TestService;
  let channelId: string;

  before(async () => {
    fake = await startFakeWecom(app);
    storage = await createStorage();
    svc = await startTestService(storage, { WECOM_API_BASE: fake.url, WEBHOOK_MAX_SKEW_S: '300' });
    channelId = await createWecomChannel(svc, app);
  });
  after(async () => {
    await svc?.close();
    await fake?.close();
    await storage?.dispose();
  });

  const inner = (msgId: string) => textXml({ corpId: app.corpId, from: 'mallory', content: '包邮吗', msgId });
  const now = () => Math.floor(Date.now() / 1000);

  const cases: [string, () => Promise<{ status: number }>, number][] = [
    ['a forged signature', async () => {
      const cb = buildCallback({ ...app, token: 'not-the-token' }, inner('1'));
      return postCallback(svc, channelId, cb.search, cb.body);
    }, 401],
    ['a stale timestamp (replay)', async () => {
      const cb = buildCallback(app, inner('2'), { timestamp: String(now() - 3600) });
      return postCallback(svc, channelId, cb.search, cb.body);
    }, 401],
    ['a timestamp from the future', async () => {
      const cb = buildCallback(app, inner('3'), { timestamp: String(now() + 3600) });
      return postCallback(svc, channelId, cb.search, cb.body);
    }, 401],
    ['a message encrypted for another corp (receiveid)', async () => {
      const cb = buildCallback({ ...app, corpId: 'wwsomeoneelse0000' }, inner('4'));
      return postCallback(svc, channelId, cb.search, cb.body);
    }, 401],
    ['no signature at all', async () => {
      const cb = buildCallback(app, inner('5'));
      return postCallback(svc, channelId, '', cb.body);
    }, 401],
    ['garbage instead of XML', async () => {
      const cb = buildCallback(app, inner('6'));
      return postCallback(svc, channelId, cb.search, 'this is not xml {]');
    }, 400],
    ['a DOCTYPE (entity expansion attempt)', async () => {
      const cb = buildCallback(app, inner('7'));
      const body = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>${cb.body}`;
      return postCallback(svc, channelId, cb.search, body);
    }, 400],
    ['a body over 1 MiB', async () => {
      const cb = buildCallback(app, inner('8'));
      return postCallback(svc, channelId, cb.search, cb.body + ' '.repeat(1024 * 1024));
    }, 413],
    ['an unknown channel', async () => {
      const cb = buildCallback(app, inner('9'));
      return postCallback(svc, 'ch_doesnotexist', cb.search, cb.body);
    }, 404],
  ];

  for (const [name, send, status] of cases) {
    test(`${name} → ${status}, nothing stored, nothing sent`, async () => {
      const res = await send();
      assert.equal(res.status, status);
    });
  }

  test('after all of them: no conversation, no message, no send, and the counters saw the refusals', async () => {
    await sleep(500);
    const list = await svc.api('GET', '/api/conversations');
    assert.deepEqual(list.body.items, []);
    assert.equal(fake.sendAttempts, 0);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    assert.match(metrics, /kefu_callbacks_total\{kind="wecom",outcome="WEBHOOK\.INVALID_SIGNATURE"\} [5-9]/);
    assert.match(metrics, /kefu_callbacks_total\{kind="wecom",outcome="REQUEST\.TOO_LARGE"\} 1/);
  });

  test('a good callback right after is accepted (the refusals changed nothing)', async () => {
    const res = await postText(svc, channelId, app, { from: 'alice', content: '转人工', msgId: '10' });
    assert.equal(res.status, 200);
  });

  test('channel secrets are never returned by the API', async () => {
    for (const res of [await svc.api('GET', `/api/channels/${channelId}`), await svc.api('GET', '/api/channels')]) {
      const text = JSON.stringify(res.body);
      for (const secret of [app.secret, app.token, app.encodingAesKey]) assert.ok(!text.includes(secret), 'a secret leaked');
    }
    const one = await svc.api('GET', `/api/channels/${channelId}`);
    assert.equal(one.body.config.secret, '********');
    assert.equal(one.body.config.corpId, app.corpId);
    assert.equal(one.body.callbackUrl.endsWith(`/webhooks/wecom/${channelId}`), true);
  });

  test('editing a channel without resending its secrets keeps them working', async () => {
    const res = await svc.api('PATCH', `/api/channels/${channelId}`, { config: { agentId: 1000003 } });
    assert.equal(res.status, 200);
    assert.equal(res.body.config.agentId, 1000003);
    await sleep(1100);
    const ok = await postText(svc, channelId, app, { from: 'bob', content: '转人工', msgId: '11' });
    assert.equal(ok.status, 200, 'token and key still decrypt callbacks');
  });

  test('the API refuses anonymous and wrong-token calls', async () => {
    assert.equal((await fetch(`${svc.url}/api/channels`)).status, 401);
    assert.equal((await fetch(`${svc.url}/api/conversations`, { headers: { authorization: 'Bearer nope' } })).status, 401);
    const res = await fetch(`${svc.url}/api/channels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 401);
  });

  test('invalid API input is a 400 with a readable JSON error and creates nothing', async () => {
    const before = (await svc.api('GET', '/api/channels')).body.items.length;
    const bad = await svc.api('POST', '/api/channels', { kind: 'wecom_app', name: 'x', config: { corpId: 'ww1', agentId: 1, secret: 's', token: 't', encodingAesKey: 'short' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code.length > 0, true);
    assert.ok(!JSON.stringify(bad.body).includes('"s"'));
    assert.equal((await svc.api('POST', '/api/channels', '{not json')).status, 400);
    assert.equal((await svc.api('POST', '/api/channels', { kind: 'fax', name: 'x' })).status, 400);
    assert.equal((await svc.api('GET', '/api/channels')).body.items.length, before);
    assert.equal((await svc.api('GET', '/api/conversations/999999')).status, 404);
  });

  test('knowledge import keeps good lines and reports bad ones by number', async () => {
    const jsonl = [
      JSON.stringify({ instruction: '客户问营业时间', input: '', output: '每天9点到22点' }),
      '{broken',
      JSON.stringify({ instruction: '客户问电话', input: '' }),
      '',
      JSON.stringify({ instruction: '客户问地址', input: '店在哪', output: '深圳南山' }),
    ].join('\n');
    const res = await svc.api('POST', `/api/knowledge/import?channelId=${channelId}`, jsonl, { 'content-type': 'application/x-ndjson' });
    assert.equal(res.status, 200);
    assert.equal(res.body.imported, 2);
    assert.equal(res.body.skipped, 2);
    assert.deepEqual(res.body.errors.map((e: any) => e.line), [2, 3]);
    const list = await svc.api('GET', `/api/knowledge?channelId=${channelId}`);
    assert.equal(list.body.items.length, 2);
    assert.equal((await svc.api('POST', '/api/knowledge/import', jsonl, { 'content-type': 'application/json' })).status, 400);
  });
});
