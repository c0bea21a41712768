import { systemClock, type Clock } from '../ports/clock.js';
import type { KnowledgeRepository } from '../ports/knowledge-repository.js';
import type { KnowledgeEntry } from '../ports/responder.js';

export interface ChannelKnowledgeCacheOptions {
  clock?: Clock;
  /**
   * How often the repository's version is asked for. Every search would be one extra query per
   * turn; once a second bounds both that load and how stale an answer can be after an admin edit.
   */
  versionCheckIntervalMs?: number;
  /** Entries read per repository call while building. */
  pageSize?: number;
  /** Called when the version changed, before anything is rebuilt. */
  onVersionChange?: () => void;
}

/**
 * One value per channel built from its knowledge (its entries plus the global ones), dropped when
 * the repository's version changes. The cache only saves work; every process rebuilds on its own
 * from the shared version, so an edit reaches every process within versionCheckIntervalMs.
 * The lexical index and the dense one (issue 12) both keep theirs here.
 */
export class ChannelKnowledgeCache<T> {
  private readonly clock: Clock;
  private readonly checkEveryMs: number;
  private readonly pageSize: number;
  private values = new Map<string, Promise<T>>();
  private version: string | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pendingCheck: Promise<void> | null = null;

  constructor(
    private readonly repository: KnowledgeRepository,
    private readonly build: (entries: KnowledgeEntry[]) => T | Promise<T>,
    private readonly opts: ChannelKnowledgeCacheOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.checkEveryMs = opts.versionCheckIntervalMs ?? 1000;
    this.pageSize = opts.pageSize ?? 500;
  }

  /** The channel's value for the current version. */
  async get(channelId: string): Promise<T> {
    await this.refresh();
    return this.valueFor(channelId);
  }

  /** Asks for the version (at most once per interval; concurrent callers share one query). */
  async refresh(): Promise<void> {
    if (this.clock.now().getTime() - this.checkedAt < this.checkEveryMs) return;
    this.pendingCheck ??= (async () => {
      try {
        const version = await this.repository.version();
        if (version !== this.version) {
          this.version = version;
          this.opts.onVersionChange?.();
          this.values = new Map();
        }
        this.checkedAt = this.clock.now().getTime();
      } finally {
        this.pendingCheck = null;
      }
    })();
    await this.pendingCheck;
  }

  /** The channel's value as of the last refresh, built (once, shared) when there is none. */
  valueFor(channelId: string): Promise<T> {
    const cached = this.values.get(channelId);
    if (cached) return cached;
    const values = this.values;
    const building = this.loadAll(channelId).then((entries) => this.build(entries));
    // A failed build must not stay cached: the next search tries again.
    building.catch(() => {
      if (values.get(channelId) === building) values.delete(channelId);
    });
    values.set(channelId, building);
    return building;
  }

  /** Drops every cached value, e.g. right after an import in this process. */
  invalidate(): void {
    this.values = new Map();
    this.checkedAt = Number.NEGATIVE_INFINITY;
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
