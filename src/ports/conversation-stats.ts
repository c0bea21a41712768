/** The dashboard's time window: `buckets` consecutive buckets of one hour or one day from `since`. */
export interface StatsWindow {
  since: Date;
  bucket: 'hour' | 'day';
  buckets: number;
}

export interface SeriesPoint {
  /** Start of the bucket. */
  at: Date;
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

/** Figures for the admin dashboard (issue #5), counted from the messages table. */
export interface DashboardFigures {
  /** Messages created in the window by sender; events (enter/leave) and system notes are not messages. */
  messages: { customer: number; bot: number; agent: number };
  /** Bot answers (bot messages with a confidence): holding and welcome messages are not answers. */
  answeredByBot: number;
  /** Handoffs to humans decided by bot turns (the `handoff:<reason>` notes). */
  handedOff: number;
  handoffsByReason: Record<string, number>;
  /** Median time from a handoff to the first agent message after it; null when no handoff got one. */
  medianSecondsToHuman: number | null;
  /** Confidence of every bot turn (answers sent and handoffs that carried one), in ten buckets 0–0.1 … 0.9–1.0. */
  confidence: ConfidenceBucket[];
  /** One point per bucket, zero-filled. */
  series: SeriesPoint[];
}

/**
 * issue 14 item 4: one person's work since `since` (the viewer's midnight: "today"), from the audit
 * log, which names who replied and who closed.
 */
export interface AgentWorkFigures {
  userId: string;
  /**
   * Median seconds from a chat reaching them to their first reply: from the later of the bot's
   * handoff and the chat's last assignment or transfer (to anyone: the one who answers first is
   * the one it reached) to the first agent reply after it, over such first replies sent since `since`.
   */
  medianFirstResponseSeconds: number | null;
  /** How many first replies the median is over. */
  firstResponses: number;
  /** Conversations they closed since `since`. */
  closed: number;
}

export interface ConversationStats {
  dashboard(window: StatsWindow): Promise<DashboardFigures>;
  /** Everyone who replied or closed since `since`; people who did neither are absent. */
  agentWork(since: Date): Promise<AgentWorkFigures[]>;
}

export const STATS_RANGES = ['24h', '7d'] as const;
export type StatsRange = (typeof STATS_RANGES)[number];

/** One row of the dashboard's per-agent table (issue 14 item 4): who they are, how busy now, their day. */
export interface AgentDashboardRow {
  id: string;
  name: string;
  email: string;
  role: string;
  presence: string;
  presenceSince: Date | null;
  capacity: number;
  /** Assigned to them now, not closed. */
  openChats: number;
  medianFirstResponseSeconds: number | null;
  firstResponses: number;
  closedToday: number;
}

/** GET /api/stats: the figures and the window they cover. */
export interface DashboardStats extends DashboardFigures {
  range: StatsRange;
  since: Date;
  /** issue 14 item 4: every enabled user who may take chats; first responses and closes count from `todaySince`. */
  agents: AgentDashboardRow[];
  /** The viewer's midnight (utcOffset), where "today" starts. */
  todaySince: Date;
}
