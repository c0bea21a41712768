import { systemClock, type Clock } from '../ports/clock.js';
import type { KnowledgeRepository } from '../ports/knowledge-repository.js';
import type { KnowledgeEntry, KnowledgeHit, KnowledgeSearch } from '../ports/responder.js';
import { KnowledgeIndex } from './knowledge-index.js';

export interface IndexedKnowledgeSearchOptions {
  clock?: Clock;
  /**
   * How often the repository's version is asked for. Every search would be one extra query per
   * turn; once a second bounds both that load and how stale an answer can be after an admin edit.
   */
  versionCheckIntervalMs?: number;
  /** Entries read per repository call while building an index. */
  pageSize?: number;
}

/**
 * KnowledgeSearch over a KnowledgeRepository: one in-memory index per channel (its entries plus the
 * global ones), rebuilt when the repository's version changes. The cache only saves work; every
 * process rebuilds on its own from the shared version, so nothing depends on process memory.
 */
export class IndexedKnowledgeSearch implements KnowledgeSearch {
  private readonly clock: Clock;
  private readonly checkEveryMs: number;
  private readonly pageSize: number;
  private indexes = new Map<string, Promise<KnowledgeIndex>>();
  private version: string | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pendingCheck: Promise<void> | null = null;

  constructor(private readonly repository: KnowledgeRepository, opts: IndexedKnowledgeSearchOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.checkEveryMs = opts.versionCheckIntervalMs ?? 1000;
    this.pageSize = opts.pageSize ?? 500;
  }

  async search(channelId: string, question: string, limit: number): Promise<KnowledgeHit[]> {
    await this.checkVersion();
    const index = await this.indexFor(channelId);
    return index.search(question, limit);
  }

  /** Drops every cached index, e.g. right after an import in this process. */
  invalidate(): void {
    this.indexes = new Map();
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  private async checkVersion(): Promise<void> {
    if (this.clock.now().getTime() - this.checkedAt < this.checkEveryMs) return;
    // Concurrent turns share one version query.
    this.pendingCheck ??= (async () => {
      try {
        const version = await this.repository.version();
        if (version !== this.version) {
          this.version = version;
          this.indexes = new Map();
        }
        this.checkedAt = this.clock.now().getTime();
      } finally {
        this.pendingCheck = null;
      }
    })();
    await this.pendingCheck;
  }

  private indexFor(channelId: string): Promise<KnowledgeIndex> {
    const cached = this.indexes.get(channelId);
    if (cached) return cached;
    const indexes = this.indexes;
    const building = this.loadAll(channelId).then((entries) => new KnowledgeIndex(entries));
    // A failed load must not stay cached: the next turn tries again.
    building.catch(() => {
      if (indexes.get(channelId) === building) indexes.delete(channelId);
    });
    indexes.set(channelId, building);
    return building;
  }

  private async loadAll(channelId: string): Promise<KnowledgeEntry[]> {
    const byId = new Map<string, KnowledgeEntry>();
    for (let offset = 0; ; offset += this.pageSize) {
      const page = await this.repository.listFor(channelId, { limit: this.pageSize, offset });
      const before = byId.size;
      for (const entry of page) byId.set(entry.id, entry);
      // Also stops on a repository that ignores limit/offset and returns everything every time.
      if (page.length < this.pageSize || byId.size === before) break;
    }
    return [...byId.values()];
  }
}
