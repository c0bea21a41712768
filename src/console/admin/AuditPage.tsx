/** Audit log: who changed what, when (GET /api/audit), newest first, in words, with a quick text filter. */
import { useMemo, useState } from 'react';
import { api, qs } from '../api';
import { hasKey, useLang, useT } from '../i18n';
import { detailPhrases, sentence, type AuditNames } from './audit-words';
import { Field, formatDateTime, Notice, useLoader } from './common';
import type { AuditItem, ChannelView, UserView } from './types';

const LIMITS = [50, 200, 1000];

/** Channel and user names for the rows; a list that fails to load leaves ids, not an error. */
async function loadNames(): Promise<AuditNames> {
  const [channels, users] = await Promise.all([
    api.get<{ items: ChannelView[] }>('/api/channels').then((b) => b.items).catch(() => [] as ChannelView[]),
    api.get<{ items: UserView[] } | UserView[]>('/api/users').then((b) => (Array.isArray(b) ? b : b.items)).catch(() => [] as UserView[]),
  ]);
  return {
    channels: new Map(channels.map((c) => [c.id, c.name])),
    users: new Map(users.map((u) => [u.id, u.name || u.email])),
  };
}

export function AuditPage() {
  const t = useT();
  const { lang } = useLang();
  const [limit, setLimit] = useState(200);
  const [filter, setFilter] = useState('');
  const { data, error, loading, reload: load } = useLoader(t, async () => {
    const [rows, names] = await Promise.all([api.get<{ items: AuditItem[] }>(`/api/audit${qs({ limit })}`), loadNames()]);
    return { items: rows.items, names };
  }, [limit]);
  const items = data?.items ?? null;

  const words = { t, has: hasKey };
  const rows = useMemo(() => {
    if (!data) return null;
    return data.items.map((item) => ({ item, ...sentence(words, item, data.names), details: detailPhrases(words, item) }));
  }, [data, lang]);

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!rows || !needle) return rows;
    return rows.filter((row) => [row.actor, row.action, row.item.action, row.item.target, row.details.join(' ')].some((s) => s.toLowerCase().includes(needle)));
  }, [rows, filter]);

  return (
    <div className="adm-page" data-testid="audit-page">
      <header className="adm-page__header">
        <h1>{t('admin.audit.title')}</h1>
        <button type="button" className="adm-btn" onClick={() => void load()} aria-busy={loading}>
          {t('admin.refresh')}
        </button>
      </header>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="adm-toolbar">
        <Field label={t('admin.audit.filter')} className="adm-grow">
          {({ id }) => <input id={id} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('admin.audit.filterPlaceholder')} />}
        </Field>
        <Field label={t('admin.audit.limit')}>
          {({ id }) => (
            <select id={id} value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
              {LIMITS.map((n) => (
                <option key={n} value={n}>
                  {t('admin.audit.latest', { count: n })}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {items === null && loading ? <p className="adm-muted">{t('admin.loading')}</p> : null}
      {shown && shown.length === 0 ? <p className="adm-empty">{t('admin.audit.empty')}</p> : null}
      {shown && shown.length > 0 ? (
        <div className="adm-table-wrap">
          <table className="adm-table adm-table--cards" data-testid="audit-table">
            <caption className="adm-visually-hidden">{t('admin.audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.audit.at')}</th>
                <th scope="col">{t('admin.audit.action')}</th>
                <th scope="col">{t('admin.audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map(({ item, actor, action, details }) => (
                <tr key={item.id} data-testid="audit-row">
                  <td data-label={t('admin.audit.at')}>
                    <time dateTime={item.at}>{formatDateTime(item.at, lang)}</time>
                  </td>
                  {/* The raw action and target stay in the tooltip, for whoever greps the API. */}
                  <td data-label={t('admin.audit.action')} title={`${item.action} ${item.target}`} data-testid="audit-sentence">
                    <span>
                      <strong>{actor}</strong> {action}
                    </span>
                  </td>
                  <td data-label={t('admin.audit.details')} className="adm-details-cell" data-testid="audit-details">
                    {details.join(t('audit.listSep')) || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
