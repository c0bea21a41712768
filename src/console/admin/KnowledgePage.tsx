/**
 * Knowledge base: search, a paged list with inline editing, new entries, and JSONL import /
 * export in the training-data format ({"instruction","input","output"} a line).
 */
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, qs } from '../api';
import { useT } from '../i18n';
import { errorMessage, Field, Notice, useSubmit } from './common';
import { complete, DraftFields, DraftForm, type Draft } from './knowledge-draft';
import { SuggestionsPanel } from './SuggestionsPanel';
import type { ChannelView, ImportResult, KnowledgeEntry } from './types';

const PAGE_SIZE = 20;
/** Import errors past this many are summed up, not listed. */
const SHOWN_IMPORT_ERRORS = 50;

type ChannelOption = Pick<ChannelView, 'id' | 'name'>;

export function KnowledgePage() {
  const t = useT();
  const [channels, setChannels] = useState<ChannelOption[]>([]);
  const [query, setQuery] = useState('');
  const [applied, setApplied] = useState({ q: '', channelId: '' });
  const [page, setPage] = useState(0);
  const [items, setItems] = useState<KnowledgeEntry[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const listHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    api
      .get<{ items: ChannelView[] }>('/api/channels')
      .then((r) => setChannels(r.items.map(({ id, name }) => ({ id, name }))))
      .catch(() => setChannels([]));
  }, []);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      // One extra row tells whether a next page exists (the API gives no total).
      const r = await api.get<{ items: KnowledgeEntry[] }>(`/api/knowledge${qs({ q: applied.q, channelId: applied.channelId, limit: PAGE_SIZE + 1, offset: page * PAGE_SIZE })}`);
      setItems(r.items.slice(0, PAGE_SIZE));
      setHasMore(r.items.length > PAGE_SIZE);
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setLoading(false);
    }
    // `t` only words the error; a language switch must not refetch.
  }, [applied, page]);

  useEffect(() => {
    void load();
  }, [load]);

  const channelName = (id: string | null) => (id ? (channels.find((c) => c.id === id)?.name ?? id) : t('admin.knowledge.global'));

  function search(event: FormEvent) {
    event.preventDefault();
    setPage(0);
    setApplied((a) => ({ ...a, q: query.trim() }));
  }

  // Closing an inline editor puts focus back on that entry's Edit button, not on <body>.
  function closeEditor(id: string) {
    setEditingId(null);
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-entry-id="${CSS.escape(id)}"] [data-testid="knowledge-edit"]`)?.focus());
  }

  async function save(entry: KnowledgeEntry, draft: Draft) {
    const updated = await api.put<KnowledgeEntry>(`/api/knowledge/${encodeURIComponent(entry.id)}`, draft);
    setItems((list) => list?.map((e) => (e.id === entry.id ? { ...e, ...updated } : e)) ?? list);
    closeEditor(entry.id);
    setNotice(t('admin.knowledge.saved'));
  }

  async function remove(entry: KnowledgeEntry) {
    if (!window.confirm(t('admin.knowledge.confirmDelete', { question: entry.instruction.slice(0, 80) }))) return;
    setError(null);
    try {
      await api.del(`/api/knowledge/${encodeURIComponent(entry.id)}`);
      setNotice(t('admin.knowledge.deleted'));
      await load();
      listHeading.current?.focus();
    } catch (err) {
      setError(errorMessage(t, err));
    }
  }

  const exportHref = `/api/knowledge/export.jsonl${qs({ channelId: applied.channelId })}`;

  return (
    <div className="adm-page" data-testid="knowledge-page">
      <header className="adm-page__header">
        <h1>{t('admin.knowledge.title')}</h1>
        <div className="adm-row">
          <button type="button" className="adm-btn adm-btn--primary" aria-expanded={creating} onClick={() => setCreating((c) => !c)} data-testid="knowledge-new">
            {t('admin.knowledge.new')}
          </button>
          <a className="adm-btn" href={exportHref} download="knowledge.jsonl" data-testid="knowledge-export">
            {t('admin.knowledge.export')}
          </a>
        </div>
      </header>
      {error ? <Notice kind="error" onDismiss={() => setError(null)} dismissLabel={t('error.dismiss')}>{error}</Notice> : null}
      {notice ? <Notice kind="success" onDismiss={() => setNotice(null)} dismissLabel={t('error.dismiss')}>{notice}</Notice> : null}

      <SuggestionsPanel channelName={channelName} onAccepted={() => void load()} />

      {creating ? (
        <CreateEntry
          channels={channels}
          defaultChannelId={applied.channelId}
          onCancel={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            setNotice(t('admin.knowledge.created'));
            void load();
          }}
        />
      ) : null}

      <ImportPanel channels={channels} defaultChannelId={applied.channelId} onImported={() => void load()} />

      <section className="adm-panel" aria-labelledby="adm-knowledge-list">
        <h2 id="adm-knowledge-list" ref={listHeading} tabIndex={-1}>
          {t('admin.knowledge.listTitle')}
        </h2>
        <form className="adm-toolbar" role="search" onSubmit={search}>
          <Field label={t('admin.knowledge.search')} className="adm-grow">
            {({ id }) => <input id={id} type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t('admin.knowledge.searchPlaceholder')} data-testid="knowledge-search" />}
          </Field>
          <Field label={t('admin.knowledge.channel')}>
            {({ id }) => (
              <select
                id={id}
                value={applied.channelId}
                onChange={(e) => {
                  setPage(0);
                  setApplied((a) => ({ ...a, channelId: e.target.value }));
                }}
              >
                <option value="">{t('admin.knowledge.allChannels')}</option>
                {channels.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" className="adm-btn">
            {t('admin.knowledge.searchButton')}
          </button>
        </form>
        {applied.channelId ? <p className="adm-help">{t('admin.knowledge.channelFilterHelp')}</p> : null}

        <div aria-live="polite" aria-busy={loading}>
          {items === null && loading ? <p className="adm-muted">{t('admin.loading')}</p> : null}
          {items && items.length === 0 ? <p className="adm-empty">{applied.q ? t('admin.knowledge.noMatch') : t('admin.knowledge.empty')}</p> : null}
        </div>
        {items && items.length > 0 ? (
          <ol className="adm-kb-list" start={page * PAGE_SIZE + 1}>
            {items.map((entry) => (
              <li key={entry.id} className="adm-kb-item" data-testid="knowledge-row" data-entry-id={entry.id}>
                {editingId === entry.id ? (
                  <EditEntry entry={entry} onCancel={() => closeEditor(entry.id)} onSave={(draft) => save(entry, draft)} />
                ) : (
                  <>
                    <div className="adm-kb-item__body">
                      <p className="adm-kb-q">
                        <span className="adm-kb-tag">{t('admin.knowledge.q')}</span>
                        {entry.instruction}
                      </p>
                      {entry.input ? (
                        <p className="adm-kb-input">
                          <span className="adm-kb-tag">{t('admin.knowledge.inputShort')}</span>
                          {entry.input}
                        </p>
                      ) : null}
                      <p className="adm-kb-a">
                        <span className="adm-kb-tag">{t('admin.knowledge.a')}</span>
                        {entry.output}
                      </p>
                    </div>
                    <div className="adm-kb-item__meta">
                      <span className="adm-badge adm-badge--soft">{channelName(entry.channelId)}</span>
                      {entry.stage && entry.stage !== 'basic' ? (
                        <span className="adm-badge adm-badge--soft" data-testid="knowledge-stage-badge">
                          {t(`admin.knowledge.stage.${entry.stage}`)}
                        </span>
                      ) : null}
                      <button type="button" className="adm-btn adm-btn--small" onClick={() => setEditingId(entry.id)} aria-label={t('admin.knowledge.editLabel', { question: entry.instruction.slice(0, 40) })} data-testid="knowledge-edit">
                        {t('admin.edit')}
                      </button>
                      <button type="button" className="adm-btn adm-btn--small adm-btn--danger" onClick={() => void remove(entry)} aria-label={t('admin.knowledge.deleteLabel', { question: entry.instruction.slice(0, 40) })} data-testid="knowledge-delete">
                        {t('admin.delete')}
                      </button>
                    </div>
                  </>
                )}
              </li>
            ))}
          </ol>
        ) : null}
        <nav className="adm-pager" aria-label={t('admin.pager.label')}>
          <button type="button" className="adm-btn adm-btn--small" disabled={page === 0 || loading} onClick={() => setPage((p) => p - 1)}>
            {t('admin.pager.prev')}
          </button>
          <span aria-current="page">{t('admin.pager.page', { page: page + 1 })}</span>
          <button type="button" className="adm-btn adm-btn--small" disabled={!hasMore || loading} onClick={() => setPage((p) => p + 1)}>
            {t('admin.pager.next')}
          </button>
        </nav>
      </section>
    </div>
  );
}


function EditEntry({ entry, onSave, onCancel }: { entry: KnowledgeEntry; onSave: (draft: Draft) => Promise<void>; onCancel: () => void }) {
  const t = useT();
  const initial = { instruction: entry.instruction, input: entry.input, output: entry.output, stage: entry.stage ?? 'basic' };
  return <DraftForm initial={initial} onSubmit={onSave} onCancel={onCancel} submitLabel={t('admin.form.save')} testId="knowledge-edit-form" />;
}

function ChannelSelect({ channels, value, onChange, label }: { channels: ChannelOption[]; value: string; onChange: (v: string) => void; label: string }) {
  const t = useT();
  return (
    <Field label={label}>
      {({ id }) => (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t('admin.knowledge.global')}</option>
          {channels.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function CreateEntry({ channels, defaultChannelId, onCreated, onCancel }: { channels: ChannelOption[]; defaultChannelId: string; onCreated: () => void; onCancel: () => void }) {
  const t = useT();
  const [draft, setDraft] = useState<Draft>({ instruction: '', input: '', output: '', stage: 'basic' });
  const [channelId, setChannelId] = useState(defaultChannelId);
  const { saving, error, setError, run } = useSubmit(t);
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!complete(draft)) return setError(t('admin.knowledge.incomplete'));
    await run(async () => {
      await api.post<KnowledgeEntry>('/api/knowledge', { ...draft, ...(channelId ? { channelId } : {}) });
      onCreated();
    });
  }
  return (
    <section className="adm-panel" aria-labelledby={headingId}>
      <h2 id={headingId} ref={heading} tabIndex={-1}>
        {t('admin.knowledge.new')}
      </h2>
      <form onSubmit={submit} data-testid="knowledge-create-form">
        {error ? <Notice kind="error">{error}</Notice> : null}
        <ChannelSelect channels={channels} value={channelId} onChange={setChannelId} label={t('admin.knowledge.channel')} />
        <DraftFields draft={draft} onChange={setDraft} />
        <div className="adm-actions">
          <button type="submit" className="adm-btn adm-btn--primary" disabled={saving}>
            {saving ? t('admin.form.saving') : t('admin.knowledge.add')}
          </button>
          <button type="button" className="adm-btn" onClick={onCancel}>
            {t('admin.form.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

function ImportPanel({ channels, defaultChannelId, onImported }: { channels: ChannelOption[]; defaultChannelId: string; onImported: () => void }) {
  const t = useT();
  const [file, setFile] = useState<File | null>(null);
  const [channelId, setChannelId] = useState(defaultChannelId);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  useEffect(() => setChannelId(defaultChannelId), [defaultChannelId]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return setError(t('admin.knowledge.chooseFile'));
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const response = await api.raw(`/api/knowledge/import${qs({ channelId })}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson' },
        body: await file.text(),
      });
      if (!response.ok) throw await api.errorOf(response);
      setResult((await response.json()) as ImportResult);
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
      onImported();
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="adm-panel adm-disclosure">
      <summary>
        <h2>{t('admin.knowledge.importTitle')}</h2>
      </summary>
      <p className="adm-help">{t('admin.knowledge.importHelp')}</p>
      <form className="adm-toolbar" onSubmit={submit} data-testid="knowledge-import-form">
        <Field label={t('admin.knowledge.file')} className="adm-grow">
          {({ id }) => <input id={id} ref={fileInput} type="file" accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson,text/plain" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="knowledge-import-file" />}
        </Field>
        <ChannelSelect channels={channels} value={channelId} onChange={setChannelId} label={t('admin.knowledge.importInto')} />
        <button type="submit" className="adm-btn adm-btn--primary" disabled={busy} data-testid="knowledge-import-submit">
          {busy ? t('admin.knowledge.importing') : t('admin.knowledge.import')}
        </button>
      </form>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {result ? (
        <div role="status" className="adm-import-result" data-testid="knowledge-import-result">
          <p>{t('admin.knowledge.importResult', { imported: result.imported, skipped: result.skipped })}</p>
          {result.errors.length ? (
            <ul className="adm-import-errors">
              {result.errors.slice(0, SHOWN_IMPORT_ERRORS).map((e) => (
                <li key={e.line}>{t('admin.knowledge.importLineError', { line: e.line, error: e.error })}</li>
              ))}
              {result.errors.length > SHOWN_IMPORT_ERRORS ? <li>{t('admin.knowledge.importMoreErrors', { count: result.errors.length - SHOWN_IMPORT_ERRORS })}</li> : null}
            </ul>
          ) : null}
        </div>
      ) : null}
    </details>
  );
}
