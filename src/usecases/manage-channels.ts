import { ASSIGNMENT_MODES, DEFAULT_ASSIGNMENT, DEFAULT_HOLDING_MESSAGE, DEFAULT_SYSTEM_PROMPT, DEFAULT_TARGET_WRONG_RATE, DEFAULT_THRESHOLD, MAX_TARGET_WRONG_RATE, type Channel, type ChannelKind, type HandoffSettings, type ModelSettings } from '../domain/channel.js';
import { assertAdapterName } from '../domain/adapter-name.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { ChannelAdapter } from '../ports/channel-adapter.js';
import type { CoreDeps } from './deps.js';
import type { Actor } from '../domain/user.js';

export interface ChannelInput {
  name?: string;
  enabled?: boolean;
  botEnabled?: boolean;
  config?: Record<string, unknown>;
  model?: Partial<ModelSettings>;
  handoff?: Partial<HandoffSettings>;
  welcomeMessage?: string | null;
}

function adapterFor(deps: CoreDeps, kind: ChannelKind): ChannelAdapter {
  const adapter = deps.adapters.get(kind);
  if (!adapter) throw new ValidationError(`channel kind ${kind} is not supported by this build`, 'CHANNEL.KIND_UNSUPPORTED');
  return adapter;
}

function modelSettings(current: ModelSettings | undefined, patch: Partial<ModelSettings> = {}): ModelSettings {
  const threshold = patch.threshold ?? current?.threshold ?? DEFAULT_THRESHOLD;
  if (threshold < 0 || threshold > 1) throw new ValidationError('model.threshold must be between 0 and 1');
  const targetWrongRate = patch.targetWrongRate ?? current?.targetWrongRate ?? DEFAULT_TARGET_WRONG_RATE;
  if (targetWrongRate < 0 || targetWrongRate > MAX_TARGET_WRONG_RATE) throw new ValidationError(`model.targetWrongRate must be between 0 and ${MAX_TARGET_WRONG_RATE}`);
  if (typeof patch.name === 'string' && patch.name !== '') assertAdapterName(patch.name);
  // `name: null` clears the adapter name (the default model then answers); absent keeps it.
  const settings: ModelSettings = { name: 'name' in patch ? (patch.name ?? null) : (current?.name ?? null), threshold, systemPrompt: patch.systemPrompt ?? current?.systemPrompt ?? DEFAULT_SYSTEM_PROMPT, targetWrongRate };
  // issue 13 item 4: shadow and previous adapters change only through their own audited routes, so an edit of the form keeps them.
  for (const key of ['shadowName', 'shadowSince', 'previousName'] as const) if (current?.[key] !== undefined) settings[key] = current[key];
  return settings;
}

function handoffSettings(current: HandoffSettings | undefined, patch: Partial<HandoffSettings> = {}): HandoffSettings {
  const assignment = patch.assignment ?? current?.assignment ?? DEFAULT_ASSIGNMENT;
  if (!ASSIGNMENT_MODES.includes(assignment)) throw new ValidationError(`handoff.assignment must be one of ${ASSIGNMENT_MODES.join(', ')}`);
  return {
    keywords: patch.keywords ?? current?.keywords ?? [],
    // An emptied holding message falls back to the default: a handoff always tells the customer.
    holdingMessage: patch.holdingMessage?.trim() || current?.holdingMessage || DEFAULT_HOLDING_MESSAGE,
    // issue 14 item 4: manual unless the admin opts the channel in to auto-assignment.
    assignment,
  };
}

async function changed(deps: CoreDeps, actor: Actor, action: string, channel: Channel, fields: string[]): Promise<void> {
  deps.channels.invalidate(channel.id);
  // Field names only: secrets and prompts stay out of the audit trail. Turning the channel on or
  // off also says which way, so the audit page reads 关闭了渠道 / 开启了渠道 (issue 14 item 6).
  const direction = fields.includes('enabled') ? { enabled: channel.enabled } : {};
  await deps.audit.record({ actor: actor.id, action, target: `channel:${channel.id}`, details: { fields, ...direction } });
  await deps.events.publish({ type: 'channel.changed', channelId: channel.id }).catch(() => undefined);
}

export async function createChannel(deps: CoreDeps, actor: Actor, kind: ChannelKind, input: ChannelInput & { name: string }): Promise<Channel> {
  const adapter = adapterFor(deps, kind);
  const channel = await deps.channelRepository.create({
    kind,
    name: input.name,
    enabled: input.enabled ?? true,
    botEnabled: input.botEnabled ?? true,
    config: adapter.parseConfig(input.config ?? {}),
    secretFields: adapter.secretFields,
    model: modelSettings(undefined, input.model),
    handoff: handoffSettings(undefined, input.handoff),
    welcomeMessage: input.welcomeMessage ?? null,
  });
  await changed(deps, actor, 'channel.create', channel, Object.keys(input));
  return channel;
}

/** The mask the API shows for a stored secret (http/channel-view.ts); sent back, it means "unchanged". */
const SECRET_MASK = '********';

/** Key by key: absent keeps the stored value, `null` removes an optional key, a secret's mask keeps the secret. */
function mergeConfig(current: Record<string, unknown>, patch: Record<string, unknown>, secretFields: readonly string[]): Record<string, unknown> {
  const merged = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (!(secretFields.includes(key) && value === SECRET_MASK)) merged[key] = value;
  }
  return merged;
}

/**
 * Partial update. Secrets the admin leaves out keep their stored values (the API never shows
 * them, so an edit form cannot send them back). `enabled` / `botEnabled` take effect on every
 * process within the channel cache's lifetime (≤ 1 s).
 */
export async function updateChannel(deps: CoreDeps, actor: Actor, id: string, input: ChannelInput): Promise<Channel> {
  const current = await deps.channelRepository.get(id);
  if (!current) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${id} does not exist`);
  const adapter = adapterFor(deps, current.kind);
  const patch = {
    name: input.name,
    enabled: input.enabled,
    botEnabled: input.botEnabled,
    config: input.config ? adapter.parseConfig(mergeConfig(current.config, input.config, adapter.secretFields)) : undefined,
    secretFields: adapter.secretFields,
    model: input.model ? modelSettings(current.model, input.model) : undefined,
    handoff: input.handoff ? handoffSettings(current.handoff, input.handoff) : undefined,
    welcomeMessage: input.welcomeMessage,
  };
  // The model settings are written whole: only over what was read, so an edit of the form never
  // undoes a promote, rollback or calibration that landed meanwhile (issue 13 item 4).
  const updated = await deps.channelRepository.update(id, patch, input.model ? { model: current.model } : undefined);
  if (!updated) {
    if (input.model && (await deps.channelRepository.get(id))) throw new ConflictError('CHANNEL.CHANGED', "the channel's model settings changed meanwhile: reload and try again");
    throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${id} does not exist`);
  }
  await changed(deps, actor, 'channel.update', updated, Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined));
  return updated;
}

export async function deleteChannel(deps: CoreDeps, actor: Actor, id: string): Promise<void> {
  const current = await deps.channelRepository.get(id);
  if (!current || !(await deps.channelRepository.delete(id))) throw new NotFoundError('CHANNEL.NOT_FOUND', `channel ${id} does not exist`);
  await changed(deps, actor, 'channel.delete', current, []);
}
