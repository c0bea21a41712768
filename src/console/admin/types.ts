/** Shapes of the admin API answers (notes/console-contract.md, "HTTP contract"). */

export type ChannelKind = 'wecom_app' | 'wecom_kf' | 'wecom_bot' | 'dingtalk_stream' | 'dingtalk_http' | 'webchat';

/** A channel as GET /api/channels shows it: secret config values are '********' (set) or '' (unset). */
export interface ChannelView {
  id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  botEnabled: boolean;
  config: Record<string, unknown>;
  /** targetWrongRate (0..0.5, issue 12) is absent on servers without calibration. */
  model: { name: string | null; threshold: number; systemPrompt: string; targetWrongRate?: number };
  /** assignment (issue 14 item 4): absent on channels stored before it existed, which are manual. */
  handoff: { keywords: string[]; holdingMessage: string; assignment?: 'manual' | 'auto' };
  welcomeMessage: string | null;
  callbackUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What channel-view.ts puts in place of a stored secret. */
export const MASKED_SECRET = '********';

export type FieldType = 'string' | 'secret' | 'list' | 'enum' | 'number';

export interface KindField {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  options?: string[];
  help?: string;
}

export interface KindSchema {
  kind: ChannelKind;
  label: string;
  fields: KindField[];
}

/** One point of the calibration curve: answering at `threshold` answers this share, this often wrongly. */
export interface CalibrationPoint {
  threshold: number;
  /** The share of labelled turns the bot would answer (0..1). */
  answered: number;
  /** The share of ALL labelled turns that would be answered and are wrong (0..1): the eval's "wrong of all". */
  wrongRate: number;
  /** The calibrated probability that an answer scored at `threshold` is right; null without labels. */
  probability: number | null;
}

/** GET /api/channels/:id/calibration and POST …/calibration/apply (issue 12). */
export interface Calibration {
  labelled: number;
  good: number;
  bad: number;
  auroc: number | null;
  curve: CalibrationPoint[];
  recommendedThreshold: number | null;
  currentThreshold: number;
  targetWrongRate: number;
  minLabels: number;
  enoughLabels: boolean;
}

/** GET /api/knowledge/suggestions: what the bot could learn from an agent's answer or correction. */
export interface KnowledgeSuggestion {
  id: string;
  channelId: string | null;
  conversationId: string | null;
  /** The customer's question, with phone numbers, order numbers and addresses masked. */
  question: string;
  /** The proposed answer; null when the suggestion is a new phrasing of an existing entry. */
  answer: string | null;
  entryId: string | null;
  entry: { instruction: string; output: string } | null;
  source: 'agent_reply' | 'correction';
  status: 'open' | 'accepted' | 'rejected';
  createdAt: string;
}

export type TestResult = { ok: true } | { ok: false; error: { code: string; message: string } };

export interface KnowledgeEntry {
  id: string;
  channelId: string | null;
  instruction: string;
  input: string;
  output: string;
  /** issue 13 item 1: the LoRA recipe's stage this entry's answer trains. */
  stage?: TrainingStage;
  updatedAt?: string;
}

/** issue 13 item 1: basic Q&A, promotions, complaint handling (knowledge.stage). */
export const TRAINING_STAGES = ['basic', 'promotion', 'emotion'] as const;
export type TrainingStage = (typeof TRAINING_STAGES)[number];

export interface ImportResult {
  imported: number;
  skipped: number;
  errors: { line: number; error: string }[];
}

export type Role = 'admin' | 'agent';

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  disabled: boolean;
  createdAt?: string;
  lastLoginAt?: string | null;
  /** issue 14 item 4: open chats auto-assignment gives them at most (older servers omit it). */
  capacity?: number;
}

export interface AuditItem {
  id: string;
  actor: string;
  actorEmail?: string | null;
  action: string;
  target: string;
  details?: Record<string, unknown> | null;
  at: string;
}

export type StatsRange = '24h' | '7d';

export interface SeriesPoint {
  at: string;
  customer: number;
  bot: number;
  agent: number;
  handoffs: number;
}

export interface ConfidenceBucket {
  from: number;
  to: number;
  count: number;
}

export interface DashboardStats {
  range: StatsRange;
  since: string;
  messages: { customer: number; bot: number; agent: number };
  answeredByBot: number;
  handedOff: number;
  handoffsByReason: Record<string, number>;
  medianSecondsToHuman: number | null;
  confidence: ConfidenceBucket[];
  series: SeriesPoint[];
  /** issue 14 item 4: per agent, now and since `todaySince` (the viewer's midnight); older servers omit them. */
  agents?: AgentDashboardRow[];
  todaySince?: string;
}

/** One row of the dashboard's per-agent table (issue 14 item 4). */
export interface AgentDashboardRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  presence: 'online' | 'away' | 'offline';
  presenceSince: string | null;
  capacity: number;
  openChats: number;
  medianFirstResponseSeconds: number | null;
  firstResponses: number;
  closedToday: number;
}

/** What api.ts throws (C1): the HTTP status and the server's error code and message. */
export interface ApiError {
  status: number;
  code: string;
  message: string;
}

export function errorText(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as Partial<ApiError>;
    return e.code ? `${e.message} (${e.code})` : String(e.message);
  }
  return String(error);
}

/**
 * The 模型 page (issue 13 item 4): the adapter evaluation report as `npm run eval -- --report FILE`
 * writes it, stored by POST /api/models/:name/reports (the server adds id, uploadedBy, uploadedAt).
 */
export interface EvalReport {
  id: string;
  version: number;
  model: string;
  baseModel: string | null;
  data: string;
  createdAt: string;
  threshold: number;
  counts: { total: number; answerable: number; outOfScope: number };
  /** 0..1 each: answeredCorrectly of answerable, wrong and handedOff of all, outOfScopeHandedOff of out-of-scope. */
  rates: { answeredCorrectly: number; wrong: number; handedOff: number; outOfScopeHandedOff: number };
  auroc: number | null;
  ece: number | null;
  thresholdForWrongUnder1pct: number | null;
  disagreements: { question: string; expected: string; got: string; confidence: number | null }[];
  /** The uploader's user id ('admin-token' for the API token); uploadedByEmail, where the server adds it, reads better. */
  uploadedBy: string | null;
  uploadedByEmail?: string | null;
  uploadedAt: string;
}

/** An adapter the model node lists (vLLM: each LoRA module with its parent), or one known from a report or a channel. */
export interface AdapterView {
  name: string;
  parent: string | null;
  isBase: boolean;
  latestReport: EvalReport | null;
}

export interface ModelChannelRow {
  channelId: string;
  channelName: string;
  /** null: the deployment's default model. */
  live: string | null;
  threshold: number;
  shadow: string | null;
  previous: string | null;
}

/** GET /api/models. */
export interface ModelsOverview {
  node: { configured: boolean; available: boolean; error: string | null };
  defaultModel: string;
  adapters: AdapterView[];
  channels: ModelChannelRow[];
}

/** What the shadow adapter did on a channel since it was set (answers recorded, never sent). */
export interface ShadowStats {
  adapter: string;
  since: string;
  turns: number;
  failed: number;
  agreeWithLive: number | null;
  agentAnswered: number;
  agreeWithAgent: number | null;
  meanConfidence: number | null;
  confidenceBuckets: ConfidenceBucket[];
  recent: { question: string; live: string | null; shadow: string; shadowConfidence: number | null; agreed: boolean | null; at: string }[];
}

/** GET /api/channels/:id/model, and the answer of its PUT …/shadow, POST …/promote and …/rollback. */
export interface ChannelModelState {
  channelId: string;
  live: string | null;
  defaultModel: string;
  threshold: number;
  shadow: string | null;
  previous: string | null;
  shadow_stats: ShadowStats | null;
}
