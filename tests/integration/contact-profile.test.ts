import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';
import { buildRobotPayload, signHeaders } from '../fakes/fake-dingtalk-openapi.js';
import type { FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { DingtalkFakes, createDingtalkChannel, newDingtalkApp } from '../support/dingtalk-fakes.js';
import { createStorage, login, mode, startTestService, waitFor, type LoginSession, type Storage, type TestService } from '../support/harness.js';
import { createWebchatChannel, newVisitor } from '../support/learning-fixture.js';
import { openSse } from '../support/sse-client.js';
import { createWecomChannel, newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';

/**
 * issue 14 item 1, "who the customer is": display names from every platform (the WeCom contact API
 * with its cache and its 应用可见范围 caveat, DingTalk senderNick, a name the web chat's page passes),
 * the contact profile with its visits and shared note, and searching conversations.
 */
describe(`who the customer is (${mode})`, { timeout: 180_000 }, () => {
  const wecomApp = newWecomApp();
  const dingApp = newDingtalkApp();
  let storage: Storage;
  let wecom: FakeWecomApi;
  let ding: DingtalkFakes;
  let svc: TestService;
  let wecomChannel: string;
  let dingChannel: string;
  let webChannel: string;
  let agentA: LoginSession;
  let agentB: LoginSession;
  const logLines: { level: number; msg: string; channelId?: string; errcode?: string }[] = [];

  /** The service with a logger we can read (the visible-range warning is part of the contract). */
  function startService_(): Promise<TestService> {
    const logger = createLogger('debug', new Writable({ write(chunk, _enc, done) { logLines.push(JSON.parse(String(chunk))); done(); } }));
    return startTestService(storage, { WECOM_API_BASE: wecom.url, DINGTALK_API_BASE: ding.url, LOG_LEVEL: 'debug' }, logger);
  }

  const conversations = async (query = '') => (await agentA.api('GET', `/api/conversations?limit=500${query}`)).body.items as any[];
  const byExternalId = async (externalId: string) => (await conversations()).find((c) => c.contact.externalId === externalId);
  const storedConversation = (externalId: string) => waitFor(`the conversation of ${externalId}`, () => byExternalId(externalId));
  const chat = (body: Record<string, unknown>) =>
    fetch(`${svc.url}/webchat/${webChannel}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientMessageId: randomBytes(6).toString('hex'), ...body }) });
  const postDingtalk = (payload: unknown) =>
    fetch(`${svc.url}/webhooks/dingtalk/${dingChannel}`, { method: 'POST', headers: { 'content-type': 'application/json', ...signHeaders(dingApp.clientSecret, Date.now()) }, body: JSON.stringify(payload) });
  let msgSeq = 9_100_000_000_000_000_000n;
  const nextMsgId = () => String((msgSeq += 1n));

  before(async () => {
    wecom = await startFakeWecom(wecomApp);
    ding = await new DingtalkFakes(dingApp).start();
    storage = await createStorage();
    svc = await startService_();
    wecomChannel = await createWecomChannel(svc, wecomApp, { botEnabled: false });
    dingChannel = await createDingtalkChannel(svc, 'dingtalk_http', dingApp);
    webChannel = await createWebchatChannel(svc);
    for (const [email, name] of [['a@shop.test', '小王'], ['b@shop.test', '小李']]) {
      const created = await svc.api('POST', '/api/users', { email, name, role: 'agent', password: 'agent-password-1' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    agentA = await login(svc.url, 'a@shop.test', 'agent-password-1');
    agentB = await login(svc.url, 'b@shop.test', 'agent-password-1');
  });
  after(async () => {
    await svc?.close();
    await wecom?.close();
    await ding?.close();
    await storage?.dispose();
  });

  describe('display names', () => {
    test("WeCom app: a member's name comes from the contact API, looked up once for two messages", async () => {
      wecom.addMember('zhangsan', '张三');
      assert.equal((await postText(svc, wecomChannel, wecomApp, { from: 'zhangsan', content: '你好', msgId: nextMsgId() })).status, 200);
      assert.equal((await postText(svc, wecomChannel, wecomApp, { from: 'zhangsan', content: '在吗', msgId: nextMsgId() })).status, 200);
      const conversation = await storedConversation('zhangsan');
      assert.equal(conversation.contact.name, '张三');
      assert.equal(conversation.contact.channelKind, 'wecom_app');
      assert.deepEqual(wecom.userGets.filter((u) => u === 'zhangsan'), ['zhangsan'], 'the second message is named from the cache');

      // Two callbacks at once share one lookup.
      wecom.addMember('lisi', '李四');
      const both = await Promise.all([
        postText(svc, wecomChannel, wecomApp, { from: 'lisi', content: '一', msgId: nextMsgId() }),
        postText(svc, wecomChannel, wecomApp, { from: 'lisi', content: '二', msgId: nextMsgId() }),
      ]);
      assert.deepEqual(both.map((r) => r.status), [200, 200]);
      assert.equal((await storedConversation('lisi')).contact.name, '李四');
      assert.equal(wecom.userGets.filter((u) => u === 'lisi').length, 1);
    });

    test('WeCom app: an unknown member and members outside the visible range stay unnamed; the range warning is logged once per channel', async () => {
      const warnings = () => logLines.filter((l) => l.level === 40 && l.msg.includes('应用可见范围'));
      assert.equal((await postText(svc, wecomChannel, wecomApp, { from: 'ghost', content: '你好', msgId: nextMsgId() })).status, 200);
      assert.equal((await storedConversation('ghost')).contact.name, null, '60111: no such member, no name');
      assert.equal(warnings().length, 0, 'an unknown member is not a visible-range problem');

      wecom.addMember('outsider1', '王五', { visible: false });
      wecom.addMember('outsider2', '赵六', { visible: false });
      for (const from of ['outsider1', 'outsider1', 'outsider2']) {
        const res = await postText(svc, wecomChannel, wecomApp, { from, content: '有人吗', msgId: nextMsgId() });
        assert.equal(res.status, 200, 'the message is acked and stored all the same');
      }
      assert.equal((await storedConversation('outsider1')).contact.name, null);
      assert.equal((await storedConversation('outsider2')).contact.name, null);
      assert.equal(wecom.userGets.filter((u) => u === 'outsider1').length, 1, 'a failure is cached too: one call for a burst');
      assert.equal(warnings().length, 1, 'one warning per channel, not one per message');
      assert.equal(warnings()[0].channelId, wecomChannel);
      assert.equal(warnings()[0].errcode, '60011');
      assert.match(warnings()[0].msg, /可见范围/);
    });

    test('WeCom app: a slow contact API does not hold the callback; the name arrives with a later message', async () => {
      wecom.addMember('slowpoke', '孙七');
      wecom.userGetDelayMs = 2500;
      try {
        const started = Date.now();
        assert.equal((await postText(svc, wecomChannel, wecomApp, { from: 'slowpoke', content: '你好', msgId: nextMsgId() })).status, 200);
        assert.ok(Date.now() - started < 2000, `acked after ${Date.now() - started} ms`);
        assert.equal((await storedConversation('slowpoke')).contact.name, null);
        await waitFor('the late lookup to finish', () => wecom.userGets.includes('slowpoke') && Date.now() - started > 2700);
      } finally {
        wecom.userGetDelayMs = 0;
      }
      assert.equal((await postText(svc, wecomChannel, wecomApp, { from: 'slowpoke', content: '在吗', msgId: nextMsgId() })).status, 200);
      await waitFor('the name from the finished lookup', async () => (await byExternalId('slowpoke'))?.contact.name === '孙七');
      assert.equal(wecom.userGets.filter((u) => u === 'slowpoke').length, 1);
    });

    test('WeCom app: a new member waits at most 300 ms for a slow name before the commit', async () => {
      // issue 14 review: the budget was 1 s, spent in front of the commit and ack of every new
      // member's message while the contact API is slow. A 900 ms lookup fitted in it; no longer.
      wecom.addMember('hesitant', '钱一');
      wecom.userGetDelayMs = 900;
      let started = 0;
      try {
        started = Date.now();
        assert.equal((await postText(svc, wecomChannel, wecomApp, { from: 'hesitant', content: '你好', msgId: nextMsgId() })).status, 200);
        const took = Date.now() - started;
        assert.ok(took < 880, `acked after ${took} ms, before the 900 ms lookup ended`);
        assert.equal((await storedConversation('hesitant')).contact.name, null, 'committed without waiting for the name');
        await waitFor('the late lookup to finish', () => wecom.userGets.includes('hesitant') && Date.now() - started > 1000);
      } finally {
        wecom.userGetDelayMs = 0;
      }
      assert.equal((await postText(svc, wecomChannel, wecomApp, { from: 'hesitant', content: '在吗', msgId: nextMsgId() })).status, 200);
      await waitFor('the name on the next message', async () => (await byExternalId('hesitant'))?.contact.name === '钱一');
      assert.equal(wecom.userGets.filter((u) => u === 'hesitant').length, 1, 'the late answer was cached, not asked again');
    });

    test("DingTalk: the sender's nick is the contact's name", async () => {
      const payload = buildRobotPayload({ text: '你好', senderStaffId: 'staff-nick', senderNick: '周八', sessionWebhook: ding.sessionWebhook('s-nick') });
      assert.equal((await postDingtalk(payload)).status, 200);
      const conversation = await waitFor('the DingTalk conversation', async () => (await conversations()).find((c) => c.channelId === dingChannel && c.contact.name === '周八'));
      assert.equal(conversation.contact.channelKind, 'dingtalk_http');
    });

    test('web chat: the name the page passes is stored, never blanked by a message without one, and replaced by a new one', async () => {
      const visitorId = newVisitor();
      assert.equal((await chat({ visitorId, text: '你好', name: '  吴九 ' })).status, 202);
      const named = await storedConversation(visitorId);
      assert.equal(named.contact.name, '吴九', 'trimmed');
      assert.equal(named.contact.channelKind, 'webchat');
      assert.equal((await chat({ visitorId, text: '还在吗' })).status, 202);
      assert.equal((await byExternalId(visitorId)).contact.name, '吴九', 'a message without a name keeps the known one');
      assert.equal((await chat({ visitorId, text: '换个名字', name: '吴九九' })).status, 202);
      assert.equal((await byExternalId(visitorId)).contact.name, '吴九九');
    });

    test('web chat: without a name the visitor is nameless (the console calls them 访客 n, n the contact id)', async () => {
      const visitorId = newVisitor();
      assert.equal((await chat({ visitorId, text: '你好' })).status, 202);
      const conversation = await storedConversation(visitorId);
      assert.equal(conversation.contact.name, null);
      assert.match(conversation.contact.id, /^[1-9]\d*$/);
      assert.equal(conversation.contact.channelKind, 'webchat');
    });

    test("the demo page passes ?name= to the widget as data-name, escaped; a name the chat would refuse is left out", async () => {
      const page = async (query: string) => (await fetch(`${svc.url}/demo/${webChannel}${query}`)).text();
      const NAMED_TAG = /<script src="\/widget.js"[^>]*data-name=/;
      // The widget tag is only there once the widget is built; the demo says so otherwise.
      const built = (await page('')).includes('src="/widget.js"');
      if (built) {
        assert.match(await page(`?name=${encodeURIComponent('张三')}`), /<script src="\/widget.js" data-channel="[^"]+" data-open="true" data-name="张三" async>/);
        const hostile = await page(`?name=${encodeURIComponent('"><script>alert(1)</script>')}`);
        assert.ok(!hostile.includes('<script>alert(1)'), 'escaped');
        assert.match(hostile, /data-name="&#34;&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;"/);
        assert.doesNotMatch(await page(`?name=${encodeURIComponent('a\u202Eb')}`), NAMED_TAG, 'refused by the chat: not passed on');
        assert.doesNotMatch(await page(''), NAMED_TAG);
      } else {
        assert.doesNotMatch(await page(`?name=${encodeURIComponent('张三')}`), NAMED_TAG);
      }
    });

    test('web chat: a bad name is a 400 and stores nothing', async () => {
      const visitorId = newVisitor();
      for (const name of ['x'.repeat(41), '', '   ', '张\n三', 'abc\u202Edef', 'bell\u0007', 42, null, ['a']]) {
        const res = await chat({ visitorId, text: '你好', name });
        assert.equal(res.status, 400, `name ${JSON.stringify(name)}`);
      }
      // 40 characters, counted as people count them: emoji are one each.
      assert.equal((await chat({ visitorId, text: '你好', name: '🙂'.repeat(40) })).status, 202);
      const conversation = await storedConversation(visitorId);
      assert.equal(conversation.contact.name, '🙂'.repeat(40));
      const detail = (await agentA.api('GET', `/api/conversations/${conversation.id}`)).body;
      assert.equal(detail.messages.filter((m: any) => m.sender === 'customer').length, 1, 'the refused messages left no trace');
    });
  });

  describe('the contact profile', () => {
    let visitorId: string;
    let conversation: any;

    before(async () => {
      visitorId = newVisitor();
      assert.equal((await chat({ visitorId, text: '第一次来，问下发货时间', name: '郑十' })).status, 202);
      conversation = await storedConversation(visitorId);
      // The first visit: queued, taken over by agent A, closed.
      const queued = await agentA.api('POST', `/api/conversations/${conversation.id}/assign`);
      if (queued.status !== 200) {
        // The bot still holds it: hand it to people the way the customer would.
        assert.equal((await chat({ visitorId, text: '转人工' })).status, 202);
        await waitFor('queued', async () => (await byExternalId(visitorId)).status === 'queued');
        assert.equal((await agentA.api('POST', `/api/conversations/${conversation.id}/assign`)).status, 200);
      }
      assert.equal((await agentA.api('POST', `/api/conversations/${conversation.id}/messages`, { text: '您好，今天发货' })).status, 201);
      assert.equal((await agentA.api('POST', `/api/conversations/${conversation.id}/close`)).status, 200);
      // The second visit: the customer comes back.
      assert.equal((await chat({ visitorId, text: '我又来了，想退货' })).status, 202);
      await waitFor('reopened', async () => (await byExternalId(visitorId)).status !== 'closed');
    });

    test("GET /api/contacts/:id: channel, ids, first seen and the visits, newest first, each opening at its first message", async () => {
      const res = await agentB.api('GET', `/api/contacts/${conversation.contact.id}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const p = res.body;
      assert.equal(p.id, conversation.contact.id);
      assert.deepEqual(p.channel, { id: webChannel, name: p.channel.name, kind: 'webchat' });
      assert.equal(typeof p.channel.name, 'string');
      assert.equal(p.externalId, visitorId);
      assert.equal(p.name, '郑十');
      assert.ok(Date.parse(p.firstSeen) <= Date.now());
      assert.equal(p.conversationId, conversation.id);
      assert.equal(p.note, null);
      assert.equal(p.visits.length, 2);
      const [current, first] = p.visits;
      assert.equal(current.endedAt, null);
      assert.equal(current.firstCustomerText, '我又来了，想退货');
      assert.ok(first.endedAt !== null && Date.parse(first.endedAt) >= Date.parse(first.startedAt));
      assert.ok(first.firstCustomerText.startsWith('第一次来'));
      assert.ok(first.agentIds.includes(agentA.user.id), 'who handled it');
      assert.ok(first.messageCount >= 2);
      const detail = (await agentB.api('GET', `/api/conversations/${conversation.id}`)).body;
      const firstCustomer = detail.messages.find((m: any) => m.sender === 'customer');
      assert.equal(first.firstMessageId, firstCustomer.id);
      const comeback = detail.messages.find((m: any) => m.text === '我又来了，想退货');
      assert.equal(current.firstMessageId, comeback.id);
      assert.ok(detail.messages.some((m: any) => m.id === current.firstMessageId));
    });

    test('the visits list who held the chat: an auto-assigned agent, both ends of a transfer, an agent an admin assigned; never the system or the admin who clicked', async () => {
      // issue 14 review: agentIds came from `status:…->assigned by <actor>` alone, so an
      // auto-assignment (`by system`) named nobody, an admin's assignment named the admin, and a
      // transfer's receiver was missing.
      const created = await svc.api('POST', '/api/channels', { kind: 'webchat', name: `auto-${randomBytes(3).toString('hex')}`, config: {}, handoff: { assignment: 'auto' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const autoChannel = created.body.id as string;
      const say = (visitorId: string, text: string) =>
        fetch(`${svc.url}/webchat/${autoChannel}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientMessageId: randomBytes(6).toString('hex'), visitorId, text }) });
      const detail = async (id: string) => (await svc.api('GET', `/api/conversations/${id}`)).body;
      const visitor = newVisitor();
      // A console tab keeps agent A online: the only one the handoff can go to.
      const tab = await openSse(`${svc.url}/api/events`, { cookie: agentA.cookie });
      let id: string;
      try {
        assert.equal((await agentA.api('PUT', '/api/me/presence', { presence: 'online' })).status, 200);
        assert.equal((await say(visitor, '转人工')).status, 202);
        const first = await storedConversation(visitor);
        id = first.id;
        const assigned = await waitFor('auto-assigned to A', async () => {
          const d = await detail(id);
          return d.status === 'assigned' ? d : null;
        });
        assert.equal(assigned.assigneeId, agentA.user.id);
        assert.ok(assigned.messages.some((m: any) => m.text === 'status:queued->assigned by system'), 'the note names the system only');
        assert.equal((await agentA.api('PUT', '/api/me/presence', { presence: 'offline' })).status, 200);
      } finally {
        tab.close();
      }
      // The admin (ADMIN_TOKEN) hands it to B, who closes it.
      assert.equal((await svc.api('POST', `/api/conversations/${id}/transfer`, { to: agentB.user.id })).status, 200);
      assert.equal((await agentB.api('POST', `/api/conversations/${id}/close`)).status, 200);
      // The second visit: queued again, and the admin assigns it to B, then closes it themselves.
      assert.equal((await say(visitor, '我又来了，转人工')).status, 202);
      await waitFor('queued again', async () => (await detail(id)).status === 'queued');
      const given = await svc.api('POST', `/api/conversations/${id}/assign`, { assigneeId: agentB.user.id });
      assert.equal(given.status, 200, JSON.stringify(given.body));
      assert.equal((await svc.api('POST', `/api/conversations/${id}/close`)).status, 200);

      const contactId = (await detail(id)).contact.id;
      const profile = (await agentA.api('GET', `/api/contacts/${contactId}`)).body;
      assert.deepEqual(profile.visits.map((v: any) => v.firstCustomerText), ['我又来了，转人工', '转人工']);
      assert.deepEqual(profile.visits.map((v: any) => v.agentIds), [[agentB.user.id], [agentA.user.id, agentB.user.id]]);
      const audit = (await svc.api('GET', '/api/audit?limit=1000')).body.items
        .filter((a: any) => a.action === 'conversation.assigned' && a.target === `conversation:${id}`);
      assert.deepEqual(audit.map((a: any) => a.details.to).sort(), [agentA.user.id, agentB.user.id].sort(), "an admin's assignment names its assignee, as an auto-assignment does");
    });

    test('GET /api/contacts/:id: 404 for no such contact or an id of the wrong shape; 401 without a session', async () => {
      for (const id of ['999999999', 'abc', '0', '99999999999999999999']) {
        const res = await agentA.api('GET', `/api/contacts/${id}`);
        assert.equal(res.status, 404, id);
        assert.equal(res.body.error.code, 'CONTACT.NOT_FOUND');
      }
      assert.equal((await fetch(`${svc.url}/api/contacts/${conversation.contact.id}`)).status, 401);
    });

    test('PUT /api/contacts/:id/note: one agent saves it, another sees who and when; audited and announced', async () => {
      const stream = await openSse(`${svc.url}/api/events`, { cookie: agentB.cookie });
      try {
        const saved = await agentA.api('PUT', `/api/contacts/${conversation.contact.id}/note`, { note: '  老客户，发顺丰。 \n上次投诉过包装  ' });
        assert.equal(saved.status, 200, JSON.stringify(saved.body));
        assert.equal(saved.body.note, '老客户，发顺丰。 \n上次投诉过包装');
        assert.equal(saved.body.noteUpdatedBy, agentA.user.id);
        assert.ok(Date.parse(saved.body.noteUpdatedAt) <= Date.now() + 1000);
        assert.equal(saved.body.visits.length, 2, 'the answer is the whole profile');
        const seen = (await agentB.api('GET', `/api/contacts/${conversation.contact.id}`)).body;
        assert.equal(seen.note, '老客户，发顺丰。 \n上次投诉过包装');
        assert.equal(seen.noteUpdatedBy, agentA.user.id);
        await waitFor('the announcement', () => stream.events.find((e) => e.event === 'conversation.updated' && e.data.conversationId === conversation.id));
      } finally {
        stream.close();
      }
      const audit = (await svc.api('GET', '/api/audit?limit=1000')).body.items.filter((a: any) => a.action === 'contact.note');
      assert.equal(audit.length, 1);
      assert.equal(audit[0].actor, agentA.user.id);
      assert.equal(audit[0].target, `contact:${conversation.contact.id}`);
      assert.ok(!JSON.stringify(audit[0]).includes('顺丰'), 'the note text stays out of the audit log');

      // Last write wins; '' clears.
      const overwritten = await agentB.api('PUT', `/api/contacts/${conversation.contact.id}/note`, { note: '已改为发京东' });
      assert.equal(overwritten.body.noteUpdatedBy, agentB.user.id);
      const cleared = await agentB.api('PUT', `/api/contacts/${conversation.contact.id}/note`, { note: '' });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.note, null);
      // 2000 characters as people count them.
      const long = await agentA.api('PUT', `/api/contacts/${conversation.contact.id}/note`, { note: '🙂'.repeat(2000) });
      assert.equal(long.status, 200, JSON.stringify(long.body));
      assert.equal([...long.body.note].length, 2000);
    });

    test('PUT /api/contacts/:id/note: bad input is a 400 and changes nothing; no such contact is a 404', async () => {
      const id = conversation.contact.id;
      assert.equal((await agentA.api('PUT', `/api/contacts/${id}/note`, { note: '保留这条' })).status, 200);
      const bad: unknown[] = [{ note: 'x'.repeat(2001) }, { note: 42 }, { note: null }, {}, { note: 'ok', extra: 1 }, 'not json', [{ note: 'x' }]];
      for (const body of bad) {
        const res = await agentA.api('PUT', `/api/contacts/${id}/note`, body);
        assert.equal(res.status, 400, JSON.stringify(body));
      }
      const wrongType = await agentA.api('PUT', `/api/contacts/${id}/note`, JSON.stringify({ note: 'x' }), { 'content-type': 'text/plain' });
      assert.equal(wrongType.status, 400);
      assert.equal((await agentA.api('GET', `/api/contacts/${id}`)).body.note, '保留这条');
      const missing = await agentA.api('PUT', '/api/contacts/999999999/note', { note: 'x' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'CONTACT.NOT_FOUND');
      // The CSRF check applies: a cookie session without the token changes nothing.
      const noCsrf = await fetch(`${svc.url}/api/contacts/${id}/note`, { method: 'PUT', headers: { cookie: agentA.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ note: 'csrf' }) });
      assert.equal(noCsrf.status, 403);
      assert.equal((await agentA.api('GET', `/api/contacts/${id}`)).body.note, '保留这条');
    });
  });

  describe('search', () => {
    const percent = newVisitor();
    const thousand = newVisitor();
    const underscore = newVisitor();

    before(async () => {
      assert.equal((await chat({ visitorId: percent, text: '满100%包邮吗', name: '钱多多' })).status, 202);
      assert.equal((await chat({ visitorId: thousand, text: '满1000包邮吗' })).status, 202);
      assert.equal((await chat({ visitorId: underscore, text: '订单号 A_1 查一下' })).status, 202);
      for (const v of [percent, thousand, underscore]) await storedConversation(v);
    });

    const search = async (q: string, extra = '') => {
      const res = await agentA.api('GET', `/api/conversations?q=${encodeURIComponent(q)}${extra}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.items as any[];
    };
    const ids = (items: any[]) => items.map((c) => c.contact.externalId).sort();

    test('by customer name, case-insensitively, with no text match to show', async () => {
      const found = await search('钱多');
      assert.deepEqual(ids(found), [percent]);
      assert.equal(found[0].match, null, 'the name matched, not a message');
      const zhang = await search('张三');
      assert.deepEqual(ids(zhang), ['zhangsan']);
    });

    test('by external id, in part and in any case', async () => {
      assert.deepEqual(ids(await search('ZHANGS')), ['zhangsan']);
      assert.deepEqual(ids(await search(thousand.slice(-10))), [thousand]);
    });

    test('by message text: the latest matching message comes with the result', async () => {
      const found = await search('1000包邮');
      assert.deepEqual(ids(found), [thousand]);
      assert.equal(found[0].match.text, '满1000包邮吗');
      assert.equal(found[0].match.sender, 'customer');
      const detail = (await agentA.api('GET', `/api/conversations/${found[0].id}`)).body;
      assert.ok(detail.messages.some((m: any) => m.id === found[0].match.messageId));
    });

    test('% and _ are plain characters, not wildcards', async () => {
      assert.deepEqual(ids(await search('100%')), [percent], '"100%" is not "100 followed by anything"');
      assert.deepEqual(ids(await search('%')), [percent]);
      assert.deepEqual(ids(await search('A_1')), [underscore]);
      const anyOne = ids(await search('_'));
      assert.ok(anyOne.includes(underscore));
      assert.ok(!anyOne.includes(percent) && !anyOne.includes(thousand), '"_" is not "any one character"');
    });

    test('combines with the other filters; a blank q is no search; a long one is a 400', async () => {
      assert.deepEqual(ids(await search('包邮', `&channelId=${webChannel}`)).sort(), [percent, thousand].sort());
      assert.deepEqual(ids(await search('包邮', `&channelId=${wecomChannel}`)), []);
      assert.deepEqual(ids(await search('包邮', '&status=assigned')), []);
      const all = await conversations();
      assert.equal((await search('   ')).length, all.length);
      const long = await agentA.api('GET', `/api/conversations?q=${'x'.repeat(101)}`);
      assert.equal(long.status, 400);
      const nul = await agentA.api('GET', '/api/conversations?q=a%00b');
      assert.equal(nul.status, 400);
      assert.equal((await agentA.api('GET', `/api/conversations?q=${'x'.repeat(100)}`)).status, 200);
    });

    test('by what the console shows a nameless visitor: 访客 n / Visitor n, n the contact id', async () => {
      // issue 14 review: the console labels them 访客 12 (contact-label.ts), and search missed it.
      const contactId = (await byExternalId(thousand)).contact.id;
      for (const q of [`访客 ${contactId}`, `访客${contactId}`, `Visitor ${contactId}`, `VISITOR${contactId}`, `访客 0${contactId}`]) {
        const found = await search(q);
        assert.deepEqual(ids(found), [thousand], q);
        assert.equal(found[0].match, null, 'the id matched, not a message');
      }
      assert.deepEqual(await search(`访客 ${contactId}99999`), [], 'the whole id, not a prefix of it');
      assert.deepEqual(await search(`访客 99999999999999999999999`), [], 'an id no contact can have is no error');
      assert.deepEqual(await search('访客'), [], 'the word alone matches no id');
    });

    test('message text is searched over the last 90 days; older chats are still found by name', async () => {
      // issue 14 review: an unindexed '%q%' over every message on each keystroke, bounded now.
      const old = newVisitor();
      assert.equal((await chat({ visitorId: old, text: '去年的订单 OLD-778899 怎么样了', name: '孙老客' })).status, 202);
      const conversation = await storedConversation(old);
      assert.deepEqual(ids(await search('OLD-778899')), [old], 'found while recent');
      await svc.service.db.query(`UPDATE messages SET created_at = created_at - interval '91 days' WHERE conversation_id = $1`, [conversation.id]);
      assert.deepEqual(await search('OLD-778899'), [], 'text older than 90 days is not searched');
      const byName = await search('孙老客');
      assert.deepEqual(ids(byName), [old]);
      assert.equal(byName[0].match, null, 'no old message is offered as the match');
    });

    test('system notes are not searched', async () => {
      // Every closed chat has a "status:…->closed by …" note; "closed by" is nobody's words.
      assert.deepEqual(await search('closed by'), []);
    });
  });
});
