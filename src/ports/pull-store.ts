import type { InboundMessage } from '../domain/message.js';
import type { RecordedInbound } from './conversation-store.js';

/** A message as recorded, with the decision whether the bot answers it. */
export interface RecordedItem {
  message: InboundMessage;
  answer: boolean;
  recorded: RecordedInbound;
}

export interface PullLease {
  cursor: string | null;
  /** The latest callback token, while still valid; null when expired or never given. */
  token: string | null;
  /** When the lease was taken: a request noted after it means "pull again". */
  startedAt: Date;
}

/**
 * Cursors of platforms we pull from (WeCom 微信客服 sync_msg), one per source. A page and its
 * cursor commit together, and a lease lets exactly one pull per source run across all processes.
 */
export interface PullStore {
  /** A callback said there is news for `source`; keeps its token (valid for `tokenTtlMs`). */
  noteRequest(channelId: string, source: string, token: string | null): Promise<void>;
  /** Takes the source's lease if free; null while another process pulls it. */
  acquire(channelId: string, source: string, owner: string, leaseMs: number, tokenTtlMs: number): Promise<PullLease | null>;
  /**
   * Stores a page and its next cursor in one transaction, and extends the lease.
   * Returns what was recorded, or null (nothing stored) when the lease was lost.
   */
  commitPage(
    channelId: string, source: string, owner: string, leaseMs: number,
    page: { message: InboundMessage; answer: boolean }[], nextCursor: string | null,
  ): Promise<RecordedItem[] | null>;
  /** Frees the lease; true when another request came in while pulling (pull again). */
  release(channelId: string, source: string, owner: string, startedAt: Date): Promise<boolean>;
  /** Requests nobody served (their job was lost), for the sweeper. */
  findUnserved(olderThanMs: number, limit: number): Promise<{ channelId: string; source: string }[]>;
}
