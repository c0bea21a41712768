import { contactLabel } from '../contact-label';
import { useLive } from '../events';
import { STATUS_OPTIONS, type Filters } from '../filters';
import { statusOptionText } from '../filters';
import { steppedIn } from '../format';
import { formatConfidence, formatDuration, previewText, reasonText, statusText, userName } from '../format';
import { useNow } from '../hooks';
import { useT } from '../i18n';
import { hrefFor } from '../router';
import type { ConversationSummary, Directory } from '../types';
import { QueueSearch, SearchMatch } from './QueueSearch';

interface Props {
  items: ConversationSummary[] | null;
  error: string | null;
  filters: Filters;
  onFilters: (filters: Filters) => void;
  onRefresh: () => void;
  directory: Directory;
  selectedId: string | null;
  /** issue 14 item 1: the search the list shows (name, id or message text), and how to change it. */
  search?: string;
  onSearch?: (q: string) => void;
}

/** Filters on top, then one link per conversation with why it waits and for how long. */
export function QueueList({ items, error, filters, onFilters, onRefresh, directory, selectedId, search = '', onSearch }: Props) {
  const t = useT();
  const live = useLive();
  const now = useNow(1000);
  const set = (patch: Partial<Filters>) => onFilters({ ...filters, ...patch });
  const channelName = (id: string) => directory.channels.find((c) => c.id === id)?.name ?? id;

  return (
    <section className="pane queue-pane" aria-labelledby="queue-title">
      <div className="queue-head">
        <h1 id="queue-title">{t('queue.title')}</h1>
        <span className={`live ${live ? 'on' : 'off'}`} role="status" data-testid="live-status">
          {live ? t('queue.live') : t('queue.offline')}
        </span>
        <button type="button" onClick={onRefresh} data-testid="queue-refresh">{t('queue.refresh')}</button>
      </div>
      {onSearch && <QueueSearch value={search} onSearch={onSearch} filters={filters} onFilters={onFilters} />}
      <fieldset className="filters">
        <legend className="sr-only">{t('filter.label')}</legend>
        <div className="field">
          <label htmlFor="filter-status">{t('filter.status')}</label>
          <select id="filter-status" value={filters.status} onChange={(e) => set({ status: e.target.value as Filters['status'] })} data-testid="filter-status">
            {STATUS_OPTIONS.map((s) => (
              <option key={s} value={s}>{statusOptionText(s, t)}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-channel">{t('filter.channel')}</label>
          <select id="filter-channel" value={filters.channelId} onChange={(e) => set({ channelId: e.target.value })} data-testid="filter-channel">
            <option value="">{t('filter.all')}</option>
            {directory.channels.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-assignee">{t('filter.assignee')}</label>
          <select id="filter-assignee" value={filters.assignee} onChange={(e) => set({ assignee: e.target.value })} data-testid="filter-assignee">
            <option value="">{t('filter.all')}</option>
            <option value="me">{t('assignee.me')}</option>
            <option value="none">{t('assignee.none')}</option>
            {directory.users.map((u) => <option key={u.id} value={u.id}>{u.name || u.email}</option>)}
          </select>
        </div>
      </fieldset>
      {error && <p className="error" role="alert">{error}</p>}
      {items === null && !error && <p className="placeholder">{t('app.loading')}</p>}
      {items && (
        <>
          <p className="count" aria-live="polite">{t('queue.count', { n: items.length })}</p>
          {items.length === 0 ? (
            <p className="placeholder" data-testid="queue-empty">{search ? t('search.none', { q: search }) : t('queue.empty')}</p>
          ) : (
            <ul className="queue" data-testid="queue-list">
              {items.map((c) => {
                const waiting = (c.status === 'queued' || c.status === 'assigned') ? Date.parse(c.waitingSince ?? c.updatedAt) : NaN;
                return (
                  <li key={c.id}>
                    <a
                      href={hrefFor.conversation(c.id, c.match?.messageId)}
                      className={`queue-item status-${c.status}`}
                      aria-current={c.id === selectedId ? 'true' : undefined}
                      data-testid="queue-item"
                      data-conversation-id={c.id}
                      data-status={c.status}
                    >
                      <span className="row1">
                        <span className="name" data-testid="queue-name">{contactLabel(c.contact, t)}</span>
                        {!Number.isNaN(waiting) && (
                          <span className="waiting" data-testid="queue-waiting">{t('queue.waiting', { time: formatDuration((now - waiting) / 1000, t) })}</span>
                        )}
                      </span>
                      <span className="row2">
                        <span className="channel">{channelName(c.channelId)}</span>
                        <span className={`pill status-${c.status}`}>{statusText(c.status, t)}</span>
                        {c.handoffReason && <span className="reason" data-testid="queue-reason">{reasonText(c.handoffReason, t)}</span>}
                        {steppedIn(c) && <span className="reason" data-testid="queue-stepped-in">{t('shift.steppedIn')}</span>}
                      </span>
                      <span className="row3">
                        {c.lastConfidence !== null && c.lastConfidence !== undefined && (
                          <span className={`conf ${c.lastConfidence < 0.5 ? 'low' : ''}`}>{t('queue.confidence', { value: formatConfidence(c.lastConfidence) })}</span>
                        )}
                        <span className="assignee">
                          {c.assigneeId ? t('queue.assignedTo', { name: userName(c.assigneeId, directory.users) }) : t('queue.unassigned')}
                        </span>
                      </span>
                      {c.match ? <SearchMatch text={c.match.text} query={search} /> : c.lastMessage && <span className="preview">{previewText(c.lastMessage, t, directory.users)}</span>}
                    </a>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
