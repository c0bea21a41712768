import type { KnowledgeEntry } from './responder.js';

export type NewKnowledgeEntry = Omit<KnowledgeEntry, 'id'>;

export interface KnowledgeRepository {
  insertMany(entries: NewKnowledgeEntry[]): Promise<number>;
  /** Entries for a channel plus the global ones (channelId null). */
  listFor(channelId: string | null, opts?: { query?: string; limit?: number; offset?: number }): Promise<KnowledgeEntry[]>;
  update(id: string, entry: Omit<NewKnowledgeEntry, 'channelId'>): Promise<KnowledgeEntry | null>;
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
  /** Changes whenever entries change; lets search indexes know when to rebuild. */
  version(): Promise<string>;
}
