import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventXml, textXml } from '../fakes/fake-wecom-api.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, EveryChannel } from '../support/every-channel.js';
import { ADMIN_TOKEN, login, mode, postLogin, waitFor } from '../support/harness.js';

/**
 * Issue 11, hostile input items 2–4: every example the probe found, over HTTP. NUL is made safe
 * where text is parsed (stored without it), oversized ids and impossible dates are a 400 that
 * writes nothing, malformed ids and parameters are a 4xx, and the channel keeps taking messages.
 */
describe(`hostile input answers 2xx or 4xx, never 500 (${mode})`, () => {
  const target = new EveryChannel();
  const long = 'x'.repeat(6000);

  before(async () => {
    await target.start();
  });
  after(async () => {
    await target.close();
  });

  const wecomText = (from: string, content: string) => textXml({ corpId: target.wecomApp.corpId, from, content, msgId: String(target.next()) });
  const textsOf = async (channelId: string, contact: string) => (await target.messagesOf(channelId, contact)).filter((m) => m.sender === 'customer').map((m) => m.text);

  test('WeCom app: NUL in Content and FromUserName (raw and &#0;) is stored without it', async () => {
    assert.equal((await target.postWecomXml(wecomText('nul\u0000user', 'has\u0000nul'))).status, 200);
    assert.deepEqual(await textsOf(target.ids.wecom, 'nuluser'), ['hasnul']);
    const escaped = wecomText('amp-user', 'x').replace('<![CDATA[x]]>', 'has&#0;nul');
    assert.equal((await target.postWecomXml(escaped)).status, 200);
    assert.deepEqual(await textsOf(target.ids.wecom, 'amp-user'), ['hasnul']);
  });

  test('WeCom app: a 6 KB FromUserName is a 400 that stores nothing; the next message is stored', async () => {
    assert.equal((await target.postWecomXml(wecomText(long, '包邮吗'))).status, 400);
    const event = eventXml({ corpId: target.wecomApp.corpId, from: long, event: 'subscribe' });
    assert.equal((await target.postWecomXml(event)).status, 400);
    assert.equal((await target.postWecomXml(wecomText('after-long', '还在吗'))).status, 200);
    assert.deepEqual(await textsOf(target.ids.wecom, 'after-long'), ['还在吗']);
    assert.equal(await target.conversationOf(target.ids.wecom, long), undefined);
  });

  test('智能机器人: NUL in text and userid is stored without it', async () => {
    const plain = { msgid: target.newBotMsgid(), aibotid: 'AIBOTID', chattype: 'single', from: { userid: 'bot\u0000user' }, msgtype: 'text', text: { content: 'has\u0000nul' } };
    assert.equal((await target.postBotPlain(JSON.stringify(plain))).status, 200);
    assert.deepEqual(await textsOf(target.ids.bot, 'botuser'), ['hasnul']);
  });

  test('智能机器人: create_time 1e20 is a 400', async () => {
    const plain = { msgid: target.newBotMsgid(), aibotid: 'AIBOTID', chattype: 'single', from: { userid: 'bot-time' }, create_time: 1e20, msgtype: 'text', text: { content: '几点' } };
    assert.equal((await target.postBotPlain(JSON.stringify(plain))).status, 400);
    assert.equal(await target.conversationOf(target.ids.bot, 'bot-time'), undefined);
  });

  test('智能机器人: a refresh naming a stream id that decodes to NUL is a 400', async () => {
    for (const id of ['AA', 'AGE']) {
      const plain = { msgid: target.newBotMsgid(), aibotid: 'AIBOTID', chattype: 'single', from: { userid: 'bot-refresh' }, msgtype: 'stream', stream: { id } };
      assert.equal((await target.postBotPlain(JSON.stringify(plain))).status, 400, id);
    }
  });

  test('DingTalk HTTP: NUL in text and nick is stored without it', async () => {
    const payload = target.robotPayload('dt-nul', 'has\u0000nul', { senderNick: '张\u0000三' });
    assert.equal((await target.postDingtalk(JSON.stringify(payload))).status, 200);
    assert.deepEqual(await textsOf(target.ids.dingtalkHttp, 'dt-nul'), ['hasnul']);
    assert.equal((await target.conversationOf(target.ids.dingtalkHttp, 'dt-nul'))?.contact.name, '张三');
  });

  test('DingTalk HTTP: a 6 KB msgId or senderStaffId and createAt 1e20 are a 400 that stores nothing', async () => {
    const cases = [
      target.robotPayload('dt-long-msgid', '一', { msgId: long }),
      target.robotPayload(long, '二'),
      target.robotPayload('dt-1e20', '三', { createAt: 1e20 }),
      target.robotPayload('dt-long-cid', '四', { conversationType: '2', isInAtList: true, conversationId: long }),
    ];
    for (const payload of cases) assert.equal((await target.postDingtalk(JSON.stringify(payload))).status, 400, JSON.stringify(payload).slice(0, 80));
    for (const contact of ['dt-long-msgid', long, 'dt-1e20']) assert.equal(await target.conversationOf(target.ids.dingtalkHttp, contact), undefined);
    assert.equal((await target.postDingtalk(JSON.stringify(target.robotPayload('dt-after', '五')))).status, 200);
    assert.deepEqual(await textsOf(target.ids.dingtalkHttp, 'dt-after'), ['五']);
  });

  test('DingTalk Stream: an unstorable frame is acked and dropped, not redelivered for ever; the next one is stored', async () => {
    const gateway = target.dingtalk.gateway;
    const bad = await gateway.deliverRobotMessage(target.robotPayload('st-long', '一', { msgId: long }), { timeoutMs: 5000 });
    assert.equal(bad?.code, 200);
    const nul = await gateway.deliverRobotMessage(target.robotPayload('st-nul', 'has\u0000nul'), { timeoutMs: 5000 });
    assert.equal(nul?.code, 200);
    assert.deepEqual(await textsOf(target.ids.dingtalkStream, 'st-nul'), ['hasnul']);
    assert.equal(await target.conversationOf(target.ids.dingtalkStream, 'st-long'), undefined);
  });

  test('web chat: NUL in the text is stored without it', async () => {
    const visitorId = target.newVisitorId();
    assert.equal((await target.postWebchat(JSON.stringify({ visitorId, text: 'has\u0000nul' }))).status, 202);
    assert.deepEqual(await textsOf(target.ids.webchat, visitorId), ['hasnul']);
  });

  test('/webhooks/wecom/<id>%00 and other ids that cannot exist answer 404 (400 from the URL guard)', async () => {
    for (const path of [`/webhooks/wecom/${target.ids.wecom}%00`, `/webhooks/dingtalk/${'c'.repeat(3000)}`, `/webchat/${target.ids.webchat}%00/messages`]) {
      const res = await fetch(target.svc.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.ok([400, 404].includes(res.status), `${path.slice(0, 60)}: ${res.status}`);
    }
  });

  test('login: NUL in the e-mail is a 401, not a 500', async () => {
    assert.equal((await postLogin(target.svc.url, `${ADMIN_EMAIL}\u0000x`, 'wrong password', target.freshAddress())).status, 401);
  });

  test('console and admin API: NUL in knowledge entries, user and channel names and agent replies is stored without it', async () => {
    const api = target.svc.api.bind(target.svc);
    const entry = await api('POST', '/api/knowledge', { instruction: '包\u0000邮吗', output: '满299\u0000包邮' });
    assert.equal(entry.status, 201);
    assert.deepEqual([entry.body.instruction, entry.body.output], ['包邮吗', '满299包邮']);
    const updated = await api('PUT', `/api/knowledge/${entry.body.id}`, { instruction: 'a\u0000b', output: 'c' });
    assert.equal(updated.body.instruction, 'ab');
    const user = await api('POST', '/api/users', { email: `nul${target.next()}@hostile.test`, name: '小\u0000王', role: 'agent', password: 'long enough pass' });
    assert.equal(user.status, 201);
    assert.equal(user.body.name, '小王');
    assert.equal((await api('PATCH', `/api/users/${user.body.id}`, { name: '\u0000老王' })).body.name, '老王');
    const channel = await api('POST', '/api/channels', { kind: 'webchat', name: 'ch\u0000at', config: { 'allowed\u0000Origins': [] } });
    assert.equal(channel.status, 201);
    assert.equal(channel.body.name, 'chat');
    // The agent reply, as a signed-in agent sends it, once the chat waits for a person.
    const visitorId = target.newVisitorId();
    assert.equal((await target.postWebchat(JSON.stringify({ visitorId, text: '转人工' }))).status, 202);
    const queued = await waitFor('handoff', async () => {
      const c = await target.conversationOf(target.ids.webchat, visitorId);
      return c?.status === 'queued' ? c : null;
    });
    const agent = await login(target.svc.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    assert.equal((await agent.api('POST', `/api/conversations/${queued.id}/assign`)).status, 200);
    const reply = await agent.api('POST', `/api/conversations/${queued.id}/messages`, { text: '您好\u0000，亲' });
    assert.equal(reply.status, 201);
    assert.ok((await target.messagesOf(target.ids.webchat, visitorId)).some((m) => m.text === '您好，亲'));
  });

  test('knowledge import: a NUL line is cleaned and kept with the good lines, never a 500', async () => {
    const lines = [
      JSON.stringify({ instruction: 'nul-import-1', output: '一' }),
      '{"instruction":"nul-import-\\u0000 2","output":"二\\u0000"}',
      '{"instruction":"nul-import-raw\u0000 3","output":"三"}',
      'not json',
      JSON.stringify({ instruction: 'nul-import-4', output: '四' }),
    ];
    const res = await fetch(`${target.svc.url}/api/knowledge/import`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-ndjson' }, body: lines.join('\n'),
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual([body.imported, body.skipped, body.errors.map((e: { line: number }) => e.line)], [4, 1, [4]]);
    const found = await target.svc.api('GET', '/api/knowledge?q=nul-import');
    assert.deepEqual(found.body.items.map((e: { instruction: string }) => e.instruction).sort(), ['nul-import-1', 'nul-import-4', 'nul-import-raw 3', 'nul-import- 2'].sort());
  });

  test('malformed ids and parameters answer 4xx', async () => {
    const cases: [string, string, number[]][] = [
      ['GET', '/api/conversations/abc', [404]],
      ['GET', '/api/conversations/99999999999999999999', [404]],
      ['GET', '/api/conversations/0/messages', [404]],
      ['POST', '/api/conversations/abc/assign', [404]],
      ['POST', '/api/conversations/1/messages/abc/retry', [404]],
      ['PUT', '/api/knowledge/abc', [404]],
      ['DELETE', '/api/knowledge/99999999999999999999', [404]],
      ['GET', '/api/knowledge?offset=1e20', [400]],
      ['GET', '/api/knowledge?limit=abc', [400]],
      ['GET', '/api/knowledge?q=a%00b', [400]],
      ['GET', '/api/knowledge?channelId=ch%00', [400]],
      ['GET', '/api/knowledge/export.jsonl?channelId=ch%00', [400]],
      ['GET', '/api/export/training.jsonl?since=-271821-04-20T00:00:00Z', [400]],
      ['GET', '/api/export/training.jsonl?since=1e20', [400]],
      ['GET', '/api/conversations?channelId=ch%00', [400]],
      ['GET', '/api/conversations?assignee=%00', [400]],
      ['GET', '/api/users/u%00', [400, 404]],
      ['PATCH', `/api/users/${'u'.repeat(300)}`, [404]],
      ['GET', '/api/channels/ch%00', [400, 404]],
      ['DELETE', `/api/channels/${'c'.repeat(300)}`, [404]],
    ];
    for (const [method, path, expected] of cases) {
      const body = method === 'PUT' || method === 'PATCH' ? { instruction: 'a', output: 'b', name: 'n' } : undefined;
      const res = await target.svc.api(method, path, method === 'PATCH' ? { name: 'n' } : body);
      assert.ok(expected.includes(res.status), `${method} ${path.slice(0, 60)}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    // A well-formed export still works.
    assert.equal((await target.svc.api('GET', '/api/export/training.jsonl?since=2020-01-01T00:00:00Z')).status, 200);
  });

  test('an /api path no route answers is a JSON 404, like every API error', async () => {
    for (const path of ['/api/nope', '/api/models/a/b/reports', '/api']) {
      const res = await target.svc.api('GET', path);
      assert.equal(res.status, 404, path);
      assert.equal(res.body?.error?.code, 'ROUTE.NOT_FOUND', `${path}: ${JSON.stringify(res.body)}`);
    }
  });
});
