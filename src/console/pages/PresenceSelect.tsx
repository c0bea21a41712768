/**
 * The agent's presence in the header (issue 14 item 4): 在线 / 离开 / 离线. Opening the console does
 * not set it: the agent says when they take new chats. Unless online, a short hint says what it
 * means (离线：不会自动分配新会话). The server drops it to offline when the last console tab closes,
 * and announces that; the selector follows the announcement and reloads after a reconnect.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { api } from '../api';
import { errorMessage } from '../errors';
import { useEvents } from '../events';
import { useT } from '../i18n';
import type { Presence, PresenceAnswer, User } from '../types';

const PRESENCES: Presence[] = ['online', 'away', 'offline'];

/** `quiet`: the hint only for screen readers and as a tooltip (the admin pages, where the header is full). */
export function PresenceSelect({ user, quiet = false }: { user: User; quiet?: boolean }) {
  const t = useT();
  const id = useId();
  const [presence, setPresence] = useState<Presence | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api.get<PresenceAnswer>('/api/me/presence').then((a) => setPresence(a.presence), () => undefined);
  }, []);
  useEffect(load, [load]);
  useEvents((event) => {
    if (event.type === 'agent.presence' && event.userId === user.id) setPresence(event.presence);
    else if (event.type === 'resync') load();
  });

  async function change(next: Presence) {
    const before = presence;
    setPresence(next);
    setSaving(true);
    setError(null);
    try {
      setPresence((await api.put<PresenceAnswer>('/api/me/presence', { presence: next })).presence);
    } catch (err) {
      setPresence(before);
      setError(t('presence.saveFailed', { error: errorMessage(err, t) }));
    } finally {
      setSaving(false);
    }
  }

  if (presence === null) return null;
  const hintId = `${id}-hint`;
  return (
    <span className={`presence presence-${presence}`} data-testid="presence" data-presence={presence}>
      <span className="presence-dot" aria-hidden="true" />
      <label className="sr-only" htmlFor={id}>{t('presence.label')}</label>
      <select
        id={id}
        value={presence}
        aria-describedby={hintId}
        title={t(`presence.hint.${presence}`)}
        aria-busy={saving}
        onChange={(e) => void change(e.target.value as Presence)}
        data-testid="presence-select"
      >
        {PRESENCES.map((p) => <option key={p} value={p}>{t(`presence.${p}`)}</option>)}
      </select>
      <span id={hintId} className={presence === 'online' || quiet ? 'sr-only' : 'presence-hint'} data-testid="presence-hint">{t(`presence.hint.${presence}`)}</span>
      {error && <span className="presence-error" role="alert">{error}</span>}
    </span>
  );
}
