import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Channel } from '../../src/domain/channel.js';
import type { ConversationStatus } from '../../src/domain/conversation.js';
import { ModelUnavailableError, PlatformError } from '../../src/domain/errors.js';
import type { Message } from '../../src/domain/message.js';
import type { TurnContext } from '../../src/ports/conversation-store.js';
import type { KnowledgeHit } from '../../src/ports/responder.js';
import { NO_KNOWLEDGE_REPLY } from '../../src/model/knowledge-base-responder.js';
import { decideTurn, QUEUED_ACKNOWLEDGEMENT } from '../../src/usecases/decide-turn.js';
import { FakeKnowledgeSearch, FakeLog, FakeResponder, fakeDeps, makeChannel, makeContact, makeConversation, makeMessage } from '../support/fake-ports.js';

const hit: KnowledgeHit = { entry: { id: 'k1', channelId: null, instruction: '几点发货', input: '', output: '下午四点前下单当天发货' }, score: 0.92 };

function ctx(pending: Message[], history: Message[] = [], status: ConversationStatus = 'bot'): TurnContext {
  return { conversation: makeConversation({ status }), contact: makeContact(), pending, history };
}

function withModel(reply: ConstructorParameters<typeof FakeResponder>[0] = { text: '下午四点前下单当天发货', confidence: 0.9 }) {
  const responder = new FakeResponder(reply);
  const search = new FakeKnowledgeSearch([hit]);
  const log = new FakeLog();
  const deps = fakeDeps({ responder, search, log, settings: { defaultModelName: 'qwen-default', knowledgeHits: 4 } });
  return { deps, responder, search, log };
}

/** Deps where touching the model or search throws: proves a rule decided without them. */
const noModel = () => fakeDeps();

const channel = (over: Partial<Channel> = {}) =>
  makeChannel({
    welcomeMessage: '您好，有什么可以帮您？',
    model: { name: null, threshold: 0.6, systemPrompt: '你是客服' },
    handoff: { keywords: [], holdingMessage: '已为您转接人工客服，请稍候~' },
    ...over,
  });

const ask = (text: string) => makeMessage('customer', text);
const event = (name: string) => makeMessage('customer', name, 'event');

describe('decideTurn', () => {
  for (const status of ['queued', 'assigned', 'closed'] as const) {
    test(`a ${status} conversation is store_only, the bot stays out`, async () => {
      assert.deepEqual(await decideTurn(noModel(), channel(), ctx([ask('几点发货')], [], status)), { type: 'store_only' });
    });
  }

  test('转人工 from a customer already queued is acknowledged, without asking the model (issue 12)', async () => {
    assert.deepEqual(await decideTurn(noModel(), channel(), ctx([ask('转人工！！')], [], 'queued')), { type: 'acknowledge', text: QUEUED_ACKNOWLEDGEMENT });
  });

  test('转人工 while an agent holds the chat, or other words while queued, stay store_only', async () => {
    assert.deepEqual(await decideTurn(noModel(), channel(), ctx([ask('转人工')], [], 'assigned')), { type: 'store_only' });
    assert.deepEqual(await decideTurn(noModel(), channel(), ctx([ask('几点发货')], [], 'queued')), { type: 'store_only' });
    assert.deepEqual(await decideTurn(noModel(), channel({ enabled: false }), ctx([ask('转人工')], [], 'queued')), { type: 'store_only' });
  });

  test('a turned-off channel is store_only', async () => {
    assert.deepEqual(await decideTurn(noModel(), channel({ enabled: false }), ctx([ask('几点发货')])), { type: 'store_only' });
  });

  test("an 'enter' event alone gets the channel's welcome message", async () => {
    assert.deepEqual(await decideTurn(noModel(), channel(), ctx([event('enter')])), { type: 'welcome', text: '您好，有什么可以帮您？' });
  });

  test('an enter event on a channel without a welcome message welcomes with null', async () => {
    assert.deepEqual(await decideTurn(noModel(), channel({ welcomeMessage: null }), ctx([event('enter')])), { type: 'welcome', text: null });
  });

  test('other events alone welcome with null', async () => {
    assert.deepEqual(await decideTurn(noModel(), channel(), ctx([event('leave'), event('other')])), { type: 'welcome', text: null });
  });

  test('an enter event together with a question answers the question only', async () => {
    const { deps, responder, search } = withModel();
    const outcome = await decideTurn(deps, channel(), ctx([event('enter'), ask('几点发货')]));
    assert.equal(outcome.type, 'answer');
    assert.equal(responder.inputs[0].question, '几点发货');
    assert.equal(search.calls[0].question, '几点发货');
  });

  test('a confident answer is returned with its confidence', async () => {
    const { deps } = withModel({ text: '下午四点前下单当天发货', confidence: 0.9 });
    assert.deepEqual(await decideTurn(deps, channel(), ctx([ask('几点发货')])), { type: 'answer', text: '下午四点前下单当天发货', confidence: 0.9 });
  });

  test('the model is called outside the turn gate (its slot is free while the model thinks)', async () => {
    const { deps, responder } = withModel();
    const seen: number[] = [];
    const gated = { ...deps, turnGate: { outside: async <T>(wait: () => Promise<T>) => { seen.push(responder.inputs.length); const r = await wait(); seen.push(responder.inputs.length); return r; } } };
    await decideTurn(gated, channel(), ctx([ask('几点发货')]));
    assert.deepEqual(seen, [0, 1], 'one wait outside the gate, and the model call happened inside it');
  });

  test('a confidence equal to the threshold answers', async () => {
    const { deps } = withModel({ text: 'ok', confidence: 0.6 });
    assert.equal((await decideTurn(deps, channel(), ctx([ask('几点发货')]))).type, 'answer');
  });

  test('a low-confidence answer hands off with low_confidence, keeps the confidence and the answer as a draft (issue 13 item 5)', async () => {
    const { deps } = withModel({ text: '不太确定', confidence: 0.31 });
    assert.deepEqual(await decideTurn(deps, channel(), ctx([ask('能开发票吗')])), {
      type: 'handoff',
      reason: 'low_confidence',
      confidence: 0.31,
      holdingMessage: '已为您转接人工客服，请稍候~',
      draft: { question: '能开发票吗', text: '不太确定', confidence: 0.31, model: 'qwen-default' },
    });
  });

  test('an empty holding message is sent as none (null)', async () => {
    const { deps } = withModel({ text: 'x', confidence: 0.1 });
    const outcome = await decideTurn(deps, channel({ handoff: { keywords: [], holdingMessage: '' } }), ctx([ask('能开发票吗')]));
    assert.deepEqual(outcome, { type: 'handoff', reason: 'low_confidence', confidence: 0.1, holdingMessage: null, draft: { question: '能开发票吗', text: 'x', confidence: 0.1, model: 'qwen-default' } });
  });

  describe('the draft of a low-confidence handoff (issue 13 item 5)', () => {
    const draftOf = async (reply: { text: string; confidence: number }, c = channel(), pending = [ask('能开发票吗')]) => {
      const outcome = await decideTurn(withModel(reply).deps, c, ctx(pending));
      assert.equal(outcome.type === 'handoff' && outcome.reason, 'low_confidence');
      return outcome.type === 'handoff' ? outcome.draft : undefined;
    };

    test('is the trimmed answer, with the question the model was asked (every pending text, no events) and the adapter', async () => {
      const c = channel({ model: { name: 'shop-a-lora', threshold: 0.6, systemPrompt: 'p' } });
      assert.deepEqual(await draftOf({ text: '  可以开电子发票哦~\n', confidence: 0.42 }, c, [event('enter'), ask('你好'), ask('能开发票吗')]), {
        question: '你好\n能开发票吗', text: '可以开电子发票哦~', confidence: 0.42, model: 'shop-a-lora',
      });
    });

    test('an empty or blank answer leaves none', async () => {
      assert.equal(await draftOf({ text: '', confidence: 0.2 }), undefined);
      assert.equal(await draftOf({ text: ' \n\t ', confidence: 0.2 }), undefined);
    });

    test("the knowledge base's 'a person will answer' line leaves none: it is no answer", async () => {
      assert.equal(await draftOf({ text: NO_KNOWLEDGE_REPLY, confidence: 0 }), undefined);
      assert.equal(await draftOf({ text: ` ${NO_KNOWLEDGE_REPLY} `, confidence: 0 }), undefined);
    });

    test('a confidence of 0 with a real answer still leaves one', async () => {
      assert.deepEqual(await draftOf({ text: '满299元包邮', confidence: 0 }), { question: '能开发票吗', text: '满299元包邮', confidence: 0, model: 'qwen-default' });
    });

    test('a confident answer carries none (it is sent), nor do the other handoff reasons', async () => {
      const answered = await decideTurn(withModel({ text: '可以', confidence: 0.9 }).deps, channel(), ctx([ask('能开发票吗')]));
      assert.ok(!('draft' in answered));
      const unavailable = await decideTurn(withModel(new ModelUnavailableError('down')).deps, channel(), ctx([ask('能开发票吗')]));
      assert.equal(unavailable.type === 'handoff' && unavailable.reason, 'model_unavailable');
      assert.ok(!('draft' in unavailable));
      for (const [c, text] of [[channel(), '转人工'], [channel({ botEnabled: false }), '能开发票吗'], [channel({ handoff: { keywords: ['发票'], holdingMessage: '稍等' } }), '能开发票吗']] as const) {
        const outcome = await decideTurn(withModel({ text: '可以开', confidence: 0.1 }).deps, c, ctx([ask(text)]));
        assert.equal(outcome.type, 'handoff');
        assert.ok(!('draft' in outcome), `${text}: no draft`);
      }
    });
  });

  test('a confident reply that only promises a person hands off (model_declined), with the holding message instead of the reply', async () => {
    const outcome = await decideTurn(withModel({ text: '这个问题需要为您转接人工客服查询，请稍候~', confidence: 0.93 }).deps, channel(), ctx([ask('我的快递到哪了')]));
    assert.deepEqual(outcome, { type: 'handoff', reason: 'model_declined', confidence: 0.93, holdingMessage: '已为您转接人工客服，请稍候~' });
  });

  test('a confident answer that tells the customer how to reach a person is still an answer', async () => {
    const outcome = await decideTurn(withModel({ text: '人工客服每天9:00-22:00在线，回复“转人工”即可联系~', confidence: 0.9 }).deps, channel(), ctx([ask('人工几点上班')]));
    assert.equal(outcome.type, 'answer');
  });

  test('ModelUnavailableError hands off with model_unavailable and no confidence', async () => {
    const { deps, log } = withModel(new ModelUnavailableError('circuit open'));
    const outcome = await decideTurn(deps, channel(), ctx([ask('几点发货')]));
    assert.deepEqual(outcome, { type: 'handoff', reason: 'model_unavailable', confidence: null, holdingMessage: '已为您转接人工客服，请稍候~' });
    assert.equal(log.at('warn').length, 1);
  });

  describe('messages back from a model handback (issue 11) already had their holding message', () => {
    const heldCtx = (pending: Message[]) => ({ ...ctx(pending), holdingSent: true });

    test('the model failing again hands off silently: model_unavailable, no second holding message', async () => {
      const { deps } = withModel(new ModelUnavailableError('HTTP 500'));
      const outcome = await decideTurn(deps, channel(), heldCtx([ask('几点发货')]));
      assert.deepEqual(outcome, { type: 'handoff', reason: 'model_unavailable', confidence: null, holdingMessage: null });
    });

    test('any handoff of them is silent (low confidence, a rule)', async () => {
      const { deps } = withModel({ text: 'x', confidence: 0.1 });
      assert.deepEqual(await decideTurn(deps, channel(), heldCtx([ask('能开发票吗')])), {
        type: 'handoff', reason: 'low_confidence', confidence: 0.1, holdingMessage: null, draft: { question: '能开发票吗', text: 'x', confidence: 0.1, model: 'qwen-default' },
      });
      assert.deepEqual(await decideTurn(noModel(), channel(), heldCtx([ask('转人工')])), { type: 'handoff', reason: 'customer_request', confidence: null, holdingMessage: null });
    });

    test('a confident answer goes out as usual', async () => {
      const { deps } = withModel();
      assert.deepEqual(await decideTurn(deps, channel(), heldCtx([ask('几点发货')])), { type: 'answer', text: '下午四点前下单当天发货', confidence: 0.9 });
    });
  });

  test('any other error propagates', async () => {
    const boom = new Error('bug in the responder');
    const { deps } = withModel(boom);
    await assert.rejects(decideTurn(deps, channel(), ctx([ask('几点发货')])), (err) => err === boom);
    const { deps: deps2 } = withModel(new PlatformError('not a model error', { retryable: true }));
    await assert.rejects(decideTurn(deps2, channel(), ctx([ask('几点发货')])), PlatformError);
  });

  test('a request for a human hands off with customer_request without asking the model', async () => {
    assert.deepEqual(await decideTurn(noModel(), channel(), ctx([ask('转人工')])), {
      type: 'handoff',
      reason: 'customer_request',
      confidence: null,
      holdingMessage: '已为您转接人工客服，请稍候~',
    });
  });

  test('bot turned off hands off with bot_disabled without asking the model', async () => {
    const outcome = await decideTurn(noModel(), channel({ botEnabled: false }), ctx([ask('几点发货')]));
    assert.equal(outcome.type === 'handoff' && outcome.reason, 'bot_disabled');
  });

  test('an image hands off with unsupported_message', async () => {
    const outcome = await decideTurn(noModel(), channel(), ctx([makeMessage('customer', null, 'image')]));
    assert.equal(outcome.type === 'handoff' && outcome.reason, 'unsupported_message');
  });

  test("the channel's keywords hand off with keyword", async () => {
    const outcome = await decideTurn(noModel(), channel({ handoff: { keywords: ['退款'], holdingMessage: '稍等' } }), ctx([ask('我要退款')]));
    assert.deepEqual(outcome, { type: 'handoff', reason: 'keyword', confidence: null, holdingMessage: '稍等' });
  });

  test('asking a question the bot already answered again hands off with repeat_question', async () => {
    const history = [ask('运费多少？'), makeMessage('bot', '满99包邮', 'text', { confidence: 0.9 })];
    const outcome = await decideTurn(noModel(), channel(), ctx([ask('运费 多少')], history));
    assert.equal(outcome.type === 'handoff' && outcome.reason, 'repeat_question');
  });

  test('a question an agent answered (or that only got the holding message) is not a repeat for the bot', async () => {
    const { deps } = withModel();
    const byAgent = [ask('运费多少'), makeMessage('bot', '已为您转接人工客服，请稍候~'), makeMessage('agent', '满99包邮')];
    assert.equal((await decideTurn(deps, channel(), ctx([ask('运费多少')], byAgent))).type, 'answer');
  });

  test("a bot answer's text in history does not count as an asked question", async () => {
    const { deps } = withModel();
    const history = [ask('运费多少'), makeMessage('bot', '满99包邮')];
    assert.equal((await decideTurn(deps, channel(), ctx([ask('满99包邮?')], history))).type, 'answer');
  });

  test("uses the channel's model, else settings.defaultModelName", async () => {
    const own = withModel();
    await decideTurn(own.deps, channel({ model: { name: 'shop-a-lora', threshold: 0.6, systemPrompt: 'p' } }), ctx([ask('几点发货')]));
    assert.equal(own.responder.inputs[0].modelName, 'shop-a-lora');

    const fallback = withModel();
    await decideTurn(fallback.deps, channel(), ctx([ask('几点发货')]));
    assert.equal(fallback.responder.inputs[0].modelName, 'qwen-default');

    const blank = withModel();
    await decideTurn(blank.deps, channel({ model: { name: '', threshold: 0.6, systemPrompt: 'p' } }), ctx([ask('几点发货')]));
    assert.equal(blank.responder.inputs[0].modelName, 'qwen-default');
  });

  test('searches the channel knowledge with all pending texts and passes hits and prompt to the responder', async () => {
    const { deps, responder, search } = withModel();
    await decideTurn(deps, channel({ id: 'shop-7' }), ctx([ask('你好'), ask('几点发货')]));
    assert.deepEqual(search.calls, [{ channelId: 'shop-7', question: '你好\n几点发货', limit: 4 }]);
    assert.equal(responder.inputs.length, 1);
    assert.deepEqual(responder.inputs[0].knowledge, [hit]);
    assert.equal(responder.inputs[0].systemPrompt, '你是客服');
    assert.equal(responder.inputs[0].question, '你好\n几点发货');
  });

  test('history maps customer → user, bot and agent → assistant, and skips system and text-less messages', async () => {
    const { deps, responder } = withModel();
    const history = [
      ask('有红色的吗'),
      makeMessage('bot', '有的'),
      makeMessage('system', '会话已转人工'),
      makeMessage('customer', null, 'image'),
      makeMessage('agent', '红色L码还有3件'),
    ];
    await decideTurn(deps, channel(), ctx([ask('几点发货')], history));
    assert.deepEqual(responder.inputs[0].history, [
      { role: 'user', content: '有红色的吗' },
      { role: 'assistant', content: '有的' },
      { role: 'assistant', content: '红色L码还有3件' },
    ]);
  });

  test(
    'events in history (stored with the event name as text) are not sent to the model as customer turns',
    {},
    async () => {
      const { deps, responder } = withModel();
      const history = [event('enter'), makeMessage('bot', '您好，有什么可以帮您？')];
      await decideTurn(deps, channel(), ctx([ask('几点发货')], history));
      assert.deepEqual(responder.inputs[0].history, [{ role: 'assistant', content: '您好，有什么可以帮您？' }]);
    },
  );
});
