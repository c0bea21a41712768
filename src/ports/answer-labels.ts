/** issue 12 item 4: labelled bot answers, the data a channel's threshold is calibrated on. */

export type LabelVerdict = 'good' | 'bad';
/** agent_feedback: 👍/👎 in the console; agent_answer: a handoff an agent answered with an entry's answer; platform: issue 15. */
export type LabelSource = 'agent_feedback' | 'agent_answer' | 'platform';

export interface NewAnswerLabel {
  channelId: string;
  conversationId: string | null;
  /** The rated bot message; null for labels that rate a handoff. */
  messageId: string | null;
  /** PII-masked customer text. */
  question: string;
  confidence: number;
  verdict: LabelVerdict;
  source: LabelSource;
  correction: string | null;
  actor: string;
}

export interface AnswerLabel extends NewAnswerLabel {
  id: string;
  createdAt: Date;
  /** When the verdict last changed. */
  updatedAt: Date;
}

/** A bot message as the feedback endpoint sees it, with the customer text it answered. */
export interface AnsweredMessage {
  messageId: string;
  conversationId: string;
  channelId: string;
  sender: string;
  /** Null for bot texts that answer nothing (welcome, holding message). */
  confidence: number | null;
  /** The customer text messages since the previous answer, oldest first, joined by newlines. */
  question: string;
}

export interface LabelledConfidence {
  confidence: number;
  verdict: LabelVerdict;
}

export interface AnswerLabelStore {
  /** The message and the customer text it answered; null when no such message. */
  answeredMessage(messageId: string): Promise<AnsweredMessage | null>;
  /** One label per message: the latest verdict replaces the earlier one. */
  upsertForMessage(label: NewAnswerLabel & { messageId: string }): Promise<AnswerLabel>;
  add(label: NewAnswerLabel): Promise<AnswerLabel>;
  /** The channel's most recent labels, newest first. */
  recent(channelId: string, limit: number): Promise<LabelledConfidence[]>;
  /**
   * issue 15: a customer's verdict on the platform (WeCom 智能机器人 feedback_event), null when they
   * withdrew it. Kept on the message's label as customer_verdict; it is the label's verdict (source
   * 'platform') only while no agent rated the message: an agent's verdict wins, before or after.
   */
  recordCustomerVerdict(label: NewAnswerLabel & { messageId: string }, verdict: LabelVerdict | null): Promise<void>;
  /** issue 15: the customers' verdicts per rated message id. */
  customerFeedbackFor(messageIds: readonly string[]): Promise<Map<string, LabelVerdict>>;
  /** The console's view of ratings: verdict and correction per rated message id (agents' only). */
  feedbackFor(messageIds: readonly string[]): Promise<Map<string, { verdict: LabelVerdict; correction: string | null }>>;
}
