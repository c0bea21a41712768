/**
 * Internal notes (issue 14 item 2): a compact composer under the reply box, and the notes in the
 * timeline. Both look nothing like a message to the customer: pale yellow, a lock, 内部备注 · name.
 * Notes are stored apart from messages and never sent.
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { errorMessage } from '../errors';
import { formatClock, userName } from '../format';
import { useLang, useT } from '../i18n';
import type { ConversationNote, DirectoryUser, Message } from '../types';

/** A note carries no `sender`: that is how the merged timeline tells the two apart. */
export function isNote(entry: Message | ConversationNote): entry is ConversationNote {
  return 'authorId' in entry;
}

/**
 * Messages and notes in one list by time; at the same instant the message first, so a transfer's
 * note follows the system note that records the transfer (both are written in one transaction).
 */
export function withNotes(messages: Message[], notes: ConversationNote[] | undefined): (Message | ConversationNote)[] {
  if (!notes || notes.length === 0) return messages;
  const at = (e: Message | ConversationNote) => Date.parse(e.createdAt);
  const out: (Message | ConversationNote)[] = [];
  let n = 0;
  for (const m of messages) {
    while (n < notes.length && at(notes[n]) < at(m)) out.push(notes[n++]);
    out.push(m);
  }
  while (n < notes.length) out.push(notes[n++]);
  return out;
}

export function LockIcon() {
  return (
    <svg className="lock-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5A1 1 0 0 1 13 8v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5Zm1.5 0h4V5a2 2 0 1 0-4 0v2Z" fill="currentColor" />
    </svg>
  );
}

/** One note in the timeline. */
export function NoteItem({ note, users }: { note: ConversationNote; users: DirectoryUser[] }) {
  const t = useT();
  const { lang } = useLang();
  const name = userName(note.authorId, users);
  return (
    <li className={`internal-note kind-${note.kind}`} data-testid="internal-note" data-note-kind={note.kind} data-note-id={note.id}>
      <div className="note-card">
        <div className="meta">
          <LockIcon />
          <span className="note-label">{t(note.kind === 'transfer' ? 'shift.note.transferBy' : 'shift.note.by', { name })}</span>
          <time dateTime={note.createdAt}>{formatClock(note.createdAt, lang)}</time>
        </div>
        <p className="text">{note.text}</p>
      </div>
    </li>
  );
}

/**
 * Collapsed to one button until wanted, so the reply box stays the obvious place to answer the
 * customer; folds away again once the note is saved.
 */
export function NoteBox({ conversationId, onAdded }: { conversationId: string; onAdded: () => void }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = text.trim();
    if (!trimmed || busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/conversations/${encodeURIComponent(conversationId)}/notes`, { text: trimmed });
      setText('');
      setSaved(t('shift.note.saved'));
      // Done: the note is in the timeline now; the composer folds away again.
      setOpen(false);
      onAdded();
    } catch (err) {
      // What was typed stays, so nothing is lost.
      setError(errorMessage(err, t));
    }
    setBusy(false);
  }

  if (!open) {
    return (
      <div className="note-toggle">
        <button type="button" className="small note-open" onClick={() => { setOpen(true); setSaved(''); }} aria-label={t('shift.note.openLabel')} data-testid="note-open">
          <LockIcon /> {t('shift.note.open')}
        </button>
        <span className="note-saved" role="status" data-testid="note-saved">{saved}</span>
      </div>
    );
  }

  return (
    <form className="note-box" onSubmit={submit} data-testid="note-box">
      <label htmlFor={`note-text-${conversationId}`} className="note-title">
        <LockIcon /> {t('shift.note.title')}
      </label>
      <textarea
        id={`note-text-${conversationId}`}
        rows={2}
        value={text}
        maxLength={2000}
        placeholder={t('shift.note.placeholder')}
        onChange={(e) => { setText(e.target.value); setSaved(''); }}
        aria-describedby={`note-hint-${conversationId}`}
        autoFocus
        data-testid="note-textbox"
      />
      {error && <p className="error" role="alert">{error}</p>}
      <div className="note-foot">
        <span id={`note-hint-${conversationId}`} className="hint">{saved || t('shift.note.hint')}</span>
        <button type="button" className="small" onClick={() => setOpen(false)} data-testid="note-close">{t('shift.note.close')}</button>
        <button type="submit" className="small note-add" disabled={busy || !text.trim()} data-testid="note-add">
          {busy ? t('shift.note.adding') : t('shift.note.add')}
        </button>
      </div>
    </form>
  );
}
