import { matchAnswer, isFillerAnswer, questionKey } from '../domain/answer-match.js';
import { DEFAULT_HOLDING_MESSAGE, type Channel } from '../domain/channel.js';
import type { Conversation } from '../domain/conversation.js';
import { handoffBeforeModel } from '../domain/handoff-policy.js';
import type { Message } from '../domain/message.js';
import { maskPii } from '../domain/pii.js';
import type { KnowledgeSuggestion, SuggestionSource } from '../ports/knowledge-suggestions.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

/** How far back an agent's reply looks for the customer texts it answers. */
const LOOKBACK_MESSAGES = 50;
/** Entries compared with a reply: the whole knowledge base of a shop, well past 2,000 entries. */
const MAX_ENTRIES = 20_000;
const LOW_CONFIDENCE_NOTE = 'handoff:low_confidence';

/** What an answer teaches: the customer question it answered and the reply. */
export interface AnsweredQuestion {
  channel: Channel;
  conversationId: string | null;
  /** Raw customer text: masked here, before anything is stored. */
  question: string;
  answer: string;
  source: SuggestionSource;
}

export interface Suggested {
  suggestion: KnowledgeSuggestion | null;
  /** The entry whose answer the reply nearly is, if any. */
  entryId: string | null;
}

const holdingTexts = (channel: Channel) => [channel.handoff.holdingMessage, DEFAULT_HOLDING_MESSAGE];

/**
 * Proposes an answered question as knowledge (issue 12 item 5): a new phrasing of the entry whose
 * answer the reply nearly is, else a new entry with the reply. Filler replies propose nothing, nor
 * does a question the entry already has as a phrasing. Question and answer are PII-masked first; repeats
 * of an open suggestion store nothing (the store's unique key).
 */
export async function suggestKnowledge(deps: CoreDeps, q: AnsweredQuestion): Promise<Suggested> {
  if (!q.question.trim() || !q.answer.trim()) return { suggestion: null, entryId: null };
  // A correction is written on purpose, however short (不包邮); a chat reply may be a filler.
  if (q.source === 'agent_reply' && isFillerAnswer(q.answer, holdingTexts(q.channel))) return { suggestion: null, entryId: null };
  const entries = await deps.knowledge.listFor(q.channel.id, { limit: MAX_ENTRIES });
  const match = matchAnswer(q.answer, entries);
  const key = questionKey(q.question);
  const entry = match ? entries.find((e) => e.id === match.entryId) : undefined;
  if (entry && [entry.instruction, entry.input].some((p) => p && questionKey(p) === key)) return { suggestion: null, entryId: entry.id };
  const question = maskPii(q.question).text;
  const suggestion = await deps.suggestions.propose({
    channelId: q.channel.id,
    conversationId: q.conversationId,
    question,
    // Keyed on the masked text: two customers' order numbers are one question.
    questionKey: questionKey(question),
    answer: maskPii(q.answer).text,
    entryId: match?.entryId ?? null,
    source: q.source,
  });
  return { suggestion, entryId: match?.entryId ?? null };
}

interface ReplyContext {
  /** Customer texts since the previous answer, oldest first. */
  texts: string[];
  /** Of those, the ones the bot saw before a low_confidence handoff (empty when there was none). */
  handedOff: string[];
  /** The confidence of that handoff, from its system note. */
  handoffConfidence: number | null;
}

/** An answer ends the span a reply looks back over; an agent's 稍等 / 好的 answers nothing. */
const isAnswer = (m: Message) => (m.sender === 'agent' && !isFillerAnswer(m.text ?? '')) || (m.sender === 'bot' && m.confidence !== null);
const textsOf = (messages: Message[]) => messages.filter(isCustomerText).map((m) => m.text as string);

/** The messages since the previous answer (an agent's, or a bot message with a confidence) up to the reply. */
function replyContext(messages: Message[], replyId: string): ReplyContext {
  const at = messages.findIndex((m) => m.id === replyId);
  const before = messages.slice(0, at < 0 ? messages.length : at);
  let start = before.length;
  while (start > 0 && !isAnswer(before[start - 1])) start--;
  const span = before.slice(start);
  let note = -1;
  for (let i = span.length - 1; i >= 0 && note < 0; i--) if (span[i].sender === 'system' && span[i].text === LOW_CONFIDENCE_NOTE) note = i;
  return {
    texts: textsOf(span),
    // What the bot judged: the customer texts before its handoff note.
    handedOff: note < 0 ? [] : textsOf(span.slice(0, note)),
    handoffConfidence: note < 0 ? null : span[note].confidence,
  };
}

const isCustomerText = (m: Message) => m.sender === 'customer' && m.kind === 'text' && m.status !== 'recalled' && !!m.text?.trim();

/** A text the rules hand to a person whatever the knowledge says (转人工, complaints, channel keywords). */
function isHandoffRequest(channel: Channel, text: string): boolean {
  const rule = handoffBeforeModel({ botEnabled: true, messages: [{ kind: 'text', text }], answeredQuestions: [], channelKeywords: channel.handoff.keywords });
  return rule === 'customer_request' || rule === 'keyword';
}

export interface Learned extends Suggested {
  /** The verdict recorded on the bot's low_confidence handoff, if one was. */
  label: 'good' | 'bad' | null;
}

/**
 * After an agent's reply to a handed-off conversation is committed (issue 12 items 4, 5): the
 * customer texts it answers become a knowledge suggestion, and when the bot had handed them off for
 * low confidence and the agent answered with entry E's answer, the bot's confidence is labelled:
 * good if the bot's own best entry for the question is E, else bad.
 */
export async function learnFromAgentReply(deps: CoreDeps, actor: Actor, conversation: Conversation, replyId: string, reply: string): Promise<Learned> {
  const none: Learned = { suggestion: null, entryId: null, label: null };
  const channel = await deps.channels.get(conversation.channelId);
  if (!channel) return none;
  const context = replyContext(await deps.store.messages(conversation.id, LOOKBACK_MESSAGES), replyId);
  const texts = context.texts.filter((t) => !isHandoffRequest(channel, t));
  if (texts.length === 0) return none;
  const suggested = await suggestKnowledge(deps, { channel, conversationId: conversation.id, question: texts.join('\n'), answer: reply, source: 'agent_reply' });
  let label: Learned['label'] = null;
  const confidence = context.handoffConfidence ?? conversation.lastConfidence;
  if (suggested.entryId && context.handedOff.length > 0 && confidence !== null) {
    const question = context.handedOff.join('\n');
    const [best] = await deps.search.search(channel.id, question, 1);
    label = best?.entry.id === suggested.entryId ? 'good' : 'bad';
    await deps.answerLabels.add({
      channelId: channel.id, conversationId: conversation.id, messageId: null, question: maskPii(question).text,
      confidence, verdict: label, source: 'agent_answer', correction: null, actor: actor.id,
    });
  }
  return { ...suggested, label };
}
