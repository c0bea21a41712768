import { maskPii } from '../domain/pii.js';
import type { LabelVerdict } from '../ports/answer-labels.js';
import type { CoreDeps } from './deps.js';

/**
 * issue 15: a member's 👍/👎 on a bot answer, from the platform (WeCom 智能机器人 feedback_event),
 * as a label of source 'platform' on that message. Counted wherever labels are (threshold
 * calibration, training export) unless an agent rated the message: the agent's verdict wins,
 * whichever came first, and the customer's stays beside it (answer_labels.customer_verdict).
 * Feedback on a message of another channel, on one not the bot's, or on a bot text that answers
 * nothing (welcome, holding message) is ignored: returns false.
 */
export async function recordCustomerFeedback(
  deps: CoreDeps,
  channelId: string,
  feedback: { messageId: string; verdict: LabelVerdict | null; contactExternalId: string },
): Promise<boolean> {
  if (!/^[1-9]\d{0,17}$/.test(feedback.messageId)) return false;
  const message = await deps.answerLabels.answeredMessage(feedback.messageId);
  if (!message || message.channelId !== channelId || message.sender !== 'bot' || message.confidence === null) return false;
  await deps.answerLabels.recordCustomerVerdict({
    channelId, conversationId: message.conversationId, messageId: message.messageId, question: maskPii(message.question).text,
    confidence: message.confidence, verdict: feedback.verdict ?? 'good', source: 'platform', correction: null, actor: 'customer',
  }, feedback.verdict);
  return true;
}
