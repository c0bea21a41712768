import type { Channel, ChannelKind } from '../domain/channel.js';
import type { ChannelAdapter } from './channel-adapter.js';

/**
 * Channels as the hot paths read them: through a cache short enough that a toggle reaches
 * every process within 2 s (DESIGN.md §4.2), never the source of truth.
 */
export interface ChannelDirectory {
  get(id: string): Promise<Channel | null>;
  invalidate(id: string): void;
}

export interface AdapterRegistry {
  /** The adapter for a kind, or undefined when this build has none. */
  get(kind: ChannelKind): ChannelAdapter | undefined;
}
