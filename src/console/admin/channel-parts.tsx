/** Pieces of a channel shown both in the list and in the edit form. */
import { useId, useState } from 'react';
import { api } from '../api';
import { formatClock, formatDuration } from '../format';
import { useNow } from '../hooks';
import { hasKey, useLang, useT, type T } from '../i18n';
import { errorMessage } from './common';
import type { ChannelKind, ChannelView, KindSchema, TestResult } from './types';

/** A labelled on/off switch (a checkbox with role=switch, so Space toggles it). */
export function Switch({ label, context, checked, busy, onChange, testId }: { label: string; context: string; checked: boolean; busy: boolean; onChange: (on: boolean) => void; testId: string }) {
  return (
    <label className="adm-switch">
      <input
        type="checkbox"
        role="switch"
        checked={checked}
        // The visible word plus the channel's name: a list of switches all called "启用" is no help.
        aria-label={`${label}: ${context}`}
        // Not `disabled` while saving: that would drop keyboard focus from the switch.
        aria-busy={busy}
        data-testid={testId}
        onChange={(e) => {
          if (!busy) onChange(e.target.checked);
        }}
      />
      <span className="adm-switch__track" aria-hidden="true" />
      <span className="adm-switch__label">{label}</span>
    </label>
  );
}

/** Where the platform must send callbacks, with a copy button and where to paste it. */
/** Our own wording for a kind where we have one (follows the language switch), else the server's label. */
export function kindLabel(t: T, kind: ChannelKind, kinds: KindSchema[] | null): string {
  if (hasKey(`admin.kind.${kind}`)) return t(`admin.kind.${kind}`);
  return kinds?.find((k) => k.kind === kind)?.label ?? kind;
}

export function CallbackUrl({ channel }: { channel: ChannelView }) {
  const t = useT();
  const id = useId();
  const [copied, setCopied] = useState(false);
  if (!channel.callbackUrl) return <p className="adm-muted adm-callback">{t(`admin.callback.none.${channel.kind}`)}</p>;
  // Web chat has no callback: the address worth showing is the chat page itself (issue 14 item 6);
  // /webchat/<id> alone is an API prefix that answers 404 in a browser.
  const chatPage = channel.kind === 'webchat';
  const url = chatPage ? channel.callbackUrl.replace(/\/webchat\/([^/]+)$/, '/demo/$1') : channel.callbackUrl;
  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard (plain http, old browser): select the text so Ctrl+C works.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
    }
  }
  return (
    <div className="adm-callback">
      <label htmlFor={id}>{t(chatPage ? 'admin.callback.chatPageLabel' : 'admin.callback.label')}</label>
      <div className="adm-input-group">
        <input id={id} type="text" readOnly value={url} spellCheck={false} onFocus={(e) => e.currentTarget.select()} aria-describedby={`${id}-hint`} data-testid="channel-callback-url" />
        <button type="button" className="adm-btn adm-btn--small" onClick={copy}>
          {copied ? t('admin.callback.copied') : t('admin.callback.copy')}
        </button>
        {chatPage ? (
          // Same server as the console: the path works even where PUBLIC_URL names another host.
          <a className="adm-btn adm-btn--small" href={new URL(url, location.href).pathname} target="_blank" rel="noopener" data-testid="channel-chat-page">
            {t('admin.callback.open')}
          </a>
        ) : null}
      </div>
      <p id={`${id}-hint`} className="adm-help">
        {t(chatPage ? 'admin.callback.hint.chatPage' : `admin.callback.hint.${channel.kind}`)}
      </p>
    </div>
  );
}

type TestState = { phase: 'idle' } | { phase: 'running' } | { phase: 'done'; result: TestResult } | { phase: 'failed'; message: string };

/** "Test connection": asks the server to fetch a platform token with the stored credentials. */
export function TestConnection({ channelId, testId }: { channelId: string; testId: string }) {
  const t = useT();
  const [state, setState] = useState<TestState>({ phase: 'idle' });
  async function run() {
    setState({ phase: 'running' });
    try {
      const result = await api.post<TestResult>(`/api/channels/${encodeURIComponent(channelId)}/test`);
      setState({ phase: 'done', result });
    } catch (error) {
      setState({ phase: 'failed', message: errorMessage(t, error) });
    }
  }
  let text = '';
  let tone = '';
  if (state.phase === 'running') text = t('admin.test.running');
  if (state.phase === 'failed') [text, tone] = [state.message, 'bad'];
  if (state.phase === 'done') {
    const { result } = state;
    if (result.ok) [text, tone] = [t('admin.test.ok'), 'good'];
    // Kinds with nothing to log in to (the web chat) answer that they have no test: not a failure.
    else if (result.error.code === 'CHANNEL.TEST_UNSUPPORTED') text = t('admin.test.unsupported');
    else [text, tone] = [t('admin.test.failed', { message: result.error.message, code: result.error.code }), 'bad'];
  }
  return (
    <div className="adm-test">
      <button type="button" className="adm-btn adm-btn--small" onClick={run} aria-busy={state.phase === 'running'} data-testid={testId}>
        {t('admin.test.button')}
      </button>
      <span className={`adm-test__result${tone ? ` adm-test__result--${tone}` : ''}`} role="status" data-testid={`${testId}-result`}>
        {text}
      </span>
    </div>
  );
}

/**
 * The live state of a Stream channel's connection (issue 14 item 6), as GET /api/channels answers
 * it: null for webhook kinds. `stale`: no connector has reported for over 30 s.
 */
export interface ConnectionView {
  state: 'connecting' | 'connected' | 'reconnecting' | 'stopped';
  since: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  updatedAt: string | null;
  stale: boolean;
}
export type ChannelWithConnection = ChannelView & { connection?: ConnectionView | null };

type Tone = 'good' | 'warn' | 'off';

/**
 * ● 已连接（自 09:12 起）/ ◐ 重连中（自 09:40 起，已 3 分钟）· 最近错误：… / ○ 未运行连接器.
 * Not a live region: it refreshes every few seconds and would talk over everything else.
 */
export function ConnectionBadge({ channel }: { channel: ChannelWithConnection }) {
  const t = useT();
  const { lang } = useLang();
  const now = useNow(1000);
  const c = channel.connection;
  if (!c) return null;
  const clock = (iso: string) => formatClock(iso, lang);
  let tone: Tone = 'off';
  let symbol = '○';
  let label: string;
  let detail: string | null = null;
  let error: string | null = null;
  if (c.state === 'stopped') {
    label = channel.enabled ? t('conn.notRunning') : t('conn.disabled');
  } else if (c.stale) {
    label = t('conn.notRunning');
    detail = c.updatedAt ? t('conn.staleSince', { time: clock(c.updatedAt) }) : null;
    error = c.state === 'connected' ? null : c.lastError;
  } else if (c.state === 'connected') {
    [tone, symbol, label] = ['good', '●', t('conn.connected')];
    detail = c.since ? t('conn.connectedSince', { time: clock(c.since) }) : null;
  } else {
    [tone, symbol, label] = ['warn', '◐', t(c.state === 'connecting' ? 'conn.connecting' : 'conn.reconnecting')];
    detail = c.since ? t('conn.reconnectingSince', { time: clock(c.since), duration: formatDuration((now - Date.parse(c.since)) / 1000, t) }) : null;
    error = c.lastError;
  }
  return (
    <div className={`adm-conn adm-conn--${tone}`} data-testid="channel-connection" data-state={c.stale && c.state !== 'stopped' ? 'stale' : c.state}>
      <span className="adm-conn__state">
        <span className="adm-conn__symbol" aria-hidden="true">{symbol}</span>
        <span className="adm-visually-hidden">{t('conn.label')}: </span>
        {label}
        {detail ? <span className="adm-conn__detail">{detail}</span> : null}
      </span>
      {error ? (
        <span className="adm-conn__error" data-testid="channel-connection-error">
          {t('conn.lastError', { error })}
          {c.lastErrorAt ? ` ${t('conn.lastErrorAt', { time: clock(c.lastErrorAt) })}` : ''}
        </span>
      ) : null}
      {c.state === 'stopped' && channel.enabled ? <span className="adm-help">{t('conn.notRunningHint')}</span> : null}
    </div>
  );
}
