/**
 * Transfers (issue 14 item 3): an inline panel to hand the conversation to another agent or back
 * to the queue, with an optional note for whoever picks it up (stored as a 转交备注, never sent),
 * and the notice the receiving agent gets wherever they are in the console.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { errorMessage } from '../errors';
import { useEvents } from '../events';
import { actorName } from '../format';
import { useDirectory } from '../hooks';
import { useT } from '../i18n';
import { useTransferWatch } from '../notify';
import { hrefFor } from '../router';
import type { AgentStatus, DirectoryUser, Presence, User } from '../types';

/**
 * Everyone's presence (GET /api/agents), kept live by `agent.presence` events. The API stays
 * permissive (an admin may hand a chat to someone about to start a shift), so the dialog only
 * shows it and warns (issue 14 review: a chat sent to an offline agent sat there unnoticed).
 * Empty when the list cannot be read: the dialog then works as before, without the hint.
 */
function usePresence(): Map<string, Presence> {
  const [presence, setPresence] = useState<Map<string, Presence>>(() => new Map());
  const load = useCallback(() => {
    api.get<{ items: AgentStatus[] }>('/api/agents').then((a) => setPresence(new Map(a.items.map((x) => [x.id, x.presence]))), () => undefined);
  }, []);
  useEffect(load, [load]);
  useEvents((event) => {
    if (event.type === 'agent.presence') setPresence((now) => new Map(now).set(event.userId, event.presence));
    else if (event.type === 'resync') load();
  });
  return presence;
}

/** The option groups of the target list; null: presence unknown (GET /api/agents not read). */
const PRESENCE_GROUPS: (Presence | null)[] = ['online', 'away', 'offline', null];

interface Props {
  conversationId: string;
  /** Who holds it now: not offered as a target. */
  holderId: string | null;
  users: DirectoryUser[];
  onDone: () => void;
  onCancel: () => void;
}

export function TransferDialog({ conversationId, holderId, users, onDone, onCancel }: Props) {
  const t = useT();
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Every console user may take chats (an admin may do what an agent may); the server refuses a
  // disabled one with a clear message, which the directory cannot tell beforehand.
  const targets = users.filter((u) => u.id !== holderId);
  const presence = usePresence();
  const chosen = to && to !== 'queue' ? targets.find((u) => u.id === to) : undefined;
  const chosenPresence = chosen ? presence.get(chosen.id) : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!to) {
      setError(t('shift.transfer.pick'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const trimmed = note.trim();
      await api.post(`/api/conversations/${encodeURIComponent(conversationId)}/transfer`, trimmed ? { to, note: trimmed } : { to });
      onDone();
    } catch (err) {
      setError(errorMessage(err, t));
      setBusy(false);
    }
  }

  return (
    <form className="transfer-panel" onSubmit={submit} aria-labelledby={`transfer-title-${conversationId}`} data-testid="transfer-panel">
      <h3 id={`transfer-title-${conversationId}`}>{t('shift.transfer.title')}</h3>
      <div className="field">
        <label htmlFor={`transfer-to-${conversationId}`}>{t('shift.transfer.to')}</label>
        <select id={`transfer-to-${conversationId}`} value={to} onChange={(e) => { setTo(e.target.value); setError(null); }} autoFocus data-testid="transfer-to">
          <option value="" disabled>{t('shift.transfer.choose')}</option>
          {/* Grouped by presence, online first: who can answer now is who to pick (issue 14 review). */}
          {PRESENCE_GROUPS.map((group) => {
            const members = targets.filter((u) => (presence.get(u.id) ?? null) === group);
            if (members.length === 0) return null;
            return (
              <optgroup key={group ?? 'unknown'} label={group ? t('shift.transfer.agentsBy', { presence: t(`presence.${group}`) }) : t('shift.transfer.agents')} data-presence={group ?? ''}>
                {members.map((u) => (
                  <option key={u.id} value={u.id} data-presence={group ?? ''}>{u.name || u.email}{u.role === 'admin' ? ` · ${t('role.admin')}` : ''}</option>
                ))}
              </optgroup>
            );
          })}
          <option value="queue">{t('shift.transfer.queue')}</option>
        </select>
        {targets.length === 0 && <span className="hint">{t('shift.transfer.none')}</span>}
        {chosen && (chosenPresence === 'offline' || chosenPresence === 'away') && (
          <span className="notice" role="status" data-testid="transfer-presence-warning" data-presence={chosenPresence}>
            {t(`shift.transfer.${chosenPresence}`, { name: chosen.name || chosen.email })}
          </span>
        )}
      </div>
      <div className="field">
        <label htmlFor={`transfer-note-${conversationId}`}>{t('shift.transfer.note')}</label>
        <textarea
          id={`transfer-note-${conversationId}`}
          rows={2}
          maxLength={2000}
          value={note}
          placeholder={t('shift.transfer.notePlaceholder')}
          onChange={(e) => setNote(e.target.value)}
          data-testid="transfer-note"
        />
      </div>
      {error && <p className="error" role="alert" data-testid="transfer-error">{error}</p>}
      <div className="transfer-actions">
        <button type="button" onClick={onCancel} data-testid="transfer-cancel">{t('shift.transfer.cancel')}</button>
        <button type="submit" className="primary" disabled={busy} data-testid="transfer-submit">
          {busy ? t('shift.transfer.submitting') : t('shift.transfer.submit')}
        </button>
      </div>
    </form>
  );
}

/** "小王 转给你一个会话", with a link to it, wherever the agent is in the console. */
export function TransferNotice({ me }: { me: User }) {
  const t = useT();
  const { users } = useDirectory();
  const { notice, dismiss } = useTransferWatch(me.id);
  return (
    <div className="transfer-notice-region" role="status" aria-live="polite">
      {notice && (
        <div className="transfer-notice" data-testid="transfer-notice" data-conversation-id={notice.conversationId}>
          <span>{notice.by ? t('notify.transferred', { name: actorName(notice.by, users, t) }) : t('notify.transferredAnon')}</span>
          <a href={hrefFor.conversation(notice.conversationId)} onClick={dismiss} data-testid="transfer-notice-open">{t('notify.open')}</a>
          <button type="button" className="small" onClick={dismiss} aria-label={t('notify.dismiss')}>×</button>
        </div>
      )}
    </div>
  );
}
