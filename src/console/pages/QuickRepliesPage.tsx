/**
 * 快捷回复 (issue 14 item 3), for agents and admins: add, edit and delete one's personal quick
 * replies; admins also the shared ones (the 共享 checkbox). Agents see the shared ones read-only.
 * The list is fetched when the page opens and after each change; the reply box's `/` menu fetches
 * its own copy each time it opens, so a change here is there on the next `/`.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Field, Notice, errorMessage } from '../admin/common';
import { api } from '../api';
import { useT } from '../i18n';
import { QUICK_REPLY_VARIABLES } from '../quick-reply-vars';
import type { QuickReply, User } from '../types';

type Editing = null | { mode: 'create' } | { mode: 'edit'; reply: QuickReply };

export function QuickRepliesPage({ me }: { me: User }) {
  const t = useT();
  const [items, setItems] = useState<QuickReply[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const newButton = useRef<HTMLButtonElement>(null);
  const isAdmin = me.role === 'admin';

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setItems((await api.get<{ items: QuickReply[] }>('/api/quick-replies')).items);
    } catch (err) {
      setLoadError(errorMessage(t, err));
    }
  }, [t]);

  useEffect(() => {
    void load();
    // Once per visit; the language switch must not refetch.
  }, []);

  useEffect(() => {
    document.title = `${t('qr.title')} · ${t('app.title')}`;
  }, [t]);

  function closeForm() {
    setEditing(null);
    requestAnimationFrame(() => newButton.current?.focus());
  }

  async function remove(reply: QuickReply) {
    if (!window.confirm(t('qr.confirmDelete', { title: reply.title }))) return;
    setError(null);
    setNotice(null);
    try {
      await api.del(`/api/quick-replies/${encodeURIComponent(reply.id)}`);
      setNotice(t('qr.deleted', { title: reply.title }));
      if (editing?.mode === 'edit' && editing.reply.id === reply.id) setEditing(null);
    } catch (err) {
      setError(errorMessage(t, err));
    }
    await load();
  }

  const mine = items?.filter((r) => !r.shared) ?? [];
  const shared = items?.filter((r) => r.shared) ?? [];

  const section = (key: 'mine' | 'shared', list: QuickReply[]) => (
    <section className="qr-section" aria-labelledby={`qr-${key}-heading`} data-testid={`quick-replies-${key}`}>
      <h2 id={`qr-${key}-heading`}>{t(key === 'mine' ? 'qr.mineSection' : 'qr.sharedSection')}</h2>
      {list.length === 0 ? <p className="adm-empty">{t(key === 'mine' ? 'qr.emptyMine' : 'qr.emptyShared')}</p> : null}
      <ul className="qr-list">
        {list.map((reply) => (
          <li key={reply.id} className="qr-item" data-testid="quick-reply-row" data-quick-reply-id={reply.id}>
            <div className="qr-item__head">
              <h3 className="qr-item__title">{reply.title}</h3>
              <span className={`qr-tag${reply.shared ? ' qr-tag--shared' : ''}`}>{t(reply.shared ? 'qr.shared' : 'qr.personal')}</span>
              <span className="qr-item__actions">
                {reply.editable ? (
                  <>
                    <button
                      type="button"
                      className="adm-btn adm-btn--small"
                      aria-label={t('qr.editLabel', { title: reply.title })}
                      data-testid="quick-reply-edit"
                      onClick={() => {
                        setNotice(null);
                        setEditing({ mode: 'edit', reply });
                      }}
                    >
                      {t('qr.edit')}
                    </button>
                    <button type="button" className="adm-btn adm-btn--small adm-btn--danger" aria-label={t('qr.deleteLabel', { title: reply.title })} data-testid="quick-reply-delete" onClick={() => void remove(reply)}>
                      {t('qr.delete')}
                    </button>
                  </>
                ) : (
                  <span className="adm-muted">{t('qr.readOnly')}</span>
                )}
              </span>
            </div>
            <p className="qr-item__text">{reply.text}</p>
          </li>
        ))}
      </ul>
    </section>
  );

  return (
    <div className="admin-page">
      <div className="adm-page qr-page" data-testid="quick-replies-page">
        <header className="adm-page__header">
          <h1>{t('qr.title')}</h1>
          <button
            ref={newButton}
            type="button"
            className="adm-btn adm-btn--primary"
            data-testid="quick-reply-new"
            onClick={() => {
              setNotice(null);
              setEditing({ mode: 'create' });
            }}
          >
            {t('qr.new')}
          </button>
        </header>
        <div className="qr-intro">
          <p>{t('qr.intro')}</p>
          <p>
            <span className="qr-intro__label">{t('qr.variables')}：</span>
            {QUICK_REPLY_VARIABLES.map((v) => (
              <span key={v.key} className="qr-var">
                <code>{v.zh}</code> / <code>{v.en}</code> {t(`qr.var.${v.key}`)}
              </span>
            ))}
          </p>
        </div>
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
          <QuickReplyForm
            key={editing.mode === 'edit' ? editing.reply.id : 'new'}
            reply={editing.mode === 'edit' ? editing.reply : null}
            canShare={isAdmin}
            onCancel={closeForm}
            onSaved={async (saved, created) => {
              setNotice(t(created ? 'qr.created' : 'qr.saved', { title: saved.title }));
              closeForm();
              await load();
            }}
          />
        ) : null}

        {items === null && !loadError ? <p className="adm-muted">{t('app.loading')}</p> : null}
        {items !== null ? (
          <>
            {section('mine', mine)}
            {section('shared', shared)}
          </>
        ) : null}
      </div>
    </div>
  );
}

function QuickReplyForm({ reply, canShare, onCancel, onSaved }: { reply: QuickReply | null; canShare: boolean; onCancel: () => void; onSaved: (saved: QuickReply, created: boolean) => Promise<void> }) {
  const t = useT();
  const [title, setTitle] = useState(reply?.title ?? '');
  const [text, setText] = useState(reply?.text ?? '');
  const [shared, setShared] = useState(reply?.shared ?? false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    first.current?.focus();
    first.current?.scrollIntoView({ block: 'nearest' });
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!title.trim() || !text.trim() || saving) return;
    setSaving(true);
    setError(null);
    try {
      const saved = reply
        ? await api.put<QuickReply>(`/api/quick-replies/${encodeURIComponent(reply.id)}`, { title, text })
        : await api.post<QuickReply>('/api/quick-replies', canShare ? { title, text, shared } : { title, text });
      await onSaved(saved, reply === null);
    } catch (err) {
      setError(errorMessage(t, err));
      setSaving(false);
    }
  }

  const heading = reply ? t('qr.editTitle') : t('qr.newTitle');
  return (
    <form className="adm-panel qr-form" onSubmit={submit} aria-label={heading} data-testid="quick-reply-form">
      <h2>{heading}</h2>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <Field label={t('qr.field.title')} help={t('qr.field.titleHelp')} required>
        {({ id, describedBy }) => (
          <input ref={first} id={id} type="text" value={title} maxLength={40} required aria-describedby={describedBy} onChange={(e) => setTitle(e.target.value)} data-testid="quick-reply-title" />
        )}
      </Field>
      <Field label={t('qr.field.text')} help={t('qr.field.textHelp')} required>
        {({ id, describedBy }) => (
          <textarea id={id} value={text} rows={4} maxLength={2000} required aria-describedby={describedBy} onChange={(e) => setText(e.target.value)} data-testid="quick-reply-text" />
        )}
      </Field>
      {canShare && !reply ? (
        <label className="adm-check qr-form__shared">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} aria-describedby="qr-shared-help" data-testid="quick-reply-shared" />
          <span>{t('qr.field.shared')}</span>
        </label>
      ) : null}
      {canShare && !reply ? <p id="qr-shared-help" className="adm-help">{t('qr.field.sharedHelp')}</p> : null}
      {reply?.shared ? <p className="adm-help">{t('qr.field.sharedHelp')}</p> : null}
      <div className="adm-actions">
        <button type="submit" className="adm-btn adm-btn--primary" disabled={saving || !title.trim() || !text.trim()} data-testid="quick-reply-save">
          {saving ? t('qr.saving') : t('qr.save')}
        </button>
        <button type="button" className="adm-btn" onClick={onCancel}>
          {t('qr.cancel')}
        </button>
      </div>
    </form>
  );
}
