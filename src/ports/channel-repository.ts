import type { Channel, ChannelKind, HandoffSettings, ModelSettings } from '../domain/channel.js';

export interface NewChannel {
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  botEnabled: boolean;
  config: Record<string, unknown>;
  secretFields: readonly string[];
  model: ModelSettings;
  handoff: HandoffSettings;
  welcomeMessage: string | null;
}

export type ChannelPatch = Partial<Omit<NewChannel, 'kind' | 'secretFields'>> & { secretFields?: readonly string[] };

/** Channels with their secrets encrypted at rest (AES-256-GCM under MASTER_KEY). */
export interface ChannelRepository {
  create(input: NewChannel): Promise<Channel>;
  /** Fresh from the database; hot paths go through a short-lived cache in front of it. */
  get(id: string): Promise<Channel | null>;
  list(): Promise<Channel[]>;
  update(id: string, patch: ChannelPatch): Promise<Channel | null>;
  delete(id: string): Promise<boolean>;
}
