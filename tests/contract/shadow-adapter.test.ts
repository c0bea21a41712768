import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { droppedShadowTurns, SHADOW_IN_FLIGHT } from '../../src/usecases/run-shadow-turn.js';
import { FakeModelServer, type ChatRequestBody } from '../fakes/fake-model-server.js';
import { FakeWecomApi } from '../fakes/fake-wecom-api.js';
import { createStorage, mode, startTestService, waitFor, type Storage, type TestService } from '../support/harness.js';
import { createWecomChannel, newWecomApp, postText, startFakeWecom } from '../support/wecom-channel.js';

/**
 * issue 13 item 4: a shadow adapter answers every model turn of its channel in the background,
 * against the fake OpenAI-compatible server with two adapters that answer differently. It never
 * sends, never delays the live reply, and its node failing never touches the live turn.
 */
const LIVE = 'support-v1';
const SHADOW = 'support-v2';
const question = (body: ChatRequestBody) => body.messages.at(-1)!.content;

describe(`shadow adapter (${mode})`, () => {
  const app = newWecomApp();
  let storage: Storage;
  let wecom: FakeWecomApi;
  let model: FakeModelServer;
  let svc: TestService;
  let channelId: string;
  let seq = 0;

  before(async () => {
    wecom = await startFakeWecom(app);
    model = await new FakeModelServer().start();
    model.models = ['qwen2.5-7b-instruct', LIVE, SHADOW];
    model.reply = (body) => {
      const q = question(body);
      if (body.model === SHADOW) return { content: q.includes('包邮') ? '亲，满299元包邮哦' : `影子回答：${q}`, logprobs: -0.2 };
      if (q.includes('退款')) return { content: '可能可以退吧', logprobs: -2 };
      return { content: q.includes('包邮') ? '亲，满299元包邮哦~' : `现役回答：${q}`, logprobs: -0.01 };
    };
    storage = await createStorage();
    // A long timeout: held shadow requests stay in flight for as long as a test holds them.
    svc = await startTestService(storage, { WECOM_API_BASE: wecom.url, MODEL_BASE_URL: model.url, MODEL_TIMEOUT_MS: '15000' });
    channelId = await createWecomChannel(svc, app, { model: { name: LIVE, threshold: 0.6 } });
    const set = await svc.api('PUT', `/api/channels/${channelId}/model/shadow`, { adapter: SHADOW });
    assert.equal(set.status, 200);
  });
  after(async () => {
    await svc?.close();
    await model?.close();
    await wecom?.close();
    await storage?.dispose();
  });

  const ask = async (text: string) => {
    seq += 1;
    const from = `cust-${seq}`;
    assert.equal((await postText(svc, channelId, app, { from, content: text, msgId: String(7_100_000_000 + seq) })).status, 200);
    return from;
  };
  const stats = async () => (await svc.api('GET', `/api/channels/${channelId}/model`)).body.shadow_stats;
  const shadowRequests = (q: string) => model.requests.filter((r) => r.model === SHADOW && question(r) === q);
  const outboxTexts = async () =>
    (await svc.service.db.query<{ text: string }>('SELECT m.text FROM outbox o JOIN messages m ON m.id = o.message_id')).rows.map((r) => r.text);

  test('the shadow answers the same prompt and is stored, never sent: only the live answer reaches the customer', async () => {
    const from = await ask('几天发货');
    const sent = await waitFor('the live reply', () => wecom.sent.find((m) => m.touser === from));
    assert.equal(sent.content, '现役回答：几天发货');
    const s = await waitFor('the shadow answer stored', async () => ((await stats()).turns >= 1 ? stats() : null));
    assert.deepEqual([s.turns, s.failed, s.agreeWithLive], [1, 0, 0]);
    assert.deepEqual(s.recent[0], { question: '几天发货', live: '现役回答：几天发货', shadow: '影子回答：几天发货', shadowConfidence: s.recent[0].shadowConfidence, agreed: false, at: s.recent[0].at });
    // The same prompt: system message (knowledge included), history and question, only the adapter differs.
    const live = model.requests.find((r) => r.model === LIVE && question(r) === '几天发货')!;
    assert.deepEqual(shadowRequests('几天发货')[0].messages, live.messages);

    const agreeing = await ask('包邮吗');
    await waitFor('the live reply', () => wecom.sent.find((m) => m.touser === agreeing));
    const s2 = await waitFor('the second shadow answer', async () => ((await stats()).turns >= 2 ? stats() : null));
    assert.equal(s2.agreeWithLive, 0.5, 'one of two matches the live answer (亲 and ~ do not count)');
    assert.ok(s2.meanConfidence > 0 && s2.meanConfidence < 1);
    assert.equal(s2.confidenceBuckets.reduce((n: number, b: any) => n + b.count, 0), 2);

    const everything = [...wecom.sent.map((m) => m.content), ...(await outboxTexts())].join('\n');
    assert.doesNotMatch(everything, /影子回答/);
    assert.ok(!wecom.sent.some((m) => m.content === '亲，满299元包邮哦'), 'the shadow text never went out');
    const conv = (await svc.api('GET', '/api/conversations?limit=100')).body.items.find((c: any) => c.contact.externalId === from);
    const messages = (await svc.api('GET', `/api/conversations/${conv.id}`)).body.messages;
    assert.deepEqual(messages.map((m: any) => [m.sender, m.text]), [['customer', '几天发货'], ['bot', '现役回答：几天发货']]);
  });

  test('the stored live and shadow texts are PII-masked like the question (review item 4)', async () => {
    // Both adapters echo the question, so both answers carry the customer's phone number and e-mail.
    const q = '我的手机13812345678，邮箱li@example.com';
    const from = await ask(q);
    const sent = await waitFor('the live reply', () => wecom.sent.find((m) => m.touser === from));
    assert.match(sent.content, /13812345678/, 'the customer still gets the answer as the model wrote it');
    const row = await waitFor('the shadow answer stored', async () => {
      const r = await svc.service.db.query<{ question: string; live_text: string | null; shadow_text: string | null }>(
        'SELECT question, live_text, shadow_text FROM shadow_answers WHERE channel_id = $1 AND question LIKE $2', [channelId, '我的手机%']);
      return r.rows[0] ?? null;
    });
    assert.deepEqual(row, { question: '我的手机[手机号]，邮箱[邮箱]', live_text: '现役回答：我的手机[手机号]，邮箱[邮箱]', shadow_text: '影子回答：我的手机[手机号]，邮箱[邮箱]' });
    const recent = (await stats()).recent.find((r: any) => r.question.startsWith('我的手机'));
    assert.deepEqual([recent.live, recent.shadow], [row.live_text, row.shadow_text]);
  });

  test('a held shadow request does not delay the live reply, nor the next turn', async () => {
    const release = model.holdWhen((b) => b.model === SHADOW);
    try {
      const from = await ask('发什么快递');
      await waitFor('the shadow request, held', () => shadowRequests('发什么快递').length === 1);
      // The shadow starts only after the live sends: the reply is out while the shadow is still held.
      assert.ok(wecom.sent.some((m) => m.touser === from && m.content === '现役回答：发什么快递'));
      const next = await ask('可以开发票吗');
      await waitFor('the next live reply while the shadow is still held', () => wecom.sent.find((m) => m.touser === next));
      const before = await stats();
      assert.ok(!before.recent.some((r: any) => r.question === '发什么快递'), 'nothing stored while held');
    } finally {
      release();
    }
    await waitFor('the held shadow answer stored', async () => (await stats()).recent.some((r: any) => r.question === '发什么快递'));
  });

  test(`at most ${SHADOW_IN_FLIGHT} shadow calls in flight; the rest are dropped and counted, the live replies all go out`, async () => {
    const release = model.holdWhen((b) => b.model === SHADOW);
    const dropped = droppedShadowTurns();
    const questions = Array.from({ length: SHADOW_IN_FLIGHT + 2 }, (_, i) => `并发问题${i}`);
    try {
      const customers: string[] = [];
      for (const q of questions) customers.push(await ask(q));
      await waitFor('every live reply', () => customers.every((c) => wecom.sent.some((m) => m.touser === c)));
      await waitFor('the dropped shadow turns counted', () => droppedShadowTurns() - dropped === 2);
      assert.equal(questions.filter((q) => shadowRequests(q).length > 0).length, SHADOW_IN_FLIGHT);
    } finally {
      release();
    }
    await waitFor('the held shadow answers stored', async () => (await stats()).recent.filter((r: any) => questions.includes(r.question)).length === SHADOW_IN_FLIGHT);
  });

  test('a live handoff: the shadow is compared with what the agent then wrote', async () => {
    const from = await ask('退款怎么申请');
    await waitFor('the holding message', () => wecom.sent.find((m) => m.touser === from && m.content.includes('人工')));
    const conv = (await svc.api('GET', '/api/conversations?limit=100')).body.items.find((c: any) => c.contact.externalId === from);
    assert.equal(conv.handoffReason, 'low_confidence');
    await waitFor('the shadow answer of the handoff', async () => (await stats()).recent.some((r: any) => r.question === '退款怎么申请'));
    const agentsBefore = (await stats()).agentAnswered;
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/assign`)).status, 200);
    assert.equal((await svc.api('POST', `/api/conversations/${conv.id}/messages`, { text: '影子回答：退款怎么申请' })).status, 201);
    const s = await stats();
    assert.equal(s.agentAnswered, agentsBefore + 1);
    const row = s.recent.find((r: any) => r.question === '退款怎么申请');
    assert.deepEqual([row.live, row.agreed], ['影子回答：退款怎么申请', true]);
    assert.equal(s.agreeWithAgent, 1);
  });

  test('the shadow adapter failing (its node down) records failed rows; live turns and the live circuit are untouched', async () => {
    model.failWhen = (b) => (b.model === SHADOW ? 503 : null);
    const before = await stats();
    const customers: string[] = [];
    try {
      // Until the shadow's own breaker opens (its window still holds the earlier tests' successes).
      for (let i = 0; svc.service.core.shadowResponder.health?.().available !== false; i++) {
        assert.ok(i < 60, "the shadow's circuit should open under failures");
        const from = await ask(`故障期间的问题${i}`);
        customers.push(from);
        await waitFor('the live reply', () => wecom.sent.some((m) => m.touser === from && m.content.startsWith('现役回答')));
        await waitFor('the failed shadow row', async () => (await stats()).failed - before.failed === customers.length);
      }
      // Open: later shadow calls fail fast; still failed rows, still no effect on the live turn.
      const more = await ask('熔断后的问题');
      customers.push(more);
      await waitFor('the live reply', () => wecom.sent.some((m) => m.touser === more && m.content === '现役回答：熔断后的问题'));
      const s = await waitFor('the failed shadow rows', async () => {
        const now = await stats();
        return now.failed - before.failed === customers.length ? now : null;
      });
      assert.equal(s.turns - before.turns, customers.length);
      assert.equal(svc.service.core.responder.health?.().available, true, 'the live circuit stays closed');
    } finally {
      model.failWhen = null;
    }
    const conversations = (await svc.api('GET', '/api/conversations?limit=200')).body.items.filter((c: any) => customers.includes(c.contact.externalId));
    assert.deepEqual(conversations.map((c: any) => c.status), customers.map(() => 'bot'), 'no live turn was handed off');
    // The node back, the shadow's breaker closes through its own probe.
    await waitFor('the shadow circuit to close again', () => svc.service.core.shadowResponder.health?.().available === true);
  });

  test('no shadow set: no shadow calls', async () => {
    await svc.api('PUT', `/api/channels/${channelId}/model/shadow`, { adapter: null });
    const from = await ask('周末发货吗');
    await waitFor('the live reply', () => wecom.sent.find((m) => m.touser === from));
    // A shadow set again afterwards answers the next question: had the first turn started one, it would have come first.
    await svc.api('PUT', `/api/channels/${channelId}/model/shadow`, { adapter: SHADOW });
    const later = await ask('周日发货吗');
    await waitFor('the live reply', () => wecom.sent.find((m) => m.touser === later));
    await waitFor('the later shadow request', () => shadowRequests('周日发货吗').length === 1);
    assert.equal(shadowRequests('周末发货吗').length, 0);
  });
});
