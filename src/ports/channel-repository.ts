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

/**
 * A compare-and-set condition (issue 13 item 4, review item 1): the update applies only while the
 * channel's model settings are still those the caller read, so two admins' writes of the whole
 * `model` value (promote racing rollback, a threshold racing a promote) cannot silently lose one.
 */
export interface ChannelUpdateCondition {
  /** The model settings as `get` returned them. */
  model: ModelSettings;
}

/** Channels with their secrets encrypted at rest (AES-256-GCM under MASTER_KEY). */
export interface ChannelRepository {
  create(input: NewChannel): Promise<Channel>;
  /** Fresh from the database; hot paths go through a short-lived cache in front of it. */
  get(id: string): Promise<Channel | null>;
  list(): Promise<Channel[]>;
  /**
   * Changes only the fields the patch names. null when there is no such channel, or when `when`
   * is given and the stored model settings differ from it (nothing changed then).
   */
  update(id: string, patch: ChannelPatch, when?: ChannelUpdateCondition): Promise<Channel | null>;
  delete(id: string): Promise<boolean>;
}
