/**
 * issue 15: which connector process holds a channel's connection, for platforms that allow one
 * per bot (ChannelAdapter.exclusiveConnection). Times are the database's.
 */
export interface ConnectionLeases {
  /** Takes or renews the lease for `ttlMs`; true when `holder` holds it afterwards. */
  acquire(channelId: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (channel off, process stopping), if `holder` holds it. */
  release(channelId: string, holder: string): Promise<void>;
  /** Outbox rows of the channel that are due to go out (oldest first), for the holder to deliver. */
  dueOutbox(channelId: string, limit: number): Promise<string[]>;
}
