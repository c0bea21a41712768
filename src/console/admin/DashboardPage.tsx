/**
 * Dashboard for the last 24 h or 7 days (GET /api/stats?range=): totals, messages over time,
 * handoffs by reason, the median wait for a human and the bot's confidence distribution; and per
 * agent (issue 14 item 4) their presence, open chats against capacity, median first response and
 * chats closed today, with presence and open chats kept live from /api/agents and the event stream.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, qs } from '../api';
import { useEvents } from '../events';
import { hasKey, useLang, useT, type T } from '../i18n';
import type { AgentStatus } from '../types';
import { HorizontalBarChart, Histogram, SeriesChart } from './charts';
import { formatDateTime, Notice, useLoader } from './common';
import type { AgentDashboardRow, ChannelView, DashboardStats, StatsRange } from './types';

const RANGES: StatsRange[] = ['24h', '7d'];

/** "45 秒", "3 分 20 秒", "1 小时 5 分" (or English), from seconds. */
export function formatDuration(t: T, seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return t('admin.duration.s', { s });
  if (s < 3600) return t('admin.duration.ms', { m: Math.floor(s / 60), s: s % 60 });
  return t('admin.duration.hm', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

export function DashboardPage() {
  const t = useT();
  const { lang } = useLang();
  const [range, setRange] = useState<StatsRange>('24h');
  const [threshold, setThreshold] = useState<number | undefined>(undefined);
  const { data: stats, error, loading, reload: load } = useLoader(t, () => api.get<DashboardStats>(`/api/stats${qs({ range, utcOffset: -new Date().getTimezoneOffset() })}`), [range]);

  // The histogram can mark the handoff threshold only when every channel uses the same one.
  useEffect(() => {
    api
      .get<{ items: ChannelView[] }>('/api/channels')
      .then(({ items }) => {
        const values = new Set(items.map((c) => c.model.threshold));
        setThreshold(values.size === 1 ? [...values][0] : undefined);
      })
      .catch(() => undefined);
  }, []);

  const formatAt = (at: string) => {
    const date = new Date(at);
    return range === '24h' ? date.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', hour12: false }) : date.toLocaleDateString(lang, { month: 'numeric', day: 'numeric' });
  };
  const reasonLabel = (reason: string) => (hasKey(`admin.reason.${reason}`) ? t(`admin.reason.${reason}`) : reason);
  const rangeLabel = t(`admin.dashboard.range.${range}`);

  const totalMessages = stats ? stats.messages.customer + stats.messages.bot + stats.messages.agent : 0;
  const decided = stats ? stats.answeredByBot + stats.handedOff : 0;
  const botRate = stats && decided > 0 ? Math.round((stats.answeredByBot / decided) * 100) : null;
  const reasons = stats ? Object.entries(stats.handoffsByReason).map(([key, value]) => ({ key, label: reasonLabel(key), value })) : [];

  return (
    <div className="adm-page" data-testid="dashboard" aria-busy={loading}>
      <header className="adm-page__header">
        <h1>{t('admin.dashboard.title')}</h1>
        <div className="adm-row">
          <div className="adm-segmented" role="group" aria-label={t('admin.dashboard.rangeLabel')}>
            {RANGES.map((r) => (
              <button key={r} type="button" aria-pressed={range === r} className="adm-segmented__btn" onClick={() => setRange(r)} data-testid={`dashboard-range-${r}`}>
                {t(`admin.dashboard.range.${r}`)}
              </button>
            ))}
          </div>
          <button type="button" className="adm-btn" onClick={() => void load()}>
            {t('admin.refresh')}
          </button>
        </div>
      </header>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {stats === null && loading ? <p className="adm-muted">{t('admin.loading')}</p> : null}
      {stats ? (
        <>
          <p className="adm-muted">{t('admin.dashboard.since', { since: formatDateTime(stats.since, lang) })}</p>
          <dl className="adm-kpis" data-testid="dashboard-kpis">
            <div className="adm-kpi">
              <dt>{t('admin.dashboard.messages')}</dt>
              <dd>
                <span className="adm-kpi__value">{totalMessages}</span>
                <span className="adm-kpi__sub">{t('admin.dashboard.messagesSplit', stats.messages)}</span>
              </dd>
            </div>
            <div className="adm-kpi">
              <dt>{t('admin.dashboard.answeredByBot')}</dt>
              <dd>
                <span className="adm-kpi__value">{stats.answeredByBot}</span>
                <span className="adm-kpi__sub">{botRate === null ? '—' : t('admin.dashboard.botRate', { rate: botRate })}</span>
              </dd>
            </div>
            <div className="adm-kpi">
              <dt>{t('admin.dashboard.handedOff')}</dt>
              <dd>
                <span className="adm-kpi__value">{stats.handedOff}</span>
                <span className="adm-kpi__sub">{rangeLabel}</span>
              </dd>
            </div>
            <div className="adm-kpi">
              <dt>{t('admin.dashboard.medianToHuman')}</dt>
              <dd>
                <span className="adm-kpi__value">{formatDuration(t, stats.medianSecondsToHuman)}</span>
                <span className="adm-kpi__sub">{t('admin.dashboard.medianHelp')}</span>
              </dd>
            </div>
          </dl>
          <div className="adm-charts">
            <div className="adm-panel adm-charts__wide">
              <SeriesChart
                series={stats.series}
                formatAt={formatAt}
                labels={{
                  title: t(range === '24h' ? 'admin.chart.seriesHourly' : 'admin.chart.seriesDaily'),
                  description: t('admin.chart.seriesDesc', { total: totalMessages, handoffs: stats.handedOff, range: rangeLabel }),
                  time: t('admin.chart.time'),
                  customer: t('admin.chart.customer'),
                  bot: t('admin.chart.bot'),
                  agent: t('admin.chart.agent'),
                  handoffs: t('admin.chart.handoffs'),
                  noData: t('admin.chart.noData'),
                }}
              />
            </div>
            <div className="adm-panel">
              <HorizontalBarChart
                testId="chart-handoff-reasons"
                data={reasons}
                labels={{
                  title: t('admin.chart.reasons'),
                  description: reasons.length ? reasons.map((r) => `${r.label} ${r.value}`).join(', ') : t('admin.chart.noData'),
                  category: t('admin.chart.reason'),
                  value: t('admin.chart.count'),
                  noData: t('admin.chart.noHandoffs'),
                }}
              />
            </div>
            <div className="adm-panel">
              <Histogram
                testId="chart-confidence"
                buckets={stats.confidence}
                threshold={threshold}
                labels={{
                  title: t('admin.chart.confidence'),
                  description: t('admin.chart.confidenceDesc', { total: stats.confidence.reduce((n, b) => n + b.count, 0) }),
                  range: t('admin.chart.confidenceRange'),
                  count: t('admin.chart.count'),
                  threshold: threshold === undefined ? '' : t('admin.chart.threshold', { value: threshold }),
                  noData: t('admin.chart.noData'),
                }}
              />
            </div>
          </div>
          {stats.agents ? <AgentTable rows={stats.agents} todaySince={stats.todaySince ?? stats.since} /> : null}
        </>
      ) : null}
    </div>
  );
}

/** The rows as the stats answered them, with presence, capacity and open chats as they are now. */
function useLiveAgents(rows: AgentDashboardRow[]): AgentDashboardRow[] {
  const [live, setLive] = useState<Map<string, AgentStatus>>(new Map());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const load = useCallback(() => {
    api.get<{ items: AgentStatus[] }>('/api/agents').then((a) => setLive(new Map(a.items.map((x) => [x.id, x]))), () => undefined);
  }, []);
  useEffect(() => {
    load();
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [load]);
  useEvents((event) => {
    if (event.type !== 'agent.presence' && event.type !== 'conversation.updated' && event.type !== 'resync') return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(load, 300);
  });
  return rows.map((row) => {
    const now = live.get(row.id);
    return now ? { ...row, presence: now.presence, presenceSince: now.presenceSince, capacity: now.capacity, openChats: now.openChats } : row;
  });
}

const PRESENCE_ORDER = { online: 0, away: 1, offline: 2 } as const;

function AgentTable({ rows, todaySince }: { rows: AgentDashboardRow[]; todaySince: string }) {
  const t = useT();
  const { lang } = useLang();
  const agents = useLiveAgents(rows);
  // Who is working first, then the busiest.
  const sorted = [...agents].sort((a, b) => PRESENCE_ORDER[a.presence] - PRESENCE_ORDER[b.presence] || b.openChats - a.openChats || (a.name || a.email).localeCompare(b.name || b.email));
  const time = (at: string) => new Date(at).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', hour12: false });
  return (
    <section className="adm-panel" aria-labelledby="dashboard-agents-title" data-testid="dashboard-agents">
      <h2 id="dashboard-agents-title">{t('admin.dashboard.agents.title')}</h2>
      <p className="adm-muted">{t('admin.dashboard.agents.help', { since: formatDateTime(todaySince, lang) })}</p>
      {sorted.length === 0 ? (
        <p className="adm-muted">{t('admin.dashboard.agents.none')}</p>
      ) : (
        <div className="adm-table-wrap">
          <table className="adm-table adm-table--cards adm-agents">
            <caption className="adm-visually-hidden">{t('admin.dashboard.agents.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.dashboard.agents.name')}</th>
                <th scope="col">{t('admin.dashboard.agents.presence')}</th>
                <th scope="col">{t('admin.dashboard.agents.open')}</th>
                <th scope="col">{t('admin.dashboard.agents.firstResponse')}</th>
                <th scope="col">{t('admin.dashboard.agents.closed')}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((a) => (
                <tr key={a.id} data-testid="dashboard-agent" data-user-id={a.id} data-presence={a.presence}>
                  <th scope="row" data-label={t('admin.dashboard.agents.name')}>
                    <span>{a.name || a.email}</span>
                  </th>
                  <td data-label={t('admin.dashboard.agents.presence')}>
                    <span>
                      <span className={`adm-presence adm-presence--${a.presence}`} data-testid="dashboard-agent-presence">{t(`presence.${a.presence}`)}</span>
                      {a.presenceSince ? <span className="adm-muted adm-presence__since"> {t('admin.dashboard.agents.since', { time: time(a.presenceSince) })}</span> : null}
                    </span>
                  </td>
                  <td data-label={t('admin.dashboard.agents.open')}>
                    <span className="adm-agent-load" data-testid="dashboard-agent-open">
                      <span className="adm-agent-load__n">{a.openChats} / {a.capacity}</span>
                      <span className="adm-agent-load__bar" aria-hidden="true">
                        <span style={{ width: `${Math.min(100, Math.round((a.openChats / Math.max(1, a.capacity)) * 100))}%` }} />
                      </span>
                      {a.openChats >= a.capacity ? <span className="adm-pill adm-pill--off">{t('admin.dashboard.agents.full')}</span> : null}
                    </span>
                  </td>
                  <td data-label={t('admin.dashboard.agents.firstResponse')}>
                    <span data-testid="dashboard-agent-first-response">
                      {formatDuration(t, a.medianFirstResponseSeconds)}
                      {a.firstResponses > 0 ? <span className="adm-muted"> · {t('admin.dashboard.agents.responses', { n: a.firstResponses })}</span> : null}
                    </span>
                  </td>
                  <td data-label={t('admin.dashboard.agents.closed')}>
                    <span data-testid="dashboard-agent-closed">{a.closedToday}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
