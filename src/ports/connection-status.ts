/**
 * issue 14 item 6: the live state of a channel's platform connection (DingTalk Stream), as the
 * connector process running it last wrote it (migrations/018_channel_connections.sql). A DingTalk
 * Stream channel that fails to connect every few seconds must say so in the console.
 */
import type { ConnectionReport, ConnectionState } from './channel-adapter.js';

export type { ConnectionReport, ConnectionState };

export interface ConnectionStatus {
  channelId: string;
  state: ConnectionState;
  /** When this state began: a reconnect loop that keeps failing keeps it. */
  since: Date;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** The connector process that wrote it. */
  instance: string;
  /** Written on every change and by the connector's heartbeat (about every 10 s). */
  updatedAt: Date;
  /** updatedAt is older than the store was asked to tolerate: no connector process runs it. */
  stale: boolean;
}

export interface ConnectionStatusStore {
  /**
   * Records a state. The same state again keeps `since`; an error is kept as lastError (with its
   * time) and stays after the state changes, until a newer error replaces it.
   */
  record(channelId: string, report: ConnectionReport, instance: string): Promise<void>;
  /**
   * The heartbeat: touches updatedAt when the row still says `state`; false when it does not
   * (gone, or another process wrote another state), so the caller records its own again.
   */
  touch(channelId: string, state: ConnectionState, instance: string): Promise<boolean>;
  /** The connection was closed on purpose (channel off, deleted, process stopping). */
  remove(channelId: string): Promise<void>;
  /** `staleAfterMs`: how old updatedAt may be, by the database's clock, before `stale` is set. */
  get(channelId: string, staleAfterMs: number): Promise<ConnectionStatus | null>;
  list(staleAfterMs: number): Promise<ConnectionStatus[]>;
}
