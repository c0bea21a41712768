import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { contactLabel, type LabelledContact } from '../contact-label';
import { errorMessage } from '../errors';
import { useEvents } from '../events';
import { formatClock, userName } from '../format';
import { useLang, useT } from '../i18n';
import { hrefFor } from '../router';
import type { ContactProfile, ContactVisit, Directory } from '../types';

/** The server's limit (src/ports/contact-directory.ts), counted as people count characters. */
const MAX_NOTE = 2000;
const chars = (s: string) => [...s.trim()].length;

interface Props {
  /** The contact as the conversation knows it: labels the panel until the profile is loaded. */
  contact: LabelledContact;
  conversationId: string;
  directory: Directory;
  /** The message the conversation is scrolled to (`?at=`), to mark the visit shown now. */
  at?: string | null;
}

function formatDate(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang, { year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/**
 * Who the customer is (issue 14 item 1): name (or 访客 n), channel, external id (copyable), first
 * seen, their visits (each opens the conversation at its first message) and the note every agent
 * shares. Beside the conversation on a laptop; a collapsible section above the messages on a phone.
 */
export function ContactPanel({ contact, conversationId, directory, at }: Props) {
  const t = useT();
  const { lang } = useLang();
  const [profile, setProfile] = useState<ContactProfile | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  // The note: what the box holds, and the stored text it started from (to tell edits from news).
  const [draft, setDraft] = useState('');
  const [base, setBase] = useState<string | null>(null);
  const [newer, setNewer] = useState<ContactProfile | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveState, setSaveState] = useState<{ ok: boolean; text: string } | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const draftRef = useRef(draft);
  draftRef.current = draft;
  const baseRef = useRef(base);
  baseRef.current = base;
  const tRef = useRef(t);
  tRef.current = t;

  const adopt = useCallback((p: ContactProfile) => {
    setProfile(p);
    setLoadError(null);
    const edited = baseRef.current !== null && draftRef.current !== (baseRef.current ?? '');
    if (!edited) {
      setDraft(p.note ?? '');
      setBase(p.note ?? '');
      setNewer(null);
    } else {
      // Someone saved while this agent was typing: keep their words, say so (last write wins).
      setNewer((p.note ?? '') !== baseRef.current ? p : null);
    }
  }, []);

  const load = useCallback(async () => {
    try {
      adopt(await api.get<ContactProfile>(`/api/contacts/${encodeURIComponent(contact.id)}`));
    } catch (err) {
      setLoadError(errorMessage(err, tRef.current));
    }
  }, [contact.id, adopt]);

  useEffect(() => {
    void load();
    return () => { if (timer.current) clearTimeout(timer.current); };
  }, [load]);

  // A note saved elsewhere, a close or a return: the conversation is announced, and so is this.
  useEvents((event) => {
    if (event.type !== 'resync' && (!('conversationId' in event) || event.conversationId !== conversationId)) return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), 300);
  });

  async function save() {
    setSaving(true);
    setSaveState(null);
    try {
      const saved = await api.put<ContactProfile>(`/api/contacts/${encodeURIComponent(contact.id)}/note`, { note: draft });
      setProfile(saved);
      setDraft(saved.note ?? '');
      setBase(saved.note ?? '');
      setNewer(null);
      setSaveState({ ok: true, text: t('contact.saved') });
    } catch (err) {
      setSaveState({ ok: false, text: errorMessage(err, t) });
    }
    setSaving(false);
  }

  function loadLatest() {
    if (!newer) return;
    setDraft(newer.note ?? '');
    setBase(newer.note ?? '');
    setNewer(null);
  }

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(t('contact.copied'));
    } catch {
      setCopied(t('contact.copyFailed'));
    }
    setTimeout(() => setCopied(null), 2000);
  }

  const labelled: LabelledContact = profile ? { id: profile.id, externalId: profile.externalId, name: profile.name, channelKind: profile.channel.kind } : contact;
  const label = contactLabel(labelled, t);
  const dirty = base !== null && draft !== base;
  const count = chars(draft);
  const tooLong = count > MAX_NOTE;
  const who = (id: string | null) => userName(id, directory.users);
  const visitTime = (iso: string) => formatClock(iso, lang);
  const shownVisit = at ? profile?.visits.find((v) => v.firstMessageId === at) : undefined;

  return (
    <aside className={`contact-panel ${open ? 'expanded' : 'collapsed'}`} aria-labelledby="contact-panel-title" data-testid="contact-panel">
      <button type="button" className="contact-toggle" aria-expanded={open} aria-controls="contact-panel-body" onClick={() => setOpen(!open)} data-testid="contact-toggle">
        <span>{t('contact.panelToggle', { name: label })}</span>
        <span aria-hidden="true">{open ? '▴' : '▾'}</span>
      </button>
      <div className="contact-body" id="contact-panel-body">
        <h3 id="contact-panel-title" className="contact-name" data-testid="contact-name">{label}</h3>
        {loadError && (
          <p className="error" role="alert">
            {t('contact.loadError', { message: loadError })} <button type="button" className="small" onClick={() => void load()}>{t('contact.retry')}</button>
          </p>
        )}
        {profile && (
          <>
            <dl className="contact-facts">
              <dt>{t('contact.channel')}</dt>
              <dd data-testid="contact-channel">{profile.channel.name}</dd>
              <dt>{t('contact.externalId')}</dt>
              <dd className="contact-id">
                <code data-testid="contact-external-id">{profile.externalId}</code>
                <button type="button" className="small" aria-label={t('contact.copyLabel')} onClick={() => void copy(profile.externalId)} data-testid="contact-copy">{t('contact.copy')}</button>
                <span className="muted" role="status">{copied}</span>
              </dd>
              <dt>{t('contact.firstSeen')}</dt>
              <dd><time dateTime={profile.firstSeen} data-testid="contact-first-seen">{formatDate(profile.firstSeen, lang)}</time></dd>
            </dl>

            <section className="contact-note" aria-labelledby="contact-note-label">
              <label id="contact-note-label" htmlFor="contact-note-input" className="contact-section-title">
                {t('contact.note')} <span className="muted">· {t('contact.noteHint')}</span>
              </label>
              <textarea
                id="contact-note-input"
                value={draft}
                rows={3}
                placeholder={t('contact.notePlaceholder')}
                aria-invalid={tooLong}
                aria-describedby="contact-note-meta"
                onChange={(e) => { setDraft(e.target.value); setSaveState(null); }}
                data-testid="contact-note"
              />
              {newer && (
                <p className="notice" role="status" data-testid="contact-note-changed">
                  {t('contact.noteChanged', { name: who(newer.noteUpdatedBy), time: newer.noteUpdatedAt ? visitTime(newer.noteUpdatedAt) : '' })}{' '}
                  <button type="button" className="small" onClick={loadLatest}>{t('contact.noteLoadLatest')}</button>
                </p>
              )}
              <div className="contact-note-foot" id="contact-note-meta">
                <span className="muted" data-testid="contact-note-by">
                  {profile.noteUpdatedAt ? t('contact.noteBy', { name: who(profile.noteUpdatedBy), time: visitTime(profile.noteUpdatedAt) }) : t('contact.noteNever')}
                </span>
                <span className={`contact-count ${tooLong ? 'over' : ''}`}>{tooLong ? t('contact.noteTooLong', { max: MAX_NOTE }) : t('contact.noteCount', { n: count, max: MAX_NOTE })}</span>
                <button type="button" className="primary small" disabled={!dirty || saving || tooLong} onClick={() => void save()} data-testid="contact-note-save">
                  {saving ? t('contact.saving') : t('contact.save')}
                </button>
              </div>
              {saveState && <p className={saveState.ok ? 'contact-saved' : 'error'} role={saveState.ok ? 'status' : 'alert'} data-testid="contact-note-status">{saveState.text}</p>}
            </section>

            <section className="contact-visits" aria-labelledby="contact-visits-title">
              <h4 id="contact-visits-title" className="contact-section-title">
                {t('contact.visits')} <span className="muted">{t('contact.visitsCount', { n: profile.visits.length })}</span>
              </h4>
              {profile.visits.length === 0 ? (
                <p className="muted">{t('contact.noVisits')}</p>
              ) : (
                <ol className="visit-list" data-testid="contact-visits">
                  {profile.visits.map((v) => (
                    <VisitItem key={v.firstMessageId} visit={v} conversationId={conversationId} current={v === shownVisit} who={who} time={visitTime} />
                  ))}
                </ol>
              )}
            </section>
          </>
        )}
      </div>
    </aside>
  );
}

function VisitItem({ visit: v, conversationId, current, who, time }: { visit: ContactVisit; conversationId: string; current: boolean; who: (id: string) => string; time: (iso: string) => string }) {
  const t = useT();
  const start = time(v.startedAt);
  return (
    <li>
      <a
        className="visit"
        href={hrefFor.conversation(conversationId, v.firstMessageId)}
        aria-label={t('contact.visitOpen', { time: start })}
        aria-current={current ? 'location' : undefined}
        data-testid="contact-visit"
        data-message-id={v.firstMessageId}
      >
        <span className="visit-when">
          {t('contact.visitRange', { start, end: v.endedAt ? time(v.endedAt) : t('contact.visitOngoing') })}
          {current && <span className="pill">{t('contact.visitHere')}</span>}
        </span>
        <span className="visit-text">{v.firstCustomerText ?? t('contact.visitNoText')}</span>
        <span className="visit-meta">
          {t('contact.visitMessages', { n: v.messageCount })}
          {v.agentIds.length > 0 && <> · {t('contact.visitBy', { names: v.agentIds.map(who).join(t('audit.listSep')) })}</>}
        </span>
      </a>
    </li>
  );
}
