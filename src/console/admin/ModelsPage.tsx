/**
 * 模型 (issue 13 item 4): promote an adapter with a safety net. The model node's state and the
 * default model; every adapter the node lists (or that a report or a channel names) with its latest
 * evaluation report; the upload of a report `npm run eval -- --report FILE` wrote; and per channel
 * the live adapter, the one it replaced, and a shadow adapter whose background answers show how it
 * would do before it goes live (ChannelModelCard).
 */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { ChannelModelCard } from './ChannelModelCard';
import { errorMessage, Notice } from './common';
import { ReportCard } from './ReportCard';
import { ReportUpload } from './ReportUpload';
import type { AdapterView, ModelsOverview } from './types';

export function ModelsPage() {
  const t = useT();
  const [data, setData] = useState<ModelsOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Bumped by 刷新: the channel cards read their own state (and shadow stats) again too.
  const [generation, setGeneration] = useState(0);

  const load = useCallback(async () => {
    try {
      setData(await api.get<ModelsOverview>('/api/models'));
      setError(null);
    } catch (err) {
      setError(errorMessage(t, err));
    }
    // `t` only words the error; a language switch must not refetch.
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const adapterNames = data?.adapters.map((a) => a.name) ?? [];

  return (
    <div className="adm-page" data-testid="models-page">
      <header className="adm-page__header">
        <h1>{t('admin.models.title')}</h1>
        <button
          type="button"
          className="adm-btn"
          onClick={() => {
            setGeneration((g) => g + 1);
            void load();
          }}
          data-testid="models-refresh"
        >
          {t('admin.refresh')}
        </button>
      </header>
      {error ? (
        <Notice kind="error">
          {error}{' '}
          <button type="button" className="adm-btn adm-btn--small" onClick={() => void load()}>
            {t('admin.retry')}
          </button>
        </Notice>
      ) : null}
      {!data && !error ? <p className="adm-muted">{t('admin.loading')}</p> : null}
      {data ? (
        <>
          <NodeStatus data={data} />
          <section className="adm-panel" aria-labelledby="models-adapters" data-testid="adapters">
            <h2 id="models-adapters">{t('admin.models.adapters')}</h2>
            {data.adapters.length === 0 ? <p className="adm-empty">{t('admin.models.noAdapters')}</p> : null}
            <ul className="adm-channel-list">
              {data.adapters.map((adapter) => (
                <AdapterRow key={adapter.name} adapter={adapter} data={data} />
              ))}
            </ul>
            <ReportUpload adapters={adapterNames} onUploaded={() => void load()} />
          </section>
          <section className="adm-panel" aria-labelledby="models-channels" data-testid="model-channels">
            <h2 id="models-channels">{t('admin.models.channels')}</h2>
            <p className="adm-help">{t('admin.models.channelsHelp')}</p>
            {data.channels.length === 0 ? <p className="adm-empty">{t('admin.channels.empty')}</p> : null}
            <ul className="adm-channel-list">
              {data.channels.map((row) => (
                <ChannelModelCard key={row.channelId} row={row} defaultModel={data.defaultModel} adapters={adapterNames} generation={generation} onChanged={() => void load()} />
              ))}
            </ul>
          </section>
        </>
      ) : null}
    </div>
  );
}

/** Whether the model node answers; without one every channel runs on the knowledge base alone. */
function NodeStatus({ data }: { data: ModelsOverview }) {
  const t = useT();
  const { node } = data;
  const state = !node.configured ? 'unconfigured' : node.available ? 'available' : 'unavailable';
  return (
    <Notice kind={state === 'unavailable' ? 'error' : 'info'}>
      <span data-testid="model-node" data-state={state}>
        {state === 'available'
          ? t('admin.models.node.available')
          : state === 'unconfigured'
            ? t('admin.models.node.unconfigured')
            : t('admin.models.node.unavailable', { error: node.error ?? '—' })}
      </span>{' '}
      <span data-testid="default-model">{t('admin.models.defaultModel', { name: data.defaultModel })}</span>
    </Notice>
  );
}

/** One adapter: its name, what it is a LoRA of, which channels run or shadow it, and its latest report. */
function AdapterRow({ adapter, data }: { adapter: AdapterView; data: ModelsOverview }) {
  const t = useT();
  const liveOn = data.channels.filter((c) => (c.live ?? data.defaultModel) === adapter.name).map((c) => c.channelName);
  const shadowOn = data.channels.filter((c) => c.shadow === adapter.name).map((c) => c.channelName);
  return (
    <li className="adm-channel adm-adapter" data-testid="adapter-row" data-adapter={adapter.name}>
      <div className="adm-channel__head">
        <h3 className="adm-channel__name adm-adapter__name">{adapter.name}</h3>
        {adapter.isBase ? (
          <span className="adm-badge">{t('admin.models.base')}</span>
        ) : adapter.parent ? (
          <span className="adm-badge adm-badge--soft">{t('admin.models.parent', { parent: adapter.parent })}</span>
        ) : null}
        {adapter.name === data.defaultModel ? <span className="adm-badge adm-badge--soft">{t('admin.models.isDefault')}</span> : null}
        {liveOn.length ? <span className="adm-pill adm-pill--on" data-testid="adapter-live-on">{t('admin.models.liveOn', { channels: liveOn.join('、') })}</span> : null}
        {shadowOn.length ? <span className="adm-pill adm-pill--off" data-testid="adapter-shadow-on">{t('admin.models.shadowOn', { channels: shadowOn.join('、') })}</span> : null}
      </div>
      <div className="adm-channel__calibration">
        {adapter.latestReport ? <ReportCard report={adapter.latestReport} /> : <p className="adm-muted" data-testid="report-none">{t('admin.models.noReport', { name: adapter.name })}</p>}
      </div>
    </li>
  );
}
