import { readFileSync } from 'node:fs';
import type { KnowledgeListOptions, KnowledgeRecord, KnowledgeRepository, NewKnowledgeEntry } from '../../src/ports/knowledge-repository.js';

/** KnowledgeRepository in memory, for unit tests and the eval (no database). */
export class MemoryKnowledgeRepository implements KnowledgeRepository {
  private readonly entries = new Map<string, KnowledgeRecord>();
  private nextId = 1;
  private revision = 0;
  /** How many times listFor was called: lets tests see when an index was rebuilt. */
  listCalls = 0;

  async insertMany(entries: NewKnowledgeEntry[]): Promise<number> {
    for (const e of entries) {
      const id = String(this.nextId++);
      this.entries.set(id, { id, ...e, updatedAt: new Date() });
    }
    if (entries.length > 0) this.revision += 1;
    return entries.length;
  }

  async create(entry: NewKnowledgeEntry): Promise<KnowledgeRecord> {
    const id = String(this.nextId++);
    const record = { id, ...entry, updatedAt: new Date() };
    this.entries.set(id, record);
    this.revision += 1;
    return record;
  }

  async listFor(channelId: string | null, opts: KnowledgeListOptions = {}): Promise<KnowledgeRecord[]> {
    this.listCalls += 1;
    const inScope = (e: KnowledgeRecord) => (opts.own ? e.channelId === channelId : e.channelId === null || e.channelId === channelId);
    const all = [...this.entries.values()].filter(
      (e) => inScope(e) && (!opts.query || `${e.instruction}${e.input}${e.output}`.includes(opts.query)),
    );
    const offset = opts.offset ?? 0;
    return all.slice(offset, opts.limit === undefined ? undefined : offset + opts.limit);
  }

  async update(id: string, entry: Omit<NewKnowledgeEntry, 'channelId'>): Promise<KnowledgeRecord | null> {
    const current = this.entries.get(id);
    if (!current) return null;
    const updated = { ...current, ...entry, updatedAt: new Date() };
    this.entries.set(id, updated);
    this.revision += 1;
    return updated;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = this.entries.delete(id);
    if (deleted) this.revision += 1;
    return deleted;
  }

  async count(): Promise<number> {
    return this.entries.size;
  }

  async version(): Promise<string> {
    return String(this.revision);
  }
}

/** Reads training-format JSONL (`instruction`, `input`, `output`) into new entries. */
export function readKnowledgeJsonl(path: string, channelId: string | null = null): NewKnowledgeEntry[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const row = JSON.parse(line) as { instruction: string; input?: string; output: string };
      return { channelId, instruction: row.instruction, input: row.input ?? '', output: row.output };
    });
}
