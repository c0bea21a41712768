import type { HandoffReason } from './conversation.js';
import { isReadableByBot, type MessageKind } from './message.js';

/** Explicit requests for a person (DESIGN.md §4.5). Matched as substrings of the normalized text. */
// Phrases, not the bare word 人工: that also matches 人工智能 ("AI").
const HUMAN_REQUESTS = ['转人工', '人工客服', '人工服务', '找客服', '找人工', '真人客服', '要人工', '接人工', '人工坐席', '联系人工'];
/** Complaints always reach a person, whatever the model thinks of them. */
// No bare numbers such as 315: they match prices and order numbers.
const COMPLAINTS = ['投诉', '举报', '差评', '假货', '骗子', '欺诈', '消协', '律师', '维权'];

export interface TurnFacts {
  botEnabled: boolean;
  /** The customer messages this turn answers, oldest first. */
  messages: { kind: MessageKind; text: string | null }[];
  /** Earlier customer texts of this conversation that the bot already answered. */
  answeredQuestions: string[];
  /** The channel's own handoff keywords. */
  channelKeywords: string[];
}

/** Strips what does not change the meaning of a short chat line: spaces, punctuation, case. */
export function normalizeQuestion(text: string): string {
  return text.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** Rules that hand a turn to a human before any model is asked. Order is the order of precedence. */
export function handoffBeforeModel(facts: TurnFacts): HandoffReason | null {
  if (!facts.botEnabled) return 'bot_disabled';
  if (facts.messages.some((m) => !isReadableByBot(m.kind))) return 'unsupported_message';
  const text = normalizeQuestion(facts.messages.map((m) => m.text ?? '').join(' '));
  if (HUMAN_REQUESTS.some((k) => text.includes(k))) return 'customer_request';
  const keywords = [...COMPLAINTS, ...facts.channelKeywords.map(normalizeQuestion)].filter((k) => k.length > 0);
  if (keywords.some((k) => text.includes(k))) return 'keyword';
  const asked = new Set(facts.answeredQuestions.map(normalizeQuestion));
  if (text.length > 0 && asked.has(text)) return 'repeat_question';
  return null;
}

/** The model's own confidence decides the rest (DESIGN.md §4.5). */
export function handoffAfterModel(confidence: number, threshold: number): HandoffReason | null {
  return confidence >= threshold ? null : 'low_confidence';
}
