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

export interface ConversationStats {
  dashboard(window: StatsWindow): Promise<DashboardFigures>;
}

export const STATS_RANGES = ['24h', '7d'] as const;
export type StatsRange = (typeof STATS_RANGES)[number];

/** GET /api/stats: the figures and the window they cover. */
export interface DashboardStats extends DashboardFigures {
  range: StatsRange;
  since: Date;
}
