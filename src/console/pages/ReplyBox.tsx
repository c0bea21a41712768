import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useT } from '../i18n';

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
}

/** Enter sends, Shift+Enter breaks the line; Enter that confirms an IME candidate (拼音) does neither. */
export function ReplyBox({ disabled, disabledReason, onSend, prefill, editingDraft = false, onCancelDraft }: Props) {
  const t = useT();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (!prefill) return;
    setText(prefill.text);
    box.current?.focus();
  }, [prefill]);

  async function send() {
    const trimmed = text.trim();
    if (!trimmed || busy || disabled) return;
    setBusy(true);
    const sent = await onSend(trimmed);
    setBusy(false);
    // Keep the draft when sending failed, so nothing typed is lost.
    if (sent) setText('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    void send();
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void send();
  }

  return (
    <form className="reply" onSubmit={onSubmit}>
      <label htmlFor="reply-text" className="sr-only">{t('conv.reply')}</label>
      <textarea
        id="reply-text"
        ref={box}
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        disabled={disabled}
        aria-describedby="reply-hint"
        maxLength={4000}
        data-testid="reply-textbox"
      />
      <div className="reply-foot">
        <span id="reply-hint" className="hint">{disabled ? disabledReason : editingDraft ? t('draft.editing') : t('conv.replyHint')}</span>
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
