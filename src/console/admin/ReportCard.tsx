/**
 * One adapter's latest evaluation report on the 模型 page (issue 13 item 4): what the held-out
 * set said about it before customers see it. The rates are the ones `npm run eval` prints, each
 * with its own denominator spelled out, since "wrong of all" and "correct of answerable" are not
 * complements. The disagreements (answered but judged wrong) stay folded: they are for reading.
 */
import { useLang, useT } from '../i18n';
import { formatDateTime } from './common';
import { percent, score } from './model-format';
import type { EvalReport } from './types';

export function ReportCard({ report }: { report: EvalReport }) {
  const t = useT();
  const { lang } = useLang();
  const uploader = report.uploadedByEmail || report.uploadedBy;
  const facts: { key: string; label: string; value: string; help: string }[] = [
    { key: 'correct', label: t('admin.models.rate.correct'), value: percent(report.rates.answeredCorrectly), help: t('admin.models.rate.correctHelp', { n: report.counts.answerable }) },
    { key: 'wrong', label: t('admin.models.rate.wrong'), value: percent(report.rates.wrong), help: t('admin.models.rate.ofAll', { n: report.counts.total }) },
    { key: 'handed-off', label: t('admin.models.rate.handedOff'), value: percent(report.rates.handedOff), help: t('admin.models.rate.ofAll', { n: report.counts.total }) },
    { key: 'oos-handed-off', label: t('admin.models.rate.outOfScope'), value: percent(report.rates.outOfScopeHandedOff), help: t('admin.models.rate.outOfScopeHelp', { n: report.counts.outOfScope }) },
    { key: 'auroc', label: t('admin.calibration.auroc'), value: score(report.auroc), help: t('admin.calibration.aurocHelp') },
    { key: 'ece', label: t('admin.models.ece'), value: score(report.ece), help: t('admin.models.eceHelp') },
    { key: 'threshold-1pct', label: t('admin.models.threshold1pct'), value: score(report.thresholdForWrongUnder1pct), help: report.thresholdForWrongUnder1pct === null ? t('admin.models.threshold1pctNone') : t('admin.models.threshold1pctHelp') },
  ];
  return (
    <div className="adm-report" data-testid="report-card" data-report-id={report.id}>
      <p className="adm-help" data-testid="report-meta">
        {t('admin.models.reportMeta', {
          data: report.data,
          total: report.counts.total,
          answerable: report.counts.answerable,
          outOfScope: report.counts.outOfScope,
          threshold: score(report.threshold),
          date: formatDateTime(report.createdAt, lang),
        })}
        {uploader ? ` ${t('admin.models.uploadedBy', { who: uploader, at: formatDateTime(report.uploadedAt, lang) })}` : null}
      </p>
      <dl className="adm-calibration__facts adm-report__facts">
        {facts.map((f) => (
          <div key={f.key}>
            <dt>{f.label}</dt>
            <dd data-testid={`report-${f.key}`}>{f.value}</dd>
            <dd className="adm-help">{f.help}</dd>
          </div>
        ))}
      </dl>
      <details className="adm-calibration" data-testid="report-disagreements">
        <summary>{t('admin.models.disagreements', { n: report.disagreements.length })}</summary>
        {report.disagreements.length === 0 ? (
          <p className="adm-muted">{t('admin.models.noDisagreements')}</p>
        ) : (
          <ol className="adm-disagreements">
            {report.disagreements.map((d, i) => (
              <li key={i} data-testid="report-disagreement">
                <p className="adm-kb-q">{d.question}</p>
                <p>
                  <span className="adm-kb-tag">{t('admin.models.expected')}</span>
                  {d.expected === 'handoff' ? t('admin.models.expectedHandoff') : d.expected}
                </p>
                <p>
                  <span className="adm-kb-tag">{t('admin.models.got')}</span>
                  {d.got}
                  <span className="adm-help"> {t('admin.models.confidence', { value: score(d.confidence) })}</span>
                </p>
              </li>
            ))}
          </ol>
        )}
      </details>
    </div>
  );
}
