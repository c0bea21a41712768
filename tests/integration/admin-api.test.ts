import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeDingtalkOpenApi } from '../fakes/fake-dingtalk-openapi.js';
import type { FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { newDingtalkApp } from '../support/dingtalk-fakes.js';
import { ADMIN_TOKEN, createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { openSse } from '../support/sse-client.js';
import { createWecomChannel, newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';

/** The admin API the console needs beyond channels and conversations (issue #5). */
describe(`admin APIs: channel kinds, connection tests, knowledge, retries (${mode})`, () => {
  const app = newWecomApp();
  const ding = newDingtalkApp();
  let storage: Storage;
  let wecom: FakeWecomApi;
  let dingtalk: FakeDingtalkOpenApi;
  let svc: TestService;
  let wecomChannelId: string;

  before(async () => {
    wecom = await startFakeWecom(app);
    dingtalk = await new FakeDingtalkOpenApi(ding).start();
    storage = await createStorage();
    svc = await startTestService(storage, { WECOM_API_BASE: wecom.url, DINGTALK_API_BASE: dingtalk.url });
    wecomChannelId = await createWecomChannel(svc, app);
    const kb = '{"instruction":"包邮吗","input":"","output":"全场满299元包邮。"}\n';
    assert.equal((await svc.api('POST', '/api/knowledge/import', kb, { 'content-type': 'application/x-ndjson' })).status, 200);
  });
  after(async () => {
    await svc?.close();
    await wecom?.close();
    await dingtalk?.close();
    await storage?.dispose();
  });

  const createChannel = async (kind: string, config: Record<string, unknown>, name = kind) => {
    const res = await svc.api('POST', '/api/channels', { kind, name, config });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  };

  test('GET /api/channel-kinds describes every registered kind\'s config, secrets marked', async () => {
    const res = await svc.api('GET', '/api/channel-kinds');
    assert.equal(res.status, 200);
    const kinds = Object.fromEntries(res.body.items.map((k: any) => [k.kind, k]));
    assert.deepEqual(Object.keys(kinds), ['wecom_app', 'wecom_kf', 'wecom_bot', 'dingtalk_stream', 'dingtalk_http', 'webchat']);
    const fields = (kind: string) => Object.fromEntries(kinds[kind].fields.map((f: any) => [f.name, f]));
    for (const item of res.body.items) {
      assert.ok(item.label && item.label !== item.kind, `${item.kind} has a label`);
      for (const f of item.fields) assert.ok(f.label, `${item.kind}.${f.name} has a label`);
    }

    const wecomApp = fields('wecom_app');
    assert.deepEqual(Object.keys(wecomApp), ['corpId', 'agentId', 'secret', 'token', 'encodingAesKey']);
    assert.deepEqual(Object.values(wecomApp).map((f: any) => f.type), ['string', 'number', 'secret', 'secret', 'secret']);
    assert.ok(Object.values(wecomApp).every((f: any) => f.required));

    const kf = fields('wecom_kf');
    assert.deepEqual(Object.keys(kf), ['corpId', 'secret', 'token', 'encodingAesKey', 'openKfIds', 'handoffMode', 'servicerUserIds']);
    assert.deepEqual(kf.handoffMode, { ...kf.handoffMode, type: 'enum', options: ['console', 'wecom'], required: false });
    assert.deepEqual([kf.openKfIds.type, kf.openKfIds.required, kf.servicerUserIds.type], ['list', false, 'list']);

    assert.deepEqual(Object.values(fields('wecom_bot')).map((f: any) => [f.name, f.type, f.required]),
      // Token and EncodingAESKey only in callback mode, botId and secret only in long_connection mode (issue 15):
      // the config check requires each pair for its mode, so the form marks none of them required.
      [['mode', 'enum', false], ['token', 'secret', false], ['encodingAesKey', 'secret', false], ['botId', 'string', false], ['secret', 'secret', false], ['handoffButtonMargin', 'number', false]]);

    for (const kind of ['dingtalk_stream', 'dingtalk_http']) {
      const d = fields(kind);
      assert.deepEqual(Object.keys(d), ['clientId', 'clientSecret', 'robotCode']);
      assert.deepEqual([d.clientId.type, d.clientSecret.type, d.robotCode.required], ['string', 'secret', false]);
    }
    assert.deepEqual(kinds.webchat.fields.map((f: any) => [f.name, f.type, f.required]), [['allowedOrigins', 'list', false], ['offlineMessage', 'string', false]]);
  });

  test('POST /api/channels/:id/test fetches a fresh WeCom token; a wrong secret answers ok:false with the errcode', async () => {
    const before = wecom.gettokenCalls;
    assert.deepEqual((await svc.api('POST', `/api/channels/${wecomChannelId}/test`)).body, { ok: true });
    assert.deepEqual((await svc.api('POST', `/api/channels/${wecomChannelId}/test`)).body, { ok: true });
    assert.equal(wecom.gettokenCalls - before, 2, 'never answered from the token cache');

    const wrong = { ...app, secret: 'not-the-secret-0123456789' };
    const wrongId = await createWecomChannel(svc, wrong);
    const res = await svc.api('POST', `/api/channels/${wrongId}/test`);
    assert.equal(res.status, 200);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.error.code, 'CHANNEL.CONNECTION_FAILED');
    assert.match(res.body.error.message, /40001/);
    assert.ok(!JSON.stringify(res.body).includes(wrong.secret), 'the secret never comes back');

    const kfId = await createChannel('wecom_kf', { corpId: app.corpId, secret: app.secret, token: app.token, encodingAesKey: app.encodingAesKey });
    assert.deepEqual((await svc.api('POST', `/api/channels/${kfId}/test`)).body, { ok: true });

    const missing = await svc.api('POST', '/api/channels/ch_nope/test');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'CHANNEL.NOT_FOUND');
    const audit = (await svc.api('GET', '/api/audit')).body.items.filter((a: any) => a.action === 'channel.test');
    assert.ok(audit.some((a: any) => a.target === `channel:${wrongId}` && a.details.ok === false && a.details.code === 'CHANNEL.CONNECTION_FAILED'));
    assert.ok(audit.some((a: any) => a.target === `channel:${wecomChannelId}` && a.details.ok === true));
  });

  test('an edit form\'s PATCH: the secret mask keeps the secret, null removes an optional key, model name and holding message clear', async () => {
    const kfId = await createChannel('wecom_kf', { corpId: app.corpId, secret: app.secret, token: app.token, encodingAesKey: app.encodingAesKey, openKfIds: ['wk1'] });
    const shown = (await svc.api('GET', `/api/channels/${kfId}`)).body;
    assert.equal(shown.config.secret, '********');
    // The form sends back what it was shown: the mask must not become the secret.
    const patched = await svc.api('PATCH', `/api/channels/${kfId}`, { config: { ...shown.config, openKfIds: null }, model: { name: 'shop-lora' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.config.openKfIds, undefined, 'null removed the optional key');
    assert.deepEqual((await svc.api('POST', `/api/channels/${kfId}/test`)).body, { ok: true }, 'the stored secret still works');
    const cleared = await svc.api('PATCH', `/api/channels/${kfId}`, { model: { name: null }, handoff: { holdingMessage: '' } });
    assert.equal(cleared.body.model.name, null);
    assert.equal(cleared.body.handoff.holdingMessage, '已为您转接人工客服，请稍候~');
  });

  test('DingTalk and web chat channels can be tested too', async () => {
    const good = await createChannel('dingtalk_http', { clientId: ding.clientId, clientSecret: ding.clientSecret });
    const calls = dingtalk.tokenCalls;
    assert.deepEqual((await svc.api('POST', `/api/channels/${good}/test`)).body, { ok: true });
    assert.deepEqual((await svc.api('POST', `/api/channels/${good}/test`)).body, { ok: true });
    assert.equal(dingtalk.tokenCalls - calls, 2);
    const bad = await createChannel('dingtalk_http', { clientId: ding.clientId, clientSecret: 'wrong-secret-value' });
    const res = await svc.api('POST', `/api/channels/${bad}/test`);
    assert.equal(res.body.ok, false);
    assert.match(res.body.error.message, /invalidClientIdOrSecret/);
    assert.ok(!res.body.error.message.includes('wrong-secret-value'));

    const chat = await createChannel('webchat', {});
    assert.deepEqual((await svc.api('POST', `/api/channels/${chat}/test`)).body, { ok: true });
  });

  test('knowledge: create one entry, list it, export a channel and import the file into another', async () => {
    const from = await createChannel('webchat', {}, '旧店');
    const to = await createChannel('webchat', {}, '新店');
    const entries = [
      { instruction: '几天发货', input: '', output: '付款后48小时内发货。' },
      { instruction: '能退货吗', input: '收到货不喜欢', output: '签收7天内可无理由退货，请保持商品完好。' },
    ];
    for (const e of entries) {
      const res = await svc.api('POST', '/api/knowledge', { ...e, channelId: from });
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.body).sort(), ['channelId', 'id', 'input', 'instruction', 'output', 'stage', 'updatedAt']);
      assert.equal(res.body.channelId, from);
    }
    const global = await svc.api('POST', '/api/knowledge', { instruction: '客服几点上班', output: '每天9点到21点。' });
    assert.equal(global.status, 201);
    assert.equal(global.body.channelId, null);
    assert.equal(global.body.input, '');

    const listed = await svc.api('GET', `/api/knowledge?channelId=${from}&q=${encodeURIComponent('退货')}`);
    assert.deepEqual(listed.body.items.map((i: any) => i.instruction), ['能退货吗']);
    assert.ok(Date.parse(listed.body.items[0].updatedAt) > 0);
    assert.deepEqual((await svc.api('GET', `/api/knowledge?q=${encodeURIComponent('%')}`)).body.items, [], '% is matched literally');

    const exported = await fetch(`${svc.url}/api/knowledge/export.jsonl?channelId=${from}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    assert.match(exported.headers.get('content-disposition') ?? '', /^attachment; filename="knowledge-.+\.jsonl"$/);
    const jsonl = await exported.text();
    assert.deepEqual(jsonl.trim().split('\n').map((l) => JSON.parse(l)), entries, 'the channel\'s own entries, in the training format');

    const imported = await svc.api('POST', `/api/knowledge/import?channelId=${to}`, jsonl, { 'content-type': 'application/x-ndjson' });
    assert.deepEqual(imported.body, { imported: 2, skipped: 0, errors: [] });
    const again = await fetch(`${svc.url}/api/knowledge/export.jsonl?channelId=${to}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(await again.text(), jsonl);

    const all = await (await fetch(`${svc.url}/api/knowledge/export.jsonl`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    assert.equal(all.trim().split('\n').length, 1 + 2 + 1 + 2, 'without channelId: every entry');

    assert.equal((await svc.api('POST', '/api/knowledge', { instruction: 'x', output: 'y', channelId: 'ch_nope' })).status, 404);
    assert.equal((await svc.api('POST', '/api/knowledge', { instruction: 'x' })).status, 400);
    assert.equal((await svc.api('PUT', '/api/knowledge/not-a-number', { instruction: 'x', output: 'y' })).status, 404);
    assert.equal((await svc.api('GET', '/api/knowledge/export.jsonl?channelId=ch_nope')).status, 404);
    // Edit and delete one: both audited; a deleted entry is gone for good.
    const extra = (await svc.api('POST', '/api/knowledge', { instruction: '临时', output: '临时答案' })).body;
    const edited = await svc.api('PUT', `/api/knowledge/${extra.id}`, { instruction: '临时问题', output: '新的答案' });
    assert.deepEqual([edited.status, edited.body.output], [200, '新的答案']);
    assert.equal((await svc.api('DELETE', `/api/knowledge/${extra.id}`)).status, 204);
    assert.equal((await svc.api('DELETE', `/api/knowledge/${extra.id}`)).status, 404);
    const audit = (await svc.api('GET', '/api/audit')).body.items;
    assert.equal(audit.filter((a: any) => a.action === 'knowledge.create').length, 4);
    assert.ok(audit.some((a: any) => a.action === 'knowledge.update' && a.target === `knowledge:${extra.id}`));
    assert.ok(audit.some((a: any) => a.action === 'knowledge.delete' && a.target === `knowledge:${extra.id}`));
  });

  test('a reply WeCom refused for good can be sent again, once', async () => {
    await postText(svc, wecomChannelId, app, { from: 'neighbour', content: '包邮吗', msgId: '9100000000000000000' });
    await wecom.waitForSent(1, 10_000);
    wecom.failNextSends(1, { errcode: 81013, errmsg: 'user & party & tag all invalid' });
    await postText(svc, wecomChannelId, app, { from: 'ghost', content: '包邮吗', msgId: '9100000000000000001' });
    const { conv, failed } = await waitFor('the failed reply', async () => {
      const list = await svc.api('GET', `/api/conversations?channelId=${wecomChannelId}`);
      const c = list.body.items.find((x: any) => x.contact.externalId === 'ghost');
      const detail = c && (await svc.api('GET', `/api/conversations/${c.id}`));
      const m = detail?.body.messages.find((x: any) => x.sender === 'bot' && x.status === 'failed');
      return m ? { conv: detail.body, failed: m } : null;
    });
    const customer = conv.messages.find((m: any) => m.sender === 'customer');
    const events = await openSse(`${svc.url}/api/events`, { authorization: `Bearer ${ADMIN_TOKEN}` });
    try {
      const sentBefore = wecom.sent.length;
      const retry = await svc.api('POST', `/api/conversations/${conv.id}/messages/${failed.id}/retry`);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.body, { messageId: failed.id, status: 'pending' });
      const delivered = await wecom.waitForSent(sentBefore + 1, 10_000);
      assert.equal(delivered.at(-1)!.touser, 'ghost');
      assert.match(delivered.at(-1)!.content, /299/);
      await waitFor('message.status pending', () => events.events.find((e) => e.event === 'message.status' && e.data.messageId === failed.id && e.data.status === 'pending'));
      await waitFor('sent', async () => {
        const detail = await svc.api('GET', `/api/conversations/${conv.id}`);
        const m = detail.body.messages.find((x: any) => x.id === failed.id);
        return m.status === 'sent' && m.error === null;
      });
      assert.equal(wecom.sent.filter((m) => m.touser === 'ghost').length, 1);
    } finally {
      events.close();
    }

    const second = await svc.api('POST', `/api/conversations/${conv.id}/messages/${failed.id}/retry`);
    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, 'CONVERSATION.MESSAGE_NOT_FAILED');
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/messages/${customer.id}/retry`)).status, 409, 'inbound messages are not sent');
    const elsewhere = (await svc.api('GET', '/api/conversations')).body.items.find((c: any) => c.contact.externalId === 'neighbour');
    assert.equal((await svc.api('POST', `/api/conversations/${elsewhere.id}/messages/${failed.id}/retry`)).status, 404);
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/messages/abc/retry`)).status, 404);
    assert.equal((await svc.api('POST', `/api/conversations/999999/messages/${failed.id}/retry`)).status, 404);
    const audit = (await svc.api('GET', '/api/audit')).body.items.filter((a: any) => a.action === 'message.retry');
    assert.deepEqual(audit.map((a: any) => [a.target, a.details.messageId]), [[`conversation:${conv.id}`, failed.id]]);
  });
});
