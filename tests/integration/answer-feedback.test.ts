import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeModelServer } from '../fakes/fake-model-server.js';
import { createStorage, login, mode, startTestService, waitFor, type LoginSession, type Storage, type TestService } from '../support/harness.js';
import { afterBotTurn, createWebchatChannel, customerSays, newVisitor } from '../support/learning-fixture.js';

/** issue 12 item 4: agents rate bot answers in the console; every rating is a label, stored once per message and audited. */
describe(`feedback on bot answers (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let model: FakeModelServer;
  let agent: LoginSession;
  let channelId: string;
  let answered: any;
  let conversationId: string;

  const feedbackAudits = async () => (await svc.api('GET', '/api/audit?limit=1000')).body.items.filter((a: any) => a.action === 'message.feedback');
  const messagesOf = async (id: string) => (await agent.api('GET', `/api/conversations/${id}/messages`)).body.items;
  const calibration = async () => (await svc.api('GET', `/api/channels/${channelId}/calibration`)).body;

  before(async () => {
    model = await new FakeModelServer().start();
    // Confidence = exp(logprob) when every token has the same logprob (domain/confidence.ts).
    model.reply = (body) => body.messages.at(-1)!.content.includes('包邮')
      ? { content: '亲，满299元包邮哦~', logprobs: Math.log(0.9) }
      : { content: '这个我不太确定', logprobs: Math.log(0.05) };
    storage = await createStorage();
    svc = await startTestService(storage, { MODEL_BASE_URL: model.url });
    channelId = await createWebchatChannel(svc);
    const created = await svc.api('POST', '/api/users', { email: 'agent@shop.test', name: '小王', role: 'agent', password: 'agent-password-1' });
    assert.equal(created.status, 201);
    agent = await login(svc.url, 'agent@shop.test', 'agent-password-1');

    const visitor = newVisitor();
    await customerSays(svc, channelId, visitor, '我电话13812345678，包邮吗');
    const conversation = await afterBotTurn(svc, channelId, visitor);
    conversationId = conversation.id;
    answered = conversation.messages.find((m: any) => m.sender === 'bot');
    assert.ok(Math.abs(answered.confidence - 0.9) < 1e-6, `the bot answered at 0.9 (got ${answered.confidence})`);
  });
  after(async () => {
    await svc?.close();
    await model?.close();
    await storage?.dispose();
  });

  test('a bot answer shows no feedback until it is rated', async () => {
    const bot = (await messagesOf(conversationId)).find((m: any) => m.id === answered.id);
    assert.equal(bot.feedback, null);
    const customer = (await messagesOf(conversationId)).find((m: any) => m.sender === 'customer');
    assert.ok(!('feedback' in customer), 'only bot messages carry feedback');
  });

  test('bad input, missing messages and non-bot messages are refused and change nothing', async () => {
    const customer = (await messagesOf(conversationId)).find((m: any) => m.sender === 'customer');
    const post = (id: string, body: unknown) => agent.api('POST', `/api/messages/${id}/feedback`, body);
    for (const body of [{}, { verdict: 'meh' }, { verdict: 'bad', correction: '' }, { verdict: 'bad', correction: '   ' }, { verdict: 'bad', correction: 'x'.repeat(8001) }, { verdict: 'good', extra: 1 }, 'not json']) {
      const r = await post(answered.id, body);
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    const notBot = await post(customer.id, { verdict: 'good' });
    assert.deepEqual([notBot.status, notBot.body.error.code], [400, 'FEEDBACK.NOT_BOT_MESSAGE']);
    for (const id of ['999999999', 'abc']) {
      const r = await post(id, { verdict: 'good' });
      assert.deepEqual([r.status, r.body.error.code], [404, 'MESSAGE.NOT_FOUND'], id);
    }
    assert.equal((await feedbackAudits()).length, 0);
    assert.equal((await calibration()).labelled, 0);
    assert.equal((await messagesOf(conversationId)).find((m: any) => m.id === answered.id).feedback, null);
  });

  test('a holding message (a bot text without confidence) cannot be rated', async () => {
    const visitor = newVisitor();
    // Nothing in the shop's knowledge is about physics: every version of the retrieval hands this off.
    await customerSays(svc, channelId, visitor, '量子纠缠的原理是什么');
    const conversation = await afterBotTurn(svc, channelId, visitor);
    assert.equal(conversation.handoffReason, 'low_confidence');
    const holding = conversation.messages.find((m: any) => m.sender === 'bot');
    assert.equal(holding.confidence, null);
    const r = await agent.api('POST', `/api/messages/${holding.id}/feedback`, { verdict: 'good' });
    assert.deepEqual([r.status, r.body.error.code], [400, 'FEEDBACK.NOT_RATEABLE']);
    assert.equal((await calibration()).labelled, 0);
  });

  test('an agent rates an answer: stored, shown, audited; a later verdict replaces it', async () => {
    const good = await agent.api('POST', `/api/messages/${answered.id}/feedback`, { verdict: 'good' });
    assert.equal(good.status, 200);
    assert.deepEqual({ ...good.body, at: undefined }, { messageId: answered.id, verdict: 'good', correction: null, by: agent.user.id, at: undefined });
    assert.ok(!Number.isNaN(Date.parse(good.body.at)));
    assert.deepEqual((await messagesOf(conversationId)).find((m: any) => m.id === answered.id).feedback, { verdict: 'good', correction: null });

    const bad = await agent.api('POST', `/api/messages/${answered.id}/feedback`, { verdict: 'bad', correction: '  满399元才包邮，新疆西藏不包邮  ' });
    assert.equal(bad.status, 200);
    assert.equal(bad.body.correction, '满399元才包邮，新疆西藏不包邮', 'trimmed');
    assert.deepEqual((await messagesOf(conversationId)).find((m: any) => m.id === answered.id).feedback, { verdict: 'bad', correction: '满399元才包邮，新疆西藏不包邮' });

    const cal = await calibration();
    assert.deepEqual([cal.labelled, cal.good, cal.bad], [1, 0, 1], 'one label per message');
    const audits = await feedbackAudits();
    assert.deepEqual(audits.map((a: any) => [a.actor, a.target, a.details]).reverse(), [
      [agent.user.id, `message:${answered.id}`, { verdict: 'good', corrected: false }],
      [agent.user.id, `message:${answered.id}`, { verdict: 'bad', corrected: true }],
    ]);
  });

  test('a correction on a bad answer is proposed as a new entry, with the customer\'s phone number masked', async () => {
    const items = await waitFor('the suggestion', async () => {
      const r = await svc.api('GET', '/api/knowledge/suggestions?status=open');
      return r.body.items.length ? r.body.items : null;
    });
    assert.equal(items.length, 1);
    const [s] = items;
    assert.deepEqual(
      { question: s.question, answer: s.answer, entryId: s.entryId, entry: s.entry, source: s.source, status: s.status, channelId: s.channelId, conversationId: s.conversationId },
      { question: '我电话[手机号]，包邮吗', answer: '满399元才包邮，新疆西藏不包邮', entryId: null, entry: null, source: 'correction', status: 'open', channelId, conversationId },
    );
    // Agents review nothing: suggestions are the admins'.
    assert.equal((await agent.api('GET', '/api/knowledge/suggestions')).status, 403);
  });
});
