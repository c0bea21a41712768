import type { KnowledgeRecord, NewKnowledgeEntry } from './knowledge-repository.js';

/** issue 12 item 5: what agents answered, proposed to admins as knowledge. */

export const SUGGESTION_STATUSES = ['open', 'accepted', 'rejected'] as const;
export type SuggestionStatus = (typeof SUGGESTION_STATUSES)[number];
/** agent_reply: an agent answered a handed-off question; correction: an agent corrected a bad bot answer. */
export type SuggestionSource = 'agent_reply' | 'correction';

export interface NewKnowledgeSuggestion {
  channelId: string;
  conversationId: string | null;
  /** PII-masked. */
  question: string;
  /** The normalized question: one open suggestion per (channel, key, entry). */
  questionKey: string;
  /** PII-masked. */
  answer: string;
  /** Set: a new phrasing of this entry; null: a new entry. */
  entryId: string | null;
  source: SuggestionSource;
}

export interface KnowledgeSuggestion extends Omit<NewKnowledgeSuggestion, 'questionKey'> {
  id: string;
  /** The entry a phrasing suggestion belongs to, as it is now. */
  entry: { instruction: string; output: string; channelId: string | null } | null;
  status: SuggestionStatus;
  /** The entry accepting it created. */
  createdEntryId: string | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  createdAt: Date;
}

export interface KnowledgeSuggestionStore {
  /** Stores an open suggestion; null (nothing stored) when an open one with the same key exists. */
  propose(suggestion: NewKnowledgeSuggestion): Promise<KnowledgeSuggestion | null>;
  get(id: string): Promise<KnowledgeSuggestion | null>;
  /** Newest first. */
  list(status: SuggestionStatus, limit: number): Promise<KnowledgeSuggestion[]>;
  /**
   * open → accepted and the knowledge entry created, in one transaction; null when it was no longer
   * open (two admins clicking at once: exactly one entry).
   */
  accept(id: string, actor: string, entry: NewKnowledgeEntry): Promise<{ suggestion: KnowledgeSuggestion; entry: KnowledgeRecord } | null>;
  /** open → rejected; null when it was no longer open. */
  reject(id: string, actor: string): Promise<KnowledgeSuggestion | null>;
}
