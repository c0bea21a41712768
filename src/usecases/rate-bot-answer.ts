import { NotFoundError, ValidationError } from '../domain/errors.js';
import { maskPii } from '../domain/pii.js';
import type { LabelVerdict } from '../ports/answer-labels.js';
import type { CoreDeps } from './deps.js';
import { suggestKnowledge } from './learn-from-agent-reply.js';
import type { Actor } from '../domain/user.js';

export interface Feedback {
  verdict: LabelVerdict;
  /** The right answer, for a bad one; trimmed, 1..8000 characters (checked at the edge). */
  correction?: string;
}

export interface FeedbackView {
  messageId: string;
  verdict: LabelVerdict;
  correction: string | null;
  by: string;
  at: Date;
}

/**
 * An agent's 👍/👎 on a bot answer (issue 12 item 4): one label per message, the latest verdict
 * replacing the earlier one, at the confidence the bot had. A correction on a bad answer is also
 * proposed as knowledge (item 5). Only bot messages that answered something can be rated.
 */
export async function rateBotAnswer(deps: CoreDeps, actor: Actor, messageId: string, feedback: Feedback): Promise<FeedbackView> {
  const message = await deps.answerLabels.answeredMessage(messageId);
  if (!message) throw new NotFoundError('MESSAGE.NOT_FOUND', `message ${messageId} does not exist`);
  if (message.sender !== 'bot') throw new ValidationError('only the bot\'s answers can be rated', 'FEEDBACK.NOT_BOT_MESSAGE');
  // Welcome and holding texts carry no confidence: they answer no question.
  if (message.confidence === null) throw new ValidationError('this bot message answers no question', 'FEEDBACK.NOT_RATEABLE');
  const correction = feedback.correction ? maskPii(feedback.correction).text : null;
  const label = await deps.answerLabels.upsertForMessage({
    channelId: message.channelId, conversationId: message.conversationId, messageId, question: maskPii(message.question).text,
    confidence: message.confidence, verdict: feedback.verdict, source: 'agent_feedback', correction, actor: actor.id,
  });
  await deps.audit.record({ actor: actor.id, action: 'message.feedback', target: `message:${messageId}`, details: { verdict: feedback.verdict, corrected: correction !== null } });
  if (feedback.verdict === 'bad' && feedback.correction) {
    const channel = await deps.channels.get(message.channelId);
    // The label is stored either way; a suggestion that cannot be made is logged, not an error.
    if (channel) {
      await suggestKnowledge(deps, { channel, conversationId: message.conversationId, question: message.question, answer: feedback.correction, source: 'correction' })
        .catch((err: Error) => deps.log.warn({ err: err.message, messageId }, 'correction not proposed as knowledge'));
    }
  }
  return { messageId, verdict: label.verdict, correction: label.correction, by: label.actor, at: label.updatedAt };
}
