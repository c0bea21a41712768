import type { Channel } from '../domain/channel.js';
import type { HandoffReason } from '../domain/conversation.js';
import { ModelUnavailableError } from '../domain/errors.js';
import { handoffAfterModel, handoffBeforeModel, promisesAPerson } from '../domain/handoff-policy.js';
import type { Message } from '../domain/message.js';
import type { TurnContext, TurnDraft, TurnOutcome } from '../ports/conversation-store.js';
import type { ResponderAnswer, ResponderInput } from '../ports/responder.js';
import type { CoreDeps } from './deps.js';
import { buildResponderInput } from './responder-input.js';
import { waitOutside } from './wait-outside.js';

/**
 * Messages that came back to the bot after a model outage already had their holding message
 * (issue 11): handing them off again stays silent rather than telling the customer twice.
 */
const handoff = (channel: Channel, ctx: TurnContext, reason: HandoffReason, confidence: number | null, draft?: TurnDraft): TurnOutcome => ({
  type: 'handoff',
  reason,
  confidence,
  holdingMessage: ctx.holdingSent ? null : channel.handoff.holdingMessage || null,
  ...(draft ? { draft } : {}),
});

/**
 * What a low-confidence answer leaves the agent (issue 13 item 5): the answer itself, unless it is
 * nothing worth sending — empty, or only a promise of a person (the knowledge-base responder's
 * NO_KNOWLEDGE_REPLY, a model's 为您转接人工客服).
 */
function draftOf(input: ResponderInput, answer: ResponderAnswer): TurnDraft | undefined {
  const text = answer.text.trim();
  if (!text || promisesAPerson(text)) return undefined;
  return { question: input.question, text, confidence: answer.confidence, model: input.modelName };
}

/**
 * Said to a customer who is already waiting for a person and asks for one again (issue 12: 转人工
 * from a queued customer got silence, which reads as "nobody is there"). Once per request, never
 * while an agent holds the chat: then the agent answers.
 */
export const QUEUED_ACKNOWLEDGEMENT = '您已在排队等待人工客服，客服接入后会马上回复您，请稍候~';

/** The same test a bot turn makes for 转人工 (handoff-policy's customer_request), on the new messages only. */
function asksForAPerson(said: Message[]): boolean {
  if (said.length === 0) return false;
  const messages = said.map((m) => ({ kind: m.kind, text: m.text }));
  return handoffBeforeModel({ botEnabled: true, messages, answeredQuestions: [], channelKeywords: [] }) === 'customer_request';
}

/** Customer questions the bot itself answered (a bot message with a confidence came after them). */
function questionsTheBotAnswered(history: Message[]): string[] {
  const answered: string[] = [];
  let waiting: string[] = [];
  for (const m of history) {
    if (m.sender === 'customer' && m.kind === 'text' && m.text) waiting.push(m.text);
    else if (m.sender === 'agent') waiting = [];
    else if (m.sender === 'bot' && m.confidence !== null) {
      answered.push(...waiting);
      waiting = [];
    }
  }
  return answered;
}

/**
 * What the bot does with one turn: stay silent, welcome, answer, or hand off (DESIGN.md §2).
 * Pure decision plus the model call; storing the outcome is the caller's job.
 */
export async function decideTurn(deps: CoreDeps, channel: Channel, ctx: TurnContext): Promise<TurnOutcome> {
  const events = ctx.pending.filter((m) => m.kind === 'event');
  const said = ctx.pending.filter((m) => m.kind !== 'event');
  if (ctx.conversation.status === 'queued' && channel.enabled && asksForAPerson(said)) return { type: 'acknowledge', text: QUEUED_ACKNOWLEDGEMENT };
  if (ctx.conversation.status !== 'bot' || !channel.enabled) return { type: 'store_only' };
  if (said.length === 0) {
    const entered = events.find((m) => m.text === 'enter');
    // A platform that hands out a one-time code for the welcome gets it back with the answer.
    const replyCode = entered?.attachment?.replyCode;
    return { type: 'welcome', text: entered ? channel.welcomeMessage : null, ...(replyCode ? { replyCode } : {}) };
  }

  const rule = handoffBeforeModel({
    botEnabled: channel.botEnabled,
    messages: said.map((m) => ({ kind: m.kind, text: m.text })),
    answeredQuestions: questionsTheBotAnswered(ctx.history),
    channelKeywords: channel.handoff.keywords,
  });
  if (rule) return handoff(channel, ctx, rule, null);

  try {
    const input = await buildResponderInput(deps, channel, ctx);
    const answer = await waitOutside(deps, () => deps.responder.answer(input));
    const after = handoffAfterModel(answer.confidence, channel.model.threshold, answer.text);
    return after ? handoff(channel, ctx, after, answer.confidence, draftOf(input, answer)) : { type: 'answer', text: answer.text, confidence: answer.confidence };
  } catch (err) {
    if (!(err instanceof ModelUnavailableError)) throw err;
    deps.log.warn({ err: err.message, conversationId: ctx.conversation.id }, 'model unavailable; handing off');
    return handoff(channel, ctx, 'model_unavailable', null);
  }
}
