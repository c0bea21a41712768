/**
 * What a channel's shadow adapter did since it was set (issue 13 item 4): it answers every bot
 * turn in the background and is never sent, so this is the only place its answers show. Agreement
 * with the live answers says how different it is; agreement with what agents wrote (on turns the
 * live side handed off) says whether it would have done the agents' job. Confidence is drawn
 * against the channel's threshold: bars left of it would have been handed off.
 */
import { useLang, useT } from '../i18n';
import { Histogram } from './charts';
import { formatDateTime } from './common';
import { percent, score } from './model-format';
import type { ShadowStats } from './types';

export function ShadowPanel({ stats, threshold }: { stats: ShadowStats; threshold: number }) {
  const t = useT();
  const { lang } = useLang();
  const facts: { key: string; label: string; value: string | number; help?: string }[] = [
    { key: 'turns', label: t('admin.models.shadow.turns'), value: stats.turns, help: t('admin.models.shadow.since', { since: formatDateTime(stats.since, lang) }) },
    { key: 'failed', label: t('admin.models.shadow.failed'), value: stats.failed, help: t('admin.models.shadow.failedHelp') },
    { key: 'agree-live', label: t('admin.models.shadow.agreeLive'), value: percent(stats.agreeWithLive), help: t('admin.models.shadow.agreeLiveHelp') },
    { key: 'agree-agent', label: t('admin.models.shadow.agreeAgent'), value: percent(stats.agreeWithAgent), help: t('admin.models.shadow.agreeAgentHelp', { n: stats.agentAnswered }) },
    { key: 'mean-confidence', label: t('admin.models.shadow.meanConfidence'), value: score(stats.meanConfidence) },
  ];
  const total = stats.confidenceBuckets.reduce((n, b) => n + b.count, 0);
  return (
    <div className="adm-calibration__body" data-testid="shadow-stats" data-adapter={stats.adapter} data-turns={stats.turns}>
      <dl className="adm-calibration__facts adm-report__facts">
        {facts.map((f) => (
          <div key={f.key}>
            <dt>{f.label}</dt>
            <dd data-testid={`shadow-${f.key}`}>{f.value}</dd>
            {f.help ? <dd className="adm-help">{f.help}</dd> : null}
          </div>
        ))}
      </dl>
      <Histogram
        testId="shadow-confidence-chart"
        buckets={stats.confidenceBuckets}
        threshold={threshold}
        labels={{
          title: t('admin.models.shadow.chartTitle', { adapter: stats.adapter }),
          description: t('admin.models.shadow.chartDesc', { n: total, threshold: score(threshold) }),
          range: t('admin.chart.confidenceRange'),
          count: t('admin.chart.count'),
          threshold: t('admin.chart.threshold', { value: score(threshold) }),
          noData: t('admin.chart.noData'),
        }}
      />
      {stats.recent.length ? (
        <details className="adm-calibration" data-testid="shadow-recent">
          <summary>{t('admin.models.shadow.recent', { n: stats.recent.length })}</summary>
          <div className="adm-table-wrap">
            <table className="adm-table adm-table--cards">
              <thead>
                <tr>
                  <th scope="col">{t('admin.models.shadow.question')}</th>
                  <th scope="col">{t('admin.models.shadow.liveAnswer')}</th>
                  <th scope="col">{t('admin.models.shadow.shadowAnswer', { adapter: stats.adapter })}</th>
                  <th scope="col">{t('admin.models.shadow.confidence')}</th>
                  <th scope="col">{t('admin.models.shadow.agreed')}</th>
                  <th scope="col">{t('admin.audit.at')}</th>
                </tr>
              </thead>
              <tbody>
                {stats.recent.map((row, i) => (
                  <tr key={`${row.at}-${i}`} data-testid="shadow-row">
                    <th scope="row" data-label={t('admin.models.shadow.question')}>{row.question}</th>
                    <td data-label={t('admin.models.shadow.liveAnswer')}>{row.live ?? <span className="adm-muted">{t('admin.models.shadow.noLive')}</span>}</td>
                    <td data-label={t('admin.models.shadow.shadowAnswer', { adapter: stats.adapter })} data-testid="shadow-row-answer">{row.shadow}</td>
                    <td data-label={t('admin.models.shadow.confidence')}>{score(row.shadowConfidence)}</td>
                    <td data-label={t('admin.models.shadow.agreed')}>{row.agreed === null ? '—' : t(row.agreed ? 'admin.models.shadow.yes' : 'admin.models.shadow.no')}</td>
                    <td data-label={t('admin.audit.at')}>{formatDateTime(row.at, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
    </div>
  );
}
