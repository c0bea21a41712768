import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { errorMessage } from '../errors';
import { useEvents } from '../events';
import { listPaths, loadFilters, saveFilters, type Filters } from '../filters';
import { useDirectory } from '../hooks';
import { useT } from '../i18n';
import type { ConversationSummary, User } from '../types';
import { ConversationView } from './ConversationView';
import { QueueList } from './QueueList';
import { withSearch } from './QueueSearch';

/** Queued first, longest waiting on top; then the rest, most recently active first. */
function order(items: ConversationSummary[]): ConversationSummary[] {
  const since = (c: ConversationSummary) => Date.parse(c.waitingSince ?? c.updatedAt);
  return [...items].sort((a, b) => {
    if ((a.status === 'queued') !== (b.status === 'queued')) return a.status === 'queued' ? -1 : 1;
    if (a.status === 'queued') return since(a) - since(b);
    return Date.parse(b.updatedAt) - Date.parse(a.updatedAt);
  });
}

/** The list on the left, the open conversation on the right (one at a time on a phone). */
export function InboxPage({ me, conversationId }: { me: User; conversationId: string | null }) {
  const t = useT();
  const directory = useDirectory();
  const [filters, setFilters] = useState<Filters>(loadFilters);
  // issue 14 item 1: name, external id or message text, within the filters.
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<ConversationSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const answers = await Promise.all(listPaths(filters).map((path) => api.get<{ items: ConversationSummary[] }>(withSearch(path, search))));
      // A slower answer for an older filter must not overwrite a newer one.
      if (mine !== generation.current) return;
      setItems(order(answers.flatMap((a) => a.items)));
      setError(null);
    } catch (err) {
      if (mine === generation.current) setError(errorMessage(err, t));
    }
  }, [filters, search, t]);

  useEffect(() => {
    saveFilters(filters);
    void load();
  }, [filters, load]);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);

  // A reload an event scheduled runs with the filters of when it runs: choosing 机器人处理中 just
  // after an event showed the old filter's list under the new one (issue 14 item 2).
  const latestLoad = useRef(load);
  latestLoad.current = load;
  useEvents((event) => {
    if (event.type === 'channel.changed') return;
    // issue 14 item 4: an agent's presence changes no conversation.
    if (event.type === 'agent.presence') return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void latestLoad.current(), 250);
  });

  return (
    <div className={`inbox ${conversationId ? 'has-selection' : ''}`}>
      <QueueList
        items={items}
        error={error}
        filters={filters}
        onFilters={setFilters}
        onRefresh={() => void load()}
        directory={directory}
        selectedId={conversationId}
        search={search}
        onSearch={setSearch}
      />
      <section className="pane conversation-pane" aria-label={t('conv.history')}>
        {conversationId ? (
          <ConversationView key={conversationId} id={conversationId} me={me} directory={directory} />
        ) : (
          <p className="placeholder">{t('conv.select')}</p>
        )}
      </section>
    </div>
  );
}
