import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api } from '../api';
import type { LabelledContact } from '../contact-label';
import { useT } from '../i18n';
import { customerAddress, expandQuickReply, filterQuickReplies, insertQuickReply, slashSearchAt, type QuickReplyContext } from '../quick-reply-vars';
import type { QuickReply } from '../types';
import { optionId, QuickReplyMenu, type MenuItem } from './QuickReplyMenu';

/** Who and where the `/` quick replies are inserted for (issue 14 item 3): their variables' values. */
export interface QuickReplyTarget {
  contact: LabelledContact;
  channelName: string;
  agentName: string;
  /** The signed-in user: whose quick replies the menu may show (the cache is theirs only). */
  agentId: string;
}

interface Props {
  disabled: boolean;
  disabledReason: string | null;
  onSend: (text: string) => Promise<boolean>;
  /**
   * Text put into the box from outside (issue 13 item 5: 编辑 on the bot's draft); a new `key`
   * replaces what is there and focuses the box.
   */
  prefill?: { text: string; key: number } | null;
  /** The box holds the bot's draft: say so, and offer to write a reply of one's own instead. */
  editingDraft?: boolean;
  onCancelDraft?: () => void;
  /** Set: typing `/` offers quick replies, expanded for this conversation (issue 14 item 3). */
  quickReplies?: QuickReplyTarget;
}

/**
 * The last list fetched, and whose it is: the menu shows it at once while a fresh copy loads. Keyed
 * by the signed-in user (issue 14 review): logging out keeps this module loaded, and on a shared PC
 * the next person must never see the previous one's personal replies, not even for a moment.
 */
let cachedReplies: { userId: string; items: QuickReply[] } | null = null;

/**
 * The quick replies, fetched again each time the menu opens (`openCount` changes): a reply added
 * on the 快捷回复 page, or by an admin elsewhere, is there on the next `/` without any event.
 * Only `userId`'s own list is ever answered; null while theirs has not come yet.
 */
function useQuickReplyList(openCount: number, userId: string) {
  const [list, setList] = useState(cachedReplies);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (openCount === 0) return;
    let current = true;
    api.get<{ items: QuickReply[] }>('/api/quick-replies').then(
      (answer) => {
        const fetched = { userId, items: answer.items };
        cachedReplies = fetched;
        if (current) {
          setList(fetched);
          setFailed(false);
        }
      },
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
  }, [openCount, userId]);
  return { items: list !== null && list.userId === userId ? list.items : null, failed };
}

/**
 * Enter sends, Shift+Enter breaks the line; Enter that confirms an IME candidate (拼音) does neither.
 * `/` at the start or after a space opens the quick replies (issue 14 item 3): ↑/↓ move, Enter or
 * Tab insert (replacing the `/query`), Esc closes, a click or tap inserts. The box keeps its native
 * textbox role (ARIA in HTML allows no other on a textarea) and points at the listbox with
 * aria-controls / aria-activedescendant, as a combobox does.
 */
export function ReplyBox({ disabled, disabledReason, onSend, prefill, editingDraft = false, onCancelDraft, quickReplies }: Props) {
  const t = useT();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  // Where the caret is, once the agent typed or moved it; null: no `/` search (after a send, a prefill).
  const [caret, setCaret] = useState<number | null>(null);
  // The slash the agent closed with Esc: that search stays closed until another slash is typed.
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const [openCount, setOpenCount] = useState(0);
  const pendingCaret = useRef<number | null>(null);
  const menuId = useId();

  useEffect(() => {
    if (!prefill) return;
    setText(prefill.text);
    setCaret(null);
    box.current?.focus();
  }, [prefill]);

  const search = quickReplies && !disabled && caret !== null ? slashSearchAt(text, caret) : null;
  const open = search !== null && search.start !== dismissed;

  // Each opening fetches the list afresh; typing on in one search does not.
  const openedAt = open ? search.start : null;
  useEffect(() => {
    if (openedAt !== null) setOpenCount((n) => n + 1);
  }, [openedAt]);
  const { items: replies, failed } = useQuickReplyList(openCount, quickReplies?.agentId ?? '');

  const context: QuickReplyContext | null = useMemo(
    // {客户} is sent to the customer: their name or 亲 / "there", never our 访客 n label (issue 14 review).
    () => (quickReplies ? { customer: customerAddress(quickReplies.contact.name, t('qr.customerFallback')), agent: quickReplies.agentName, channel: quickReplies.channelName } : null),
    [quickReplies, t],
  );
  const matches = useMemo<MenuItem[]>(() => {
    if (!open || !replies || !context) return [];
    return filterQuickReplies(replies, search.query).map((r) => ({ id: r.id, title: r.title, shared: r.shared, preview: expandQuickReply(r.text, context) }));
  }, [open, replies, context, search?.query]);

  // A new query highlights its best match again.
  useEffect(() => setActive(0), [search?.query, openedAt]);
  const highlighted = Math.min(active, Math.max(0, matches.length - 1));

  // After an insert, put the caret right after the inserted text.
  useLayoutEffect(() => {
    if (pendingCaret.current === null || !box.current) return;
    box.current.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = null;
  }, [text]);

  function pick(index: number) {
    const item = matches[index];
    if (!search || caret === null || !item) return;
    const next = insertQuickReply(text, search, caret, item.preview);
    pendingCaret.current = next.caret;
    setText(next.text);
    setCaret(next.caret);
    box.current?.focus();
  }

  async function send() {
    const trimmed = text.trim();
    if (!trimmed || busy || disabled) return;
    setBusy(true);
    const sent = await onSend(trimmed);
    setBusy(false);
    // Keep the draft when sending failed, so nothing typed is lost.
    if (sent) {
      setText('');
      setCaret(null);
    }
  }

  /** The menu's keys, while it is open; true when the key was the menu's. */
  function menuKey(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!open || !search) return false;
    if (event.key === 'Escape') {
      setDismissed(search.start);
      return true;
    }
    if (matches.length === 0) {
      // Still loading: Enter must not send the bare `/query` the agent meant to replace.
      return event.key === 'Enter' && replies === null;
    }
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((highlighted + step + matches.length) % matches.length);
      return true;
    }
    if ((event.key === 'Enter' && !event.shiftKey) || (event.key === 'Tab' && !event.shiftKey)) {
      pick(highlighted);
      return true;
    }
    return false;
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.nativeEvent.isComposing || event.keyCode === 229) return;
    if (menuKey(event)) {
      event.preventDefault();
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey) return;
    event.preventDefault();
    void send();
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void send();
  }

  const trackCaret = (el: HTMLTextAreaElement) => setCaret(el.selectionStart === el.selectionEnd ? el.selectionStart : null);

  const hint = disabled ? disabledReason : editingDraft ? t('draft.editing') : quickReplies ? `${t('conv.replyHint')} · ${t('qr.boxHint')}` : t('conv.replyHint');
  return (
    <form className="reply" onSubmit={onSubmit}>
      <label htmlFor="reply-text" className="sr-only">{t('conv.reply')}</label>
      <div className="reply-input">
        {open ? (
          <QuickReplyMenu id={menuId} items={matches} active={highlighted} loading={replies === null} failed={failed} onPick={pick} onHover={setActive} />
        ) : null}
        <textarea
          id="reply-text"
          ref={box}
          rows={3}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            trackCaret(e.target);
            if (dismissed !== null && !slashSearchAt(e.target.value, e.target.selectionStart)) setDismissed(null);
          }}
          onSelect={(e) => trackCaret(e.currentTarget)}
          onBlur={() => setCaret(null)}
          onKeyDown={onKeyDown}
          disabled={disabled}
          aria-describedby="reply-hint"
          aria-autocomplete={quickReplies ? 'list' : undefined}
          aria-haspopup={quickReplies ? 'listbox' : undefined}
          aria-controls={open ? menuId : undefined}
          aria-activedescendant={open && matches.length > 0 ? optionId(menuId, highlighted) : undefined}
          maxLength={4000}
          data-testid="reply-textbox"
        />
      </div>
      <div className="sr-only" aria-live="polite">{open && matches.length > 0 ? t('qr.menu.count', { n: matches.length }) : ''}</div>
      <div className="reply-foot">
        <span id="reply-hint" className="hint">{hint}</span>
        {editingDraft && !disabled && onCancelDraft && (
          <button type="button" className="small" onClick={onCancelDraft} data-testid="draft-cancel-edit">{t('draft.cancelEdit')}</button>
        )}
        <button type="submit" className="primary" disabled={disabled || busy || !text.trim()} data-testid="reply-send">
          {busy ? t('conv.sending') : t('conv.send')}
        </button>
      </div>
    </form>
  );
}
