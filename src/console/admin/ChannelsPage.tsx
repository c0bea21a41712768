/**
 * Channels: the list with instant on/off and bot on/off switches, and the create / edit form.
 * A switch PATCHes at once and shows the new state right away; a refused change flips it back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { CalibrationPanel } from './CalibrationPanel';
import { ChannelForm } from './ChannelForm';
import { CallbackUrl, ConnectionBadge, kindLabel, Switch, TestConnection, type ChannelWithConnection } from './channel-parts';
import { errorMessage, Notice } from './common';
import type { ChannelView, KindSchema } from './types';

type Editing = null | { mode: 'create' } | { mode: 'edit'; id: string };
type Toggle = 'enabled' | 'botEnabled';

/** How often the live connection badges refresh while the page is open (issue 14 item 6). */
const CONNECTION_REFRESH_MS = 5000;

export function ChannelsPage() {
  const t = useT();
  const [channels, setChannels] = useState<ChannelWithConnection[] | null>(null);
  const [kinds, setKinds] = useState<KindSchema[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const newButton = useRef<HTMLButtonElement>(null);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const [list, kindList] = await Promise.all([
        api.get<{ items: ChannelView[] }>('/api/channels'),
        // Without the kinds the list still works; the form says it cannot build itself.
        api.get<{ items: KindSchema[] }>('/api/channel-kinds').catch(() => null),
      ]);
      setChannels(list.items);
      setKinds(kindList?.items ?? null);
    } catch (err) {
      setLoadError(errorMessage(t, err));
    }
  }, [t]);

  useEffect(() => {
    void load();
    // Load once; the language switch must not refetch.
  }, []);

  // issue 14 item 6: Stream channels' connection badges follow the connector every few seconds.
  // Only `connection` is taken from the refresh: a switch being saved or a form open keeps its state.
  const hasConnections = channels?.some((c) => c.connection != null) ?? false;
  useEffect(() => {
    if (!hasConnections) return;
    const timer = setInterval(() => {
      if (document.hidden) return;
      api.get<{ items: ChannelWithConnection[] }>('/api/channels').then(
        (fresh) => {
          const byId = new Map(fresh.items.map((c) => [c.id, c.connection ?? null]));
          setChannels((list) => list?.map((c) => (byId.has(c.id) ? { ...c, connection: byId.get(c.id) } : c)) ?? list);
        },
        // A failed refresh keeps the last badges; the next one tries again.
        () => undefined,
      );
    }, CONNECTION_REFRESH_MS);
    return () => clearInterval(timer);
  }, [hasConnections]);

  const replace = (view: ChannelView) => setChannels((list) => (list ? (list.some((c) => c.id === view.id) ? list.map((c) => (c.id === view.id ? view : c)) : [...list, view]) : [view]));

  async function toggle(channel: ChannelView, key: Toggle, on: boolean) {
    const busyKey = `${channel.id}:${key}`;
    setError(null);
    setBusy((b) => ({ ...b, [busyKey]: true }));
    setChannels((list) => list?.map((c) => (c.id === channel.id ? { ...c, [key]: on } : c)) ?? list);
    try {
      const saved = await api.patch<ChannelView>(`/api/channels/${encodeURIComponent(channel.id)}`, { [key]: on });
      replace(saved);
    } catch (err) {
      setChannels((list) => list?.map((c) => (c.id === channel.id ? { ...c, [key]: !on } : c)) ?? list);
      setError(errorMessage(t, err));
    } finally {
      setBusy((b) => ({ ...b, [busyKey]: false }));
    }
  }

  async function remove(channel: ChannelView) {
    if (!window.confirm(t('admin.channels.confirmDelete', { name: channel.name }))) return;
    setError(null);
    try {
      await api.del(`/api/channels/${encodeURIComponent(channel.id)}`);
      setChannels((list) => list?.filter((c) => c.id !== channel.id) ?? list);
      setNotice(t('admin.channels.deleted', { name: channel.name }));
      if (editing?.mode === 'edit' && editing.id === channel.id) setEditing(null);
    } catch (err) {
      setError(errorMessage(t, err));
    }
  }

  function closeForm() {
    setEditing(null);
    requestAnimationFrame(() => newButton.current?.focus());
  }

  const editingChannel = editing?.mode === 'edit' ? (channels?.find((c) => c.id === editing.id) ?? null) : null;

  return (
    <div className="adm-page" data-testid="channels-page">
      <header className="adm-page__header">
        <h1>{t('admin.channels.title')}</h1>
        <button
          ref={newButton}
          type="button"
          className="adm-btn adm-btn--primary"
          data-testid="channel-new"
          onClick={() => {
            setNotice(null);
            setEditing({ mode: 'create' });
          }}
        >
          {t('admin.channels.new')}
        </button>
      </header>
      {loadError ? (
        <Notice kind="error">
          {loadError}{' '}
          <button type="button" className="adm-btn adm-btn--small" onClick={() => void load()}>
            {t('admin.retry')}
          </button>
        </Notice>
      ) : null}
      {error ? <Notice kind="error" onDismiss={() => setError(null)} dismissLabel={t('error.dismiss')}>{error}</Notice> : null}
      {notice ? <Notice kind="success" onDismiss={() => setNotice(null)} dismissLabel={t('error.dismiss')}>{notice}</Notice> : null}

      {editing ? (
        <ChannelForm
          key={editing.mode === 'edit' ? editing.id : 'new'}
          kinds={kinds}
          channel={editingChannel}
          onCancel={closeForm}
          onSaved={(saved, created) => {
            replace(saved);
            setNotice(t(created ? 'admin.channels.created' : 'admin.channels.saved', { name: saved.name }));
            // A new channel stays open in edit mode: its callback URL and the test button are there.
            if (created) setEditing({ mode: 'edit', id: saved.id });
          }}
        />
      ) : null}

      {channels === null && !loadError ? <p className="adm-muted">{t('admin.loading')}</p> : null}
      {channels && channels.length === 0 ? <p className="adm-empty">{t('admin.channels.empty')}</p> : null}
      {channels && channels.length > 0 ? (
        <ul className="adm-channel-list" aria-label={t('admin.channels.listLabel')}>
          {channels.map((channel) => (
            <li key={channel.id} className={`adm-channel${channel.enabled ? '' : ' adm-channel--off'}`} data-testid="channel-row" data-channel-id={channel.id}>
              <div className="adm-channel__head">
                <h2 className="adm-channel__name">{channel.name}</h2>
                <span className="adm-badge">{kindLabel(t, channel.kind, kinds)}</span>
                {channel.model.name ? <span className="adm-badge adm-badge--soft" title={t('admin.channels.modelName')}>{channel.model.name}</span> : null}
                <span className="adm-badge adm-badge--soft" data-testid="channel-threshold">{t('admin.channels.thresholdBadge', { value: channel.model.threshold.toFixed(2) })}</span>
                {channel.connection ? <ConnectionBadge channel={channel} /> : null}
              </div>
              <div className="adm-channel__switches">
                <Switch
                  label={t('admin.channels.enabled')}
                  context={channel.name}
                  checked={channel.enabled}
                  busy={Boolean(busy[`${channel.id}:enabled`])}
                  onChange={(on) => void toggle(channel, 'enabled', on)}
                  testId="channel-enabled-toggle"
                />
                <Switch
                  label={t('admin.channels.bot')}
                  context={channel.name}
                  checked={channel.botEnabled}
                  busy={Boolean(busy[`${channel.id}:botEnabled`])}
                  onChange={(on) => void toggle(channel, 'botEnabled', on)}
                  testId="channel-bot-toggle"
                />
              </div>
              <div className="adm-channel__callback">
                <CallbackUrl channel={channel} />
              </div>
              <div className="adm-channel__actions">
                <TestConnection channelId={channel.id} testId="channel-test" />
                <button
                  type="button"
                  className="adm-btn adm-btn--small"
                  data-testid="channel-edit"
                  aria-label={t('admin.channels.editLabel', { name: channel.name })}
                  onClick={() => {
                    setNotice(null);
                    setEditing({ mode: 'edit', id: channel.id });
                  }}
                >
                  {t('admin.edit')}
                </button>
                <button type="button" className="adm-btn adm-btn--small adm-btn--danger" data-testid="channel-delete" aria-label={t('admin.channels.deleteLabel', { name: channel.name })} onClick={() => void remove(channel)}>
                  {t('admin.delete')}
                </button>
              </div>
              <div className="adm-channel__calibration">
                <CalibrationPanel channel={channel} onChannelChanged={replace} />
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
