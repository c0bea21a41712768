export const CHANNEL_KINDS = ['wecom_app', 'wecom_kf', 'wecom_bot', 'dingtalk_stream', 'dingtalk_http', 'webchat'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const DEFAULT_HOLDING_MESSAGE = '已为您转接人工客服，请稍候~';
export const DEFAULT_THRESHOLD = 0.6;
/** The share of wrong answers (of all labelled turns) a calibrated threshold keeps under (issue 12 item 4). */
export const DEFAULT_TARGET_WRONG_RATE = 0.01;
export const MAX_TARGET_WRONG_RATE = 0.5;

export interface ModelSettings {
  /** The vLLM LoRA adapter name; null → the deployment default (MODEL_NAME). */
  name: string | null;
  threshold: number;
  systemPrompt: string;
  /**
   * The calibration target (issue 12 item 4), 0..0.5; absent on channels stored before it existed
   * (the repository fills in DEFAULT_TARGET_WRONG_RATE when it reads them).
   */
  targetWrongRate?: number;
  /**
   * issue 13 item 4: an adapter that answers every model turn of the channel in the background and
   * is never sent (absent or null: none), and when it was set (ISO), so its stats start there.
   */
  shadowName?: string | null;
  shadowSince?: string | null;
  /** The adapter live before the last promote or rollback, so one click goes back (null: none). */
  previousName?: string | null;
}

/**
 * issue 14 item 4: who takes a handoff. `manual`: it waits in the queue until an agent takes it;
 * `auto`: it is offered at once to the online agent with the fewest open chats (src/usecases/auto-assign.ts).
 */
export const ASSIGNMENT_MODES = ['manual', 'auto'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];
export const DEFAULT_ASSIGNMENT: AssignmentMode = 'manual';

export interface HandoffSettings {
  keywords: string[];
  holdingMessage: string;
  /** Absent on channels stored before issue 14: manual (assignmentOf). */
  assignment?: AssignmentMode;
}

/** A channel's assignment mode; channels stored before it existed are manual. */
export function assignmentOf(channel: Pick<Channel, 'handoff'>): AssignmentMode {
  return channel.handoff.assignment === 'auto' ? 'auto' : 'manual';
}

export interface Channel {
  id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  botEnabled: boolean;
  /** Platform settings, secrets included, decrypted. Never leaves the process through the API. */
  config: Record<string, unknown>;
  model: ModelSettings;
  handoff: HandoffSettings;
  welcomeMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const DEFAULT_SYSTEM_PROMPT =
  '你是本店的在线客服，只根据提供的店铺知识回答顾客的问题，语气亲切简洁；不知道答案时请说明会转人工客服。';
