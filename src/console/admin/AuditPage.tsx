/** Audit log: who changed what, when (GET /api/audit), newest first, with a quick text filter. */
import { useMemo, useState } from 'react';
import { api, qs } from '../api';
import { hasKey, useLang, useT } from '../i18n';
import { Field, formatDateTime, Notice, useLoader } from './common';
import type { AuditItem } from './types';

const LIMITS = [50, 200, 1000];

const valueText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** `fields: name, config; ok: true`: lists read as lists, anything nested as compact JSON. */
function detailsText(details: AuditItem['details']): string {
  if (!details || Object.keys(details).length === 0) return '';
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.map(valueText).join(', ') || '—' : valueText(value)}`)
    .join('; ');
}

export function AuditPage() {
  const t = useT();
  const { lang } = useLang();
  const [limit, setLimit] = useState(200);
  const [filter, setFilter] = useState('');
  const { data: items, error, loading, reload: load } = useLoader(t, async () => (await api.get<{ items: AuditItem[] }>(`/api/audit${qs({ limit })}`)).items, [limit]);

  const actionText = (action: string) => (hasKey(`admin.audit.action.${action}`) ? t(`admin.audit.action.${action}`) : action);
  const actorText = (item: AuditItem) => item.actorEmail || (item.actor === 'admin-token' ? t('admin.audit.adminToken') : item.actor === 'system' ? t('admin.audit.system') : item.actor);

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!items || !needle) return items;
    return items.filter((item) => [actorText(item), item.action, actionText(item.action), item.target, detailsText(item.details)].some((s) => s.toLowerCase().includes(needle)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [items, filter, lang]);

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
                <th scope="col">{t('admin.audit.actor')}</th>
                <th scope="col">{t('admin.audit.action')}</th>
                <th scope="col">{t('admin.audit.target')}</th>
                <th scope="col">{t('admin.audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((item) => (
                <tr key={item.id} data-testid="audit-row">
                  <td data-label={t('admin.audit.at')}>
                    <time dateTime={item.at}>{formatDateTime(item.at, lang)}</time>
                  </td>
                  <td data-label={t('admin.audit.actor')}>{actorText(item)}</td>
                  <td data-label={t('admin.audit.action')}>
                    <span title={item.action}>{actionText(item.action)}</span>
                  </td>
                  <td data-label={t('admin.audit.target')}>
                    <code>{item.target}</code>
                  </td>
                  <td data-label={t('admin.audit.details')} className="adm-details-cell">
                    {detailsText(item.details) || '—'}
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
