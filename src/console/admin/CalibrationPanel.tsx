/**
 * 置信度校准 for one channel (issue 12): how many bot answers agents have labelled, how well the
 * score separates right from wrong (AUROC), the threshold curve, and the threshold that keeps
 * wrong answers under the channel's target. Applying it is one confirmed click (audited server
 * side). With too few labels the panel says so and offers nothing to apply: a threshold fitted
 * on a handful of turns would be noise.
 * Loaded when first opened, so a list of channels costs no calibration requests.
 */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { ThresholdChart } from './charts';
import { errorMessage, Notice } from './common';
import type { Calibration, ChannelView } from './types';

const thresholdText = (value: number) => value.toFixed(2);
/** 0.01 → '1%', 0.005 → '0.5%'. */
const rateText = (share: number) => `${Number((share * 100).toFixed(2))}%`;

export function CalibrationPanel({ channel, onChannelChanged }: { channel: ChannelView; onChannelChanged: (view: ChannelView) => void }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [data, setData] = useState<Calibration | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [applying, setApplying] = useState(false);
  const base = `/api/channels/${encodeURIComponent(channel.id)}/calibration`;

  const load = useCallback(async () => {
    setError(null);
    try {
      setData(await api.get<Calibration>(base));
    } catch (err) {
      setError(errorMessage(t, err));
    }
    // `t` only words the error; a language switch must not refetch.
  }, [base]);

  // Again when the form changes the threshold or the target: the recommendation depends on both.
  useEffect(() => {
    if (open) void load();
  }, [open, load, channel.model.threshold, channel.model.targetWrongRate]);

  async function apply(recommended: number) {
    if (!window.confirm(t('admin.calibration.confirmApply', { name: channel.name, from: thresholdText(data!.currentThreshold), to: thresholdText(recommended) }))) return;
    setApplying(true);
    setError(null);
    setNotice(null);
    try {
      const answer = await api.post<Calibration>(`${base}/apply`, {});
      setData(answer);
      setNotice(t('admin.calibration.applied', { threshold: thresholdText(answer.currentThreshold) }));
      // The list shows the channel's threshold too: take the stored view, not our guess of it.
      onChannelChanged(await api.get<ChannelView>(`/api/channels/${encodeURIComponent(channel.id)}`));
    } catch (err) {
      setError(errorMessage(t, err));
      await load();
    } finally {
      setApplying(false);
    }
  }

  return (
    <details className="adm-calibration" onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="calibration-panel">
      <summary>{t('admin.calibration.title')}</summary>
      {error ? <Notice kind="error" onDismiss={() => setError(null)} dismissLabel={t('error.dismiss')}>{error}</Notice> : null}
      {notice ? <Notice kind="success" onDismiss={() => setNotice(null)} dismissLabel={t('error.dismiss')}>{notice}</Notice> : null}
      {open && !data && !error ? <p className="adm-muted">{t('admin.loading')}</p> : null}
      {data ? <CalibrationBody data={data} applying={applying} onApply={(r) => void apply(r)} /> : null}
    </details>
  );
}

function CalibrationBody({ data, applying, onApply }: { data: Calibration; applying: boolean; onApply: (recommended: number) => void }) {
  const t = useT();
  const current = thresholdText(data.currentThreshold);
  const recommended = data.recommendedThreshold;
  const same = recommended !== null && thresholdText(recommended) === current;
  return (
    <div className="adm-calibration__body" data-testid="calibration" data-enough={data.enoughLabels}>
      <dl className="adm-calibration__facts">
        <div>
          <dt>{t('admin.calibration.labelled')}</dt>
          <dd data-testid="calibration-labelled">{data.labelled}</dd>
          <dd className="adm-help">{t('admin.calibration.split', { good: data.good, bad: data.bad })}</dd>
        </div>
        <div>
          <dt>{t('admin.calibration.auroc')}</dt>
          <dd data-testid="calibration-auroc">{data.auroc === null ? '—' : data.auroc.toFixed(2)}</dd>
          <dd className="adm-help">{t('admin.calibration.aurocHelp')}</dd>
        </div>
        <div>
          <dt>{t('admin.calibration.current')}</dt>
          <dd data-testid="calibration-current">{current}</dd>
          <dd className="adm-help">{t('admin.calibration.target', { rate: rateText(data.targetWrongRate) })}</dd>
        </div>
        <div>
          <dt>{t('admin.calibration.recommended')}</dt>
          <dd data-testid="calibration-recommended">{data.enoughLabels && recommended !== null ? thresholdText(recommended) : '—'}</dd>
        </div>
      </dl>
      {!data.enoughLabels ? (
        <Notice kind="info">
          <span data-testid="calibration-too-few">{t('admin.calibration.tooFew', { n: data.labelled, min: data.minLabels, threshold: current })}</span>
        </Notice>
      ) : null}
      {/* The curve from the first label on: a few labels already show the shape, if not a threshold. */}
      {data.labelled > 0 ? (
        <ThresholdChart
          testId="calibration-chart"
          curve={data.curve}
          current={data.currentThreshold}
          recommended={data.enoughLabels ? recommended : null}
          target={data.targetWrongRate}
          labels={{
            title: t('admin.calibration.chartTitle'),
            description: t('admin.calibration.chartDesc', { n: data.labelled, rate: rateText(data.targetWrongRate) }),
            threshold: t('admin.calibration.threshold'),
            answered: t('admin.calibration.answered'),
            wrongRate: t('admin.calibration.wrongRate'),
            probability: t('admin.calibration.probability'),
            current: t('admin.calibration.currentMark', { value: current }),
            recommended: recommended === null ? '' : t('admin.calibration.recommendedMark', { value: thresholdText(recommended) }),
            target: t('admin.calibration.target', { rate: rateText(data.targetWrongRate) }),
            noData: t('admin.chart.noData'),
          }}
        />
      ) : null}
      {!data.enoughLabels ? null : recommended === null ? (
        <Notice kind="info">{t('admin.calibration.noRecommendation', { rate: rateText(data.targetWrongRate), threshold: current })}</Notice>
      ) : same ? (
        <p className="adm-help" data-testid="calibration-same">{t('admin.calibration.same')}</p>
      ) : (
        <div className="adm-actions">
          <button type="button" className="adm-btn adm-btn--primary" disabled={applying} aria-busy={applying} onClick={() => onApply(recommended)} data-testid="calibration-apply">
            {t('admin.calibration.apply')}
          </button>
          <span className="adm-help">{t('admin.calibration.applyHelp', { from: current, to: thresholdText(recommended) })}</span>
        </div>
      )}
    </div>
  );
}
