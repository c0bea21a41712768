import type { KnowledgeRepository } from '../ports/knowledge-repository.js';
import type { KnowledgeHit, KnowledgeSearch } from '../ports/responder.js';
import { ChannelKnowledgeCache, type ChannelKnowledgeCacheOptions } from './channel-knowledge-cache.js';
import { KnowledgeIndex, type KnowledgeIndexOptions } from './knowledge-index.js';

export interface IndexedKnowledgeSearchOptions extends Omit<ChannelKnowledgeCacheOptions, 'onVersionChange'> {
  /** How the indexes read text and score matches (the eval's ablations and fits change them). */
  index?: KnowledgeIndexOptions;
}

/**
 * Lexical KnowledgeSearch over a KnowledgeRepository: one in-memory index per channel (its entries
 * plus the global ones), rebuilt when the repository's version changes.
 */
export class IndexedKnowledgeSearch implements KnowledgeSearch {
  private readonly indexes: ChannelKnowledgeCache<KnowledgeIndex>;

  constructor(repository: KnowledgeRepository, opts: IndexedKnowledgeSearchOptions = {}) {
    const indexOptions = opts.index ?? {};
    this.indexes = new ChannelKnowledgeCache(repository, (entries) => new KnowledgeIndex(entries, indexOptions), opts);
  }

  async search(channelId: string, question: string, limit: number): Promise<KnowledgeHit[]> {
    return (await this.indexes.get(channelId)).search(question, limit);
  }

  /** Drops every cached index, e.g. right after an import in this process. */
  invalidate(): void {
    this.indexes.invalidate();
  }
}
