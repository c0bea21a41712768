/**
 * Reads training pairs out of a conversation's messages (issue 13 item 1): each answer with the
 * customer turn it answers. An agent's 稍等 / 好的 before the real answer does not use up the
 * question, so "包邮吗 → 您好 → 满299包邮" pairs 包邮吗 with 满299包邮 (and drops 您好 as a filler).
 */
import { answersNothing } from './denoise.js';
import type { SourcePair, TurnPart } from './types.js';

export interface TrainingMessage {
  sender: 'customer' | 'bot' | 'agent' | 'system';
  kind: string;
  text: string | null;
  /** Bot answers carry one; holding and welcome texts do not. */
  confidence: number | null;
  createdAt: Date;
  /** An agent's verdict on a bot answer (answer_labels), when there is one. */
  label: { verdict: 'good' | 'bad'; correction: string | null; at: Date } | null;
}

export interface TrainingConversation {
  id: string;
  channelId: string;
  /** Oldest first. */
  messages: TrainingMessage[];
}

/** The pairs of one conversation whose answer (or label) is from `since` on, oldest first. */
export function pairsFromConversation(conversation: TrainingConversation, since: Date, holdingTexts: readonly string[]): SourcePair[] {
  const pairs: SourcePair[] = [];
  let pending: TurnPart[] = [];
  const base = { conversationId: conversation.id, channelId: conversation.channelId };
  for (const m of conversation.messages) {
    if (m.sender === 'customer') {
      pending.push({ kind: m.kind, text: m.text });
    } else if (m.sender === 'agent') {
      if (m.createdAt >= since) pairs.push({ ...base, source: 'agent_answer', question: pending, answerKind: m.kind, answer: m.text, answeredAt: m.createdAt });
      if (m.kind !== 'text' || !answersNothing(m.text ?? '', holdingTexts)) pending = [];
    } else if (m.sender === 'bot' && m.confidence !== null) {
      const label = m.label;
      if (label && label.at >= since) {
        if (label.verdict === 'good') pairs.push({ ...base, source: 'good_bot_answer', question: pending, answerKind: m.kind, answer: m.text, answeredAt: label.at });
        else if (label.correction) pairs.push({ ...base, source: 'correction', question: pending, answerKind: 'text', answer: label.correction, answeredAt: label.at });
      }
      pending = [];
    }
  }
  return pairs;
}
