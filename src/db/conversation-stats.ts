import type { AgentWorkFigures, ConfidenceBucket, ConversationStats, DashboardFigures, SeriesPoint, StatsWindow } from '../ports/conversation-stats.js';
import type { Database } from './database.js';
import type { Row } from './row-mappers.js';

/**
 * Dashboard figures from the messages table, one engine-neutral SQL text for PostgreSQL and PGlite.
 * Every query takes the window as $1 (since) and $2 (until); handoffs are the `handoff:<reason>`
 * system notes a bot turn writes (conversation-store.ts outcomeRows).
 */
const handoff = (alias = '') => `${alias}sender = 'system' AND ${alias}text LIKE 'handoff:%'`;

/** Per bucket ($3 seconds wide, $4 of them), zero-filled by the series on the left. */
const SERIES = `
WITH b AS (SELECT i FROM generate_series(0, $4::int - 1) AS i),
m AS (
  SELECT floor(extract(epoch FROM (created_at - $1::timestamptz)) / $3::int)::int AS i, sender, confidence
  FROM messages
  WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz
    AND ((sender IN ('customer', 'bot', 'agent') AND kind <> 'event') OR (${handoff()}))
)
SELECT b.i,
  count(*) FILTER (WHERE m.sender = 'customer') AS customer,
  count(*) FILTER (WHERE m.sender = 'bot') AS bot,
  count(*) FILTER (WHERE m.sender = 'bot' AND m.confidence IS NOT NULL) AS answers,
  count(*) FILTER (WHERE m.sender = 'agent') AS agent,
  count(*) FILTER (WHERE m.sender = 'system') AS handoffs
FROM b LEFT JOIN m ON m.i = b.i
GROUP BY b.i ORDER BY b.i`;

const REASONS = `
SELECT substr(text, 9) AS reason, count(*) AS n FROM messages
WHERE ${handoff()} AND created_at >= $1::timestamptz AND created_at < $2::timestamptz
GROUP BY 1 ORDER BY 1`;

/**
 * Each handoff to the first agent message after it in its conversation, unless a later handoff
 * came first (that one is then measured instead; the earlier one never reached a person).
 */
const TO_HUMAN = `
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (a.created_at - h.created_at))) AS median
FROM messages h
JOIN LATERAL (
  SELECT created_at FROM messages a
  WHERE a.conversation_id = h.conversation_id AND a.sender = 'agent' AND a.id > h.id
    AND NOT EXISTS (SELECT 1 FROM messages n WHERE n.conversation_id = h.conversation_id AND ${handoff('n.')}
                    AND n.id > h.id AND n.id < a.id)
  ORDER BY a.id LIMIT 1
) a ON true
WHERE ${handoff('h.')} AND h.created_at >= $1::timestamptz AND h.created_at < $2::timestamptz`;

/** Confidence of each bot turn: answers carry it, and so do the handoff notes of turns that did not answer. */
const CONFIDENCE = `
SELECT GREATEST(0, LEAST(9, floor(confidence * 10)::int)) AS b, count(*) AS n FROM messages
WHERE confidence IS NOT NULL AND (sender = 'bot' OR (${handoff()}))
  AND created_at >= $1::timestamptz AND created_at < $2::timestamptz
GROUP BY 1`;

/**
 * issue 14 item 4: who sent which agent message, from the audit rows of replies (the messages table
 * has no author), since $1. Only `conversation.reply`: a sent draft goes out through sendAgentReply,
 * which writes that row too, and its `conversation.draft.send` row names the same message (issue 14:
 * reading both counted a draft's first response twice). For each, the latest point the chat reached a person
 * before it: the bot's handoff note, an assignment (`status:…->assigned by …`, auto-assignment's
 * too) or a transfer to someone (`transfer:…->… by …`, not to the queue). A reply with no agent
 * message between that point and itself is a first response.
 */
const FIRST_RESPONSES = `
WITH r AS (
  SELECT a.actor, m.id AS message_id, m.conversation_id, m.created_at
  FROM audit_log a
  JOIN messages m ON m.id = CASE WHEN a.details->>'messageId' ~ '^[0-9]{1,18}$' THEN (a.details->>'messageId')::bigint END
  WHERE a.action = 'conversation.reply' AND a.at >= $1::timestamptz AND m.sender = 'agent'
), firsts AS (
  SELECT r.actor, extract(epoch FROM (r.created_at - s.created_at)) AS seconds
  FROM r
  JOIN LATERAL (
    SELECT n.id, n.created_at FROM messages n
    WHERE n.conversation_id = r.conversation_id AND n.id < r.message_id AND n.sender = 'system'
      AND (n.text LIKE 'handoff:%' OR n.text LIKE 'status:%->assigned by %' OR (n.text LIKE 'transfer:%' AND n.text NOT LIKE 'transfer:%->queue by %'))
    ORDER BY n.id DESC LIMIT 1
  ) s ON true
  WHERE NOT EXISTS (SELECT 1 FROM messages p WHERE p.conversation_id = r.conversation_id AND p.sender = 'agent' AND p.id > s.id AND p.id < r.message_id)
)
SELECT actor, percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median, count(*) AS n FROM firsts GROUP BY actor`;

/** issue 14 item 4: conversations each person closed since $1. */
const CLOSED = `SELECT actor, count(*) AS n FROM audit_log WHERE action = 'conversation.closed' AND at >= $1::timestamptz GROUP BY actor`;

const BUCKET_SECONDS = { hour: 3600, day: 86_400 } as const;

export function createConversationStats(db: Database): ConversationStats {
  return {
    async dashboard(window: StatsWindow): Promise<DashboardFigures> {
      const seconds = BUCKET_SECONDS[window.bucket];
      const since = window.since.toISOString();
      const until = new Date(window.since.getTime() + window.buckets * seconds * 1000).toISOString();
      const series = await db.query<Row>(SERIES, [since, until, seconds, window.buckets]);
      const reasons = await db.query<Row>(REASONS, [since, until]);
      const toHuman = await db.query<Row>(TO_HUMAN, [since, until]);
      const confidence = await db.query<Row>(CONFIDENCE, [since, until]);

      const points: SeriesPoint[] = series.rows.map((r) => ({
        at: new Date(window.since.getTime() + Number(r.i) * seconds * 1000),
        customer: Number(r.customer), bot: Number(r.bot), agent: Number(r.agent), handoffs: Number(r.handoffs),
      }));
      const sum = (pick: (r: Row) => unknown) => series.rows.reduce((n, r) => n + Number(pick(r)), 0);
      const median = toHuman.rows[0]?.median;
      return {
        messages: { customer: sum((r) => r.customer), bot: sum((r) => r.bot), agent: sum((r) => r.agent) },
        answeredByBot: sum((r) => r.answers),
        handedOff: sum((r) => r.handoffs),
        handoffsByReason: Object.fromEntries(reasons.rows.map((r) => [String(r.reason), Number(r.n)])),
        medianSecondsToHuman: median == null ? null : Math.round(Number(median) * 10) / 10,
        confidence: confidenceBuckets(confidence.rows),
        series: points,
      };
    },

    async agentWork(since: Date): Promise<AgentWorkFigures[]> {
      const firsts = await db.query<Row>(FIRST_RESPONSES, [since.toISOString()]);
      const closed = await db.query<Row>(CLOSED, [since.toISOString()]);
      const byUser = new Map<string, AgentWorkFigures>();
      const row = (userId: string) => {
        let figures = byUser.get(userId);
        if (!figures) byUser.set(userId, (figures = { userId, medianFirstResponseSeconds: null, firstResponses: 0, closed: 0 }));
        return figures;
      };
      for (const r of firsts.rows) {
        const figures = row(String(r.actor));
        figures.medianFirstResponseSeconds = r.median == null ? null : Math.round(Number(r.median) * 10) / 10;
        figures.firstResponses = Number(r.n);
      }
      for (const r of closed.rows) row(String(r.actor)).closed = Number(r.n);
      return [...byUser.values()];
    },
  };
}

/** Ten buckets, empty ones included; the last one holds 1.0 as well. */
function confidenceBuckets(rows: Row[]): ConfidenceBucket[] {
  const counts = new Map(rows.map((r) => [Number(r.b), Number(r.n)]));
  return Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, count: counts.get(i) ?? 0 }));
}
