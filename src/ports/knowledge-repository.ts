import type { KnowledgeEntry } from './responder.js';

export type NewKnowledgeEntry = Omit<KnowledgeEntry, 'id'>;

/** An entry as the admin pages see it: when it last changed. */
export interface KnowledgeRecord extends KnowledgeEntry {
  updatedAt: Date;
}

export interface KnowledgeListOptions {
  query?: string;
  limit?: number;
  offset?: number;
  /** Only the channel's own entries (only the global ones when channelId is null), without the shared ones. */
  own?: boolean;
}

export interface KnowledgeRepository {
  insertMany(entries: NewKnowledgeEntry[]): Promise<number>;
  /** One entry, as stored. */
  create(entry: NewKnowledgeEntry): Promise<KnowledgeRecord>;
  /** Entries for a channel plus the global ones (channelId null); every entry for null, unless `own`. */
  listFor(channelId: string | null, opts?: KnowledgeListOptions): Promise<KnowledgeRecord[]>;
  update(id: string, entry: Omit<NewKnowledgeEntry, 'channelId'>): Promise<KnowledgeRecord | null>;
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
  /** Changes whenever entries change; lets search indexes know when to rebuild. */
  version(): Promise<string>;
}
