import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';

/** The dashboard and the queue views of the console, after a few web chat visitors. */
describe(`admin dashboard figures and queue filters (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let channelId: string;
  const visitors = { answered: 'visitor-answered-0001', asksHuman: 'visitor-asks-human-0001', stumps: 'visitor-stumps-bot-0001' };
  const conversationOf = async (visitor: string) => {
    const list = await svc.api('GET', `/api/conversations?channelId=${channelId}`);
    return list.body.items.find((c: any) => c.contact.externalId === visitor);
  };
  const say = (visitor: string, text: string) => fetch(`${svc.url}/webchat/${channelId}/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitorId: visitor, text }),
  });

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage);
    const created = await svc.api('POST', '/api/channels', { kind: 'webchat', name: '官网客服', config: {} });
    assert.equal(created.status, 201);
    channelId = created.body.id;
    const kb = '{"instruction":"包邮吗","input":"","output":"全场满299元包邮。"}\n';
    assert.equal((await svc.api('POST', `/api/knowledge/import?channelId=${channelId}`, kb, { 'content-type': 'application/x-ndjson' })).status, 200);

    // One answer, one request for a human, one question the knowledge base cannot answer.
    for (const [visitor, text] of [[visitors.answered, '包邮吗'], [visitors.asksHuman, '转人工'], [visitors.stumps, '你们的量子计算机支持哪种纠错码']]) {
      assert.equal((await say(visitor, text)).status, 202);
    }
    await waitFor('three bot turns', async () => {
      const convs = await Promise.all(Object.values(visitors).map(conversationOf));
      if (convs.some((c) => !c)) return false;
      return convs[0].lastMessage?.sender === 'bot' && convs[1].status === 'queued' && convs[2].status === 'queued';
    });
  });
  after(async () => {
    await svc?.close();
    await storage?.dispose();
  });

  test('queued conversations say since when they wait; the bot\'s do not', async () => {
    const answered = await conversationOf(visitors.answered);
    const asks = await conversationOf(visitors.asksHuman);
    assert.equal(answered.waitingSince, null);
    assert.ok(asks.waitingSince, 'queued → waitingSince');
    assert.ok(Math.abs(Date.parse(asks.waitingSince) - Date.now()) < 60_000);
    const detail = await svc.api('GET', `/api/conversations/${asks.id}`);
    assert.equal(detail.body.waitingSince, asks.waitingSince);
  });

  test('?assignee= takes a user id, me or none', async () => {
    const asks = await conversationOf(visitors.asksHuman);
    const stumps = await conversationOf(visitors.stumps);
    const ids = async (query: string) => (await svc.api('GET', `/api/conversations?${query}`)).body.items.map((c: any) => c.id).sort();
    assert.deepEqual(await ids('status=queued&assignee=none'), [asks.id, stumps.id].sort());

    assert.equal((await svc.api('POST', `/api/conversations/${asks.id}/assign`)).status, 200);
    const assigned = await svc.api('GET', `/api/conversations/${asks.id}`);
    assert.equal(assigned.body.status, 'assigned');
    assert.equal(assigned.body.waitingSince, asks.waitingSince, 'still the moment the bot handed it over');
    assert.deepEqual(await ids('assignee=me'), [asks.id]);
    assert.deepEqual(await ids(`assignee=${encodeURIComponent(assigned.body.assigneeId)}`), [asks.id]);
    assert.deepEqual(await ids('status=queued&assignee=none'), [stumps.id]);
    assert.ok(!(await ids('assignee=none')).includes(asks.id));

    assert.equal((await svc.api('POST', `/api/conversations/${asks.id}/messages`, { text: '您好，我是客服小王' })).status, 201);
  });

  test('GET /api/stats counts what happened, by sender, reason and hour', async () => {
    const asks = await conversationOf(visitors.asksHuman);
    const stumps = await conversationOf(visitors.stumps);
    assert.equal(asks.handoffReason, 'customer_request');
    assert.equal(stumps.handoffReason, 'low_confidence');

    const res = await svc.api('GET', '/api/stats?range=24h');
    assert.equal(res.status, 200);
    const s = res.body;
    assert.equal(s.range, '24h');
    assert.ok(Date.now() - Date.parse(s.since) <= 24 * 3600_000 && Date.now() - Date.parse(s.since) > 23 * 3600_000);
    // Bot: one answer and two holding messages; the system notes are not messages.
    assert.deepEqual(s.messages, { customer: 3, bot: 3, agent: 1 });
    assert.equal(s.answeredByBot, 1, 'holding messages are not answers');
    assert.equal(s.handedOff, 2);
    assert.deepEqual(s.handoffsByReason, { customer_request: 1, low_confidence: 1 });
    assert.equal(typeof s.medianSecondsToHuman, 'number');
    assert.ok(s.medianSecondsToHuman >= 0 && s.medianSecondsToHuman < 120);

    assert.equal(s.confidence.length, 10);
    assert.deepEqual([s.confidence[0].from, s.confidence[0].to, s.confidence[9].from, s.confidence[9].to], [0, 0.1, 0.9, 1]);
    // The answer and the low-confidence handoff carry a confidence; the customer's request for a human does not.
    assert.equal(s.confidence.reduce((n: number, b: any) => n + b.count, 0), 2);

    assert.equal(s.series.length, 24);
    const hours = s.series.map((p: any) => Date.parse(p.at));
    assert.equal(hours[0], Date.parse(s.since));
    assert.ok(hours.every((t: number, i: number) => i === 0 || t - hours[i - 1] === 3600_000), 'consecutive hours');
    const total = (key: string) => s.series.reduce((n: number, p: any) => n + p[key], 0);
    assert.deepEqual([total('customer'), total('bot'), total('agent'), total('handoffs')], [3, 3, 1, 2]);
    assert.ok(s.series.filter((p: any) => p.customer + p.bot + p.agent + p.handoffs === 0).length >= 22, 'empty hours are zero-filled');
  });

  test('range=7d is daily; anything else is refused', async () => {
    const week = await svc.api('GET', '/api/stats?range=7d');
    assert.equal(week.status, 200);
    assert.equal(week.body.series.length, 7);
    const days = week.body.series.map((p: any) => Date.parse(p.at));
    assert.ok(days.every((t: number, i: number) => i === 0 || t - days[i - 1] === 86_400_000));
    assert.deepEqual(week.body.messages, { customer: 3, bot: 3, agent: 1 });
    assert.equal(week.body.handedOff, 2);
    for (const bad of ['30d', '24H', '', 'x']) {
      const res = await svc.api('GET', `/api/stats?range=${bad}`);
      assert.equal(res.status, 400, `range=${bad}`);
      assert.equal(res.body.error.code, 'REQUEST.INVALID');
    }
    assert.equal((await svc.api('GET', '/api/stats')).body.range, '24h', 'the default');
  });

  test('utcOffset moves the day buckets to the viewer\'s midnight and counts the same messages; a bad offset is a 400', async () => {
    const shanghai = await svc.api('GET', '/api/stats?range=7d&utcOffset=480');
    assert.equal(shanghai.status, 200);
    const since = new Date(shanghai.body.since);
    assert.equal((since.getTime() + 480 * 60_000) % 86_400_000, 0, `a day starts at midnight UTC+8 (since ${shanghai.body.since})`);
    assert.ok(Date.now() - since.getTime() <= 7 * 86_400_000 && Date.now() - since.getTime() > 6 * 86_400_000, 'seven days ending with the current one');
    assert.deepEqual(shanghai.body.messages, { customer: 3, bot: 3, agent: 1 });
    for (const bad of ['abc', '1.5', '841', '-721']) {
      const res = await svc.api('GET', `/api/stats?range=7d&utcOffset=${bad}`);
      assert.equal(res.status, 400, `utcOffset=${bad}`);
      assert.equal(res.body.error.code, 'REQUEST.INVALID');
    }
  });
});
