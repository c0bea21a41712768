import type { DashboardStats, StatsRange, StatsWindow } from '../ports/conversation-stats.js';
import type { CoreDeps } from './deps.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The window a range covers, in whole buckets ending with the current one: the last 24 hours
 * hourly, the last 7 days daily. Buckets are aligned in UTC so every process and both engines
 * agree on them.
 */
export function statsWindow(range: StatsRange, now: Date): StatsWindow {
  const [bucketMs, buckets, bucket] = range === '24h' ? [HOUR_MS, 24, 'hour' as const] : [DAY_MS, 7, 'day' as const];
  const current = Math.floor(now.getTime() / bucketMs) * bucketMs;
  return { since: new Date(current - (buckets - 1) * bucketMs), bucket, buckets };
}

/** Figures for the admin dashboard (GET /api/stats). */
export async function getDashboardStats(deps: Pick<CoreDeps, 'stats' | 'clock'>, range: StatsRange): Promise<DashboardStats> {
  const window = statsWindow(range, deps.clock.now());
  const figures = await deps.stats.dashboard(window);
  return { range, since: window.since, ...figures };
}
