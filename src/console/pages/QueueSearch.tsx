import { useEffect, useRef, useState } from 'react';
import type { Filters } from '../filters';
import { statusText } from '../format';
import { useT } from '../i18n';
import { snippetOf } from '../search-snippet';

/** Typing pauses this long before the list is asked again. */
const DEBOUNCE_MS = 300;
/** The server's limit on `q` (src/http/routes/conversation-routes.ts). */
const MAX_QUERY = 100;

interface Props {
  /** The search the list shows now. */
  value: string;
  onSearch: (q: string) => void;
  filters: Filters;
  onFilters: (filters: Filters) => void;
}

/**
 * The search box above the queue (issue 14 item 1): customer name, external id or message text,
 * within the current filters, with a one-click way out of them (a customer from last week is
 * usually not in 待处理).
 */
export function QueueSearch({ value, onSearch, filters, onFilters }: Props) {
  const t = useT();
  const [text, setText] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);

  function apply(next: string, now = false) {
    if (timer.current) clearTimeout(timer.current);
    const q = next.trim();
    if (now) onSearch(q);
    else timer.current = setTimeout(() => onSearch(q), DEBOUNCE_MS);
  }

  const statusName = filters.status === 'open' ? t('filter.open') : statusText(filters.status, t);
  return (
    <div className="queue-search" role="search">
      <label htmlFor="queue-search-input" className="sr-only">{t('search.label')}</label>
      <div className="queue-search-box">
        <input
          id="queue-search-input"
          type="search"
          value={text}
          maxLength={MAX_QUERY}
          placeholder={t('search.placeholder')}
          autoComplete="off"
          enterKeyHint="search"
          onChange={(e) => {
            setText(e.target.value);
            apply(e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') apply(text, true);
            if (e.key === 'Escape' && text) {
              setText('');
              apply('', true);
            }
          }}
          data-testid="queue-search"
        />
        {text && (
          <button type="button" className="small" aria-label={t('search.clear')} title={t('search.clear')} onClick={() => { setText(''); apply('', true); }} data-testid="queue-search-clear">
            ×
          </button>
        )}
      </div>
      {value && filters.status !== 'all' && (
        <p className="queue-search-scope" data-testid="queue-search-scope">
          {t('search.scoped', { status: statusName })}{' '}
          <button type="button" className="link" onClick={() => onFilters({ ...filters, status: 'all' })} data-testid="queue-search-all">{t('search.all')}</button>
        </p>
      )}
    </div>
  );
}

/** The matching message of a search result, the hit marked. */
export function SearchMatch({ text, query }: { text: string; query: string }) {
  const t = useT();
  const s = snippetOf(text, query);
  return (
    <span className="preview match" data-testid="queue-match">
      <span className="sr-only">{t('search.matched')}</span>
      {s.before}{s.hit && <mark>{s.hit}</mark>}{s.after}
    </span>
  );
}

/** A list path with the search added (`q`, issue 14 item 1); the path already has a query (listPaths adds limit). */
export function withSearch(path: string, q: string): string {
  return q ? `${path}${path.includes('?') ? '&' : '?'}q=${encodeURIComponent(q)}` : path;
}
