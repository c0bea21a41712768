/**
 * 待审核建议 on the knowledge page (issue 12): what the bot could learn from agents. A handed-off
 * question an agent answered with an entry's answer is proposed as a new phrasing of that entry;
 * any other agent answer, or a correction of a bot answer, as a new entry. One click accepts it
 * as proposed; 编辑后采纳 lets the admin reword it first; 忽略 drops it. The server masks phone
 * numbers, order numbers and addresses in the question before it reaches this page.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import { useLang, useT } from '../i18n';
import { hrefFor } from '../router';
import { errorMessage, formatDateTime, Notice } from './common';
import { DraftForm, type Draft } from './knowledge-draft';
import type { KnowledgeSuggestion } from './types';

interface Props {
  /** A channel's display name (shared entries have none). */
  channelName: (id: string | null) => string;
  /** After an accept: the entry list has a new or changed entry. */
  onAccepted: () => void;
}

/** What the edit form starts from: the question as asked, and the proposed (or the entry's) answer. */
function draftOf(s: KnowledgeSuggestion): Draft {
  return { instruction: s.question, input: '', output: s.answer ?? s.entry?.output ?? '' };
}

export function SuggestionsPanel({ channelName, onAccepted }: Props) {
  const t = useT();
  const { lang } = useLang();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [items, setItems] = useState<KnowledgeSuggestion[] | null>(null);
  // A server without suggestions (404) shows no section at all rather than an error.
  const [unavailable, setUnavailable] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [editingId, setEditingId] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const answer = await api.get<{ items: KnowledgeSuggestion[] }>('/api/knowledge/suggestions?status=open');
      setItems(answer.items);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setUnavailable(true);
      else setError(errorMessage(t, err));
    }
    // `t` only words the error; a language switch must not refetch.
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  /**
   * accept / reject, then the list again. A failure is thrown to the caller (the edit form shows it
   * in place), except a suggestion someone else handled meanwhile: that one just leaves the list.
   */
  async function decide(suggestion: KnowledgeSuggestion, action: 'accept' | 'reject', edited?: Draft): Promise<void> {
    setBusy(suggestion.id);
    setError(null);
    setNotice(null);
    let done = false;
    try {
      await api.post(`/api/knowledge/suggestions/${encodeURIComponent(suggestion.id)}/${action}`, edited ?? {});
      done = true;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'SUGGESTION.NOT_OPEN')) throw err;
      setError(errorMessage(t, err));
    } finally {
      setBusy(null);
    }
    setEditingId(null);
    if (done) {
      setNotice(t(action === 'accept' ? 'admin.suggestions.accepted' : 'admin.suggestions.rejected'));
      if (action === 'accept') onAccepted();
    }
    await load();
    // The item's buttons are gone: keep keyboard users in the section, not on <body>.
    heading.current?.focus();
  }

  /** The one-click buttons: a failure is a notice over the list. */
  function decideNow(suggestion: KnowledgeSuggestion, action: 'accept' | 'reject') {
    decide(suggestion, action).catch((err) => setError(errorMessage(t, err)));
  }

  if (unavailable) return null;
  const count = items?.length ?? 0;

  return (
    <section className="adm-panel" aria-labelledby={headingId} data-testid="suggestions" data-count={count}>
      <h2 id={headingId} ref={heading} tabIndex={-1}>
        {t('admin.suggestions.title')}
        {items ? (
          <span className={`adm-count${count ? '' : ' adm-count--zero'}`} data-testid="suggestions-count">
            <span aria-hidden="true">{count}</span>
            <span className="adm-visually-hidden">{t('admin.suggestions.countLabel', { n: count })}</span>
          </span>
        ) : null}
      </h2>
      <p className="adm-help">{t('admin.suggestions.help')}</p>
      {error ? <Notice kind="error" onDismiss={() => setError(null)} dismissLabel={t('error.dismiss')}>{error}</Notice> : null}
      {notice ? <Notice kind="success" onDismiss={() => setNotice(null)} dismissLabel={t('error.dismiss')}>{notice}</Notice> : null}
      {items === null && !error ? <p className="adm-muted">{t('admin.loading')}</p> : null}
      {items && items.length === 0 ? <p className="adm-muted" data-testid="suggestions-empty">{t('admin.suggestions.empty')}</p> : null}
      {items && items.length > 0 ? (
        <ol className="adm-suggestion-list">
          {items.map((s) => (
            <li key={s.id} className="adm-suggestion" data-testid="suggestion" data-suggestion-id={s.id} data-source={s.source}>
              {editingId === s.id ? (
                <EditSuggestion
                  suggestion={s}
                  onCancel={() => setEditingId(null)}
                  onAccept={(draft) => decide(s, 'accept', draft)}
                />
              ) : (
                <>
                  <div className="adm-kb-item__body">
                    <p className="adm-kb-q">
                      <span className="adm-kb-tag">{t('admin.suggestions.question')}</span>
                      <span data-testid="suggestion-question">{s.question}</span>
                    </p>
                    {s.entryId && s.entry ? (
                      <>
                        <p data-testid="suggestion-phrasing">{t('admin.suggestions.phrasing', { entry: s.entry.instruction })}</p>
                        <p className="adm-kb-input">
                          <span className="adm-kb-tag">{t('admin.suggestions.entryAnswer')}</span>
                          {s.entry.output}
                        </p>
                      </>
                    ) : (
                      <p className="adm-kb-a">
                        <span className="adm-kb-tag">{t('admin.suggestions.answer')}</span>
                        <span data-testid="suggestion-answer">{s.answer}</span>
                      </p>
                    )}
                    <p className="adm-suggestion__meta">
                      <span className="adm-badge adm-badge--soft">{t(`admin.suggestions.source.${s.source}`)}</span>
                      <span className="adm-badge adm-badge--soft">{channelName(s.channelId)}</span>
                      <time dateTime={s.createdAt}>{formatDateTime(s.createdAt, lang)}</time>
                      {s.conversationId ? (
                        <a href={hrefFor.conversation(s.conversationId)} data-testid="suggestion-conversation">
                          {t('admin.suggestions.conversation')}
                        </a>
                      ) : null}
                    </p>
                  </div>
                  <div className="adm-suggestion__actions">
                    <button
                      type="button"
                      className="adm-btn adm-btn--small adm-btn--primary"
                      disabled={busy === s.id}
                      aria-label={t('admin.suggestions.acceptLabel', { question: s.question.slice(0, 40) })}
                      onClick={() => decideNow(s, 'accept')}
                      data-testid="suggestion-accept"
                    >
                      {t('admin.suggestions.accept')}
                    </button>
                    <button
                      type="button"
                      className="adm-btn adm-btn--small"
                      disabled={busy === s.id}
                      aria-label={t('admin.suggestions.editLabel', { question: s.question.slice(0, 40) })}
                      onClick={() => setEditingId(s.id)}
                      data-testid="suggestion-edit"
                    >
                      {t('admin.suggestions.edit')}
                    </button>
                    <button
                      type="button"
                      className="adm-btn adm-btn--small adm-btn--danger"
                      disabled={busy === s.id}
                      aria-label={t('admin.suggestions.rejectLabel', { question: s.question.slice(0, 40) })}
                      onClick={() => decideNow(s, 'reject')}
                      data-testid="suggestion-reject"
                    >
                      {t('admin.suggestions.reject')}
                    </button>
                  </div>
                </>
              )}
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}

/** The suggestion as an entry draft, accepted with whatever the admin changed. */
function EditSuggestion({ suggestion, onAccept, onCancel }: { suggestion: KnowledgeSuggestion; onAccept: (draft: Draft) => Promise<void>; onCancel: () => void }) {
  const t = useT();
  const note = suggestion.entryId && suggestion.entry ? <p className="adm-help">{t('admin.suggestions.phrasing', { entry: suggestion.entry.instruction })}</p> : null;
  return (
    <DraftForm
      initial={draftOf(suggestion)}
      onSubmit={onAccept}
      onCancel={onCancel}
      submitLabel={t('admin.suggestions.acceptEdited')}
      testId="suggestion-edit-form"
      submitTestId="suggestion-edit-accept"
      note={note}
    />
  );
}
