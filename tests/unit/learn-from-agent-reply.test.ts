import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../src/domain/message.js';
import type { NewAnswerLabel } from '../../src/ports/answer-labels.js';
import type { ConversationStore } from '../../src/ports/conversation-store.js';
import type { KnowledgeSuggestion, KnowledgeSuggestionStore, NewKnowledgeSuggestion } from '../../src/ports/knowledge-suggestions.js';
import { learnFromAgentReply } from '../../src/usecases/learn-from-agent-reply.js';
import { FakeChannelDirectory, FakeKnowledgeRepository, FakeKnowledgeSearch, fakeDeps, makeChannel, makeConversation, makeMessage } from '../support/fake-ports.js';

const SHIPPING = '全场满299元包邮，偏远地区除外。';
const INVOICE = '可以开电子发票，下单时备注抬头和税号。';

/** issue 12 items 4, 5: what one agent reply teaches, decided from the conversation's messages. */
async function learn(messages: Message[], opts: { bestEntryId?: string; lastConfidence?: number | null } = {}) {
  const knowledge = new FakeKnowledgeRepository();
  const shipping = await knowledge.create({ channelId: null, instruction: '包邮吗', input: '', output: SHIPPING });
  const invoice = await knowledge.create({ channelId: 'ch-1', instruction: '能开发票吗', input: '', output: INVOICE });
  const best = opts.bestEntryId === undefined ? shipping : opts.bestEntryId === invoice.id ? invoice : shipping;
  const search = new FakeKnowledgeSearch([{ entry: best, score: 0.4 }]);
  const proposed: NewKnowledgeSuggestion[] = [];
  const labels: NewAnswerLabel[] = [];
  const suggestions = {
    propose: async (s: NewKnowledgeSuggestion) => (proposed.push(s), { ...s, id: String(proposed.length) } as unknown as KnowledgeSuggestion),
  } as unknown as KnowledgeSuggestionStore;
  const deps = fakeDeps({
    channels: new FakeChannelDirectory([makeChannel({ handoff: { keywords: ['发票'], holdingMessage: '请稍候，马上为您转人工' } })]),
    store: { messages: async () => messages } as unknown as ConversationStore,
    knowledge, search, suggestions,
    answerLabels: { add: async (l: NewAnswerLabel) => (labels.push(l), l) } as never,
  });
  const reply = messages.at(-1)!;
  const result = await learnFromAgentReply(deps, { id: 'agent-1', role: 'agent' }, makeConversation({ status: 'assigned', handoffReason: 'low_confidence', lastConfidence: opts.lastConfidence ?? 0.3 }), reply.id, reply.text!);
  return { result, proposed, labels, search, ids: { shipping: shipping.id, invoice: invoice.id } };
}

const customer = (text: string) => makeMessage('customer', text, 'text', { status: 'done' });
const lowConfidenceNote = (confidence: number) => makeMessage('system', 'handoff:low_confidence', 'text', { confidence });
const holding = () => makeMessage('bot', '请稍候，马上为您转人工');
const agent = (text: string) => makeMessage('agent', text);
const botAnswer = (text: string) => makeMessage('bot', text, 'text', { confidence: 0.9 });

describe('learning from an agent reply', () => {
  test('an entry\'s answer after a low_confidence handoff: a phrasing suggestion and a good label when the bot\'s best entry is that one', async () => {
    const { result, proposed, labels, search, ids } = await learn([customer('运费要自己出吗'), lowConfidenceNote(0.42), holding(), agent(`亲~${SHIPPING}`)]);
    assert.deepEqual(proposed, [{ channelId: 'ch-1', conversationId: 'conv-1', question: '运费要自己出吗', questionKey: '运费要自己出吗', answer: `亲~${SHIPPING}`, entryId: ids.shipping, source: 'agent_reply' }]);
    assert.equal(result.label, 'good');
    assert.deepEqual(search.calls, [{ channelId: 'ch-1', question: '运费要自己出吗', limit: 1 }]);
    assert.deepEqual(labels.map((l) => [l.verdict, l.confidence, l.source, l.messageId, l.question, l.actor]), [['good', 0.42, 'agent_answer', null, '运费要自己出吗', 'agent-1']]);
  });

  test('… and a bad label when the bot would have picked another entry', async () => {
    const { labels, ids } = await learn([customer('运费要自己出吗'), lowConfidenceNote(0.42), holding(), agent(SHIPPING)], { bestEntryId: '2' });
    assert.equal(ids.invoice, '2');
    assert.deepEqual(labels.map((l) => l.verdict), ['bad']);
  });

  test('only the customer texts since the previous answer; later texts join the suggestion but not the label', async () => {
    const { proposed, labels } = await learn([
      customer('包邮吗'), botAnswer(SHIPPING), customer('运费要自己出吗'), lowConfidenceNote(0.42), holding(), customer('在吗'), agent(SHIPPING),
    ]);
    assert.equal(proposed[0].question, '运费要自己出吗\n在吗');
    assert.equal(labels[0].question, '运费要自己出吗');
  });

  test('a reply that is no entry\'s answer proposes a new entry and labels nothing', async () => {
    const { proposed, labels, result } = await learn([customer('有红色的吗'), lowConfidenceNote(0.2), holding(), agent('红色已经卖完了，下周补货')]);
    assert.deepEqual([proposed[0].entryId, proposed[0].answer, labels.length, result.label], [null, '红色已经卖完了，下周补货', 0, null]);
  });

  test('fillers teach nothing and do not end the question; requests for a person are not questions', async () => {
    assert.equal((await learn([customer('有红色的吗'), agent('好的，稍等')])).proposed.length, 0);
    const after = await learn([customer('转人工'), customer('有红色的吗'), agent('好的，稍等'), agent('红色已经卖完了，下周补货')]);
    assert.deepEqual(after.proposed.map((p) => p.question), ['有红色的吗']);
    assert.equal((await learn([customer('转人工'), agent('红色已经卖完了，下周补货')])).proposed.length, 0, 'only 转人工: nothing');
    assert.equal((await learn([customer('开发票'), agent('红色已经卖完了，下周补货')])).proposed.length, 0, 'a channel keyword: the bot never answers it anyway');
  });

  test('a question the entry already has as a phrasing is not proposed again', async () => {
    assert.equal((await learn([customer('包邮吗？'), agent(SHIPPING)])).proposed.length, 0);
  });

  test('PII is masked before the suggestion is stored; the key is the masked question', async () => {
    const { proposed } = await learn([customer('订单SF1234567890 有红色的吗'), agent('红色已经卖完了，请致电021-12345678')]);
    assert.deepEqual([proposed[0].question, proposed[0].questionKey, proposed[0].answer], ['订单[订单号] 有红色的吗', '订单订单号有红色的吗', '红色已经卖完了，请致电[电话]']);
  });
});
