import { startOfLocalUnit } from '../domain/dates.js';
import type { AgentDashboardRow, DashboardStats, StatsRange, StatsWindow } from '../ports/conversation-stats.js';
import type { CoreDeps } from './deps.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The window a range covers, in whole buckets ending with the current one: the last 24 hours
 * hourly, the last 7 days daily. Buckets start on the viewer's wall clock, `utcOffsetMinutes`
 * east of UTC (startOfLocalUnit, which "today" below shares: issue 14).
 */
export function statsWindow(range: StatsRange, now: Date, utcOffsetMinutes = 0): StatsWindow {
  const [bucketMs, buckets, bucket] = range === '24h' ? [HOUR_MS, 24, 'hour' as const] : [DAY_MS, 7, 'day' as const];
  const current = startOfLocalUnit(now, bucketMs, utcOffsetMinutes).getTime();
  return { since: new Date(current - (buckets - 1) * bucketMs), bucket, buckets };
}

/** The viewer's last midnight, `utcOffsetMinutes` east of UTC: where "today" starts. */
export function startOfDay(now: Date, utcOffsetMinutes = 0): Date {
  return startOfLocalUnit(now, DAY_MS, utcOffsetMinutes);
}

/**
 * issue 14 item 4: every enabled user who may take chats, with their presence, capacity and open
 * chats now, and their day: median first-response time and chats closed, since the viewer's midnight.
 */
async function agentRows(deps: Pick<CoreDeps, 'stats' | 'presence'>, today: Date): Promise<AgentDashboardRow[]> {
  const [agents, work] = await Promise.all([deps.presence.listAgents(), deps.stats.agentWork(today)]);
  const workOf = new Map(work.map((w) => [w.userId, w]));
  return agents.map((a) => {
    const w = workOf.get(a.id);
    return {
      id: a.id, name: a.name, email: a.email, role: a.role, presence: a.presence, presenceSince: a.presenceSince, capacity: a.capacity, openChats: a.openChats,
      medianFirstResponseSeconds: w?.medianFirstResponseSeconds ?? null, firstResponses: w?.firstResponses ?? 0, closedToday: w?.closed ?? 0,
    };
  });
}

/** Figures for the admin dashboard (GET /api/stats). */
export async function getDashboardStats(deps: Pick<CoreDeps, 'stats' | 'clock' | 'presence'>, range: StatsRange, utcOffsetMinutes = 0): Promise<DashboardStats> {
  const now = deps.clock.now();
  const window = statsWindow(range, now, utcOffsetMinutes);
  const todaySince = startOfDay(now, utcOffsetMinutes);
  const figures = await deps.stats.dashboard(window);
  const agents = await agentRows(deps, todaySince);
  return { range, since: window.since, ...figures, agents, todaySince };
}
