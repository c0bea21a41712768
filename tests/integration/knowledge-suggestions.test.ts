import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { addEntry, afterBotTurn, createWebchatChannel, customerSays, newVisitor } from '../support/learning-fixture.js';

const HUABEI_OUTPUT = '支持花呗分期付款，下单结算时选择花呗即可。';
/** Asked nowhere in the knowledge base: the bot hands it off for low confidence. */
const QUESTION = '蚂蚁那个先享后付能用不';

/**
 * issue 12 item 5 (and the agent_answer labels of item 4), end to end. Real mode: two service
 * instances on one PostgreSQL and one Redis, as in multi-process.test.ts. Embedded mode: PGlite
 * cannot be shared by two services, so "both" is the one service there.
 */
describe(`learning from agents' answers (${mode}${mode === 'real' ? ', two processes' : ', one process'})`, () => {
  let storage: Storage;
  let a: TestService;
  let b: TestService;
  let channelId: string;
  let huabeiId: string;

  const open = async () => (await a.api('GET', '/api/knowledge/suggestions')).body.items;
  /** A customer asks, the bot hands off, the admin takes the chat and answers with `reply`. */
  async function agentAnswers(question: string, ...replies: string[]): Promise<string> {
    const visitor = newVisitor();
    await customerSays(a, channelId, visitor, question);
    const conversation = await afterBotTurn(a, channelId, visitor);
    assert.equal(conversation.status, 'queued', `the bot handed off ${question} (${JSON.stringify(conversation.messages.map((m: any) => [m.sender, m.text, m.confidence]))})`);
    assert.equal((await a.api('POST', `/api/conversations/${conversation.id}/assign`)).status, 200);
    for (const text of replies) assert.equal((await a.api('POST', `/api/conversations/${conversation.id}/messages`, { text })).status, 201);
    return conversation.id;
  }

  before(async () => {
    storage = await createStorage();
    a = await startTestService(storage);
    b = mode === 'real' ? await startTestService(storage) : a;
    channelId = await createWebchatChannel(a);
    // A shared entry (every channel), and one of this channel's own.
    huabeiId = await addEntry(a, null, '可以用花呗吗', HUABEI_OUTPUT);
    await addEntry(a, channelId, '包邮吗', '全场满299元包邮，偏远地区除外。');
  });
  after(async () => {
    if (b !== a) await b?.close();
    await a?.close();
    await storage?.dispose();
  });

  test('an agent answering a handed-off question with an entry\'s answer yields a phrasing suggestion and a label', async () => {
    const conversationId = await agentAnswers(QUESTION, `亲~ ${HUABEI_OUTPUT}哦`);
    const [s] = await waitFor('the suggestion', async () => ((await open()).length ? open() : null));
    assert.deepEqual(
      { question: s.question, answer: s.answer, entryId: s.entryId, entry: s.entry, source: s.source, status: s.status, channelId: s.channelId, conversationId: s.conversationId },
      { question: QUESTION, answer: `亲~ ${HUABEI_OUTPUT}哦`, entryId: huabeiId, entry: { instruction: '可以用花呗吗', output: HUABEI_OUTPUT }, source: 'agent_reply', status: 'open', channelId, conversationId },
    );
    // The bot's low_confidence handoff became a label at the confidence it had.
    const calibration = await waitFor('the label', async () => {
      const c = (await a.api('GET', `/api/channels/${channelId}/calibration`)).body;
      return c.labelled > 0 ? c : null;
    });
    assert.equal(calibration.labelled, 1);
  });

  test('the same question answered again does not pile up', async () => {
    await agentAnswers(`${QUESTION}？`, HUABEI_OUTPUT);
    // The second label shows that the second reply was processed; the suggestion count stays at one.
    await waitFor('the second label', async () => (await a.api('GET', `/api/channels/${channelId}/calibration`)).body.labelled === 2);
    assert.equal((await open()).length, 1);
  });

  test('fillers teach nothing; a real answer after one becomes a new-entry suggestion, masked', async () => {
    const conversationId = await agentAnswers('我手机13912345678，有没有红色款的', '好的，稍等', '红色款已经卖完了，下周三补货');
    const s = await waitFor('the new-entry suggestion', async () => (await open()).find((x: any) => x.conversationId === conversationId));
    assert.deepEqual([s.question, s.answer, s.entryId, s.entry], ['我手机[手机号]，有没有红色款的', '红色款已经卖完了，下周三补货', null, null]);
    assert.equal((await open()).filter((x: any) => x.conversationId === conversationId).length, 1, 'nothing from 好的，稍等');
  });

  test('reject: only an open suggestion; audited', async () => {
    const conversationId = await agentAnswers('可以寄到新加坡吗', '目前只发中国大陆，海外地址暂时不发货');
    const s = await waitFor('the suggestion', async () => (await open()).find((x: any) => x.conversationId === conversationId));
    const rejected = await a.api('POST', `/api/knowledge/suggestions/${s.id}/reject`);
    assert.deepEqual([rejected.status, rejected.body.suggestion.status], [200, 'rejected']);
    const again = await a.api('POST', `/api/knowledge/suggestions/${s.id}/reject`);
    assert.deepEqual([again.status, again.body.error.code], [409, 'SUGGESTION.NOT_OPEN']);
    assert.equal((await a.api('POST', `/api/knowledge/suggestions/${s.id}/accept`)).status, 409);
    assert.ok((await a.api('GET', '/api/knowledge/suggestions?status=rejected')).body.items.some((x: any) => x.id === s.id));
    assert.ok(!(await open()).some((x: any) => x.id === s.id));
    const audit = (await a.api('GET', '/api/audit?limit=50')).body.items.find((x: any) => x.action === 'knowledge.suggestion.reject');
    assert.equal(audit.target, `knowledge-suggestion:${s.id}`);
    assert.equal((await a.api('POST', '/api/knowledge/suggestions/999999999/reject')).status, 404);
    assert.equal((await a.api('GET', '/api/knowledge/suggestions?status=maybe')).status, 400);
  });

  test('accept with an edited answer creates the entry in the conversation\'s channel', async () => {
    const s = (await open()).find((x: any) => x.entryId === null);
    assert.equal((await a.api('POST', `/api/knowledge/suggestions/${s.id}/accept`, { output: '' })).status, 400, 'same limits as an entry');
    const r = await a.api('POST', `/api/knowledge/suggestions/${s.id}/accept`, { instruction: '有红色款吗', output: '红色款下周三补货，可以先收藏哦' });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.suggestion.status, r.body.entry.channelId, r.body.entry.instruction, r.body.entry.input, r.body.entry.output], ['accepted', channelId, '有红色款吗', '', '红色款下周三补货，可以先收藏哦']);
  });

  test('accepting the phrasing (two admins at once: one entry), then new customers get the entry\'s answer on both processes', async () => {
    const s = (await open()).find((x: any) => x.entryId === huabeiId);
    const before = (await a.api('GET', '/api/knowledge?limit=500')).body.items.length;
    const results = await Promise.all([a.api('POST', `/api/knowledge/suggestions/${s.id}/accept`), b.api('POST', `/api/knowledge/suggestions/${s.id}/accept`)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
    const { entry } = results.find((r) => r.status === 200)!.body;
    assert.deepEqual([entry.instruction, entry.input, entry.output, entry.channelId], [QUESTION, '', HUABEI_OUTPUT, null], 'the matched entry\'s answer, in its (shared) scope');
    assert.equal((await a.api('GET', '/api/knowledge?limit=500')).body.items.length, before + 1);
    const audits = (await a.api('GET', '/api/audit?limit=50')).body.items.filter((x: any) => x.action === 'knowledge.suggestion.accept' && x.target === `knowledge-suggestion:${s.id}`);
    assert.equal(audits.length, 1);
    assert.equal(audits[0].details.entryId, entry.id);

    // Every process's index picks the entry up from the repository's version (checked once a second).
    for (const svc of new Set([a, b])) {
      await waitFor('the new entry in this process\'s index', async () => (await svc.service.core.search.search(channelId, QUESTION, 1))[0]?.entry.id === entry.id);
    }
    for (const svc of new Set([a, b])) {
      const visitor = newVisitor();
      await customerSays(svc, channelId, visitor, QUESTION);
      const conversation = await afterBotTurn(svc, channelId, visitor);
      const bot = conversation.messages.find((m: any) => m.sender === 'bot');
      assert.deepEqual([conversation.status, bot.text], ['bot', HUABEI_OUTPUT], JSON.stringify(conversation.messages.map((m: any) => [m.sender, m.text, m.confidence])));
      assert.ok(bot.confidence >= 0.6);
    }
  });
});
