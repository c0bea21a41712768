import type { DashboardStats, StatsRange, StatsWindow } from '../ports/conversation-stats.js';
import type { CoreDeps } from './deps.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The window a range covers, in whole buckets ending with the current one: the last 24 hours
 * hourly, the last 7 days daily. Buckets start on the viewer's wall clock, `utcOffsetMinutes`
 * east of UTC (China: 480), so a shop's "day" runs from its own midnight, not 08:00. A fixed
 * offset: where daylight saving moves it within the week, earlier days are off by that hour.
 */
export function statsWindow(range: StatsRange, now: Date, utcOffsetMinutes = 0): StatsWindow {
  const [bucketMs, buckets, bucket] = range === '24h' ? [HOUR_MS, 24, 'hour' as const] : [DAY_MS, 7, 'day' as const];
  const offsetMs = utcOffsetMinutes * 60_000;
  const current = Math.floor((now.getTime() + offsetMs) / bucketMs) * bucketMs - offsetMs;
  return { since: new Date(current - (buckets - 1) * bucketMs), bucket, buckets };
}

/** Figures for the admin dashboard (GET /api/stats). */
export async function getDashboardStats(deps: Pick<CoreDeps, 'stats' | 'clock'>, range: StatsRange, utcOffsetMinutes = 0): Promise<DashboardStats> {
  const window = statsWindow(range, deps.clock.now(), utcOffsetMinutes);
  const figures = await deps.stats.dashboard(window);
  return { range, since: window.since, ...figures };
}
