/**
 * The channel form's state and the request bodies built from it. Kept free of React so the
 * rules about secrets and config merging can be tested on their own.
 *
 * Backend facts this relies on (src/usecases/manage-channels.ts):
 * - PATCH merges `config` into the stored one ({...current, ...patch}) and then validates the
 *   result, so a key left out keeps its stored value. A secret is shown only as '********';
 *   sending that mask back would store it as the secret, so a secret goes out only when the
 *   admin typed a new one.
 * - Adapters reject empty strings for optional fields, so an empty optional value is left out
 *   rather than sent as '' (which means an optional text cannot be cleared once set).
 */
// '.js' so the server-side unit test (tests/unit, NodeNext) can import this file too; Vite maps it to types.ts.
import { MASKED_SECRET, type ChannelKind, type ChannelView, type KindField } from './types.js';

export interface ChannelFormState {
  kind: ChannelKind | '';
  name: string;
  enabled: boolean;
  botEnabled: boolean;
  /** Every config field as typed: lists one item a line, numbers as text, secrets '' = unchanged. */
  config: Record<string, string>;
  modelName: string;
  threshold: string;
  /** In percent ('1' = 1 %); '' leaves the server's default (1 %, issue 12). */
  targetWrongRate: string;
  systemPrompt: string;
  /** One keyword a line (commas also split). */
  keywords: string;
  holdingMessage: string;
  /** issue 14 item 4: who takes a handoff (manual: the queue; auto: the least busy online agent). */
  assignment: 'manual' | 'auto';
  welcomeMessage: string;
}

/** Field key → i18n message key of what is wrong with it. */
export type FormErrors = Record<string, string>;

export const DEFAULT_THRESHOLD_TEXT = '0.6';

export function emptyForm(kind: ChannelKind | '' = ''): ChannelFormState {
  return {
    kind,
    name: '',
    enabled: true,
    botEnabled: true,
    config: {},
    modelName: '',
    threshold: DEFAULT_THRESHOLD_TEXT,
    targetWrongRate: '',
    systemPrompt: '',
    keywords: '',
    holdingMessage: '',
    assignment: 'manual',
    welcomeMessage: '',
  };
}

function configText(field: KindField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.type === 'secret') return ''; // never prefilled: the API only has the mask
  if (Array.isArray(value)) return value.map(String).join('\n');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  // No schema field holds an object; were one to, JSON reads better than "[object Object]".
  return JSON.stringify(value) ?? '';
}

export function formFromChannel(channel: ChannelView, fields: KindField[]): ChannelFormState {
  const config: Record<string, string> = {};
  for (const field of fields) config[field.name] = configText(field, channel.config[field.name]);
  return {
    kind: channel.kind,
    name: channel.name,
    enabled: channel.enabled,
    botEnabled: channel.botEnabled,
    config,
    modelName: channel.model.name ?? '',
    threshold: String(channel.model.threshold),
    targetWrongRate: percentText(channel.model.targetWrongRate),
    systemPrompt: channel.model.systemPrompt,
    keywords: channel.handoff.keywords.join('\n'),
    holdingMessage: channel.handoff.holdingMessage,
    // Channels stored before issue 14 have none: manual.
    assignment: channel.handoff.assignment === 'auto' ? 'auto' : 'manual',
    welcomeMessage: channel.welcomeMessage ?? '',
  };
}

/** Whether the stored channel has a value for this secret (the view shows '********' then). */
export function secretIsSet(channel: ChannelView | null | undefined, name: string): boolean {
  return channel?.config[name] === MASKED_SECRET;
}

export function splitList(text: string): string[] {
  const seen = new Set<string>();
  for (const item of text.split(/[\n,，]/)) {
    const trimmed = item.trim();
    if (trimmed) seen.add(trimmed);
  }
  return [...seen];
}

/** The config object to send; keys absent from it keep their stored values on PATCH. */
export function buildConfig(fields: KindField[], state: ChannelFormState, existing: ChannelView | null, errors: FormErrors): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of fields) {
    const key = `config.${field.name}`;
    const text = (state.config[field.name] ?? '').trim();
    if (field.type === 'list') {
      const items = splitList(state.config[field.name] ?? '');
      if (items.length) config[field.name] = items;
      else if (field.required) errors[key] = 'admin.form.required';
      // Emptied on edit: [] clears it where the adapter allows an empty list (webchat origins);
      // adapters that do not (wecom_kf openKfIds) answer with a message naming the field.
      else if (Array.isArray(existing?.config[field.name]) && (existing?.config[field.name] as unknown[]).length) config[field.name] = [];
      continue;
    }
    if (!text) {
      const keptSecret = field.type === 'secret' && secretIsSet(existing, field.name);
      if (field.required && !keptSecret) errors[key] = 'admin.form.required';
      continue;
    }
    if (field.type === 'number') {
      const n = Number(text);
      if (!Number.isFinite(n)) errors[key] = 'admin.form.notNumber';
      else config[field.name] = n;
      continue;
    }
    if (field.type === 'enum' && field.options && !field.options.includes(text)) {
      errors[key] = 'admin.form.badOption';
      continue;
    }
    config[field.name] = text;
  }
  return config;
}

function parseThreshold(text: string, errors: FormErrors): number | undefined {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    errors.threshold = 'admin.form.thresholdRange';
    return undefined;
  }
  return n;
}

/** The API's ceiling for model.targetWrongRate (a share): above half wrong, the bot is no help. */
export const MAX_TARGET_WRONG_RATE = 0.5;

/** 0.01 → '1'; rounded so 0.07 does not show as 7.000000000000001. Absent (older server) → ''. */
export function percentText(rate: number | undefined): string {
  return typeof rate === 'number' && Number.isFinite(rate) ? String(Number((rate * 100).toFixed(4))) : '';
}

/** The form's percent as the API's share; '' → undefined (left out, the stored or default value stays). */
function parseTargetWrongRate(text: string, errors: FormErrors): number | undefined {
  const trimmed = text.trim().replace(/%$/, '').trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  if (!Number.isFinite(n) || n < 0 || n > MAX_TARGET_WRONG_RATE * 100) {
    errors.targetWrongRate = 'admin.form.targetWrongRateRange';
    return undefined;
  }
  return Number((n / 100).toFixed(6));
}

export interface Built<T> {
  body: T | null;
  errors: FormErrors;
}

/** POST /api/channels body. Empty optional texts are left out so the server's defaults apply. */
export function buildCreateBody(fields: KindField[], state: ChannelFormState): Built<Record<string, unknown>> {
  const errors: FormErrors = {};
  if (!state.kind) errors.kind = 'admin.form.required';
  if (!state.name.trim()) errors.name = 'admin.form.required';
  const config = buildConfig(fields, state, null, errors);
  const threshold = parseThreshold(state.threshold, errors);
  const targetWrongRate = parseTargetWrongRate(state.targetWrongRate, errors);
  if (Object.keys(errors).length) return { body: null, errors };
  const model: Record<string, unknown> = { threshold };
  if (targetWrongRate !== undefined) model.targetWrongRate = targetWrongRate;
  if (state.modelName.trim()) model.name = state.modelName.trim();
  if (state.systemPrompt.trim()) model.systemPrompt = state.systemPrompt;
  const handoff: Record<string, unknown> = { keywords: splitList(state.keywords) };
  if (state.holdingMessage.trim()) handoff.holdingMessage = state.holdingMessage.trim();
  // Manual is the server's default: only the opt-in is sent.
  if (state.assignment === 'auto') handoff.assignment = 'auto';
  const body: Record<string, unknown> = {
    kind: state.kind,
    name: state.name.trim(),
    enabled: state.enabled,
    botEnabled: state.botEnabled,
    config,
    model,
    handoff,
  };
  if (state.welcomeMessage.trim()) body.welcomeMessage = state.welcomeMessage.trim();
  return { body, errors };
}

/**
 * PATCH /api/channels/:id body for the edit form. The on/off switches are not part of it: the
 * list changes those on its own, and sending the form's stale copy would undo such a change.
 */
export function buildPatchBody(fields: KindField[], state: ChannelFormState, existing: ChannelView): Built<Record<string, unknown>> {
  const errors: FormErrors = {};
  if (!state.name.trim()) errors.name = 'admin.form.required';
  // The holding message is sent to customers at every handoff; an empty one would be sent as is.
  if (!state.holdingMessage.trim()) errors.holdingMessage = 'admin.form.required';
  const config = buildConfig(fields, state, existing, errors);
  const threshold = parseThreshold(state.threshold, errors);
  const targetWrongRate = parseTargetWrongRate(state.targetWrongRate, errors);
  if (Object.keys(errors).length) return { body: null, errors };
  const model: Record<string, unknown> = { name: state.modelName.trim() || null, threshold, systemPrompt: state.systemPrompt };
  if (targetWrongRate !== undefined) model.targetWrongRate = targetWrongRate;
  const body: Record<string, unknown> = {
    name: state.name.trim(),
    model,
    handoff: { keywords: splitList(state.keywords), holdingMessage: state.holdingMessage.trim(), assignment: state.assignment },
    welcomeMessage: state.welcomeMessage.trim() || null,
  };
  if (Object.keys(config).length) body.config = config;
  return { body, errors };
}
