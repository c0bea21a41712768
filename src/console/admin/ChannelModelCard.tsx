/**
 * One channel on the 模型 page (issue 13 item 4): its live adapter and threshold, the adapter it
 * replaced, and an optional shadow adapter that answers in the background. 上线 (shadow → live) and
 * 回滚 (back to the previous one) are one confirmed click each, audited server side; after any change
 * the card reads the channel's state again rather than guessing it, and tells the page (whose
 * adapter list shows which channels use what).
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { errorMessage, Notice } from './common';
import { score } from './model-format';
import { ShadowPanel } from './ShadowPanel';
import type { ChannelModelState, ModelChannelRow } from './types';

interface Props {
  row: ModelChannelRow;
  defaultModel: string;
  /** Every adapter name the page knows: the shadow choices. */
  adapters: string[];
  /** Changes when the page's 刷新 is pressed: read the channel's state again. */
  generation: number;
  onChanged: () => void;
}

type Action = 'shadow' | 'promote' | 'rollback';

export function ChannelModelCard({ row, defaultModel, adapters, generation, onChanged }: Props) {
  const t = useT();
  const selectId = useId();
  const base = `/api/channels/${encodeURIComponent(row.channelId)}/model`;
  // Until the channel's own GET answers, the overview's row stands in (without shadow stats).
  const [state, setState] = useState<ChannelModelState>({ ...row, defaultModel, shadow_stats: null });
  const [choice, setChoice] = useState(row.shadow ?? '');
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [refreshing, setRefreshing] = useState(false);

  const load = useCallback(async () => {
    try {
      const answer = await api.get<ChannelModelState>(base);
      setState(answer);
      setChoice(answer.shadow ?? '');
      setLoaded(true);
    } catch (err) {
      setError(errorMessage(t, err));
    }
    // `t` only words the error; a language switch must not refetch.
  }, [base]);

  useEffect(() => {
    void load();
  }, [load, generation]);

  const liveName = state.live ?? state.defaultModel;
  const label = (name: string | null) => name ?? t('admin.models.defaultOf', { name: state.defaultModel });

  async function run(action: Action, call: () => Promise<ChannelModelState>, done: (answer: ChannelModelState) => string) {
    setBusy(action);
    setError(null);
    setNotice(null);
    try {
      const answer = await call();
      setNotice(done(answer));
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(null);
    }
    // Whatever happened, show what the server now holds (another admin may have moved it too).
    await load();
    onChanged();
  }

  function setShadow(adapter: string | null) {
    void run(
      'shadow',
      () => api.put<ChannelModelState>(`${base}/shadow`, { adapter }),
      (answer) => (answer.shadow ? t('admin.models.shadowSet', { adapter: answer.shadow }) : t('admin.models.shadowCleared')),
    );
  }

  function promote() {
    if (!state.shadow) return;
    if (!window.confirm(t('admin.models.confirmPromote', { channel: row.channelName, from: label(state.live), to: state.shadow }))) return;
    void run('promote', () => api.post<ChannelModelState>(`${base}/promote`), (answer) => t('admin.models.promoted', { adapter: label(answer.live) }));
  }

  function rollback() {
    if (!state.previous) return;
    if (!window.confirm(t('admin.models.confirmRollback', { channel: row.channelName, from: label(state.live), to: state.previous }))) return;
    void run('rollback', () => api.post<ChannelModelState>(`${base}/rollback`), (answer) => t('admin.models.rolledBack', { adapter: label(answer.live) }));
  }

  // The live adapter cannot shadow itself (the server refuses it too).
  const choices = adapters.filter((name) => name !== liveName);
  if (state.shadow && !choices.includes(state.shadow)) choices.push(state.shadow);
  const unchanged = choice === (state.shadow ?? '');

  return (
    <li className="adm-channel adm-model-channel" data-testid="model-channel" data-channel-id={row.channelId} data-live={liveName} data-shadow={state.shadow ?? ''}>
      <div className="adm-channel__head">
        <h3 className="adm-channel__name">{row.channelName}</h3>
        <span className="adm-badge adm-badge--soft" data-testid="model-threshold">{t('admin.channels.thresholdBadge', { value: score(state.threshold) })}</span>
      </div>
      <dl className="adm-model-facts">
        <div>
          <dt>{t('admin.models.live')}</dt>
          <dd data-testid="model-live">{label(state.live)}</dd>
        </div>
        <div>
          <dt>{t('admin.models.previous')}</dt>
          <dd data-testid="model-previous">{state.previous ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('admin.models.shadow')}</dt>
          <dd data-testid="model-shadow">{state.shadow ?? t('admin.models.noShadow')}</dd>
        </div>
      </dl>
      {error ? <Notice kind="error" onDismiss={() => setError(null)} dismissLabel={t('error.dismiss')}>{error}</Notice> : null}
      {notice ? <Notice kind="success" onDismiss={() => setNotice(null)} dismissLabel={t('error.dismiss')}>{notice}</Notice> : null}
      <div className="adm-toolbar adm-model-channel__controls">
        <div className="adm-field">
          <label htmlFor={selectId}>{t('admin.models.shadowSelect')}</label>
          <select id={selectId} value={choice} onChange={(e) => setChoice(e.target.value)} data-testid="shadow-select">
            <option value="">{t('admin.models.noShadowOption')}</option>
            {choices.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="adm-btn" disabled={busy !== null || unchanged} aria-busy={busy === 'shadow'} onClick={() => setShadow(choice || null)} data-testid="shadow-apply">
          {t('admin.models.shadowApply')}
        </button>
        {state.shadow ? (
          <button type="button" className="adm-btn adm-btn--ghost" disabled={busy !== null} onClick={() => setShadow(null)} data-testid="shadow-clear">
            {t('admin.models.shadowClear')}
          </button>
        ) : null}
        <span className="adm-grow" />
        <button
          type="button"
          className="adm-btn adm-btn--primary"
          disabled={busy !== null || !state.shadow}
          aria-busy={busy === 'promote'}
          title={state.shadow ? undefined : t('admin.models.promoteNeedsShadow')}
          onClick={promote}
          data-testid="model-promote"
        >
          {t('admin.models.promote')}
        </button>
        <button
          type="button"
          className="adm-btn adm-btn--danger"
          disabled={busy !== null || !state.previous}
          aria-busy={busy === 'rollback'}
          title={state.previous ? undefined : t('admin.models.rollbackNeedsPrevious')}
          onClick={rollback}
          data-testid="model-rollback"
        >
          {t('admin.models.rollback')}
        </button>
      </div>
      {state.shadow ? (
        <section className="adm-channel__calibration adm-shadow" aria-label={t('admin.models.shadow.title', { adapter: state.shadow })}>
          <div className="adm-row">
            <h4 className="adm-grow">{t('admin.models.shadow.title', { adapter: state.shadow })}</h4>
            <button
              type="button"
              className="adm-btn adm-btn--small"
              disabled={refreshing}
              aria-busy={refreshing}
              onClick={() => {
                setRefreshing(true);
                void load().finally(() => setRefreshing(false));
              }}
              data-testid="shadow-refresh"
            >
              {t('admin.refresh')}
            </button>
          </div>
          {state.shadow_stats ? (
            <ShadowPanel stats={state.shadow_stats} threshold={state.threshold} />
          ) : (
            <p className="adm-muted">{loaded ? t('admin.models.shadow.none') : t('admin.loading')}</p>
          )}
        </section>
      ) : null}
    </li>
  );
}
