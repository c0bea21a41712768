/** issue 13 item 4: what a channel's shadow adapter answered to its model turns, never sent. */

export type LiveOutcome = 'answer' | 'handoff';

export interface NewShadowAnswer {
  channelId: string;
  conversationId: string;
  /** The last message the live turn added: its answer, or its holding message on a handoff. */
  liveMessageId: string | null;
  /** The customer's words, PII-masked (domain/pii.ts). */
  question: string;
  liveModel: string;
  shadowModel: string;
  liveOutcome: LiveOutcome;
  /** The live answer; null on a handoff (its draft was not kept). */
  liveText: string | null;
  liveConfidence: number | null;
  shadowText: string | null;
  shadowConfidence: number | null;
  ok: boolean;
  error: string | null;
}

export interface ShadowAnswer extends NewShadowAnswer {
  id: string;
  createdAt: Date;
  /**
   * For a handoff: the first agent text in the conversation after the live turn (what a person
   * answered instead); null when none (yet) or for an answer.
   */
  agentText: string | null;
}

export interface ShadowAnswerStore {
  add(answer: NewShadowAnswer): Promise<void>;
  /** The channel's shadow answers by one adapter since a time, newest first, at most `limit`. */
  recent(channelId: string, shadowModel: string, since: Date, limit: number): Promise<ShadowAnswer[]>;
}
